"""Writes about portal users: sessions, temporary passwords, first sign-in."""

import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billfold.accounts.models import TemporaryPassword, User, UserSession
from billfold.accounts.temporary import temporary_password_generate
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError
from billfold.core.http import client_ip, user_agent

BACKEND = "billfold.accounts.backends.BillerBackend"
# Session keys written at sign-in and read by the session middleware.
SESSION_BILLER = "bf_biller"
SESSION_SIGNIN_AT = "bf_signin_at"
SESSION_SEEN_AT = "bf_seen_at"
SESSION_METHOD = "bf_method"
# Set when the session began with a temporary password: "Change your password"
# is the first setup step.
SESSION_SETUP_PASSWORD = "bf_setup_password"


def _session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_start(request, user: User, *, method: str) -> None:
    """Sign ``user`` in: a new session key, a UserSession row, the timeout clocks.

    ``django.contrib.auth.login`` cycles the session key, so a key planted
    before sign-in (session fixation) is worthless afterwards.
    """
    earlier_key = request.session.session_key
    login(request, user, backend=BACKEND)
    if earlier_key and earlier_key != request.session.session_key:
        # login() deleted the earlier session (another user's, or a planted
        # one): if it was a signed-in session, it has ended.
        _user_session_end(session_key=earlier_key)
    # A language chosen with the switch before signing in becomes the user's.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and chosen in user.biller.languages:
        user_language_set(user=user, language=chosen)
    now = time.time()
    request.session[SESSION_BILLER] = user.biller_id
    request.session[SESSION_SIGNIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    request.session[SESSION_METHOD] = method
    request.session.save()
    with transaction.atomic():
        UserSession.objects.create(
            user=user,
            session_key=request.session.session_key,
            ip=client_ip(request) or None,
            user_agent=user_agent(request),
        )
        event_record(
            biller=user.biller,
            actor_kind="customer",
            actor_id=user.pk,
            action="signin.success",
            target=user,
            request=request,
            details={"method": method},
        )


def _user_session_end(*, session_key: str) -> UserSession | None:
    user_session = UserSession.objects.filter(
        session_key=session_key, ended_at__isnull=True
    ).first()
    if user_session is not None:
        user_session.ended_at = timezone.now()
        user_session.save(update_fields=["ended_at"])
    return user_session


def session_end(request, *, reason: str = "signout") -> None:
    """Sign the current user out: the session row is deleted on the server.

    ``reason`` is "signout" (the user asked) or "expired" (idle or absolute
    timeout); the event is "session.end" or "session.expired".
    """
    user = request.user
    key = request.session.session_key
    if user.is_authenticated and key:
        with transaction.atomic():
            _user_session_end(session_key=key)
            event_record(
                biller=user.biller,
                actor_kind="customer",
                actor_id=user.pk,
                action="session.expired" if reason == "expired" else "session.end",
                target=user,
                request=request,
                details={"reason": reason},
            )
    # flush(): the store row is deleted, a fresh empty session takes its place.
    logout(request)


def sessions_end_all(
    *,
    user: User,
    except_session_key: str | None = None,
    actor_kind: str,
    actor_id,
    reason: str,
    request=None,
) -> int:
    """End every open session of ``user`` except one; returns how many ended.

    The session store rows are deleted, so a copied cookie is refused.
    """
    store = _session_store_class()
    open_sessions = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if except_session_key:
        open_sessions = open_sessions.exclude(session_key=except_session_key)
    ended = 0
    with transaction.atomic():
        for user_session in open_sessions.select_for_update():
            store(session_key=user_session.session_key).delete()
            user_session.ended_at = timezone.now()
            user_session.save(update_fields=["ended_at"])
            ended += 1
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="session.end_all",
            target=user,
            request=request,
            details={"reason": reason, "ended": ended},
        )
    return ended


def sign_in_url(*, biller, request=None) -> str:
    """The absolute address of the biller's sign-in page, for emails and operators."""
    path = reverse("accounts:home", args=[biller.slug])
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "BILLFOLD_BASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def _addresses_of_record(*, biller, customer) -> list[str]:
    """The customer's indexed addresses, customer's own first, placeholders left out."""
    from billfold.servicing.models import EmailIndex, EmailSource

    order: dict[str, int] = {
        EmailSource.CUSTOMER: 0,
        EmailSource.CONTACT: 1,
        EmailSource.BILL_TO: 2,
    }
    rows = EmailIndex.objects.filter(biller=biller, customer=customer).values_list(
        "address", "source", "pk"
    )
    placeholders = biller.placeholder_set
    seen: list[str] = []
    for address, _source, _pk in sorted(rows, key=lambda r: (order.get(r[1], 9), r[2])):
        normal = address.strip().lower()
        if normal and normal not in placeholders and normal not in seen:
            seen.append(normal)
    return seen


def access_grant(
    *, biller, customer, email: str | None, actor_kind: str, actor_id, request=None
) -> tuple[User, str]:
    """Give ``customer`` web access: a temporary password mailed to an address of record.

    Creates the customer's user at ``biller`` (username = the address) or
    reuses it. The password is random, stored hashed, single-use and expires
    after ``biller.temporary_password_hours``; issuing one revokes older ones.
    Returns the user and the password in clear (for the mail and operators).
    """
    from billfold.notifications.services import email_enqueue

    if customer.biller_id != biller.pk:
        raise BillfoldError("customer_not_found", _("No such customer."))
    addresses = _addresses_of_record(biller=biller, customer=customer)
    existing = (
        User.objects.filter(biller=biller, customer=customer).order_by("pk").first()
    )
    if email is not None and email.strip():
        address = email.strip().lower()
        if address not in addresses:
            raise BillfoldError(
                "address_not_of_record",
                _("That address is not an email address of record of this customer."),
                field="email",
            )
    elif existing is not None and existing.email.lower() in addresses:
        address = existing.email.lower()
    elif addresses:
        address = addresses[0]
    else:
        raise BillfoldError(
            "no_address_of_record",
            _(
                "This customer has no email address of record to send a temporary password to."
            ),
            field="email",
        )
    plain = temporary_password_generate()
    now = timezone.now()
    with transaction.atomic():
        if existing is None:
            clash = User.objects.filter(
                biller=biller, username__iexact=address
            ).exists() or (
                User.objects.filter(biller=biller, email__iexact=address).exists()
            )
            if clash:
                raise BillfoldError(
                    "address_in_use",
                    _("Another account of this biller already uses that address."),
                    field="email",
                )
            user = User(
                biller=biller,
                customer=customer,
                username=address,
                email=address,
                language=biller.default_language,
            )
            user.set_unusable_password()
            created = True
        else:
            user = existing
            if user.email.lower() != address:
                if (
                    User.objects.filter(biller=biller, email__iexact=address)
                    .exclude(pk=user.pk)
                    .exists()
                ):
                    raise BillfoldError(
                        "address_in_use",
                        _("Another account of this biller already uses that address."),
                        field="email",
                    )
                user.email = address
                user.email_verified = False
            created = False
        user.setup_required = True
        user.save()
        TemporaryPassword.objects.filter(
            user=user, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        TemporaryPassword.objects.create(
            user=user,
            password=make_password(plain),
            created_at=now,
            expires_at=now + timedelta(hours=biller.temporary_password_hours),
        )
        email_enqueue(
            biller=biller,
            to=address,
            kind="temporary_password",
            context={
                "username": user.username,
                "temporary_password": plain,
                "sign_in_url": sign_in_url(biller=biller, request=request),
                "hours_valid": biller.temporary_password_hours,
            },
            language=user.language,
            user=user,
        )
        event_record(
            biller=biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="access.grant",
            target=user,
            customer_id=customer.pk,
            request=request,
            details={
                "created": created,
                "expires_hours": biller.temporary_password_hours,
            },
        )
    return user, plain


def temporary_password_use(*, temporary: TemporaryPassword, request=None) -> None:
    """Mark a temporary password used; its user must finish the setup steps."""
    with transaction.atomic():
        updated = TemporaryPassword.objects.filter(
            pk=temporary.pk, used_at__isnull=True
        ).update(used_at=timezone.now())
        if updated != 1:
            raise BillfoldError(
                "temporary_password_used",
                _("This temporary password was already used."),
            )
        User.objects.filter(pk=temporary.user_id).update(setup_required=True)
        temporary.user.setup_required = True


def setup_complete(*, user: User, request=None) -> None:
    """The first-sign-in steps are done: the whole portal opens."""
    with transaction.atomic():
        user.setup_required = False
        user.save(update_fields=["setup_required"])
        event_record(
            biller=user.biller,
            actor_kind="customer",
            actor_id=user.pk,
            action="account.setup_complete",
            target=user,
            request=request,
        )


def email_verified_set(*, user: User, request=None) -> None:
    with transaction.atomic():
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        event_record(
            biller=user.biller,
            actor_kind="customer",
            actor_id=user.pk,
            action="email.verify",
            target=user,
            request=request,
        )


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose (emails use it too)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if user.biller is not None:
        codes &= set(user.biller.languages)
    if language in codes and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
