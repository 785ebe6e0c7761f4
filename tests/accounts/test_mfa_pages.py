"""The two-step part of the security centre, page by page."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billfold.accounts.mfa import services
from billfold.audit.models import ActivityEvent
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory
from tests.accounts.test_mfa_totp import code_for, enrol

pytestmark = pytest.mark.django_db

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def sign_in(client, biller, user):
    response = client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": GOOD_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:home", args=[biller.slug])
    return client


@pytest.fixture
def signed_in(client, biller, user):
    return sign_in(client, biller, user)


def overview_url(biller) -> str:
    return reverse("accounts:mfa_overview", args=[biller.slug])


# --- who may see the pages --------------------------------------------------


def test_overview_sends_anonymous_visitors_to_sign_in(client, biller):
    response = client.get(overview_url(biller))

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("accounts:home", args=[biller.slug])
        + "?next=%2Fb%2F"
        + biller.slug
        + "%2Fsecurity%2F2fa%2F"
    )


def test_overview_refuses_a_customer_of_another_biller(client, biller, other_user):
    sign_in(client, other_user.biller, other_user)

    response = client.get(overview_url(biller))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:home", args=[biller.slug]))


@pytest.mark.parametrize(
    "name",
    ["mfa_totp_start", "mfa_totp_remove", "mfa_recovery_codes", "mfa_passkey_add"],
)
def test_security_centre_pages_refuse_anonymous_visitors(client, biller, user, name):
    enrol(user)

    response = client.post(reverse(f"accounts:{name}", args=[biller.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:home", args=[biller.slug]))
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_overview_for_a_customer_without_second_factors(signed_in, biller):
    response = signed_in.get(overview_url(biller))

    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE
    assert "Two-step sign-in is off." in response.text
    assert "Set up an authenticator app" in response.text
    assert "No passkeys yet." in response.text
    assert "Adding a passkey needs JavaScript" in response.text


# --- authenticator app through the pages ------------------------------------


def test_setting_up_the_app_through_the_pages(signed_in, biller, user):
    start = signed_in.post(reverse("accounts:mfa_totp_start", args=[biller.slug]))
    assert start["Location"] == reverse("accounts:mfa_totp_setup", args=[biller.slug])
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    page = signed_in.get(start["Location"])
    assert page["Cache-Control"] == NO_STORE
    assert "<svg" in page.text
    assert services.totp_secret_grouped(device) in page.text
    assert '<label for="id_token">6-digit code from the app:</label>' in page.text

    wrong_password = signed_in.post(
        start["Location"], {"token": code_for(device), "current_password": "Wrong-1234"}
    )
    assert "That is not your current password." in wrong_password.text
    device.refresh_from_db()
    assert device.confirmed is False

    done = signed_in.post(
        start["Location"],
        {"token": code_for(device), "current_password": GOOD_PASSWORD},
    )
    assert done["Location"] == reverse(
        "accounts:mfa_recovery_codes", args=[biller.slug]
    )
    device.refresh_from_db()
    assert device.confirmed is True

    codes_page = signed_in.get(done["Location"])
    shown = re.findall(r"<li><code>([^<]+)</code></li>", codes_page.text)
    assert len(shown) == 10
    assert {services.recovery_code_digest(user=user, code=c) for c in shown} == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert "Your authenticator app is set up." in codes_page.text
    again = signed_in.get(done["Location"])
    assert re.findall(r"<li><code>([^<]+)</code></li>", again.text) == []

    overview = signed_in.get(overview_url(biller))
    assert "Two-step sign-in is on" in overview.text
    assert "10 recovery codes left." in overview.text


def test_setup_page_without_a_started_setup_goes_back_to_the_overview(
    signed_in, biller
):
    response = signed_in.get(reverse("accounts:mfa_totp_setup", args=[biller.slug]))

    assert response["Location"] == overview_url(biller)


def test_removing_the_app_needs_the_current_password(signed_in, biller, user):
    enrol(user)
    url = reverse("accounts:mfa_totp_remove", args=[biller.slug])

    refused = signed_in.post(url, {"current_password": "Wrong-password-9"})
    assert refused.status_code == 200
    assert "That is not your current password." in refused.text
    assert (
        'aria-describedby="id_current_password_helptext id_current_password_error"'
        in (refused.text)
    )
    assert services.user_needs_second_factor(user) is True

    done = signed_in.post(url, {"current_password": GOOD_PASSWORD})

    assert done["Location"] == overview_url(biller)
    assert services.user_needs_second_factor(user) is False
    assert [
        a
        for a in ActivityEvent.objects.order_by("id").values_list("action", flat=True)
        if a.startswith("mfa.")
    ] == ["mfa.totp_added", "mfa.reauth_failure", "mfa.totp_removed"]
    notice = OutboxMessage.objects.get(kind="sign_in_method_removed")
    assert notice.to_address == user.email


def test_reauthentication_is_throttled_like_sign_in(signed_in, biller, user):
    enrol(user)
    url = reverse("accounts:mfa_totp_remove", args=[biller.slug])
    for _ in range(5):
        signed_in.post(url, {"current_password": "Wrong-password-9"})

    response = signed_in.post(url, {"current_password": GOOD_PASSWORD})

    assert "Too many wrong passwords. Wait 15 minutes" in response.text
    assert services.user_needs_second_factor(user) is True


def test_regenerating_recovery_codes_through_the_page(signed_in, biller, user):
    _device, old = enrol(user)
    url = reverse("accounts:mfa_recovery_codes", args=[biller.slug])

    response = signed_in.post(url, {"current_password": GOOD_PASSWORD}, follow=True)

    shown = re.findall(r"<li><code>([^<]+)</code></li>", response.text)
    assert len(shown) == 10
    assert set(shown).isdisjoint(old)
    assert "The old ones no longer work." in response.text
    assert OutboxMessage.objects.filter(kind="new_sign_in_method").count() == 2


def test_recovery_codes_page_without_a_second_factor_goes_to_the_overview(
    signed_in, biller
):
    response = signed_in.get(reverse("accounts:mfa_recovery_codes", args=[biller.slug]))

    assert response["Location"] == overview_url(biller)


def test_passkey_page_says_plainly_that_it_needs_javascript(signed_in, biller):
    response = signed_in.get(reverse("accounts:mfa_passkey_add", args=[biller.slug]))

    assert response.status_code == 200
    assert "<noscript><p><strong>Adding a passkey needs JavaScript" in response.text
    assert '<label for="id_name">Name for this passkey:</label>' in response.text
    assert "data-passkey-add" in response.text
    assert "accounts/mfa/passkeys.js" in response.text


# --- the sign-in page and languages -----------------------------------------


def test_sign_in_page_offers_a_passkey_button_only_to_scripts(client, biller):
    response = client.get(reverse("accounts:home", args=[biller.slug]))

    assert (
        "data-passkey-signin-button hidden>Sign in with a passkey</button>"
        in response.text
    )
    assert (
        '<noscript><p class="hint">Passkey sign-in needs JavaScript.</p></noscript>'
        in (response.text)
    )
    assert (
        reverse("accounts:mfa_passkey_auth_options", args=[biller.slug])
        in response.text
    )


def test_second_step_in_spanish(client, biller, user):
    enrol(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": GOOD_PASSWORD},
    )

    page = client.get(reverse("accounts:mfa_challenge", args=[biller.slug]))

    assert (
        "Código de su aplicación de autenticación o un código de recuperación"
        in page.text
    )
    assert "Usar una llave de acceso" not in page.text  # no passkey: not offered


def test_overview_lists_passkeys_of_this_user_only(signed_in, biller, user):
    from billfold.accounts.models import Passkey

    Passkey.objects.create(
        user=user, name="Work laptop", credential_id=b"a", public_key=b"k"
    )
    someone = UserFactory(biller=biller)
    Passkey.objects.create(
        user=someone, name="Not mine", credential_id=b"b", public_key=b"k"
    )

    response = signed_in.get(overview_url(biller))

    assert "Work laptop" in response.text
    assert "Not mine" not in response.text
