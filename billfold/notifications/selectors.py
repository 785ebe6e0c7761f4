"""Reading the out-box."""

from django.db.models import QuerySet

from billfold.notifications.models import OutboxMessage


def message_list(
    *, biller_slug: str = "", address: str = "", limit: int = 100
) -> QuerySet:
    """Newest messages first, of one biller and to addresses containing ``address``."""
    messages = OutboxMessage.objects.select_related("biller").defer(
        "body_text", "body_html"
    )
    if biller_slug:
        messages = messages.filter(biller__slug=biller_slug)
    if address.strip():
        messages = messages.filter(to_address__icontains=address.strip())
    return messages.order_by("-created_at", "-id")[:limit]


def message_get(*, message_id: int) -> OutboxMessage:
    """One message with its biller; raises ``OutboxMessage.DoesNotExist``."""
    return OutboxMessage.objects.select_related("biller").get(pk=message_id)


def message_latest(
    *, biller, to_address: str, kind: str | None = None
) -> OutboxMessage | None:
    """The newest message of ``biller`` to ``to_address`` (of ``kind``, if given)."""
    messages = OutboxMessage.objects.filter(
        biller=biller, to_address__iexact=to_address
    )
    if kind is not None:
        messages = messages.filter(kind=kind)
    return messages.order_by("-created_at", "-id").first()
