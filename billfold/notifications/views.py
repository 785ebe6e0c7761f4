"""The demo out-box: every message Billfold wrote, readable in the browser.

It exists only with ``BILLFOLD_DEMO`` on and only for platform staff; anyone
else gets a 404, so the page does not even reveal that it exists.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from billfold.billers.models import Biller
from billfold.notifications import selectors
from billfold.notifications.models import OutboxMessage


def demo_staff_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        allowed = (
            settings.BILLFOLD_DEMO
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and user.biller_id is None
        )
        if not allowed:
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


@demo_staff_only
def outbox_list(request: HttpRequest) -> HttpResponse:
    biller_slug = request.GET.get("biller", "").strip()
    address = request.GET.get("address", "").strip()
    messages = selectors.message_list(biller_slug=biller_slug, address=address)
    billers = Biller.objects.order_by("name").only("slug", "name")
    return render(
        request,
        "notifications/outbox_list.html",
        {
            "outbox_messages": messages,
            "billers": billers,
            "selected_biller": biller_slug,
            "address": address,
        },
    )


@demo_staff_only
def outbox_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = selectors.message_get(message_id=message_id)
    except OutboxMessage.DoesNotExist:
        raise Http404 from None
    return render(request, "notifications/outbox_detail.html", {"message": message})
