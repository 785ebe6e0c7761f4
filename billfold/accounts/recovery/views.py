"""Forgot password: thin views over recovery.services (seed 002)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from billfold.accounts.recovery import altcha, services
from billfold.accounts.recovery.forms import AnswerForm, ChooseForm, CodeForm, StartForm
from billfold.accounts.recovery.services import Step
from billfold.billers.selectors import biller_get
from billfold.core.errors import BillfoldError

CODE_WRONG = gettext_noop("That code is not right or has expired.")
TOO_MANY = gettext_noop("Too many attempts. Wait a few minutes and try again.")


def _throttle():
    # CORE's throttle; imported here so this module loads on its own.
    from billfold.accounts import throttle

    return throttle


def _to_start(biller, message: str | None = None, request=None):
    if message and request is not None:
        messages.error(request, message)
    return redirect("accounts:recover_start", biller.slug)


def _render(request, biller, template: str, context: dict, status: int = 200):
    return render(
        request,
        f"accounts/recovery/{template}",
        {"biller": biller, **context},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recover_start(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    status = 200
    form = StartForm()
    error = ""
    if request.method == "POST":
        throttle = _throttle()
        # Per client address, and per typed address (known or not alike), so
        # nobody can fill a customer's mailbox with codes.
        keys = [
            throttle.client_key(request),
            throttle.login_key(biller, request.POST.get("email", "")),
        ]
        if not all(throttle.throttle_allowed("recover", key) for key in keys):
            error = _(TOO_MANY)
            status = 429
        else:
            form = StartForm(data=request.POST)
            if form.is_valid():
                for key in keys:
                    throttle.throttle_hit("recover", key)
                services.flow_start(
                    request, biller=biller, email=form.cleaned_data["email"]
                )
                return redirect("accounts:recover_choose", biller.slug)
    return _render(
        request,
        biller,
        "start.html",
        {
            "form": form,
            "error": error,
            "challenge": altcha.challenge_json(),
            "altcha_strings": altcha.widget_strings(),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recover_choose(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    flow = services.flow_get(request, biller=biller, step=Step.CHOOSE)
    if flow is None:
        return _to_start(biller)
    masked = services.email_mask(flow.email)
    form = ChooseForm(masked, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.flow_code_send(request, biller=biller, flow=flow)
        return redirect("accounts:recover_code", biller.slug)
    return _render(request, biller, "choose.html", {"form": form, "masked": masked})


@never_cache
@require_http_methods(["GET", "POST"])
def recover_code(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    flow = services.flow_get(request, biller=biller, step=Step.CODE)
    if flow is None:
        return _to_start(biller)
    masked = services.email_mask(flow.email)
    form = CodeForm()
    status = 200
    error = ""
    if request.method == "POST" and "resend" in request.POST:
        throttle = _throttle()
        # A new code is another mail to the address: it counts like a start.
        address_key = throttle.login_key(biller, flow.email)
        if not throttle.throttle_allowed("recover", address_key):
            messages.error(request, _(TOO_MANY))
        elif services.flow_code_send(request, biller=biller, flow=flow):
            throttle.throttle_hit("recover", address_key)
            messages.success(
                request,
                _("We sent a new code to %(address)s. Earlier codes no longer work.")
                % {"address": masked},
            )
        else:
            messages.error(
                request, _("You cannot ask for more codes. Use the last code we sent.")
            )
        return redirect("accounts:recover_code", biller.slug)
    if request.method == "POST":
        throttle = _throttle()
        key = throttle.client_key(request)
        form = CodeForm(data=request.POST)
        if not throttle.throttle_allowed("code", key):
            form = CodeForm()
            error = _(TOO_MANY)
            status = 429
        elif form.is_valid():
            accepted, left = services.flow_code_check(
                request, biller=biller, flow=flow, code=form.cleaned_data["code"]
            )
            if accepted:
                step = flow.step
                name = (
                    "recover_question" if step == Step.QUESTION else "recover_password"
                )
                return redirect(f"accounts:{name}", biller.slug)
            throttle.throttle_hit("code", key)
            if left == 0:
                services.flow_end(request)
                return _to_start(
                    biller,
                    _("Too many wrong codes. Start again to get a new code."),
                    request,
                )
            form.add_error("code", _(CODE_WRONG))
    return _render(
        request,
        biller,
        "code.html",
        {"form": form, "masked": masked, "error": error},
        status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recover_question(request, biller_slug: str):
    from billfold.accounts.questions import question_text

    biller = biller_get(slug=biller_slug)
    flow = services.flow_get(request, biller=biller, step=Step.QUESTION)
    if flow is None:
        return _to_start(biller)
    form = AnswerForm()
    status = 200
    error = ""
    if request.method == "POST":
        throttle = _throttle()
        keys = [throttle.client_key(request)]
        form = AnswerForm(data=request.POST)
        if not all(throttle.throttle_allowed("answer", k) for k in keys):
            form = AnswerForm()
            error = _(TOO_MANY)
            status = 429
        elif form.is_valid():
            accepted, left = services.flow_answer_check(
                request, biller=biller, flow=flow, answer=form.cleaned_data["answer"]
            )
            if accepted:
                return redirect("accounts:recover_password", biller.slug)
            for k in keys:
                throttle.throttle_hit("answer", k)
            if left == 0:
                services.flow_end(request)
                return _to_start(
                    biller,
                    _("Too many wrong answers. Start again, or contact us for help."),
                    request,
                )
            form.add_error("answer", _("That answer is not right."))
    return _render(
        request,
        biller,
        "question.html",
        {"form": form, "question": question_text(flow.question), "error": error},
        status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recover_password(request, biller_slug: str):
    from billfold.accounts.security.forms import NewPasswordForm

    biller = biller_get(slug=biller_slug)
    flow = services.flow_get(request, biller=biller, step=Step.PASSWORD)
    user = services.flow_user(flow) if flow else None
    if flow is None or user is None:
        return _to_start(biller)
    form = NewPasswordForm(biller, user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset(
                request,
                biller=biller,
                flow=flow,
                new_password=form.cleaned_data["new_password1"],
            )
        except BillfoldError as exc:
            problems = getattr(exc, "problems", None) or [exc.message]
            form.add_error(exc.field or "new_password1", problems)
        else:
            return redirect("accounts:recover_done", biller.slug)
    return _render(request, biller, "password.html", {"form": form})


@never_cache
@require_http_methods(["GET"])
def recover_done(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    flow = services.flow_get(request, biller=biller, step=Step.DONE)
    if flow is None:
        return _to_start(biller)
    services.flow_end(request)
    return _render(
        request,
        biller,
        "done.html",
        {"sign_in_url": reverse("accounts:home", args=[biller.slug])},
    )
