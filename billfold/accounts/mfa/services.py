"""Second factors: authenticator apps (TOTP) and recovery codes.

Devices are django-otp's ``TOTPDevice`` and ``StaticDevice``. Recovery codes
are kept in ``StaticToken`` rows, but what is stored is a digest of the code,
never the code itself (see docs/decisions/0008-two-step.md). Passkeys live in
``billfold.accounts.mfa.webauthn``.
"""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billfold.accounts.models import Passkey
from billfold.audit.models import ActorKind, Outcome
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# 31 symbols without 0/o, 1/l/i: easy to read aloud and to type from paper.
# Twelve of them carry about 59 bits, far beyond guessing at any rate the
# throttle allows, and enough that a leaked digest cannot be reversed.
RECOVERY_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_CODE_LENGTH = 12

# Written by the sign-in view after the password step; see mfa_challenge.
PENDING_SESSION_KEY = "bf_mfa_pending"
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class TotpEnrolment:
    device: TOTPDevice
    otpauth_uri: str
    qr_svg: str
    secret: str  # base32, grouped by four for typing by hand


def user_needs_second_factor(user) -> bool:
    """Whether signing in with a password must be followed by a second step."""
    if user is None or user.pk is None:
        return False
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def _notify_new_method(*, user, method: str) -> None:
    if not user.email:
        return
    from billfold.notifications.services import email_enqueue

    email_enqueue(
        biller=user.biller,
        to=user.email,
        kind="new_sign_in_method",
        context={"method": method},
        user=user,
    )


# --- authenticator app ------------------------------------------------------


def totp_secret_grouped(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_uri(device: TOTPDevice) -> str:
    """The otpauth:// address the authenticator app reads from the QR code."""
    user = device.user
    issuer = (user.biller.name if user.biller_id else "Billfold").replace(":", "")
    label = f"{issuer}:{user.get_username()}"
    params = {
        "secret": base64.b32encode(device.bin_key).decode("ascii").rstrip("="),
        "issuer": issuer,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


def totp_qr_svg(uri: str) -> str:
    title = _("QR code for your authenticator app")
    return segno.make(uri, error="m").svg_inline(scale=4, title=title, border=4)


def totp_enrolment(device: TOTPDevice) -> TotpEnrolment:
    uri = totp_uri(device)
    return TotpEnrolment(
        device=device,
        otpauth_uri=uri,
        qr_svg=totp_qr_svg(uri),
        secret=totp_secret_grouped(device),
    )


def totp_begin(*, user) -> tuple[TOTPDevice, str, str]:
    """Start setting up an authenticator app: a new, unconfirmed device.

    Returns the device, its otpauth:// address and a QR code of that address
    as inline SVG. Any earlier unfinished setup of the user is discarded.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise BillfoldError(
            "mfa_totp_exists",
            _("An authenticator app is already set up for your account."),
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name=TOTP_DEVICE_NAME,
            confirmed=False,
            digits=6,
            step=30,
            tolerance=1,
        )
    uri = totp_uri(device)
    return device, uri, totp_qr_svg(uri)


def _token_clean(token: str) -> str:
    return "".join((token or "").split())


def totp_confirm(
    *,
    user,
    device: TOTPDevice,
    token: str,
    actor_kind: str,
    actor_id,
    request: HttpRequest | None = None,
) -> list[str]:
    """Confirm an authenticator app with a code it shows.

    Returns the recovery codes issued with it (shown once), or an empty list
    when the user already holds recovery codes.
    """
    token = _token_clean(token)
    codes: list[str] = []
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if locked is None:
            raise BillfoldError(
                "mfa_setup_expired",
                _("This setup is no longer valid. Start again."),
            )
        allowed, _info = locked.verify_is_allowed()
        # The failed try must be counted even though we refuse: decide inside,
        # raise after the transaction has committed the count.
        verified = allowed and token.isdigit() and locked.verify_token(token)
        if verified:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            if not StaticToken.objects.filter(
                device__user=user, device__confirmed=True
            ).exists():
                codes = _recovery_codes_issue(user=user)
            event_record(
                biller=user.biller,
                actor_kind=actor_kind,
                actor_id=actor_id,
                action="mfa.totp_added",
                target=user,
                request=request,
                details={"device": locked.pk, "recovery_codes_issued": len(codes)},
            )
            _notify_new_method(user=user, method="totp")
    if not allowed:
        raise BillfoldError(
            "mfa_wait",
            _("Too many wrong codes. Wait a minute, then try again."),
            field="token",
        )
    if not verified:
        raise BillfoldError(
            "mfa_code_invalid",
            _("That code did not work. Enter the newest code your app shows."),
            field="token",
        )
    device.refresh_from_db()
    return codes


def totp_remove(
    *, user, actor_kind: str, actor_id, request: HttpRequest | None = None
) -> None:
    """Remove the user's authenticator app (recovery codes go with the last factor)."""
    with transaction.atomic():
        deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
        if not deleted:
            raise BillfoldError("mfa_no_totp", _("No authenticator app is set up."))
        codes_removed = _recovery_codes_drop_if_unused(user=user)
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="mfa.totp_removed",
            target=user,
            request=request,
            details={"recovery_codes_removed": codes_removed},
        )
        if user.email:
            from billfold.notifications.services import email_enqueue

            email_enqueue(
                biller=user.biller,
                to=user.email,
                kind="sign_in_method_removed",
                context={"method": "totp"},
                user=user,
            )


# --- recovery codes ---------------------------------------------------------


def recovery_code_normalize(text: str) -> str:
    """What the user typed, as stored: lower case, no spaces or hyphens."""
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def recovery_code_digest(*, user, code: str) -> str:
    """The 16 characters stored in place of a recovery code.

    SHA-256 over the user's id and the code; 80 bits of it fit django-otp's
    token column. The codes are random, so a slow hash would add nothing.
    """
    raw = f"billfold-recovery-code:{user.pk}:{recovery_code_normalize(code)}"
    digest = hashlib.sha256(raw.encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:16].lower()


def _recovery_code_new() -> str:
    code = "".join(
        secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)
    )
    return "-".join(code[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _recovery_codes_issue(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(
        user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
    )
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(user=user, code=code))
        for code in codes
    )
    return codes


def _recovery_codes_drop_if_unused(*, user) -> bool:
    """Delete recovery codes once no second factor is left; report whether."""
    if user_needs_second_factor(user):
        return False
    deleted, _by_model = StaticDevice.objects.filter(user=user).delete()
    return bool(deleted)


def recovery_codes_issue_if_missing(*, user) -> list[str]:
    """Give a user who just added a first second factor a set of recovery codes."""
    if StaticToken.objects.filter(device__user=user, device__confirmed=True).exists():
        return []
    return _recovery_codes_issue(user=user)


def recovery_codes_regenerate(
    *, user, actor_kind: str, actor_id, request: HttpRequest | None = None
) -> list[str]:
    """Replace every recovery code of the user with ten new ones (shown once)."""
    if not user_needs_second_factor(user):
        raise BillfoldError(
            "mfa_none",
            _(
                "Recovery codes exist only together with an authenticator app or a passkey."
            ),
        )
    with transaction.atomic():
        codes = _recovery_codes_issue(user=user)
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="mfa.recovery_codes_regenerated",
            target=user,
            request=request,
            details={"count": len(codes)},
        )
        _notify_new_method(user=user, method="recovery_codes")
    return codes


# --- the second step at sign-in ---------------------------------------------


def pending_start(request: HttpRequest, *, user, biller) -> None:
    """Remember that ``user`` passed the password step and owes a second one."""
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "biller": biller.pk,
        "at": int(time.time()),
    }


def pending_user(request: HttpRequest, *, biller):
    """The user waiting for the second step at this biller, or None.

    The state is refused when it is older than five minutes, names another
    biller, or its user can no longer sign in.
    """
    from billfold.accounts.models import User

    state = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(state, dict):
        return None
    try:
        user_id, biller_id, at = (
            int(state["user"]),
            int(state["biller"]),
            float(state["at"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if biller_id != biller.pk or not 0 <= time.time() - at <= PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, biller=biller, is_active=True).first()


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def second_factor_verify(*, user, code: str, request: HttpRequest | None = None) -> str:
    """Check a code from the authenticator app or a recovery code.

    Returns the method that matched ("totp" or "recovery_code"). A recovery
    code is used up. A failure is recorded as ``signin.mfa_failure`` and
    raises ``BillfoldError``.
    """
    cleaned = _token_clean(code)
    is_totp = cleaned.isdigit() and len(cleaned) in (6, 8)
    method = "totp" if is_totp else "recovery_code"
    model = TOTPDevice if is_totp else StaticDevice
    token = cleaned if is_totp else recovery_code_digest(user=user, code=code)
    matched = waiting = False
    left = None
    with transaction.atomic():
        devices = list(
            model.objects.select_for_update().filter(user=user, confirmed=True)
        )
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                waiting = True
                continue
            if device.verify_token(token):
                matched = True
                break
        if matched and not is_totp:
            left = StaticToken.objects.filter(device__user=user).count()
            event_record(
                biller=user.biller,
                actor_kind=ActorKind.CUSTOMER,
                actor_id=user.pk,
                action="mfa.recovery_code_used",
                target=user,
                request=request,
                details={"left": left},
            )
        if not matched:
            event_record(
                biller=user.biller,
                actor_kind=ActorKind.CUSTOMER,
                actor_id=user.pk,
                action="signin.mfa_failure",
                outcome=Outcome.FAILURE,
                target=user,
                request=request,
                details={"method": method, "waiting": waiting},
            )
    if not matched:
        if waiting:
            raise BillfoldError(
                "mfa_wait",
                _("Too many wrong codes. Wait a minute, then try again."),
                field="code",
            )
        raise BillfoldError(
            "mfa_code_invalid",
            _(
                "That code did not work. Enter the newest code from your app, or a recovery code."
            ),
            field="code",
        )
    return method


# --- re-authentication for changes in the security centre --------------------


def password_reauth(*, user, password: str, request: HttpRequest | None = None) -> None:
    """Ask for the current password again before a second factor changes.

    The same check and counter as every other change in the security centre
    (``reauth_check``): wrong passwords are counted per user before hashing,
    so a stolen session cannot be used to guess the password here either.
    """
    from django.core.exceptions import ValidationError

    from billfold.accounts.security.forms import reauth_check

    try:
        reauth_check(user, password or "")
    except ValidationError as error:
        if error.code != "throttled":
            event_record(
                biller=user.biller,
                actor_kind=ActorKind.CUSTOMER,
                actor_id=user.pk,
                action="mfa.reauth_failure",
                outcome=Outcome.FAILURE,
                target=user,
                request=request,
            )
        raise BillfoldError(
            "throttled" if error.code == "throttled" else "reauth_failed",
            error.messages[0],
            field="current_password",
        ) from None
