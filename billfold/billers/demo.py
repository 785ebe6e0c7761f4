"""Loading the demo: the five billers, their billing records, an admin login.

Billing records go through ``billfold.servicing.importing.import_rows``, the
same path a biller's servicing system uses, so the email index, the checks and
the activity log are exactly what a real import would leave.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from billfold.billers import demo_data
from billfold.billers.models import Biller
from billfold.billers.services import biller_configure

ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@billfold.localhost"
_PASSWORD_FILE = "demo_admin_password"


@dataclass
class BillerLoad:
    biller: Biller
    changed_settings: list[str]
    generated: dict[str, int] = field(default_factory=dict)
    results: dict[str, object] = field(default_factory=dict)


def admin_password() -> str:
    """The demo superuser's password: random, made once per installation.

    Kept in the ``var/`` directory next to the secret key, so every
    ``billfold demo`` and ``billfold serve_demo`` prints the same one.
    """
    path = Path(settings.VAR_DIR) / _PASSWORD_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(12))
    return path.read_text().strip()


@transaction.atomic
def admin_ensure() -> tuple[object, bool]:
    """Create the platform-level demo superuser, or reset it to the demo login."""
    user_model = get_user_model()
    password = admin_password()
    user = user_model.objects.filter(
        biller__isnull=True, username__iexact=ADMIN_USERNAME
    ).first()
    if user is None:
        user = user_model.objects.create_superuser(
            ADMIN_USERNAME, ADMIN_EMAIL, password
        )
        return user, True
    changed = False
    if not (user.is_staff and user.is_superuser and user.is_active):
        user.is_staff = user.is_superuser = user.is_active = True
        changed = True
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    return user, False


def biller_load(
    spec: demo_data.BillerSpec,
    *,
    customers: int = demo_data.DEFAULT_CUSTOMERS,
    seed: int = demo_data.DEFAULT_SEED,
    today: datetime.date | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> BillerLoad:
    """Configure one demo biller and import its generated billing records."""
    from billfold.servicing.importing import import_rows

    biller, changed = biller_configure(
        slug=spec.slug, values=spec.settings, actor_kind="system", actor_id="demo"
    )
    load = BillerLoad(biller=biller, changed_settings=changed)
    day = today or demo_data.local_today(spec)
    with demo_data.Spool(spec, customers=customers, seed=seed, today=day) as spool:
        load.generated = dict(spool.counts)
        for record_type in demo_data.RECORD_TYPES:
            if not spool.counts[record_type]:
                continue
            if progress:
                progress(spec.slug, record_type)
            load.results[record_type] = import_rows(
                biller=biller,
                record_type=record_type,
                rows=spool.rows(record_type),
                actor_kind="system",
                actor_id="demo",
                source="demo",
            )
    return load
