from django.db.models import QuerySet

from billfold.audit.models import ActivityEvent


def event_list(
    *,
    biller,
    customer_id: int | None = None,
    action: str | None = None,
    limit: int = 100,
) -> QuerySet[ActivityEvent]:
    events = ActivityEvent.objects.filter(biller=biller)
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
    if action:
        events = events.filter(action=action)
    return events.order_by("-created_at", "-id")[:limit]
