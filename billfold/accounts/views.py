"""Sign-in, sign-out, the portal home and the first-sign-in steps."""

import time
import uuid

from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from billfold.accounts import selectors, services
from billfold.accounts.forms import EmailCodeForm, SignInForm
from billfold.accounts.mfa.services import user_needs_second_factor
from billfold.accounts.throttle import (
    client_key,
    login_key,
    throttle_allowed,
    throttle_clear,
    throttle_hit_count,
    throttle_tripped,
)
from billfold.audit.services import event_record
from billfold.billers.models import EnrollmentMethod
from billfold.billers.selectors import biller_get
from billfold.core.errors import BillfoldError

PASSKEY_TEMPLATE = "accounts/mfa/_passkey_signin.html"
MFA_PENDING = "bf_mfa_pending"
SETUP_FLOW = "bf_setup_flow"


def signin_failure_message() -> str:
    return _(
        "The username or password is not right, or sign-in is paused for a while. "
        "Try again in 15 minutes or use Forgot your password."
    )


def _register_links(biller) -> list[tuple[str, str]]:
    """(label, url) for each enrollment method whose page exists."""
    links = []
    for method in biller.enrollment_methods:
        try:
            url = reverse(f"enrollment:{method.lower()}", args=[biller.slug])
        except NoReverseMatch:
            continue
        links.append((str(EnrollmentMethod(method).label), url))
    return links


def url_or_none(name: str, biller) -> str | None:
    """A page of another part of the accounts app, or None while it is not installed."""
    try:
        return reverse(name, args=[biller.slug])
    except NoReverseMatch:
        return None


def _passkey_template() -> str | None:
    try:
        get_template(PASSKEY_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return PASSKEY_TEMPLATE


def _next_url(request, biller) -> str:
    home = reverse("accounts:home", args=[biller.slug])
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(home) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return home


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def home(request, biller_slug: str):
    """The sign-in page for visitors; the portal home for the biller's customers."""
    biller = biller_get(slug=biller_slug)
    user = request.user
    if user.is_authenticated and user.biller_id == biller.pk:
        if request.method == "POST":
            return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))
        summary = selectors.portal_summary(biller=biller, user=user)
        return render(
            request,
            "accounts/portal_home.html",
            {
                "biller": biller,
                "summary": summary,
                "security_url": url_or_none("accounts:security_overview", biller),
            },
        )
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = _sign_in(request, biller, form)
        if response is not None:
            return response
        form.add_error(None, signin_failure_message())
    return render(
        request,
        "accounts/signin.html",
        {
            "biller": biller,
            "form": form,
            "register_links": _register_links(biller),
            "passkey_template": _passkey_template(),
            "next": _next_url(request, biller),
            "recover_url": url_or_none("accounts:recover_start", biller),
        },
    )


def _sign_in(request, biller, form: SignInForm):
    """Check the password after the throttles; None means "refuse, generically"."""
    login = form.cleaned_data["login"]
    account = login_key(biller, login)
    client = client_key(request)
    if not (throttle_allowed("signin", account) and throttle_allowed("signin", client)):
        known = selectors.user_for_login(biller=biller, login=login)
        event_record(
            biller=biller,
            actor_kind="anonymous",
            action="signin.throttled",
            outcome="failure",
            target=known,
            request=request,
        )
        return None
    user = authenticate(
        request, username=login, password=form.cleaned_data["password"], biller=biller
    )
    if user is None:
        _sign_in_failed(request, biller, login, account, client)
        return None
    throttle_clear("signin", account)
    temporary = getattr(user, "bf_temporary_password", None)
    if temporary is not None:
        try:
            services.temporary_password_use(temporary=temporary, request=request)
        except BillfoldError:
            # Used by a concurrent request a moment ago: single use holds.
            _sign_in_failed(request, biller, login, account, client)
            return None
        request.session[services.SESSION_SETUP_PASSWORD] = True
        method = "temporary_password"
    else:
        request.session.pop(services.SESSION_SETUP_PASSWORD, None)
        method = "password"
    if user_needs_second_factor(user):
        request.session[MFA_PENDING] = {
            "user": user.pk,
            "biller": biller.pk,
            "at": int(time.time()),
        }
        return HttpResponseRedirect(
            reverse("accounts:mfa_challenge", args=[biller.slug])
        )
    services.session_start(request, user, method=method)
    if user.setup_required:
        return HttpResponseRedirect(reverse("accounts:setup", args=[biller.slug]))
    return HttpResponseRedirect(_next_url(request, biller))


def _sign_in_failed(request, biller, login, account, client) -> None:
    known = selectors.user_for_login(biller=biller, login=login)
    count = throttle_hit_count("signin", account)
    throttle_hit_count("signin", client)
    event_record(
        biller=biller,
        actor_kind="anonymous",
        action="signin.failure",
        outcome="failure",
        target=known,
        request=request,
    )
    if known is not None and throttle_tripped("signin", account, count):
        event_record(
            biller=biller,
            actor_kind="system",
            action="account.locked",
            target=known,
            request=request,
            details={"scope": "signin"},
        )


@never_cache
@require_POST
def signout(request, biller_slug: str):
    """End the session on the server and return to the sign-in page (P4)."""
    biller = biller_get(slug=biller_slug)
    if request.user.is_authenticated:
        services.session_end(request, reason="signout")
        messages.success(request, _("You have signed out."))
    return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))


# First sign-in with a temporary password ------------------------------------


def setup_step(request, biller, user) -> str | None:
    """The first unfinished setup step: "password", "questions", "email" or None."""
    if request.session.get(services.SESSION_SETUP_PASSWORD):
        return "password"
    if (
        biller.security_question_count > 0
        and user.security_answers.count() < biller.security_question_count
    ):
        return "questions"
    if not user.email_verified:
        return "email"
    return None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def setup(request, biller_slug: str):
    """The first-sign-in steps, one at a time; the portal opens when all are done."""
    biller = biller_get(slug=biller_slug)
    user = request.user
    if not user.is_authenticated or user.biller_id != biller.pk:
        return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))
    if not user.setup_required:
        return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))
    step = setup_step(request, biller, user)
    steps = _steps_for(biller)
    context = {
        "biller": biller,
        "step": step,
        "steps": steps,
        "step_number": steps.index(step) + 1 if step in steps else len(steps),
    }
    if step == "password":
        return _setup_password(request, biller, user, context)
    if step == "questions":
        return _setup_questions(request, biller, user, context)
    if step == "email":
        return _setup_email(request, biller, user, context)
    services.setup_complete(user=user, request=request)
    messages.success(request, _("Your account is ready."))
    return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))


def _steps_for(biller) -> list[str]:
    steps = ["password"]
    if biller.security_question_count > 0:
        steps.append("questions")
    steps.append("email")
    return steps


def _back_to_setup(biller):
    return HttpResponseRedirect(reverse("accounts:setup", args=[biller.slug]))


def _setup_password(request, biller, user, context):
    from billfold.accounts.security.forms import NewPasswordForm

    form = NewPasswordForm(
        biller, user, data=request.POST if request.method == "POST" else None
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.password_change(
            actor_kind="customer",
            actor_id=user.pk,
            request=request,
            reason="setup",
            notify=False,
        )
    ):
        request.session.pop(services.SESSION_SETUP_PASSWORD, None)
        # The password hash changed: keep this session signed in.
        update_session_auth_hash(request, user)
        return _back_to_setup(biller)
    return render(request, "accounts/setup_password.html", {**context, "form": form})


def _setup_questions(request, biller, user, context):
    from billfold.accounts.questions import SecurityQuestionsForm

    form = SecurityQuestionsForm(
        biller, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        form.save(user=user, actor_kind="customer", actor_id=user.pk, request=request)
        return _back_to_setup(biller)
    return render(request, "accounts/setup_questions.html", {**context, "form": form})


def _email_code_send(request, biller, user, flow: uuid.UUID | None) -> uuid.UUID:
    from billfold.accounts.codes import verification_code_send

    row = verification_code_send(
        biller=biller,
        user=user,
        purpose="verify_email",
        destination=user.email,
        flow=flow,
        request=request,
    )
    request.session[SETUP_FLOW] = str(row.flow)
    return row.flow


def _setup_email(request, biller, user, context):
    from billfold.accounts.codes import code_verify

    flow_text = request.session.get(SETUP_FLOW)
    flow = uuid.UUID(flow_text) if flow_text else None
    form = EmailCodeForm(request.POST if request.method == "POST" else None)
    sends = login_key(biller, f"verify-email:{user.pk}")
    if request.method == "POST" and request.POST.get("action") == "resend":
        if throttle_allowed("code", sends):
            throttle_hit_count("code", sends)
            _email_code_send(request, biller, user, flow)
            messages.info(request, _("We sent a new code."))
        else:
            messages.error(
                request, _("Too many codes were sent. Try again in 15 minutes.")
            )
        return _back_to_setup(biller)
    if flow is None:
        throttle_hit_count("code", sends)
        flow = _email_code_send(request, biller, user, None)
    if request.method == "POST" and form.is_valid():
        used = code_verify(
            biller=biller,
            flow=flow,
            purpose="verify_email",
            code=form.cleaned_data["code"],
            actor_kind="customer",
            actor_id=user.pk,
            request=request,
        )
        if used is not None and used.user_id == user.pk:
            services.email_verified_set(user=user, request=request)
            request.session.pop(SETUP_FLOW, None)
            return _back_to_setup(biller)
        form.add_error(
            "code",
            _(
                "That code is not right or has expired. Check the email or ask for a new code."
            ),
        )
    return render(
        request,
        "accounts/setup_email.html",
        {**context, "form": form, "email": user.email},
    )
