"""Writing to the out-box and delivering what is in it.

``email_enqueue`` renders a message and inserts it in the caller's
transaction; delivery is scheduled for after the commit, so a rolled-back
change sends nothing and a mail server that is down loses nothing.
``message_deliver`` is what the task worker runs: safe to run twice.
"""

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.dummy import EmailBackend as DummyEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billfold.notifications.models import Channel, OutboxMessage, Status

logger = logging.getLogger(__name__)

# Delivery gives up after this many attempts; the waits between them grow.
MAX_ATTEMPTS = 5
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
)
# A claim older than this belongs to a worker that died mid-send. It is far
# longer than the SMTP timeout, so a live worker is never overtaken.
STALE_CLAIM = datetime.timedelta(minutes=15)
# Older messages are not retried: the codes in them have expired long ago.
MAX_AGE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Kind:
    required: tuple[str, ...]
    reason: Promise  # the footer's "you receive this because…"


_SECURITY_NOTICE = _(
    "You receive this email because it is about the security of your online "
    "account with %(biller)s. Security notices are sent even when other emails "
    "are turned off."
)

KINDS: dict[str, Kind] = {
    "verification_code": Kind(
        ("code", "minutes_valid"),
        _(
            "You receive this email because this address was entered to be "
            "verified for an online account with %(biller)s."
        ),
    ),
    "recovery_code": Kind(
        ("code", "minutes_valid"),
        _(
            "You receive this email because a password reset was asked for the "
            "online account with %(biller)s that uses this address."
        ),
    ),
    "temporary_password": Kind(
        ("username", "temporary_password", "sign_in_url", "hours_valid"),
        _(
            "You receive this email because online access to an account with "
            "%(biller)s was set up for this address."
        ),
    ),
    "password_changed": Kind(("when", "sign_in_url"), _SECURITY_NOTICE),
    "username_changed": Kind(("old_username", "new_username"), _SECURITY_NOTICE),
    "username_unavailable": Kind(("new_username",), _SECURITY_NOTICE),
    "email_changed": Kind(
        ("old_email", "new_email"),
        _(
            "You receive this email because this address was, until now, the "
            "email of your online account with %(biller)s."
        ),
    ),
    "new_sign_in_method": Kind(("method",), _SECURITY_NOTICE),
    "sign_in_method_removed": Kind(("method",), _SECURITY_NOTICE),
}

# Sign-in methods named in "new_sign_in_method" and "sign_in_method_removed",
# translated at render time.
SIGN_IN_METHODS: dict[str, Promise] = {
    "totp": _("authenticator app"),
    "authenticator app": _("authenticator app"),
    "passkey": _("passkey"),
    "recovery codes": _("recovery codes"),
    "recovery_codes": _("recovery codes"),
}


def _language_for(*, biller, user, language: str | None) -> str:
    """The language asked for, else the user's, else the biller's default.

    Only languages the biller offers are chosen, so a customer never gets a
    message in a language the biller's portal does not speak.
    """
    available = {code for code, _name in settings.LANGUAGES}
    if biller is not None and biller.languages:
        available &= set(biller.languages)
    for candidate in (language, getattr(user, "language", None)):
        if candidate and candidate in available:
            return candidate
    default = getattr(biller, "default_language", None)
    return (
        default
        if default in {c for c, _n in settings.LANGUAGES}
        else settings.LANGUAGE_CODE
    )


def _mask_email(address: str) -> str:
    """Show enough of an address to recognise it, not enough to use it."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _contact_sentence(*, biller_name: str, phone: str, email: str) -> str:
    params = {"biller": biller_name, "phone": phone, "email": email}
    if phone and email:
        return gettext("Call %(biller)s at %(phone)s or write to %(email)s.") % params
    if phone:
        return gettext("Call %(biller)s at %(phone)s.") % params
    if email:
        return gettext("Write to %(biller)s at %(email)s.") % params
    return gettext("Contact %(biller)s.") % params


def _template_context(
    *, biller, kind: str, context: Mapping[str, Any]
) -> dict[str, Any]:
    """Branding and the kind's own values, ready for the templates.

    Runs inside ``translation.override`` so every sentence is in the
    message's language.
    """
    biller_name = biller.name if biller is not None else "Billfold"
    tz = biller.tzinfo if biller is not None else datetime.UTC
    values = dict(context)
    if kind in ("new_sign_in_method", "sign_in_method_removed"):
        method = str(values["method"]).strip().lower()
        if method not in SIGN_IN_METHODS:
            raise ValueError(f"unknown sign-in method {values['method']!r}")
        values["method"] = str(SIGN_IN_METHODS[method])
    if kind == "email_changed":
        values["new_email"] = _mask_email(str(values["new_email"]))
    phone = biller.support_phone if biller is not None else ""
    email = biller.contact_email if biller is not None else ""
    hours = biller.support_hours if biller is not None else ""
    return {
        **values,
        "biller_name": biller_name,
        "brand_color": biller.brand_color if biller is not None else "#1f4e79",
        "support_phone": phone,
        "support_hours": hours,
        "contact_email": email,
        "time_zone": str(tz),
        "contact_sentence": _contact_sentence(
            biller_name=biller_name, phone=phone, email=email
        ),
        "footer_reason": str(KINDS[kind].reason) % {"biller": biller_name},
    }


def email_render(
    *, biller, kind: str, context: Mapping[str, Any], language: str
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one message, in ``language``."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    missing = [key for key in KINDS[kind].required if key not in context]
    if missing:
        raise ValueError(f"email {kind!r} needs {', '.join(missing)}")
    tz = biller.tzinfo if biller is not None else datetime.UTC
    # Dates and times are shown in the biller's time zone, named in the text.
    with translation.override(language), timezone.override(tz):
        values = _template_context(biller=biller, kind=kind, context=context)
        base = f"notifications/email/{kind}"
        subject = " ".join(render_to_string(f"{base}.subject.txt", values).split())
        values["subject"] = subject
        values["language"] = language
        text = render_to_string(f"{base}.txt", values).strip() + "\n"
        html = render_to_string(f"{base}.html", values)
    return subject, text, html


def email_enqueue(
    *,
    biller,
    to: str,
    kind: str,
    context: Mapping[str, Any],
    language: str | None = None,
    user=None,
) -> OutboxMessage:
    """Render an email and put it in the out-box, in the current transaction.

    Delivery starts after the commit. A placeholder address of the biller is
    stored as suppressed and never delivered.
    """
    address = (to or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError("not a single valid email address") from None
    if user is not None and biller is not None and user.biller_id != biller.pk:
        raise ValueError("the user belongs to another biller")
    lang = _language_for(biller=biller, user=user, language=language)
    subject, text, html = email_render(
        biller=biller, kind=kind, context=context, language=lang
    )
    placeholders = biller.placeholder_set if biller is not None else frozenset()
    suppressed = address.lower() in placeholders
    message = OutboxMessage.objects.create(
        biller=biller,
        user=user,
        channel=Channel.EMAIL,
        kind=kind,
        to_address=address,
        language=lang,
        subject=subject,
        body_text=text,
        body_html=html,
        status=Status.SUPPRESSED if suppressed else Status.QUEUED,
    )
    if not suppressed:
        transaction.on_commit(lambda: _schedule(message.pk), robust=True)
    return message


def _schedule(message_id: int, *, run_after: datetime.datetime | None = None) -> None:
    from billfold.notifications.tasks import deliver_message

    task = (
        deliver_message
        if run_after is None
        else deliver_message.using(run_after=run_after)
    )
    task.enqueue(message_id)


def _describe_error(exc: BaseException) -> str:
    # The class and the server's reply; the message content is never included.
    return f"{type(exc).__name__}: {exc}"[:500]


def _from_address(biller) -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if biller is not None:
        name = biller.name
    return formataddr((name, address)) if name else address


def _email_for(message: OutboxMessage) -> EmailMultiAlternatives:
    biller = message.biller
    reply_to = (
        [biller.contact_email] if biller is not None and biller.contact_email else []
    )
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=_from_address(biller),
        to=[message.to_address],
        reply_to=reply_to,
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": message.language,
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _claim(message_id: int, now: datetime.datetime) -> OutboxMessage | None:
    """Mark the message as being sent, unless it is done or another worker has it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("biller")
            .filter(pk=message_id, channel=Channel.EMAIL, attempts__lt=MAX_ATTEMPTS)
            .filter(
                Q(status__in=[Status.QUEUED, Status.FAILED])
                | Q(status=Status.SENDING, last_attempt_at__lt=now - STALE_CLAIM)
            )
            .first()
        )
        if message is None:
            return None
        message.status = Status.SENDING
        message.attempts += 1
        message.last_attempt_at = now
        message.next_attempt_at = None
        message.save(
            update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"]
        )
    return message


def message_deliver(*, message_id: int) -> str:
    """Send one out-box message through the default mailer; return its status.

    The row is claimed in a short transaction and the mail is sent outside
    it, so a slow mail server never holds a database lock. A message already
    sent, suppressed, being sent or out of attempts is left alone.
    """
    message = _claim(message_id, timezone.now())
    if message is None:
        row = OutboxMessage.objects.filter(pk=message_id).values_list(
            "status", flat=True
        )
        return row.first() or "missing"
    try:
        mailer = mailers.default
        sent = mailer.send_messages([_email_for(message)])
        if not sent:
            raise RuntimeError("the mail backend accepted no message")
    except Exception as exc:
        return _record_failure(message, exc)
    # Without a mail server (the dummy mailer) the message exists only here.
    status = Status.LOCAL if isinstance(mailer, DummyEmailBackend) else Status.SENT
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, sent_at=timezone.now(), last_error=""
    )
    return status


def _record_failure(message: OutboxMessage, exc: BaseException) -> str:
    now = timezone.now()
    retry_at = None
    if message.attempts < MAX_ATTEMPTS:
        retry_at = now + RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, last_error=_describe_error(exc), next_attempt_at=retry_at
    )
    logger.warning(
        "out-box message %s: delivery attempt %s failed (%s)",
        message.pk,
        message.attempts,
        type(exc).__name__,
    )
    if retry_at is not None:
        from billfold.notifications.tasks import deliver_message

        # Backends that cannot defer (the immediate one) leave the retry to
        # `billfold send_outbox`, which picks up every message that is due.
        if deliver_message.get_backend().supports_defer:
            try:
                _schedule(message.pk, run_after=retry_at)
            except Exception:
                logger.exception(
                    "out-box message %s: could not schedule a retry", message.pk
                )
    return Status.FAILED


def outbox_due_ids(*, now: datetime.datetime, grace: datetime.timedelta) -> list[int]:
    """Messages whose delivery should be started again now.

    Queued longer than ``grace`` (the after-commit enqueue was lost), failed
    with a retry that is due, or claimed by a worker that died. Messages older
    than ``MAX_AGE`` are not sent any more: their codes have long expired.
    """
    return list(
        OutboxMessage.objects.filter(
            channel=Channel.EMAIL,
            attempts__lt=MAX_ATTEMPTS,
            created_at__gte=now - MAX_AGE,
        )
        .filter(
            Q(status=Status.QUEUED, created_at__lt=now - grace)
            | Q(status=Status.FAILED, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, last_attempt_at__lt=now - STALE_CLAIM)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def outbox_send_due(*, now: datetime.datetime | None = None) -> int:
    """Start delivery of every message that is due; return how many."""
    now = now or timezone.now()
    ids = outbox_due_ids(now=now, grace=datetime.timedelta(minutes=1))
    for message_id in ids:
        _schedule(message_id)
    return len(ids)


def outbox_purge(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> int:
    """Delete every message created more than ``older_than`` ago; return how many.

    Rows hold what their recipients received, codes and temporary passwords
    included, so none is kept longer than needed, whatever its status.
    """
    if older_than < datetime.timedelta(days=1):
        raise ValueError("keep messages at least one day")
    cutoff = (now or timezone.now()) - older_than
    deleted, _by_model = OutboxMessage.objects.filter(created_at__lt=cutoff).delete()
    return deleted
