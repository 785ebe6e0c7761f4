"""Authenticator apps, recovery codes and the second step at sign-in."""

import datetime
import re
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billfold.accounts.mfa import services
from billfold.accounts.models import Passkey, UserSession
from billfold.audit.models import ActivityEvent
from billfold.core.errors import BillfoldError
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import GOOD_PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` steps later)."""
    value = totp(
        device.bin_key,
        device.step,
        device.t0,
        device.digits,
        device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device, _uri, _svg = services.totp_begin(user=user)
    codes = services.totp_confirm(
        user=user,
        device=device,
        token=code_for(device),
        actor_kind="customer",
        actor_id=user.pk,
    )
    device.refresh_from_db()
    return device, codes


def actions(biller) -> list[str]:
    return list(
        ActivityEvent.objects.filter(biller=biller)
        .order_by("id")
        .values_list("action", flat=True)
    )


def sign_in(client, biller, user, password=GOOD_PASSWORD):
    return client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": password},
    )


def write_pending(client, *, user, biller, at: float | None = None) -> None:
    session = client.session
    session[services.PENDING_SESSION_KEY] = {
        "user": user.pk,
        "biller": biller.pk,
        "at": int(time.time() if at is None else at),
    }
    session.save()


def challenge_url(biller) -> str:
    return reverse("accounts:mfa_challenge", args=[biller.slug])


# --- enrolment --------------------------------------------------------------


def test_totp_begin_makes_an_unconfirmed_device_with_uri_and_qr(user):
    device, uri, svg = services.totp_begin(user=user)

    assert device.confirmed is False
    assert device.name == "Authenticator app"
    assert device.user == user
    secret = services.totp_secret_grouped(device).replace(" ", "")
    assert uri == (
        f"otpauth://totp/{user.biller.name.replace(' ', '%20')}%3A"
        f"{user.username.replace('@', '%40')}?secret={secret}"
        f"&issuer={user.biller.name.replace(' ', '%20')}&algorithm=SHA1&digits=6&period=30"
    )
    assert svg.startswith("<svg")
    assert "<title>QR code for your authenticator app</title>" in svg
    assert services.user_needs_second_factor(user) is False


def test_totp_secret_is_shown_in_groups_of_four(user):
    device, _uri, _svg = services.totp_begin(user=user)

    grouped = services.totp_secret_grouped(device)

    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", grouped)


def test_totp_confirm_with_the_current_code_turns_on_the_second_step(user):
    device, codes = enrol(user)

    assert device.confirmed is True
    assert services.user_needs_second_factor(user) is True
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(
        re.fullmatch(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", c)
        for c in codes
    )
    assert actions(user.biller) == ["mfa.totp_added"]
    event = ActivityEvent.objects.get(action="mfa.totp_added")
    assert event.customer_id == user.customer_id
    assert event.details == {"device": device.pk, "recovery_codes_issued": 10}
    message = OutboxMessage.objects.get()
    assert (message.kind, message.to_address, message.user) == (
        "new_sign_in_method",
        user.email,
        user,
    )
    assert "authenticator app" in message.body_text


def test_recovery_codes_are_stored_as_digests_not_as_the_codes(user):
    _device, codes = enrol(user)

    stored = set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )

    assert len(stored) == 10
    assert stored.isdisjoint({c for c in codes} | {c.replace("-", "") for c in codes})
    assert stored == {services.recovery_code_digest(user=user, code=c) for c in codes}


def test_totp_confirm_refuses_a_wrong_code_and_leaves_the_device_unconfirmed(user):
    device, _uri, _svg = services.totp_begin(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    with pytest.raises(BillfoldError) as excinfo:
        services.totp_confirm(
            user=user,
            device=device,
            token=wrong,
            actor_kind="customer",
            actor_id=user.pk,
        )

    assert excinfo.value.code == "mfa_code_invalid"
    assert excinfo.value.field == "token"
    device.refresh_from_db()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1
    assert services.user_needs_second_factor(user) is False
    assert StaticToken.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert actions(user.biller) == []


def test_totp_confirm_refuses_another_users_device(user, biller):
    from tests.accounts.conftest import UserFactory

    someone = UserFactory(biller=biller)
    device, _uri, _svg = services.totp_begin(user=someone)

    with pytest.raises(BillfoldError) as excinfo:
        services.totp_confirm(
            user=user,
            device=device,
            token=code_for(device),
            actor_kind="customer",
            actor_id=user.pk,
        )

    assert excinfo.value.code == "mfa_setup_expired"
    device.refresh_from_db()
    assert device.confirmed is False


def test_totp_begin_refused_when_an_app_is_already_set_up(user):
    enrol(user)

    with pytest.raises(BillfoldError) as excinfo:
        services.totp_begin(user=user)

    assert excinfo.value.code == "mfa_totp_exists"
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_totp_remove_drops_recovery_codes_with_the_last_factor(user):
    enrol(user)

    services.totp_remove(user=user, actor_kind="customer", actor_id=user.pk)

    assert services.user_needs_second_factor(user) is False
    assert StaticToken.objects.filter(device__user=user).count() == 0
    event = ActivityEvent.objects.get(action="mfa.totp_removed")
    assert event.details == {"recovery_codes_removed": True}
    notice = OutboxMessage.objects.get(kind="sign_in_method_removed")
    assert (notice.to_address, notice.user_id) == (user.email, user.pk)
    assert (
        f"A way to sign in was removed from your {user.biller.name} account: "
        "authenticator app." in notice.body_text
    )


def test_totp_remove_keeps_recovery_codes_while_a_passkey_remains(user):
    enrol(user)
    Passkey.objects.create(
        user=user, name="Phone", credential_id=b"cred", public_key=b"key"
    )

    services.totp_remove(user=user, actor_kind="customer", actor_id=user.pk)

    assert services.user_needs_second_factor(user) is True
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_recovery_codes_regenerate_replaces_every_code_and_notifies(user):
    _device, old = enrol(user)

    new = services.recovery_codes_regenerate(
        user=user, actor_kind="customer", actor_id=user.pk
    )

    assert len(new) == 10
    assert set(new).isdisjoint(old)
    with pytest.raises(BillfoldError):
        services.second_factor_verify(user=user, code=old[0])
    # Past django-otp's one-second back-off after the failure.
    with time_machine.travel(time.time() + 2, tick=False):
        assert services.second_factor_verify(user=user, code=new[0]) == "recovery_code"
    assert actions(user.biller) == [
        "mfa.totp_added",
        "mfa.recovery_codes_regenerated",
        "signin.mfa_failure",
        "mfa.recovery_code_used",
    ]
    kinds = list(OutboxMessage.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["new_sign_in_method", "new_sign_in_method"]
    assert "recovery codes" in OutboxMessage.objects.order_by("id").last().body_text


def test_recovery_codes_regenerate_refused_without_a_second_factor(user):
    with pytest.raises(BillfoldError) as excinfo:
        services.recovery_codes_regenerate(
            user=user, actor_kind="customer", actor_id=user.pk
        )

    assert excinfo.value.code == "mfa_none"
    assert StaticToken.objects.count() == 0


# --- the second step --------------------------------------------------------


def test_recovery_code_works_once_only(user):
    _device, codes = enrol(user)

    assert services.second_factor_verify(
        user=user, code=codes[3].upper().replace("-", " ")
    ) == ("recovery_code")
    with pytest.raises(BillfoldError) as excinfo:
        services.second_factor_verify(user=user, code=codes[3])

    assert excinfo.value.code in {"mfa_code_invalid", "mfa_wait"}
    assert StaticToken.objects.filter(device__user=user).count() == 9
    used = ActivityEvent.objects.get(action="mfa.recovery_code_used")
    assert used.details == {"left": 9}


def test_a_totp_code_is_not_accepted_twice(user):
    device, _codes = enrol(user)
    next_code = code_for(device, steps_ahead=1)

    assert services.second_factor_verify(user=user, code=next_code) == "totp"
    with pytest.raises(BillfoldError):
        services.second_factor_verify(user=user, code=next_code)


def test_signin_with_password_then_code_when_totp_is_confirmed(client, biller, user):
    device, _codes = enrol(user)

    response = sign_in(client, biller, user)

    assert response.status_code == 302
    assert response["Location"] == challenge_url(biller)
    assert "_auth_user_id" not in client.session
    page = client.get(challenge_url(biller))
    assert page.status_code == 200
    assert "Code from your authenticator app or a recovery code" in page.text
    assert (
        page["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )

    done = client.post(challenge_url(biller), {"code": code_for(device, steps_ahead=1)})

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:home", args=[biller.slug])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert services.PENDING_SESSION_KEY not in client.session
    success = ActivityEvent.objects.get(action="signin.success")
    assert success.details == {"method": "password+totp"}
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1


def test_signin_without_a_second_factor_skips_the_second_step(client, biller, user):
    response = sign_in(client, biller, user)

    assert response["Location"] == reverse("accounts:home", args=[biller.slug])
    assert client.session["_auth_user_id"] == str(user.pk)


def test_challenge_with_a_wrong_code_stays_signed_out(client, biller, user):
    device, _codes = enrol(user)
    write_pending(client, user=user, biller=biller)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"

    response = client.post(challenge_url(biller), {"code": wrong})

    assert response.status_code == 200
    assert "That code did not work." in response.text
    assert 'aria-describedby="id_code_helptext id_code_error"' in response.text
    assert "_auth_user_id" not in client.session
    failure = ActivityEvent.objects.get(action="signin.mfa_failure")
    assert (failure.outcome, failure.details) == (
        "failure",
        {"method": "totp", "waiting": False},
    )
    assert wrong not in str(failure.details)


def test_challenge_accepts_a_recovery_code_and_says_how_many_are_left(
    client, biller, user
):
    _device, codes = enrol(user)
    write_pending(client, user=user, biller=biller)

    response = client.post(challenge_url(biller), {"code": codes[0]}, follow=True)

    assert client.session["_auth_user_id"] == str(user.pk)
    assert "You used a recovery code. 9 are left" in response.text
    assert ActivityEvent.objects.get(action="signin.success").details == {
        "method": "password+recovery_code"
    }


def test_challenge_without_pending_state_goes_back_to_sign_in(client, biller, user):
    enrol(user)

    response = client.get(challenge_url(biller))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home", args=[biller.slug])


def test_pending_state_expires_after_five_minutes(client, biller, user):
    device, _codes = enrol(user)
    write_pending(client, user=user, biller=biller, at=time.time() - 301)

    response = client.post(
        challenge_url(biller), {"code": code_for(device, steps_ahead=1)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home", args=[biller.slug])
    assert "_auth_user_id" not in client.session
    assert services.PENDING_SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.last_t < int(time.time()) // 30 + 1  # the code was never checked


def test_pending_state_of_another_biller_is_refused(client, biller, other_biller, user):
    device, _codes = enrol(user)
    write_pending(client, user=user, biller=biller)

    response = client.post(
        challenge_url(other_biller), {"code": code_for(device, steps_ahead=1)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home", args=[other_biller.slug])
    assert "_auth_user_id" not in client.session


def test_pending_state_naming_a_user_of_another_biller_is_refused(
    client, biller, other_biller, other_user
):
    device, _codes = enrol(other_user)
    write_pending(client, user=other_user, biller=biller)

    response = client.post(
        challenge_url(biller), {"code": code_for(device, steps_ahead=1)}
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_challenge_is_throttled_after_five_wrong_codes(client, biller, user):
    device, _codes = enrol(user)
    write_pending(client, user=user, biller=biller)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"
    start = datetime.datetime.now(tz=datetime.UTC)

    # django-otp's own back-off (1, 2, 4, 8 s) is stepped over; the account
    # throttle (5 per 15 minutes) is what this test is about.
    for i in range(5):
        with time_machine.travel(
            start + datetime.timedelta(seconds=20 * i), tick=False
        ):
            write_pending(client, user=user, biller=biller)
            response = client.post(challenge_url(biller), {"code": wrong})
            assert "That code did not work." in response.text
    with time_machine.travel(start + datetime.timedelta(seconds=120), tick=False):
        write_pending(client, user=user, biller=biller)
        refused = client.post(challenge_url(biller), {"code": code_for(device)})

    assert refused.status_code == 200
    assert "Too many wrong codes. Wait 15 minutes" in refused.text
    assert "_auth_user_id" not in client.session
    assert actions(biller).count("signin.mfa_failure") == 5
    assert actions(biller)[-1] == "signin.mfa_throttled"


def test_signin_still_asks_for_the_code_after_a_password_reset(
    client, rf, biller, user
):
    from django.contrib.sessions.backends.db import SessionStore

    from billfold.accounts.recovery import services as recovery

    _device, _codes = enrol(user)
    request = rf.post("/")
    request.session = SessionStore()
    flow = recovery.Flow(
        flow="6f1c1a8e-4a4e-4d0e-9a51-0d7f3b1c2e11",
        biller=biller.pk,
        step=recovery.Step.PASSWORD,
        user=user.pk,
        email=user.email,
        at=time.time(),
    )
    new_password = "Quiet-Meadow-Compass-58"
    recovery.password_reset(
        request, biller=biller, flow=flow, new_password=new_password
    )
    assert "password.reset" in actions(biller)

    response = sign_in(client, biller, user, password=new_password)

    assert response.status_code == 302
    assert response["Location"] == challenge_url(biller)
    assert "_auth_user_id" not in client.session
    assert services.user_needs_second_factor(user) is True
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=user).count() == 10
