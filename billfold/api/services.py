"""Creating, revoking and checking API keys.

A key reads ``bf_<prefix>_<secret>``: the prefix (public, unique) finds the
row, the secret (256 random bits) is checked against its SHA-256 hash. A hash
without salt or stretching is enough for secrets of that strength; it is
compared in constant time.
"""

import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billfold.api.models import ApiKey
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError

KEY_START = "bf_"
PREFIX_LENGTH = len(KEY_START) + 8
# Writing last_used_at on every request would make each call a write.
LAST_USED_PRECISION = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def apikey_create(
    *, biller, name: str = "", actor_kind: str = "admin", actor_id: str = ""
) -> tuple[ApiKey, str]:
    """Create a key for ``biller``; return it with the full key, shown only once."""
    for _attempt in range(5):
        prefix = KEY_START + secrets.token_hex(4)
        key = f"{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    biller=biller, name=name, prefix=prefix, key_hash=_hash(key)
                )
                event_record(
                    biller=biller,
                    actor_kind=actor_kind,
                    actor_id=actor_id,
                    action="apikey.create",
                    target=api_key,
                    details={"prefix": prefix, "name": name},
                )
        except IntegrityError:
            continue  # prefix taken: draw another
        return api_key, key
    raise BillfoldError("apikey_prefix", _("Could not create a key; try again."))


def apikey_revoke(
    *, prefix: str, actor_kind: str = "admin", actor_id: str = ""
) -> ApiKey:
    """Revoke the key with ``prefix``; it stops working at once."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(prefix=prefix).first()
        if api_key is None:
            raise BillfoldError(
                "apikey_unknown",
                _("No API key with prefix %(prefix)s.") % {"prefix": prefix},
                field="prefix",
            )
        if api_key.revoked_at is not None:
            raise BillfoldError(
                "apikey_revoked",
                _("The API key %(prefix)s is already revoked.") % {"prefix": prefix},
                field="prefix",
            )
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        event_record(
            biller=api_key.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="apikey.revoke",
            target=api_key,
            details={"prefix": prefix, "name": api_key.name},
        )
    return api_key


def apikey_authenticate(key: str) -> ApiKey | None:
    """The active key that ``key`` is, or None; the same work for every failure."""
    prefix = key[:PREFIX_LENGTH]
    api_key = (
        ApiKey.objects.select_related("biller")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    expected = api_key.key_hash if api_key is not None else _hash("")
    if not hmac.compare_digest(expected, _hash(key)) or api_key is None:
        return None
    now = timezone.now()
    last = api_key.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
