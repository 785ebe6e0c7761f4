"""View guards for customer pages."""

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache


def customer_required(view):
    """Only a customer signed in at THIS biller, with setup complete, gets through.

    Anyone else goes to the biller's sign-in page. The session middleware has
    already made a session of another biller anonymous here and sent a user
    with pending setup steps to them. Pages are never cached.
    """

    @wraps(view)
    def wrapped(request, biller_slug: str, *args, **kwargs):
        user = request.user
        if (
            not user.is_authenticated
            or user.biller is None
            or user.biller.slug != biller_slug
        ):
            url = reverse("accounts:home", args=[biller_slug])
            return HttpResponseRedirect(
                f"{url}?{urlencode({'next': request.get_full_path()})}"
            )
        if user.setup_required:
            return HttpResponseRedirect(reverse("accounts:setup", args=[biller_slug]))
        return view(request, biller_slug, *args, **kwargs)

    return never_cache(wrapped)
