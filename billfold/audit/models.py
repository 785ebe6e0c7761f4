"""The append-only activity log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    ADMIN = "admin", _("Administrator")
    SYSTEM = "system", _("System")
    API = "api", _("API client")
    ANONYMOUS = "anonymous", _("Anonymous visitor")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Activity events are append-only.")

    def delete(self):
        raise TypeError("Activity events are append-only.")


class ActivityEvent(models.Model):
    """Who did what to which record, when and from where. Never changed."""

    biller = models.ForeignKey(
        "billers.Biller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(
        _("actor kind"), max_length=16, choices=ActorKind.choices
    )
    actor_id = models.CharField(_("actor"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=64)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    target_type = models.CharField(_("target type"), max_length=32, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["biller", "customer_id", "-created_at"],
                name="audit_customer_idx",
            ),
            models.Index(
                fields=["biller", "target_type", "target_id"], name="audit_target_idx"
            ),
            models.Index(
                fields=["biller", "action", "-created_at"], name="audit_action_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Activity events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Activity events are append-only.")
