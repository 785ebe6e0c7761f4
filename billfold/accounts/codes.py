"""One-time numeric codes sent to an email address (recovery, verification).

A code is 8 random digits from ``secrets``, valid 15 minutes, single-use, and a
flow allows 5 failed tries in all. Asking for a new code in the same flow
supersedes the old one but carries the flow's failures over, so resending never
buys more guesses.

Codes are stored as HMAC-SHA256(key, salt || code) with a per-row salt and a key
derived from SECRET_KEY, not with the password hasher: a code lives 15 minutes
and allows 5 tries, so a slow hash buys nothing against online guessing, while
the secret key means a copy of the database alone cannot be searched through
the 10^8 possible codes. The digest is compared in constant time.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billfold.accounts.models import OneTimeCode
from billfold.audit.models import ActorKind, Outcome
from billfold.audit.services import event_record

CODE_DIGITS = 8
CODE_LIFETIME = timedelta(minutes=15)
MAX_FAILURES = 5
_ALGORITHM = "hmac_sha256"


def _key() -> bytes:
    # Read at call time: tests and key rotation change SECRET_KEY.
    return hashlib.sha256(
        b"billfold.accounts.codes:" + settings.SECRET_KEY.encode()
    ).digest()


def code_digest(code: str, salt: str) -> str:
    """The stored form of ``code``: ``hmac_sha256$<salt>$<hex digest>``."""
    mac = hmac.new(_key(), f"{salt}${code}".encode(), hashlib.sha256).hexdigest()
    return f"{_ALGORITHM}${salt}${mac}"


def code_matches(code: str, encoded: str) -> bool:
    """Whether ``code`` is the one stored as ``encoded`` (constant-time)."""
    try:
        algorithm, salt, _mac = encoded.split("$", 2)
    except ValueError:
        algorithm, salt = _ALGORITHM, "invalid"
    candidate = code_digest(_clean(code), salt)
    return algorithm == _ALGORITHM and hmac.compare_digest(candidate, encoded)


def _clean(code: str) -> str:
    # People paste codes with spaces or dashes; only digits count.
    return "".join(ch for ch in str(code) if ch.isascii() and ch.isdigit())


def code_generate() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_issue(
    *,
    biller,
    user,
    purpose: str,
    destination: str,
    flow: uuid.UUID | None = None,
    actor_kind: str = ActorKind.SYSTEM,
    actor_id: str | int | None = "",
    request=None,
) -> tuple[OneTimeCode, str]:
    """Create a code for ``flow`` (a new flow when None); return the row and the code.

    The caller sends the plain code; it is never stored nor logged. ``user`` may
    be None: the recovery flow issues a code nobody receives for an address
    without an account, so that both cases do the same work.
    """
    flow = flow or uuid.uuid4()
    plain = code_generate()
    now = timezone.now()
    with transaction.atomic():
        earlier = list(
            OneTimeCode.objects.select_for_update()
            .filter(biller=biller, flow=flow, purpose=purpose)
            .order_by("-created_at", "-id")
        )
        failures = max((c.failures for c in earlier), default=0)
        OneTimeCode.objects.filter(
            pk__in=[c.pk for c in earlier if c.used_at is None and c.expires_at > now]
        ).update(expires_at=now)
        row = OneTimeCode.objects.create(
            biller=biller,
            user=user,
            flow=flow,
            purpose=purpose,
            destination=destination,
            code=code_digest(plain, secrets.token_hex(8)),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            failures=failures,
        )
        if user is not None:
            event_record(
                biller=biller,
                actor_kind=actor_kind,
                actor_id=actor_id,
                action="code.sent",
                target=user,
                customer_id=user.customer_id,
                request=request,
                details={"purpose": purpose, "resend": bool(earlier)},
            )
    return row, plain


def verification_code_send(
    *,
    biller,
    user,
    purpose: str,
    destination: str,
    flow: uuid.UUID | None = None,
    request=None,
) -> OneTimeCode:
    """Issue a code at the customer's own request and mail it to ``destination``.

    The "verification_code" email, sent to the signed-in ``user`` for a change
    of their own (verifying or changing their address). Returns the code's row.
    """
    from billfold.notifications.services import email_enqueue

    row, plain = code_issue(
        biller=biller,
        user=user,
        purpose=purpose,
        destination=destination,
        flow=flow,
        actor_kind=ActorKind.CUSTOMER,
        actor_id=user.pk,
        request=request,
    )
    email_enqueue(
        biller=biller,
        to=destination,
        kind="verification_code",
        context={
            "code": plain,
            "minutes_valid": int(CODE_LIFETIME.total_seconds() // 60),
        },
        user=user,
    )
    return row


def code_tries_left(*, biller, flow: uuid.UUID, purpose: str) -> int:
    """How many wrong codes the flow still allows (0 once it is spent)."""
    latest = (
        OneTimeCode.objects.filter(biller=biller, flow=flow, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None:
        return 0
    return max(0, MAX_FAILURES - latest.failures)


def code_verify(
    *,
    biller,
    flow: uuid.UUID,
    purpose: str,
    code: str,
    actor_kind: str = ActorKind.SYSTEM,
    actor_id: str | int | None = "",
    request=None,
) -> OneTimeCode | None:
    """The flow's current code if ``code`` matches it; marks it used.

    Refuses (None) a used, superseded or expired code and any try after
    ``MAX_FAILURES`` failures; every wrong try is counted. The digest is
    computed exactly once whatever the outcome, so timing tells nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(biller=biller, flow=flow, purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        matches = code_matches(code, row.code if row is not None else "")
        if row is None:
            return None
        usable = (
            row.used_at is None and row.expires_at > now and row.failures < MAX_FAILURES
        )
        if usable and matches:
            row.used_at = now
            row.save(update_fields=["used_at"])
            if row.user is not None:
                event_record(
                    biller=biller,
                    actor_kind=actor_kind,
                    actor_id=actor_id,
                    action="code.used",
                    target=row.user,
                    customer_id=row.user.customer_id,
                    request=request,
                    details={"purpose": purpose},
                )
            return row
        reason = _reason(row, now)
        if reason in {"wrong", "expired"}:
            row.failures += 1
            row.save(update_fields=["failures"])
        if row.user is not None:
            event_record(
                biller=biller,
                actor_kind=actor_kind,
                actor_id=actor_id,
                action="code.failed",
                target=row.user,
                customer_id=row.user.customer_id,
                outcome=Outcome.FAILURE,
                request=request,
                details={
                    "purpose": purpose,
                    "reason": reason,
                    "failures": row.failures,
                },
            )
    return None


def _reason(row: OneTimeCode, now) -> str:
    if row.used_at is not None:
        return "used"
    if row.failures >= MAX_FAILURES:
        return "too_many_tries"
    if row.expires_at <= now:
        return "expired"
    return "wrong"
