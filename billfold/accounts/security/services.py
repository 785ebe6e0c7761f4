"""Changes a signed-in customer makes in the security centre.

The password change itself is ``passwords.password_change``; this module holds
the username and email changes. Each writes its activity event and its notice
in the transaction of the change.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billfold.accounts.codes import code_verify, verification_code_send
from billfold.accounts.models import CodePurpose, User
from billfold.accounts.throttle import throttle_allowed, throttle_hit
from billfold.audit.models import Outcome
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError


def _biller_of(user: User):
    if user.biller is None:
        raise ValueError("platform staff have no security centre")
    return user.biller


def _in_use(*, biller, value: str, exclude: User) -> bool:
    """Whether another account of ``biller`` has ``value`` as username or email.

    An address as someone's username would shadow that person's sign-in by
    email (and the other way round), so both count.
    """
    return (
        User.objects.filter(biller=biller)
        .exclude(pk=exclude.pk)
        .filter(Q(username__iexact=value) | Q(email__iexact=value))
        .exists()
    )


def username_change(
    *, user: User, new_username: str, actor_kind: str, actor_id, request=None
) -> bool:
    """Make ``new_username`` the user's username unless another account uses it.

    Returns whether it changed. The page answers the same either way, so that
    the form cannot be used to find out which usernames exist; the event
    records the outcome, and the email of record is told either way (changed,
    or not changed because the name is taken), so only the real user learns
    the result.
    """
    from billfold.notifications.services import email_enqueue

    biller = _biller_of(user)
    old = user.username
    with transaction.atomic():
        changed = not _in_use(biller=biller, value=new_username, exclude=user)
        if changed:
            try:
                with transaction.atomic():
                    user.username = new_username
                    user.save(update_fields=["username"])
            except IntegrityError:
                # Taken a moment ago by a concurrent request.
                user.username = old
                changed = False
        event_record(
            biller=biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="username.change",
            outcome=Outcome.SUCCESS if changed else Outcome.FAILURE,
            target=user,
            customer_id=user.customer_id,
            request=request,
            details={} if changed else {"reason": "unavailable"},
        )
        if changed and user.email:
            email_enqueue(
                biller=biller,
                to=user.email,
                kind="username_changed",
                context={"old_username": old, "new_username": new_username},
                user=user,
            )
        elif user.email:
            email_enqueue(
                biller=biller,
                to=user.email,
                kind="username_unavailable",
                context={"new_username": new_username},
                user=user,
            )
    return changed


# Codes sent for email changes, per user and window: enough for typos, too few
# to use the form to flood someone else's mailbox.
EMAIL_CODE_SCOPE = "email_change_send"


def _email_code_allowed(user: User) -> None:
    key = f"acct:{user.biller_id}:user-{user.pk}"
    if not throttle_allowed(EMAIL_CODE_SCOPE, key):
        raise BillfoldError(
            "throttled",
            _("Too many codes sent. Wait 15 minutes and try again."),
            field="new_email",
        )
    throttle_hit(EMAIL_CODE_SCOPE, key)


def email_change_start(*, user: User, new_email: str, request=None) -> uuid.UUID:
    """Send a code to ``new_email``; the change happens when it comes back.

    Returns the flow the code belongs to (kept in the session by the page).
    """
    _email_code_allowed(user)
    with transaction.atomic():
        row = verification_code_send(
            biller=user.biller,
            user=user,
            purpose=CodePurpose.CHANGE_EMAIL,
            destination=new_email,
            request=request,
        )
    return row.flow


def email_change_resend(*, user: User, flow: uuid.UUID, request=None) -> None:
    """A new code for the same flow (the failures so far carry over)."""
    from billfold.accounts.models import OneTimeCode

    latest = (
        OneTimeCode.objects.filter(
            biller=user.biller, user=user, flow=flow, purpose=CodePurpose.CHANGE_EMAIL
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.used_at is not None:
        raise BillfoldError(
            "email_change_expired",
            _("This email change has expired. Start again."),
        )
    _email_code_allowed(user)
    with transaction.atomic():
        verification_code_send(
            biller=user.biller,
            user=user,
            purpose=CodePurpose.CHANGE_EMAIL,
            destination=latest.destination,
            flow=flow,
            request=request,
        )


def email_change_finish(*, user: User, flow: uuid.UUID, code: str, request=None) -> str:
    """Check the code sent to the new address and make it the user's email.

    A username that was the old address follows the email, so the user is
    never left with someone else's address as a username. The old address
    gets a notice. Returns the new address.
    """
    from billfold.notifications.services import email_enqueue

    biller = _biller_of(user)
    row = code_verify(
        biller=biller,
        flow=flow,
        purpose=CodePurpose.CHANGE_EMAIL,
        code=code,
        actor_kind="customer",
        actor_id=user.pk,
        request=request,
    )
    if row is None or row.user_id != user.pk:
        raise BillfoldError(
            "code_invalid",
            _("That code is not right, or it has expired."),
            field="code",
        )
    new_email = row.destination.strip().lower()
    old_email = user.email
    follows = bool(old_email) and user.username.lower() == old_email.lower()
    with transaction.atomic():
        if _in_use(biller=biller, value=new_email, exclude=user):
            raise BillfoldError(
                "email_unavailable",
                _("This address cannot be used for your account."),
                field="code",
            )
        user.email = new_email
        user.email_verified = True
        fields = ["email", "email_verified"]
        if follows:
            user.username = new_email
            fields.append("username")
        try:
            with transaction.atomic():
                user.save(update_fields=fields)
        except IntegrityError:
            # Taken a moment ago by a concurrent request.
            raise BillfoldError(
                "email_unavailable",
                _("This address cannot be used for your account."),
                field="code",
            ) from None
        event_record(
            biller=biller,
            actor_kind="customer",
            actor_id=user.pk,
            action="email.change",
            target=user,
            customer_id=user.customer_id,
            request=request,
            details={"username_followed": follows},
        )
        if old_email and old_email.lower() not in biller.placeholder_set:
            email_enqueue(
                biller=biller,
                to=old_email,
                kind="email_changed",
                context={"old_email": old_email, "new_email": new_email},
                user=user,
            )
    return new_email
