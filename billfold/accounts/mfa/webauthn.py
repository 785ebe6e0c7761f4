"""Passkeys (WebAuthn) with the ``webauthn`` package.

The relying party is the host the page was served from (without port), so a
passkey works on the address where it was made. Every biller shares that host,
so a credential is found by its id *and* the biller of the page: a passkey
made at biller A never signs anyone in at biller B. Challenges live in the
session, are bound to one purpose and one biller, and are used once.

A passkey signs in on its own only when the authenticator verified the user
(PIN or biometrics): possession plus verification is two factors, and the
signature is bound to the origin, so it cannot be phished.
"""

import json
import time
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from billfold.accounts.mfa import services
from billfold.accounts.models import Passkey
from billfold.audit.models import ActorKind, Outcome
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError

CHALLENGE_SESSION_KEY = "bf_webauthn"
CHALLENGE_SECONDS = 5 * 60
TIMEOUT_MS = 120_000
PURPOSE_REGISTER = "register"
PURPOSE_SIGNIN = "signin"
_KNOWN_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """The relying party id (host without port) and the origin of this request."""
    host = request.get_host()  # validated against ALLOWED_HOSTS
    if host.startswith("["):
        rp_id = host[: host.index("]") + 1]
    else:
        rp_id = host.rsplit(":", 1)[0] if ":" in host else host
    return rp_id.lower(), f"{request.scheme}://{host}"


def user_handle(user) -> bytes:
    """An opaque, stable id for the user inside the authenticator (no name, no email)."""
    return salted_hmac(
        "billfold.mfa.passkey_user", str(user.pk), algorithm="sha256"
    ).digest()


def _challenge_store(
    request: HttpRequest, *, purpose: str, challenge: bytes, biller, user=None, **extra
) -> None:
    request.session[CHALLENGE_SESSION_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "biller": biller.pk,
        "user": user.pk if user is not None else None,
        "at": int(time.time()),
        **extra,
    }


def _challenge_take(request: HttpRequest, *, purpose: str, biller) -> dict[str, Any]:
    """The stored challenge for this purpose and biller, removed so it is used once."""
    from webauthn.helpers import base64url_to_bytes

    state = request.session.pop(CHALLENGE_SESSION_KEY, None)
    if (
        not isinstance(state, dict)
        or state.get("purpose") != purpose
        or state.get("biller") != biller.pk
        or not 0 <= time.time() - float(state.get("at", 0)) <= CHALLENGE_SECONDS
    ):
        raise BillfoldError(
            "passkey_expired", _("This passkey request has expired. Try again.")
        )
    return {**state, "challenge": base64url_to_bytes(state["challenge"])}


def _as_dict(credential: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(credential, str):
        try:
            credential = json.loads(credential)
        except ValueError:
            credential = {}
    return dict(credential) if isinstance(credential, Mapping) else {}


# --- adding a passkey -------------------------------------------------------


def passkey_registration_options(*, request: HttpRequest, user) -> dict[str, Any]:
    """Options for navigator.credentials.create(); the challenge is kept in the session."""
    rp_id, _origin = relying_party(request)
    biller = user.biller
    existing = [
        PublicKeyCredentialDescriptor(id=bytes(p.credential_id))
        for p in Passkey.objects.filter(user=user)
    ]
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=biller.name,
        user_id=user_handle(user),
        user_name=user.get_username(),
        # Every biller shares the host: the name tells the accounts apart.
        user_display_name=f"{user.get_username()} ({biller.name})",
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=existing,
    )
    _challenge_store(
        request,
        purpose=PURPOSE_REGISTER,
        challenge=options.challenge,
        biller=biller,
        user=user,
    )
    return json.loads(options_to_json(options))


def passkey_register(
    *,
    request: HttpRequest,
    user,
    credential: str | Mapping[str, Any],
    name: str,
    actor_kind: str,
    actor_id,
) -> tuple[Passkey, list[str]]:
    """Verify the authenticator's answer and store the passkey.

    Returns the passkey and the recovery codes issued with it when it is the
    user's first second factor (shown once), else an empty list.
    """
    state = _challenge_take(request, purpose=PURPOSE_REGISTER, biller=user.biller)
    if state.get("user") != user.pk:
        raise BillfoldError(
            "passkey_expired", _("This passkey request has expired. Try again.")
        )
    rp_id, origin = relying_party(request)
    data = _as_dict(credential)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=state["challenge"],
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (
        InvalidRegistrationResponse,
        InvalidJSONStructure,
        InvalidCBORData,
        KeyError,
        TypeError,
        ValueError,
    ):
        raise BillfoldError(
            "passkey_invalid",
            _(
                "The passkey could not be added. Use a device that asks for your "
                "PIN, fingerprint or face, and try again."
            ),
        ) from None
    response = data.get("response")
    listed = response.get("transports") if isinstance(response, dict) else None
    transports = [t for t in listed or [] if t in _KNOWN_TRANSPORTS]
    name = " ".join((name or "").split())[:100] or _("Passkey")
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=verified.credential_id).exists():
            raise BillfoldError(
                "passkey_exists", _("This passkey is already registered.")
            )
        first_factor = not services.user_needs_second_factor(user)
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        codes = (
            services.recovery_codes_issue_if_missing(user=user) if first_factor else []
        )
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="mfa.passkey_added",
            target=passkey,
            customer_id=user.customer_id,
            request=request,
            details={"name": passkey.name, "recovery_codes_issued": len(codes)},
        )
        services._notify_new_method(user=user, method="passkey")
    return passkey, codes


def passkey_remove(
    *,
    user,
    passkey_id: int,
    actor_kind: str,
    actor_id,
    request: HttpRequest | None = None,
) -> None:
    """Remove one of the user's passkeys (recovery codes go with the last factor)."""
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update().filter(user=user, pk=passkey_id).first()
        )
        if passkey is None:
            raise BillfoldError("passkey_not_found", _("No such passkey."))
        name, pk = passkey.name, passkey.pk
        passkey.delete()
        codes_removed = services._recovery_codes_drop_if_unused(user=user)
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="mfa.passkey_removed",
            target=user,
            request=request,
            details={
                "passkey": pk,
                "name": name,
                "recovery_codes_removed": codes_removed,
            },
        )
        if user.email:
            from billfold.notifications.services import email_enqueue

            email_enqueue(
                biller=user.biller,
                to=user.email,
                kind="sign_in_method_removed",
                context={"method": "passkey"},
                user=user,
            )


# --- signing in with a passkey ----------------------------------------------


def passkey_authentication_options(
    *, request: HttpRequest, biller, user=None
) -> dict[str, Any]:
    """Options for navigator.credentials.get().

    Without ``user`` the list of allowed credentials is empty, so the browser
    offers every discoverable passkey for this site (sign-in without a
    username). With ``user`` (the second step after a password) only that
    user's passkeys are allowed.
    """
    rp_id, _origin = relying_party(request)
    allow = None
    if user is not None:
        allow = [
            PublicKeyCredentialDescriptor(
                id=bytes(p.credential_id),
                transports=[
                    AuthenticatorTransport(t)
                    for t in p.transports
                    if t in _KNOWN_TRANSPORTS
                ]
                or None,
            )
            for p in Passkey.objects.filter(user=user)
        ]
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _challenge_store(
        request,
        purpose=PURPOSE_SIGNIN,
        challenge=options.challenge,
        biller=biller,
        user=user,
    )
    return json.loads(options_to_json(options))


def _signin_failure(*, biller, request, reason: str, user=None) -> BillfoldError:
    event_record(
        biller=biller,
        actor_kind=ActorKind.ANONYMOUS if user is None else ActorKind.CUSTOMER,
        actor_id=user.pk if user is not None else "",
        action="signin.failure",
        outcome=Outcome.FAILURE,
        target=user,
        request=request,
        details={"method": "passkey", "reason": reason},
    )
    return BillfoldError(
        "passkey_signin_failed",
        _(
            "That passkey did not sign you in. Try again, or sign in with your password."
        ),
    )


def passkey_authenticate(
    *, request: HttpRequest, biller, credential: str | Mapping[str, Any]
):
    """Verify a passkey assertion at ``biller`` and return its user.

    The caller starts the session. Refused (``BillfoldError``, event
    ``signin.failure``) when the challenge is stale, the credential is not
    registered at this biller, the signature or origin is wrong, the user was
    not verified, or the sign count went backwards.
    """
    state = _challenge_take(request, purpose=PURPOSE_SIGNIN, biller=biller)
    rp_id, origin = relying_party(request)
    data = _as_dict(credential)
    try:
        parsed = parse_authentication_credential_json(data)
    except (
        InvalidJSONStructure,
        InvalidAuthenticationResponse,
        KeyError,
        TypeError,
        ValueError,
    ):
        raise _signin_failure(
            biller=biller, request=request, reason="malformed"
        ) from None
    reason: str | None = None
    failure: BillfoldError | None = None
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .select_related("user")
            .filter(credential_id=parsed.raw_id, user__biller=biller)
            .first()
        )
        if passkey is None:
            reason = "unknown_credential"
        elif state.get("user") is not None and passkey.user_id != state["user"]:
            reason = "other_user"
        elif not passkey.user.is_active:
            reason = "inactive"
        else:
            try:
                verified = verify_authentication_response(
                    credential=parsed,
                    expected_challenge=state["challenge"],
                    expected_rp_id=rp_id,
                    expected_origin=origin,
                    credential_public_key=bytes(passkey.public_key),
                    credential_current_sign_count=passkey.sign_count,
                    require_user_verification=True,
                )
            except (
                InvalidAuthenticationResponse,
                InvalidCBORData,
                KeyError,
                TypeError,
                ValueError,
            ) as exc:
                reason = "sign_count" if "sign count" in str(exc).lower() else "invalid"
            else:
                passkey.sign_count = verified.new_sign_count
                passkey.last_used_at = timezone.now()
                passkey.save(update_fields=["sign_count", "last_used_at"])
        if reason is not None:
            # Recorded and committed; the refusal is raised after the commit.
            failure = _signin_failure(
                biller=biller,
                request=request,
                reason=reason,
                user=passkey.user if passkey is not None else None,
            )
    if failure is not None or passkey is None:
        raise failure or BillfoldError("passkey_signin_failed", "")
    return passkey.user
