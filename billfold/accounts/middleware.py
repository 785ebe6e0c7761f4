"""Customer sessions: bound to one biller, idle and absolute timeouts, setup steps.

Runs after Django's authentication and message middleware. For every view
under ``/b/<biller_slug>/``:

- a session of biller A is not signed in at biller B (``request.user`` is
  anonymous there; the session itself is left alone);
- a session idle longer than ``biller.session_idle_minutes`` or older than
  ``biller.session_absolute_hours`` is ended on the server and the visitor is
  sent to the sign-in page with a message;
- while ``user.setup_required`` is set (first sign-in with a temporary
  password), every page but the setup steps and sign-out redirects to the
  current step.

It also remembers the language a signed-in customer picks with the language
switch (Django's ``set_language`` view).
"""

import time

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billfold.accounts import services
from billfold.accounts.models import UserSession
from billfold.billers.models import Biller

# Views a user with pending setup steps may reach.
SETUP_VIEWS = frozenset({"accounts:setup", "accounts:signout"})
SEEN_EVERY_SECONDS = 60


class CustomerSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        self._remember_language(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("biller_slug")
        if slug is None or not request.user.is_authenticated:
            return None
        user = request.user
        biller = Biller.objects.filter(slug=slug).first()
        if biller is None or user.biller_id != biller.pk:
            # Staff, or a customer of another biller: not signed in here.
            request.user = AnonymousUser()
            return None
        now = time.time()
        if services.SESSION_SIGNIN_AT not in request.session:
            # Signed in by another path than session_start (the test client's
            # force_login): the clocks start now.
            request.session[services.SESSION_BILLER] = biller.pk
            request.session[services.SESSION_SIGNIN_AT] = now
            request.session[services.SESSION_SEEN_AT] = now
        if request.session.get(services.SESSION_BILLER) != biller.pk:
            request.user = AnonymousUser()
            return None
        signin_at = request.session[services.SESSION_SIGNIN_AT]
        seen_at = request.session.get(services.SESSION_SEEN_AT, signin_at)
        if (
            now - signin_at > biller.session_absolute_hours * 3600
            or now - seen_at > biller.session_idle_minutes * 60
        ):
            services.session_end(request, reason="expired")
            messages.info(request, _("Your session has ended. Please sign in again."))
            return HttpResponseRedirect(reverse("accounts:home", args=[slug]))
        if now - seen_at >= SEEN_EVERY_SECONDS:
            request.session[services.SESSION_SEEN_AT] = now
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_seen_at=timezone.now()
            )
        if user.setup_required:
            match = request.resolver_match
            name = f"{match.namespace}:{match.url_name}" if match else ""
            if name not in SETUP_VIEWS:
                return HttpResponseRedirect(reverse("accounts:setup", args=[slug]))
        return None

    def _remember_language(self, request, response) -> None:
        if (
            request.method == "POST"
            and request.path == reverse("set_language")
            and response.status_code in (200, 204, 302)
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and request.user.biller_id is not None
        ):
            services.user_language_set(
                user=request.user, language=request.POST.get("language", "")
            )
