"""The security centre: password, username, email, questions, sessions.

Every page is for a customer signed in at this biller with the first-sign-in
steps done (``customer_required``, which also sends ``no-store``), and every
change asks for the current password again.
"""

import uuid

from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from billfold.accounts.decorators import customer_required
from billfold.accounts.security import forms, selectors, services
from billfold.accounts.services import sessions_end_all
from billfold.accounts.views import url_or_none
from billfold.billers.selectors import biller_get
from billfold.core.errors import BillfoldError

EMAIL_CHANGE_SESSION = "bf_email_change"


def _overview_url(biller) -> str:
    return reverse("accounts:security_overview", args=[biller.slug])


@customer_required
@require_http_methods(["GET", "HEAD"])
def overview(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    return render(
        request,
        "accounts/security/overview.html",
        {
            "biller": biller,
            "account": user,
            "sessions": selectors.sessions_open(user=user),
            "current_session_key": request.session.session_key,
            "signins": selectors.signins_recent(user=user),
            "mfa_url": url_or_none("accounts:mfa_overview", biller),
            "questions_url": (
                reverse("accounts:security_questions", args=[biller.slug])
                if biller.security_question_count > 0
                else None
            ),
        },
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def password(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    form = forms.ChangePasswordForm(
        biller, user, data=request.POST if request.method == "POST" else None
    )
    if form.is_valid():
        with transaction.atomic():
            changed = form.password_change(
                actor_kind="customer", actor_id=user.pk, request=request
            )
            if changed:
                sessions_end_all(
                    user=user,
                    except_session_key=request.session.session_key,
                    actor_kind="customer",
                    actor_id=user.pk,
                    reason="password_change",
                    request=request,
                )
        if changed:
            # The session is bound to the password's hash: keep this one valid.
            request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            messages.success(
                request,
                _(
                    "Your password has been changed. Every other device where you "
                    "were signed in has been signed out."
                ),
            )
            return HttpResponseRedirect(_overview_url(biller))
    return render(
        request, "accounts/security/password.html", {"biller": biller, "form": form}
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def username(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    form = forms.ChangeUsernameForm(
        biller, user, data=request.POST if request.method == "POST" else None
    )
    if form.is_valid():
        # The answer is the same whether or not the name was free, so that
        # this page cannot be used to learn which usernames exist.
        services.username_change(
            user=user,
            new_username=form.cleaned_data["new_username"],
            actor_kind="customer",
            actor_id=user.pk,
            request=request,
        )
        messages.success(
            request,
            _(
                "Thank you. If no other account uses that username, it is now yours "
                "and we have sent a notice to your email address. Your username is "
                "shown below."
            ),
        )
        return HttpResponseRedirect(_overview_url(biller))
    return render(
        request, "accounts/security/username.html", {"biller": biller, "form": form}
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def email(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    form = forms.ChangeEmailForm(
        biller, user, data=request.POST if request.method == "POST" else None
    )
    if form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            flow = services.email_change_start(
                user=user, new_email=new_email, request=request
            )
        except BillfoldError as error:
            form.add_error(error.field, error.message)
        else:
            request.session[EMAIL_CHANGE_SESSION] = {
                "flow": str(flow),
                "user": user.pk,
                "email": new_email,
            }
            return HttpResponseRedirect(
                reverse("accounts:security_email_confirm", args=[biller.slug])
            )
    return render(
        request, "accounts/security/email.html", {"biller": biller, "form": form}
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_confirm(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    pending = request.session.get(EMAIL_CHANGE_SESSION)
    if not pending or pending.get("user") != user.pk:
        return HttpResponseRedirect(
            reverse("accounts:security_email", args=[biller.slug])
        )
    flow = uuid.UUID(pending["flow"])
    form = forms.EmailCodeForm(data=None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.email_change_resend(user=user, flow=flow, request=request)
        except BillfoldError as error:
            messages.error(request, error.message)
            if error.code == "throttled":
                return HttpResponseRedirect(
                    reverse("accounts:security_email_confirm", args=[biller.slug])
                )
            request.session.pop(EMAIL_CHANGE_SESSION, None)
            return HttpResponseRedirect(
                reverse("accounts:security_email", args=[biller.slug])
            )
        messages.info(request, _("We have sent a new code."))
        return HttpResponseRedirect(
            reverse("accounts:security_email_confirm", args=[biller.slug])
        )
    if request.method == "POST":
        form = forms.EmailCodeForm(data=request.POST)
        if form.is_valid():
            try:
                services.email_change_finish(
                    user=user,
                    flow=flow,
                    code=form.cleaned_data["code"],
                    request=request,
                )
            except BillfoldError as error:
                form.add_error("code", error.message)
            else:
                request.session.pop(EMAIL_CHANGE_SESSION, None)
                messages.success(
                    request,
                    _(
                        "Your email address has been changed. We have sent a notice "
                        "to your previous address."
                    ),
                )
                return HttpResponseRedirect(_overview_url(biller))
    return render(
        request,
        "accounts/security/email_confirm.html",
        {"biller": biller, "form": form, "new_email": pending["email"]},
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def questions(request, biller_slug: str):
    from billfold.accounts.questions import SecurityQuestionsForm

    biller = biller_get(slug=biller_slug)
    if biller.security_question_count <= 0:
        raise Http404("This biller uses no security questions.")
    user = request.user
    data = request.POST if request.method == "POST" else None
    reauth = forms.ReauthForm(biller, user, data=data)
    form = SecurityQuestionsForm(biller, data=data)
    # Re-authentication first: the answers are not looked at without it.
    if reauth.is_valid() and form.is_valid():
        form.save(user=user, actor_kind="customer", actor_id=user.pk, request=request)
        messages.success(request, _("Your security questions have been saved."))
        return HttpResponseRedirect(_overview_url(biller))
    return render(
        request,
        "accounts/security/questions.html",
        {"biller": biller, "reauth": reauth, "form": form},
    )


@customer_required
@require_POST
def sessions_end_others(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    ended = sessions_end_all(
        user=user,
        except_session_key=request.session.session_key,
        actor_kind="customer",
        actor_id=user.pk,
        reason="end_others",
        request=request,
    )
    messages.success(
        request,
        ngettext(
            "You have been signed out everywhere else (%(count)d session ended).",
            "You have been signed out everywhere else (%(count)d sessions ended).",
            ended,
        )
        % {"count": ended},
    )
    return HttpResponseRedirect(_overview_url(biller))
