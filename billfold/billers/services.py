"""Writes about billers."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from billfold.audit.services import event_record
from billfold.billers.models import Biller


@transaction.atomic
def biller_configure(
    *,
    slug: str,
    values: Mapping[str, Any],
    actor_kind: str,
    actor_id: str | int | None,
) -> tuple[Biller, list[str]]:
    """Create the biller ``slug`` or bring its settings to ``values``.

    Returns the biller and the names of the fields that changed (every field
    for a new biller, none when it was already configured so). The settings are
    validated as the admin form would; one activity event records the change.
    """
    biller = Biller.objects.select_for_update().filter(slug=slug).first()
    created = biller is None
    if biller is None:
        biller = Biller(slug=slug)
    changed = [name for name, value in values.items() if getattr(biller, name) != value]
    if not created and not changed:
        return biller, []
    for name in changed:
        setattr(biller, name, values[name])
    biller.full_clean(validate_unique=created)
    biller.save()
    event_record(
        biller=biller,
        actor_kind=actor_kind,
        actor_id=actor_id,
        action="biller.created" if created else "biller.updated",
        target=biller,
        details={"fields": sorted(changed)},
    )
    return biller, sorted(changed)
