"""The out-box row is written with the change; delivery happens after commit."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from billfold.notifications import services
from billfold.notifications.models import OutboxMessage, Status
from billfold.notifications.services import email_enqueue, message_deliver
from billfold.notifications.tasks import deliver_message
from tests.factories import BillerFactory
from tests.notifications.factories import CustomerUserFactory

CODE = {"code": "482913", "minutes_valid": 15}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DUMMY = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Boom(Exception):
    pass


class RefusingBackend:
    """A mail backend whose server always refuses."""

    def __init__(self, alias=None, **options):
        self.alias = alias

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


REFUSING = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}


def enqueue(biller, to="ana@example.com", **kwargs):
    return email_enqueue(
        biller=biller, to=to, kind="verification_code", context=CODE, **kwargs
    )


def test_enqueued_message_is_delivered_after_commit(
    acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue(acme)
        assert message.status == Status.QUEUED
        assert mail.outbox == []
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana@example.com"]
    assert sent.subject == "Your verification code for Acme Leasing"
    assert sent.from_email == "Acme Leasing <billing@billfold.localhost>"
    assert sent.reply_to == ["help@acme.example"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.body == message.body_text
    assert [(a.content, a.mimetype) for a in sent.alternatives] == [
        (message.body_html, "text/html")
    ]


def test_placeholder_address_is_stored_suppressed_and_never_delivered(
    acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue(acme, to=" BLACKHOLE@acme.example ")
    assert callbacks == []
    assert message.status == Status.SUPPRESSED
    assert message_deliver(message_id=message.pk) == Status.SUPPRESSED
    message.refresh_from_db()
    assert message.status == Status.SUPPRESSED
    assert message.attempts == 0
    assert mail.outbox == []


def test_placeholder_of_another_biller_is_delivered(
    acme, django_capture_on_commit_callbacks
):
    other = BillerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(other, to="blackhole@acme.example")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


def test_rolled_back_change_leaves_no_row_and_sends_nothing(
    acme, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        enqueue(acme)
        raise Boom
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_real_rollback_leaves_no_row_and_real_commit_delivers():
    biller = BillerFactory(name="Acme Leasing")
    with pytest.raises(Boom), transaction.atomic():
        enqueue(biller, to="rolled.back@example.com")
        raise Boom
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []
    with transaction.atomic():
        message = enqueue(biller, to="committed@example.com")
        assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m.to for m in mail.outbox] == [["committed@example.com"]]


def test_delivering_twice_sends_once(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(acme)
    result = deliver_message.enqueue(message.pk)
    assert result.return_value == Status.SENT
    message.refresh_from_db()
    assert message.attempts == 1
    assert len(mail.outbox) == 1


def test_message_claimed_by_a_live_worker_is_not_sent_again(acme):
    message = enqueue(acme)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, last_attempt_at=timezone.now()
    )
    assert message_deliver(message_id=message.pk) == Status.SENDING
    assert mail.outbox == []


def test_message_claimed_by_a_dead_worker_is_sent(acme):
    message = enqueue(acme)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - datetime.timedelta(minutes=16),
    )
    assert message_deliver(message_id=message.pk) == Status.SENT
    message.refresh_from_db()
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_without_a_mail_server_the_message_is_kept_locally(
    acme, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(acme)
    message.refresh_from_db()
    assert message.status == Status.LOCAL
    assert message.sent_at is not None
    assert message.last_error == ""


def test_refused_delivery_is_recorded_and_retried_later(acme, settings):
    settings.MAILERS = REFUSING
    message = enqueue(acme)
    before = timezone.now()
    assert message_deliver(message_id=message.pk) == Status.FAILED
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert (
        message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert message.sent_at is None
    assert (
        before + datetime.timedelta(minutes=1)
        <= message.next_attempt_at
        <= timezone.now() + datetime.timedelta(minutes=1)
    )


def test_delivery_gives_up_after_five_attempts(acme, settings):
    settings.MAILERS = REFUSING
    message = enqueue(acme)
    statuses = [message_deliver(message_id=message.pk) for _ in range(6)]
    assert statuses == [Status.FAILED] * 6
    message.refresh_from_db()
    assert message.attempts == 5
    assert message.next_attempt_at is None


def test_send_due_restarts_failed_and_forgotten_messages(acme, settings):
    settings.MAILERS = REFUSING
    failed = enqueue(acme, to="failed@example.com")
    message_deliver(message_id=failed.pk)
    forgotten = enqueue(acme, to="forgotten@example.com")
    fresh = enqueue(acme, to="fresh@example.com")
    too_old = enqueue(acme, to="old@example.com")
    # Two minutes later: the first retry (after one minute) is due.
    later = timezone.now() + datetime.timedelta(minutes=2)
    OutboxMessage.objects.filter(pk=forgotten.pk).update(
        created_at=later - datetime.timedelta(minutes=5)
    )
    OutboxMessage.objects.filter(pk=fresh.pk).update(
        created_at=later - datetime.timedelta(seconds=30)
    )
    OutboxMessage.objects.filter(pk=too_old.pk).update(
        created_at=later - datetime.timedelta(days=2)
    )
    settings.MAILERS = LOCMEM
    count = services.outbox_send_due(now=later)
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "failed@example.com",
        "forgotten@example.com",
    ]
    fresh.refresh_from_db()
    assert fresh.status == Status.QUEUED


def test_user_of_another_biller_is_refused(acme):
    stranger = CustomerUserFactory()
    with pytest.raises(ValueError, match="another biller"):
        enqueue(acme, user=stranger)


def test_user_language_is_used_when_none_is_given(acme):
    user = CustomerUserFactory(biller=acme, language="es")
    message = enqueue(acme, to=user.email, user=user)
    assert message.language == "es"
    assert message.user == user


@pytest.mark.parametrize(
    "to",
    ["", "not-an-address", "a@example.com, b@example.com", "a@example.com\nBcc: x@y.z"],
)
def test_anything_but_one_address_is_refused(acme, to):
    with pytest.raises(ValueError, match="not a single valid email address"):
        enqueue(acme, to=to)
    assert OutboxMessage.objects.count() == 0


def test_purge_deletes_messages_older_than_the_given_days(acme):
    old = enqueue(acme, to="old@example.com")
    recent = enqueue(acme, to="recent@example.com")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=now - datetime.timedelta(days=31)
    )
    assert services.outbox_purge(older_than=datetime.timedelta(days=30), now=now) == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_command_reports_what_it_deleted(acme, capsys):
    from django.core.management import call_command

    old = enqueue(acme)
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    call_command("purge_outbox", "--days", "7")
    assert (
        capsys.readouterr().out == "Deleted 1 out-box message(s) older than 7 day(s).\n"
    )
    assert OutboxMessage.objects.count() == 0


def test_purge_command_refuses_zero_days(db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_outbox", "--days", "0")


def test_send_outbox_command_reports_what_it_enqueued(acme, capsys):
    from django.core.management import call_command

    forgotten = enqueue(acme)
    OutboxMessage.objects.filter(pk=forgotten.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    call_command("send_outbox")
    assert capsys.readouterr().out == "Enqueued 1 out-box message(s).\n"
    forgotten.refresh_from_db()
    assert forgotten.status == Status.SENT
    assert len(mail.outbox) == 1
