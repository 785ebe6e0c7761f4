"""API keys with which a biller's servicing system pushes billing records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A biller's key: only its prefix and a hash of its secret are stored."""

    biller = models.ForeignKey(
        "billers.Biller",
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("biller"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.prefix

    @property
    def active(self) -> bool:
        return self.revoked_at is None
