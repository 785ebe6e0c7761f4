"""Writing the activity log."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from billfold.audit.models import ActivityEvent, ActorKind, Outcome
from billfold.core.http import client_ip, user_agent


def event_record(
    *,
    biller,
    actor_kind: str,
    action: str,
    actor_id: str | int | None = "",
    target: models.Model | None = None,
    customer_id: int | None = None,
    outcome: str = Outcome.SUCCESS,
    request: HttpRequest | None = None,
    details: Mapping[str, Any] | None = None,
) -> ActivityEvent:
    """Append one activity event.

    Call it inside the transaction of the change it describes, so that the
    change and its record are committed together or not at all. Never put
    secrets (passwords, codes, answers, tokens) into ``details``.
    """
    if actor_kind not in ActorKind.values:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.model_name or ""
        target_id = str(target.pk)
        if customer_id is None:
            customer_id = _customer_of(target)
    return ActivityEvent.objects.create(
        biller=biller,
        actor_kind=actor_kind,
        actor_id=str(actor_id or ""),
        action=action,
        outcome=outcome,
        target_type=target_type,
        target_id=target_id,
        customer_id=customer_id,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        details=dict(details or {}),
    )


def _customer_of(target: models.Model) -> int | None:
    if target._meta.model_name == "customer":
        return target.pk
    for attr in ("customer_id",):
        value = getattr(target, attr, None)
        if value is not None:
            return value
    contract = getattr(target, "contract", None)
    return getattr(contract, "customer_id", None)
