"""Passkeys, checked with a software authenticator built in the test.

The authenticator makes an EC P-256 key, answers registration with a "none"
attestation and signs assertions exactly as a browser and a device would:
authenticatorData = rpIdHash || flags || signCount [|| attestedCredentialData],
signature over authenticatorData || SHA-256(clientDataJSON).
"""

import base64
import hashlib
import json
import os

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from billfold.accounts.mfa import services
from billfold.accounts.mfa import webauthn as passkeys
from billfold.accounts.models import Passkey
from billfold.audit.models import ActivityEvent
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import GOOD_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RP_ID = "testserver"
ORIGIN = "http://testserver"
FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    """One passkey on a pretend device."""

    def __init__(self, *, rp_id: str = RP_ID, origin: str = ORIGIN):
        self.rp_id = rp_id
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle = b""

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def create(
        self, options: dict, *, uv: bool = True, origin: str | None = None
    ) -> dict:
        self.user_handle = base64.urlsafe_b64decode(options["user"]["id"] + "==")
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        flags = FLAG_UP | FLAG_AT | (FLAG_UV if uv else 0)
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
            + bytes(16)  # AAGUID: none
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: dict,
        *,
        uv: bool = True,
        origin: str | None = None,
        sign_count: int | None = None,
    ) -> dict:
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([FLAG_UP | (FLAG_UV if uv else 0)])
            + self.sign_count.to_bytes(4, "big")
        )
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(self.user_handle),
            },
            "clientExtensionResults": {},
        }


def sign_in_with_password(client, biller, user):
    response = client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": user.username, "password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    return response


def post_json(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def add_passkey(client, biller, *, authenticator=None, name="My phone", uv=True):
    """Go through the security-centre flow; return the authenticator and the response."""
    authenticator = authenticator or SoftAuthenticator()
    options = client.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": name, "current_password": GOOD_PASSWORD},
    )
    assert options.status_code == 200, options.content
    response = post_json(
        client,
        reverse("accounts:mfa_passkey_register_verify", args=[biller.slug]),
        authenticator.create(options.json(), uv=uv),
    )
    return authenticator, response


def add_passkey_then_sign_out(client, biller):
    """Add a passkey in the security centre, then sign out; return its authenticator."""
    authenticator, _response = add_passkey(client, biller)
    client.post(reverse("accounts:signout", args=[biller.slug]))
    return authenticator


def passkey_sign_in(client, biller, authenticator, **kwargs):
    options = post_json(
        client, reverse("accounts:mfa_passkey_auth_options", args=[biller.slug]), {}
    )
    assert options.status_code == 200
    return post_json(
        client,
        reverse("accounts:mfa_passkey_auth_verify", args=[biller.slug]),
        authenticator.get(options.json(), **kwargs),
    )


@pytest.fixture
def signed_in(client, biller, user):
    sign_in_with_password(client, biller, user)
    return client


# --- registration -----------------------------------------------------------


def test_registration_options_are_for_this_host_and_user(signed_in, biller, user):
    response = signed_in.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "My phone", "current_password": GOOD_PASSWORD},
    )

    options = response.json()
    assert (
        response["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    assert options["rp"] == {"id": "testserver", "name": biller.name}
    assert options["user"]["name"] == user.username
    assert options["user"]["displayName"] == f"{user.username} ({biller.name})"
    assert options["user"]["id"] == b64url(passkeys.user_handle(user))
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    state = signed_in.session[passkeys.CHALLENGE_SESSION_KEY]
    assert (state["purpose"], state["user"], state["biller"]) == (
        "register",
        user.pk,
        biller.pk,
    )
    assert state["challenge"] == options["challenge"]


def test_registration_options_need_the_current_password(signed_in, biller, user):
    response = signed_in.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "My phone", "current_password": "not-my-password-1"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "That is not your current password.",
        "code": "reauth_failed",
        "field": "current_password",
    }
    assert passkeys.CHALLENGE_SESSION_KEY not in signed_in.session
    assert ActivityEvent.objects.filter(action="mfa.reauth_failure").count() == 1


def test_adding_a_first_passkey_stores_it_and_issues_recovery_codes(
    signed_in, biller, user
):
    authenticator, response = add_passkey(signed_in, biller)

    assert response.status_code == 200
    assert response.json() == {
        "redirect": reverse("accounts:mfa_recovery_codes", args=[biller.slug])
    }
    passkey = Passkey.objects.get(user=user)
    assert bytes(passkey.credential_id) == authenticator.credential_id
    assert passkey.name == "My phone"
    assert passkey.sign_count == 0
    assert passkey.transports == ["internal", "hybrid"]
    assert services.user_needs_second_factor(user) is True
    assert StaticToken.objects.filter(device__user=user).count() == 10
    event = ActivityEvent.objects.get(action="mfa.passkey_added")
    assert (event.target_type, event.target_id, event.customer_id) == (
        "passkey",
        str(passkey.pk),
        user.customer_id,
    )
    assert event.details == {"name": "My phone", "recovery_codes_issued": 10}
    message = OutboxMessage.objects.get(kind="new_sign_in_method")
    assert message.to_address == user.email
    assert "passkey" in message.body_text
    page = signed_in.get(response.json()["redirect"])
    assert page.text.count("<li><code>") == 10
    again = signed_in.get(response.json()["redirect"])
    assert again.text.count("<li><code>") == 0
    assert "You have 10 recovery codes left." in again.text


def test_adding_a_passkey_refused_without_user_verification(signed_in, biller, user):
    _authenticator, response = add_passkey(signed_in, biller, uv=False)

    assert response.status_code == 400
    assert response.json()["code"] == "passkey_invalid"
    assert Passkey.objects.count() == 0
    assert OutboxMessage.objects.filter(kind="new_sign_in_method").count() == 0


def test_adding_a_passkey_refused_from_another_origin(signed_in, biller, user):
    options = signed_in.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "Phone", "current_password": GOOD_PASSWORD},
    ).json()
    forged = SoftAuthenticator().create(options, origin="https://evil.example")

    response = post_json(
        signed_in,
        reverse("accounts:mfa_passkey_register_verify", args=[biller.slug]),
        forged,
    )

    assert response.status_code == 400
    assert Passkey.objects.count() == 0


def test_a_registration_challenge_is_used_once(signed_in, biller, user):
    options = signed_in.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "Phone", "current_password": GOOD_PASSWORD},
    ).json()
    authenticator = SoftAuthenticator()
    url = reverse("accounts:mfa_passkey_register_verify", args=[biller.slug])
    assert post_json(signed_in, url, authenticator.create(options)).status_code == 200

    replay = post_json(signed_in, url, SoftAuthenticator().create(options))

    assert replay.status_code == 400
    assert replay.json()["code"] == "passkey_expired"
    assert Passkey.objects.count() == 1


def test_registration_endpoints_refuse_anonymous_visitors(client, biller):
    response = client.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "Phone", "current_password": GOOD_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:home", args=[biller.slug]))
    assert passkeys.CHALLENGE_SESSION_KEY not in client.session


# --- signing in -------------------------------------------------------------


def test_passkey_signs_in_without_username_and_counts_as_both_factors(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)
    assert "_auth_user_id" not in client.session

    options = post_json(
        client, reverse("accounts:mfa_passkey_auth_options", args=[biller.slug]), {}
    ).json()
    assert options["rpId"] == "testserver"
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "preferred"
    response = post_json(
        client,
        reverse("accounts:mfa_passkey_auth_verify", args=[biller.slug]),
        authenticator.get(options),
    )

    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("accounts:home", args=[biller.slug])}
    assert client.session["_auth_user_id"] == str(user.pk)
    success = (
        ActivityEvent.objects.filter(action="signin.success").order_by("id").last()
    )
    assert success.details == {"method": "passkey"}
    passkey = Passkey.objects.get()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None


def test_sign_count_is_updated_and_a_count_going_backwards_is_refused(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)
    assert (
        passkey_sign_in(client, biller, authenticator, sign_count=7).status_code == 200
    )
    assert Passkey.objects.get().sign_count == 7
    client.post(reverse("accounts:signout", args=[biller.slug]))

    cloned = passkey_sign_in(client, biller, authenticator, sign_count=5)

    assert cloned.status_code == 400
    assert cloned.json()["code"] == "passkey_signin_failed"
    assert "_auth_user_id" not in client.session
    assert Passkey.objects.get().sign_count == 7
    failure = ActivityEvent.objects.filter(action="signin.failure").last()
    assert failure.details == {"method": "passkey", "reason": "sign_count"}


def test_a_passkey_of_biller_a_never_signs_in_at_biller_b(
    client, signed_in, biller, other_biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)

    response = passkey_sign_in(client, other_biller, authenticator)

    assert response.status_code == 400
    assert response.json()["code"] == "passkey_signin_failed"
    assert "_auth_user_id" not in client.session
    failure = ActivityEvent.objects.get(action="signin.failure", biller=other_biller)
    assert failure.details == {"method": "passkey", "reason": "unknown_credential"}
    assert failure.target_id == ""
    assert Passkey.objects.get().sign_count == 0


def test_passkey_sign_in_refused_without_user_verification(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)

    response = passkey_sign_in(client, biller, authenticator, uv=False)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    failure = ActivityEvent.objects.filter(action="signin.failure").last()
    assert failure.details == {"method": "passkey", "reason": "invalid"}


def test_passkey_sign_in_refused_with_a_forged_signature(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)
    impostor = SoftAuthenticator()
    impostor.credential_id = authenticator.credential_id

    response = passkey_sign_in(client, biller, impostor)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_passkey_sign_in_refused_from_a_phishing_origin(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)

    response = passkey_sign_in(
        client, biller, authenticator, origin="https://bi11er.example"
    )

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_passkey_sign_in_without_options_first_is_refused(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)

    response = post_json(
        client,
        reverse("accounts:mfa_passkey_auth_verify", args=[biller.slug]),
        authenticator.get({"challenge": b64url(os.urandom(32))}),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "passkey_expired"
    assert "_auth_user_id" not in client.session


def test_second_step_with_a_passkey_allows_only_the_pending_users_passkeys(
    client, signed_in, biller, user
):
    authenticator = add_passkey_then_sign_out(signed_in, biller)
    someone = UserFactory(biller=biller)
    theirs = SoftAuthenticator()
    Passkey.objects.create(
        user=someone,
        name="Theirs",
        credential_id=theirs.credential_id,
        public_key=theirs._cose_key(),
    )
    sign_in_with_password(client, biller, user)
    options_url = reverse("accounts:mfa_passkey_auth_options", args=[biller.slug])
    verify_url = reverse("accounts:mfa_passkey_auth_verify", args=[biller.slug])

    options = post_json(client, options_url, {"second_step": True}).json()
    assert options["allowCredentials"] == [
        {
            "id": b64url(authenticator.credential_id),
            "type": "public-key",
            "transports": ["internal", "hybrid"],
        }
    ]
    wrong_user = post_json(client, verify_url, theirs.get(options))
    assert wrong_user.status_code == 400
    assert "_auth_user_id" not in client.session

    options = post_json(client, options_url, {"second_step": True}).json()
    response = post_json(client, verify_url, authenticator.get(options))

    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)
    assert services.PENDING_SESSION_KEY not in client.session


def test_password_sign_in_asks_for_the_second_step_once_a_passkey_exists(
    client, signed_in, biller, user
):
    add_passkey_then_sign_out(signed_in, biller)

    response = sign_in_with_password(client, biller, user)

    assert response["Location"] == reverse("accounts:mfa_challenge", args=[biller.slug])
    page = client.get(response["Location"])
    assert "Use a passkey instead" in page.text
    assert "Sign in with a passkey" in page.text
    assert "Passkey sign-in needs JavaScript." in page.text


# --- removal ----------------------------------------------------------------


def test_removing_a_passkey_needs_the_current_password(signed_in, biller, user):
    add_passkey(signed_in, biller)
    passkey = Passkey.objects.get()
    url = reverse("accounts:mfa_passkey_remove", args=[biller.slug, passkey.pk])

    refused = signed_in.post(url, {"current_password": "wrong-password-12"})
    assert refused.status_code == 200
    assert "That is not your current password." in refused.text
    assert Passkey.objects.count() == 1

    done = signed_in.post(url, {"current_password": GOOD_PASSWORD})

    assert done.status_code == 302
    assert Passkey.objects.count() == 0
    assert services.user_needs_second_factor(user) is False
    assert StaticToken.objects.filter(device__user=user).count() == 0
    event = ActivityEvent.objects.get(action="mfa.passkey_removed")
    assert event.details == {
        "passkey": passkey.pk,
        "name": "My phone",
        "recovery_codes_removed": True,
    }
    notice = OutboxMessage.objects.get(kind="sign_in_method_removed")
    assert (notice.to_address, notice.user_id) == (user.email, user.pk)
    assert (
        f"A way to sign in was removed from your {biller.name} account: passkey."
        in notice.body_text
    )


def test_removing_another_users_passkey_is_not_found(signed_in, biller, user):
    someone = UserFactory(biller=biller)
    theirs = Passkey.objects.create(
        user=someone, name="Theirs", credential_id=b"theirs", public_key=b"k"
    )

    response = signed_in.post(
        reverse("accounts:mfa_passkey_remove", args=[biller.slug, theirs.pk]),
        {"current_password": GOOD_PASSWORD},
    )

    assert response.status_code == 404
    assert Passkey.objects.filter(pk=theirs.pk).exists()


def test_registration_options_need_a_name(signed_in, biller, user):
    response = signed_in.post(
        reverse("accounts:mfa_passkey_register_options", args=[biller.slug]),
        {"name": "  ", "current_password": GOOD_PASSWORD},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This field is required.",
        "code": "invalid",
        "field": "name",
    }
    assert passkeys.CHALLENGE_SESSION_KEY not in signed_in.session
