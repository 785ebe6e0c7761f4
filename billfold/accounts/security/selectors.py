"""Reads for the security centre: open sessions and recent sign-ins."""

from django.db.models import QuerySet

from billfold.accounts.models import User, UserSession
from billfold.audit.models import ActivityEvent

SIGNIN_ACTIONS = ("signin.success", "signin.failure")
RECENT_SIGNINS = 20


def sessions_open(*, user: User) -> QuerySet[UserSession]:
    """The user's signed-in sessions, most recently used first."""
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by(
        "-last_seen_at", "-id"
    )


def signins_recent(*, user: User, limit: int = RECENT_SIGNINS) -> list[ActivityEvent]:
    """The newest successful and failed sign-ins to this account at its biller."""
    return list(
        ActivityEvent.objects.filter(
            biller=user.biller,
            target_type=User._meta.model_name,
            target_id=str(user.pk),
            action__in=SIGNIN_ACTIONS,
        ).order_by("-created_at", "-id")[:limit]
    )
