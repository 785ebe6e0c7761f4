"""Passkeys in a real browser: Chromium with a virtual authenticator.

The page's own script does the WebAuthn calls; Chromium's virtual
authenticator (DevTools protocol) plays the phone, with a resident key and
user verification, as a platform authenticator would.
"""

import base64
import re

import pytest

from billfold.accounts.models import Passkey
from billfold.audit.models import ActivityEvent
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(browser, transactional_db):
    """A page whose Chromium has a virtual platform authenticator."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page
    context.close()


def test_add_a_passkey_then_sign_in_with_it_and_no_username(live_server, browser_page):
    from tests.factories import BillerFactory

    biller = BillerFactory()
    user = UserFactory(biller=biller)
    base = live_server.url.replace("127.0.0.1", "localhost")
    page = browser_page

    page.goto(f"{base}/b/{biller.slug}/")
    page.get_by_label("Username or email").fill(user.username)
    page.get_by_label("Password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/b/{biller.slug}/")

    page.goto(f"{base}/b/{biller.slug}/security/2fa/passkeys/add/")
    page.get_by_label("Name for this passkey").fill("Test laptop")
    page.get_by_label("Your current password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(re.compile(r".*/security/2fa/recovery-codes/$"))
    assert page.locator("ol.recovery-codes li").count() == 10
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Test laptop"

    page.context.clear_cookies()
    page.goto(f"{base}/b/{biller.slug}/")
    verify_url = re.compile(r".*/passkey/sign-in/verify/$")
    with page.expect_response(verify_url) as verify, page.expect_navigation():
        page.get_by_role("button", name="Sign in with a passkey").click()
    assert verify.value.status == 200

    assert page.get_by_label("Username or email").count() == 0
    success = (
        ActivityEvent.objects.filter(action="signin.success").order_by("id").last()
    )
    assert success.details == {"method": "passkey"}
    assert success.target_id == str(user.pk)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None


def test_set_up_the_app_from_the_typed_key_then_sign_in_with_a_code(
    live_server, browser_page
):
    from django_otp.oath import totp

    from tests.factories import BillerFactory

    biller = BillerFactory()
    user = UserFactory(biller=biller)
    base = live_server.url.replace("127.0.0.1", "localhost")
    page = browser_page

    def sign_in_with_password():
        page.goto(f"{base}/b/{biller.slug}/")
        page.get_by_label("Username or email").fill(user.username)
        page.get_by_label("Password").fill(GOOD_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()

    sign_in_with_password()
    page.wait_for_url(f"{base}/b/{biller.slug}/")
    page.goto(f"{base}/b/{biller.slug}/security/2fa/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url(re.compile(r".*/security/2fa/app/$"))
    typed_key = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(typed_key + "=" * (-len(typed_key) % 8))
    page.get_by_label("6-digit code from the app").fill(f"{totp(key):06d}")
    page.get_by_label("Your current password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url(re.compile(r".*/security/2fa/recovery-codes/$"))
    assert page.locator("ol.recovery-codes code").count() == 10

    page.context.clear_cookies()
    sign_in_with_password()
    page.wait_for_url(re.compile(r".*/security/2fa/code/$"))
    # The next time step: the code just used cannot be used twice.
    page.get_by_label("Code from your authenticator app or a recovery code").fill(
        f"{totp(key, drift=1):06d}"
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/b/{biller.slug}/")

    success = (
        ActivityEvent.objects.filter(action="signin.success").order_by("id").last()
    )
    assert success.details == {"method": "password+totp"}
    assert success.target_id == str(user.pk)
