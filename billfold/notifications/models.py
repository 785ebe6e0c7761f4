"""The out-box: every message Billfold sends, written in the transaction that causes it.

A row is inserted together with the change it reports (a password change and
its "your password was changed" mail commit together or not at all); the task
worker delivers it afterwards. Rows hold exactly what the recipient receives —
a recovery code is in its body by nature — so ``billfold purge_outbox`` deletes
old rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # No mail server is configured: the message is readable only in the out-box.
    LOCAL = "local", _("Kept in the local out-box")
    FAILED = "failed", _("Failed")
    # A placeholder address of the biller: stored for the record, never sent.
    SUPPRESSED = "suppressed", _("Suppressed")


class OutboxMessage(models.Model):
    biller = models.ForeignKey(
        "billers.Biller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("biller"),
        help_text=_("Empty for platform mail."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    kind = models.CharField(_("kind"), max_length=40)
    to_address = models.CharField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    # Exception class and server reply only; never message content or credentials.
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("out-box message")
        verbose_name_plural = _("out-box messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["biller", "-created_at"], name="outbox_biller_created_idx"
            ),
            models.Index(fields=["to_address"], name="outbox_to_idx"),
            models.Index(
                fields=["status", "created_at"], name="outbox_status_created_idx"
            ),
            models.Index(fields=["created_at"], name="outbox_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="outbox_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_address} ({self.status})"
