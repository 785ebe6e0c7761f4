"""Reads of billing records as the portal shows them.

Only invoices the biller marked *sent* exist for the customer: unsent invoices
are neither listed nor counted in the balance or the past-due amount.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from billfold.servicing.models import (
    MONEY,
    ZERO,
    Contract,
    Credit,
    DeliveryStatus,
    Invoice,
)

CENT = Decimal("0.01")

ContractsArg = QuerySet[Contract] | Iterable[Contract | int]


@dataclass(frozen=True)
class BalanceSummary:
    balance_due: Decimal
    past_due: bool
    past_due_amount: Decimal
    open_credit: Decimal
    invoices_open: int


def _contract_filter(contracts: ContractsArg) -> QuerySet[Contract] | list[int]:
    if isinstance(contracts, QuerySet):
        return contracts.values("pk")
    return [c.pk if isinstance(c, Contract) else int(c) for c in contracts]


def _money_sum(field: str, **filter_kwargs) -> Coalesce:
    money = DecimalField(**MONEY)
    condition = Q(**filter_kwargs) if filter_kwargs else None
    return Coalesce(
        Sum(field, filter=condition, output_field=money),
        Value(ZERO, output_field=money),
        output_field=money,
    )


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def biller_today(biller) -> date:
    """The current date where the biller is."""
    return timezone.localdate(timezone=biller.tzinfo)


def balance_summary(
    *, biller, contracts: ContractsArg, today: date | None = None
) -> BalanceSummary:
    """Balance due, past-due amount and unapplied credit over ``contracts``.

    An invoice is past due when it is sent, still open and its due date is
    before ``today`` (the biller's local date by default): due today is not
    past due. Unapplied credit lowers the balance due, never below zero.
    """
    if today is None:
        today = biller_today(biller)
    contract_ids = _contract_filter(contracts)
    invoices = Invoice.objects.filter(
        biller=biller, contract__in=contract_ids, delivery_status=DeliveryStatus.SENT
    ).aggregate(
        sent_open=_money_sum("open_balance"),
        past_due_amount=_money_sum(
            "open_balance", open_balance__gt=0, due_date__lt=today
        ),
        invoices_open=Count("pk", filter=Q(open_balance__gt=0)),
    )
    credit = Credit.objects.filter(biller=biller, contract__in=contract_ids).aggregate(
        open_credit=_money_sum("open_amount")
    )
    sent_open = _money(invoices["sent_open"])
    past_due_amount = _money(invoices["past_due_amount"])
    open_credit = _money(credit["open_credit"])
    return BalanceSummary(
        balance_due=max(sent_open - open_credit, ZERO),
        past_due=past_due_amount > ZERO,
        past_due_amount=past_due_amount,
        open_credit=open_credit,
        invoices_open=invoices["invoices_open"],
    )


def invoice_list_visible(*, biller, contracts: ContractsArg) -> QuerySet[Invoice]:
    """Invoices the customer may see: sent ones only, newest issue first."""
    return (
        Invoice.objects.filter(
            biller=biller,
            contract__in=_contract_filter(contracts),
            delivery_status=DeliveryStatus.SENT,
        )
        .select_related("contract")
        .order_by("-issue_date", "-pk")
    )
