"""Two-step sign-in pages, passkey endpoints and the two-step part of the security centre."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from billfold.accounts import throttle
from billfold.accounts.decorators import customer_required
from billfold.accounts.mfa import selectors, services
from billfold.accounts.mfa import webauthn as passkeys
from billfold.accounts.mfa.forms import (
    ChallengeForm,
    CurrentPasswordForm,
    PasskeyAddForm,
    TotpConfirmForm,
)
from billfold.audit.models import ActorKind, Outcome
from billfold.audit.services import event_record
from billfold.billers.selectors import biller_get
from billfold.core.errors import BillfoldError

# Session keys of this part of the site.
TOTP_SETUP_SESSION_KEY = "bf_mfa_totp_setup"
NEW_CODES_SESSION_KEY = "bf_mfa_new_codes"
PASSKEY_NAME_SESSION_KEY = "bf_mfa_passkey_name"


def _signed_in_home(request, biller, user) -> str:
    if user.setup_required:
        return reverse("accounts:setup", args=[biller.slug])
    return reverse("accounts:home", args=[biller.slug])


def _session_start(request, user, *, method: str) -> None:
    from billfold.accounts.services import session_start

    session_start(request, user, method=method)


def _json_error(error: BillfoldError, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"detail": str(error.message), "code": error.code, "field": error.field},
        status=status,
    )


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reauth_and_run(request, form, action):
    """On a valid POST, check the current password again, then run ``action``.

    Returns ``(True, what action returned)``; or ``(False, None)`` when there
    was nothing valid to act on or a ``BillfoldError`` was put on the form
    (on its field when the form has one of that name).
    """
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        services.password_reauth(
            user=request.user,
            password=form.cleaned_data["current_password"],
            request=request,
        )
        result = action()
    except BillfoldError as error:
        form.add_error(
            error.field if error.field in form.fields else None, error.message
        )
        return False, None
    return True, result


def _confirm_remove(request, biller, *, remove, removed: str, title: str, what: str):
    """The page that removes a sign-in method once the current password is given.

    ``remove`` does the removal; ``removed`` is the message shown after it,
    back on the overview; ``title`` and ``what`` describe it on the page.
    """
    form = CurrentPasswordForm(request.POST if request.method == "POST" else None)
    done, _result = _reauth_and_run(request, form, remove)
    if done:
        messages.success(request, removed)
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller.slug])
        )
    return render(
        request,
        "accounts/mfa/confirm_remove.html",
        {"biller": biller, "form": form, "title": title, "what": what},
    )


# --- the second step at sign-in ---------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_challenge(request, biller_slug: str):
    """Ask for a code (or a passkey) after the password was right."""
    biller = biller_get(slug=biller_slug)
    user = services.pending_user(request, biller=biller)
    if user is None or not services.user_needs_second_factor(user):
        # Expired, another biller's, or the factors were removed meanwhile.
        services.pending_clear(request)
        messages.info(request, _("Your sign-in took too long. Sign in again."))
        return HttpResponseRedirect(reverse("accounts:home", args=[biller.slug]))
    form = ChallengeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account = throttle.login_key(biller, user.username)
        client = throttle.client_key(request)
        if not (
            throttle.throttle_allowed("code", account)
            and throttle.throttle_allowed("code", client)
        ):
            event_record(
                biller=biller,
                actor_kind=ActorKind.CUSTOMER,
                actor_id=user.pk,
                action="signin.mfa_throttled",
                outcome=Outcome.FAILURE,
                target=user,
                request=request,
            )
            form.add_error(
                "code", _("Too many wrong codes. Wait 15 minutes, then try again.")
            )
        else:
            try:
                method = services.second_factor_verify(
                    user=user, code=form.cleaned_data["code"], request=request
                )
            except BillfoldError as error:
                throttle.throttle_hit("code", account)
                throttle.throttle_hit("code", client)
                form.add_error("code", error.message)
            else:
                throttle.throttle_clear("code", account)
                services.pending_clear(request)
                _session_start(request, user, method=f"password+{method}")
                if method == "recovery_code":
                    left = selectors.recovery_codes_left(user=user)
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code. %(left)s are left; you can make "
                            "new ones in your security settings."
                        )
                        % {"left": left},
                    )
                return HttpResponseRedirect(_signed_in_home(request, biller, user))
    return render(
        request,
        "accounts/mfa/challenge.html",
        {
            "biller": biller,
            "form": form,
            "has_passkey": selectors.passkey_list(user=user).exists(),
            "has_codes": selectors.totp_device_get(user=user) is not None
            or selectors.recovery_codes_left(user=user) > 0,
        },
    )


@never_cache
@require_POST
def mfa_passkey_auth_options(request, biller_slug: str):
    """Options for navigator.credentials.get() (JSON)."""
    biller = biller_get(slug=biller_slug)
    body = _json_body(request)
    user = None
    if body.get("second_step"):
        user = services.pending_user(request, biller=biller)
        if user is None:
            return _json_error(
                BillfoldError(
                    "passkey_expired", _("Your sign-in took too long. Sign in again.")
                )
            )
    options = passkeys.passkey_authentication_options(
        request=request, biller=biller, user=user
    )
    return JsonResponse(options)


@never_cache
@require_POST
def mfa_passkey_auth_verify(request, biller_slug: str):
    """Check the passkey's answer and sign its user in (JSON)."""
    biller = biller_get(slug=biller_slug)
    client = throttle.client_key(request)
    if not throttle.throttle_allowed("signin", client):
        return _json_error(
            BillfoldError(
                "throttled", _("Too many tries. Wait 15 minutes, then try again.")
            ),
            status=429,
        )
    try:
        user = passkeys.passkey_authenticate(
            request=request, biller=biller, credential=_json_body(request)
        )
    except BillfoldError as error:
        if error.code != "passkey_expired":
            throttle.throttle_hit("signin", client)
        return _json_error(error)
    services.pending_clear(request)
    # Possession of the device and its PIN or biometrics: both factors at once.
    _session_start(request, user, method="passkey")
    return JsonResponse({"redirect": _signed_in_home(request, biller, user)})


# --- security centre: overview ----------------------------------------------


@customer_required
@require_http_methods(["GET", "HEAD"])
def mfa_overview(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    return render(
        request,
        "accounts/mfa/overview.html",
        {
            "biller": biller,
            "totp": selectors.totp_device_get(user=user),
            "codes_left": selectors.recovery_codes_left(user=user),
            "passkeys": list(selectors.passkey_list(user=user)),
            "protected": services.user_needs_second_factor(user),
        },
    )


# --- authenticator app ------------------------------------------------------


@customer_required
@require_POST
def mfa_totp_start(request, biller_slug: str):
    user = request.user
    try:
        device, _uri, _svg = services.totp_begin(user=user)
    except BillfoldError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller_slug])
        )
    request.session[TOTP_SETUP_SESSION_KEY] = device.pk
    return HttpResponseRedirect(reverse("accounts:mfa_totp_setup", args=[biller_slug]))


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_totp_setup(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    device = selectors.totp_pending_get(
        user=user, device_id=request.session.get(TOTP_SETUP_SESSION_KEY)
    )
    if device is None:
        messages.info(request, _("Start setting up your authenticator app here."))
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller.slug])
        )
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    done, codes = _reauth_and_run(
        request,
        form,
        lambda: services.totp_confirm(
            user=user,
            device=device,
            token=form.cleaned_data["token"],
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            request=request,
        ),
    )
    if done:
        request.session.pop(TOTP_SETUP_SESSION_KEY, None)
        messages.success(request, _("Your authenticator app is set up."))
        return _show_new_codes(request, biller, codes)
    return render(
        request,
        "accounts/mfa/totp_setup.html",
        {"biller": biller, "form": form, "enrolment": services.totp_enrolment(device)},
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_totp_remove(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    if selectors.totp_device_get(user=user) is None:
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller.slug])
        )
    return _confirm_remove(
        request,
        biller,
        remove=lambda: services.totp_remove(
            user=user,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            request=request,
        ),
        removed=_("The authenticator app was removed."),
        title=_("Remove the authenticator app"),
        what=_(
            "Codes from your authenticator app will no longer be asked for or accepted."
        ),
    )


# --- recovery codes ---------------------------------------------------------


def _show_new_codes(request, biller, codes: list[str]):
    if not codes:
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller.slug])
        )
    request.session[NEW_CODES_SESSION_KEY] = codes
    return HttpResponseRedirect(
        reverse("accounts:mfa_recovery_codes", args=[biller.slug])
    )


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_recovery_codes(request, biller_slug: str):
    """New codes, shown once; or how many are left and a way to make new ones."""
    biller = biller_get(slug=biller_slug)
    user = request.user
    if not services.user_needs_second_factor(user):
        return HttpResponseRedirect(
            reverse("accounts:mfa_overview", args=[biller.slug])
        )
    form = CurrentPasswordForm(request.POST if request.method == "POST" else None)
    done, codes = _reauth_and_run(
        request,
        form,
        lambda: services.recovery_codes_regenerate(
            user=user,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            request=request,
        ),
    )
    if done:
        messages.success(
            request, _("New recovery codes were made. The old ones no longer work.")
        )
        return _show_new_codes(request, biller, codes)
    new_codes = (
        request.session.pop(NEW_CODES_SESSION_KEY, None)
        if request.method != "POST"
        else None
    )
    return render(
        request,
        "accounts/mfa/recovery_codes.html",
        {
            "biller": biller,
            "form": form,
            "new_codes": new_codes,
            "codes_left": selectors.recovery_codes_left(user=user),
        },
    )


# --- passkeys in the security centre ----------------------------------------


@customer_required
@require_http_methods(["GET", "HEAD"])
def mfa_passkey_add(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    return render(
        request,
        "accounts/mfa/passkey_add.html",
        {"biller": biller, "form": PasskeyAddForm()},
    )


@customer_required
@require_POST
def mfa_passkey_register_options(request, biller_slug: str):
    """Check the name and current password, then give options for navigator.credentials.create()."""
    user = request.user
    form = PasskeyAddForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _json_error(BillfoldError("invalid", str(errors[0]), field=field))
    try:
        services.password_reauth(
            user=user, password=form.cleaned_data["current_password"], request=request
        )
    except BillfoldError as error:
        return _json_error(error)
    request.session[PASSKEY_NAME_SESSION_KEY] = form.cleaned_data["name"]
    return JsonResponse(
        passkeys.passkey_registration_options(request=request, user=user)
    )


@customer_required
@require_POST
def mfa_passkey_register_verify(request, biller_slug: str):
    biller = biller_get(slug=biller_slug)
    user = request.user
    try:
        _passkey, codes = passkeys.passkey_register(
            request=request,
            user=user,
            credential=_json_body(request),
            name=request.session.pop(PASSKEY_NAME_SESSION_KEY, ""),
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
        )
    except BillfoldError as error:
        return _json_error(error)
    messages.success(request, _("Your passkey was added."))
    return JsonResponse({"redirect": _show_new_codes(request, biller, codes).url})


@customer_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_passkey_remove(request, biller_slug: str, passkey_id: int):
    biller = biller_get(slug=biller_slug)
    user = request.user
    passkey = selectors.passkey_get(user=user, passkey_id=passkey_id)
    if passkey is None:
        raise Http404(_("No such passkey."))
    return _confirm_remove(
        request,
        biller,
        remove=lambda: passkeys.passkey_remove(
            user=user,
            passkey_id=passkey.pk,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            request=request,
        ),
        removed=_("The passkey was removed."),
        title=_("Remove the passkey “%(name)s”") % {"name": passkey.name},
        what=_("This passkey will no longer sign you in."),
    )
