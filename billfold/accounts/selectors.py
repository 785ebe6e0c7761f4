"""Reads about portal users, their temporary passwords and sessions."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from billfold.accounts.models import TemporaryPassword, User, UserSession


def user_for_login(*, biller, login: str) -> User | None:
    """The user of ``biller`` whose username or email is ``login`` (any case).

    A username match wins over another user's email that equals it. Users of
    other billers are never considered.
    """
    text = (login or "").strip()
    if not text:
        return None
    candidates = list(
        User.objects.select_related("biller")
        .filter(biller=biller)
        .filter(Q(username__iexact=text) | Q(email__iexact=text))[:2]
    )
    return next(
        (u for u in candidates if u.username.lower() == text.lower()),
        candidates[0] if candidates else None,
    )


def temporary_password_active(*, user: User) -> TemporaryPassword | None:
    """The newest temporary password that is unused, not revoked and not expired."""
    return (
        TemporaryPassword.objects.filter(
            user=user,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at", "-id")
        .first()
    )


def user_sessions_open(*, user: User):
    return UserSession.objects.filter(user=user, ended_at__isnull=True)


@dataclass(frozen=True)
class PortalSummary:
    customer_name: str
    contract_count: int


def portal_summary(*, biller, user: User) -> PortalSummary:
    """What the portal home shows: the customer's name and how many contracts."""
    from billfold.servicing.models import Contract

    customer = user.customer
    if customer is None:
        return PortalSummary(customer_name="", contract_count=0)
    count = Contract.objects.filter(biller=biller, customer=customer).count()
    return PortalSummary(customer_name=customer.name, contract_count=count)
