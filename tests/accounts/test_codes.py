"""One-time codes: 15 minutes, single use, 5 tries per flow, resend keeps failures."""

import datetime
import uuid

import pytest
import time_machine
from django.contrib.auth import get_user_model

from billfold.accounts import codes
from billfold.accounts.codes import code_issue, code_tries_left, code_verify
from billfold.accounts.models import CodePurpose, OneTimeCode
from billfold.audit.models import ActivityEvent

pytestmark = pytest.mark.django_db
RECOVERY = CodePurpose.RECOVERY
START = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def user(biller):
    return get_user_model().objects.create_user(
        "ann@example.com", "ann@example.com", "x", biller=biller
    )


def _issue(biller, user, flow=None):
    return code_issue(
        biller=biller, user=user, purpose=RECOVERY, destination=user.email, flow=flow
    )


def _wrong(plain: str) -> str:
    return f"{(int(plain) + 1) % 10**codes.CODE_DIGITS:0{codes.CODE_DIGITS}d}"


def test_code_is_eight_digits_and_stored_hashed(biller, user):
    row, plain = _issue(biller, user)

    assert len(plain) == 8
    assert plain.isdigit()
    assert plain not in row.code
    assert row.code.startswith("hmac_sha256$")
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=15)


def test_right_code_is_accepted_once(biller, user):
    row, plain = _issue(biller, user)

    first = code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain)
    second = code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain)

    assert first == row
    assert first.used_at is not None
    assert second is None


def test_code_with_spaces_is_accepted(biller, user):
    row, plain = _issue(biller, user)

    spaced = f" {plain[:4]} {plain[4:]} "

    assert (
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=spaced) == row
    )


def test_code_expires_after_fifteen_minutes(biller, user):
    with time_machine.travel(START, tick=False):
        row, plain = _issue(biller, user)
    with time_machine.travel(
        START + datetime.timedelta(minutes=14, seconds=59), tick=False
    ):
        still_valid = code_verify(
            biller=biller, flow=row.flow, purpose=RECOVERY, code=plain
        )
    assert still_valid == row

    with time_machine.travel(START, tick=False):
        row2, plain2 = _issue(biller, user)
    with time_machine.travel(START + datetime.timedelta(minutes=15), tick=False):
        expired = code_verify(
            biller=biller, flow=row2.flow, purpose=RECOVERY, code=plain2
        )
    assert expired is None


def test_five_wrong_codes_spend_the_flow_even_for_the_right_code(biller, user):
    row, plain = _issue(biller, user)

    results = [
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=_wrong(plain))
        for _ in range(5)
    ]
    after = code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain)

    assert results == [None] * 5
    assert after is None
    row.refresh_from_db()
    assert row.failures == 5
    assert code_tries_left(biller=biller, flow=row.flow, purpose=RECOVERY) == 0


def test_resend_supersedes_the_old_code_and_keeps_the_failures(biller, user):
    row, plain = _issue(biller, user)
    for _ in range(3):
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=_wrong(plain))

    new_row, new_plain = _issue(biller, user, flow=row.flow)

    assert new_row.failures == 3
    assert code_tries_left(biller=biller, flow=row.flow, purpose=RECOVERY) == 2
    assert (
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain) is None
    )
    assert (
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=new_plain)
        == new_row
    )


def test_resend_after_five_failures_does_not_give_new_tries(biller, user):
    row, plain = _issue(biller, user)
    for _ in range(5):
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=_wrong(plain))

    _new_row, new_plain = _issue(biller, user, flow=row.flow)

    assert (
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=new_plain)
        is None
    )


def test_code_of_another_flow_is_refused(biller, user):
    _row, plain = _issue(biller, user)
    other, _other_plain = _issue(biller, user)

    assert (
        code_verify(biller=biller, flow=other.flow, purpose=RECOVERY, code=plain)
        is None
    )


def test_code_of_another_biller_is_refused(biller, other_biller, user):
    row, plain = _issue(biller, user)

    refused = code_verify(
        biller=other_biller, flow=row.flow, purpose=RECOVERY, code=plain
    )

    assert refused is None
    assert (
        code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain) == row
    )


def test_code_of_another_purpose_is_refused(biller, user):
    row, plain = _issue(biller, user)

    refused = code_verify(
        biller=biller, flow=row.flow, purpose=CodePurpose.VERIFY_EMAIL, code=plain
    )

    assert refused is None


def test_unknown_flow_is_refused(biller):
    assert (
        code_verify(biller=biller, flow=uuid.uuid4(), purpose=RECOVERY, code="1")
        is None
    )


def test_events_record_sent_failed_used_without_the_code(biller, user):
    row, plain = _issue(biller, user)
    code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=_wrong(plain))
    code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=plain)

    events = list(
        ActivityEvent.objects.filter(target_id=str(user.pk))
        .order_by("id")
        .values_list("action", "outcome", "details")
    )

    assert events == [
        ("code.sent", "success", {"purpose": "recovery", "resend": False}),
        (
            "code.failed",
            "failure",
            {"purpose": "recovery", "reason": "wrong", "failures": 1},
        ),
        ("code.used", "success", {"purpose": "recovery"}),
    ]
    assert plain not in str(events)


def test_code_without_a_user_records_no_event_and_still_counts_failures(biller):
    row, plain = code_issue(
        biller=biller, user=None, purpose=RECOVERY, destination="", flow=None
    )

    code_verify(biller=biller, flow=row.flow, purpose=RECOVERY, code=_wrong(plain))

    assert ActivityEvent.objects.count() == 0
    assert OneTimeCode.objects.get(pk=row.pk).failures == 1
