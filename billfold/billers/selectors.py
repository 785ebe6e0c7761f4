"""Reads about billers."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from billfold.billers.models import Biller


def biller_get(*, slug: str) -> Biller:
    try:
        return Biller.objects.get(slug=slug)
    except Biller.DoesNotExist:
        raise Http404("No such biller.") from None


def _count(model) -> Coalesce:
    counts = (
        model.objects.filter(biller=OuterRef("pk"))
        .order_by()
        .values("biller")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def biller_list_with_counts() -> QuerySet[Biller]:
    """Billers with how many customers, contracts and invoices each holds."""
    from billfold.servicing.models import Contract, Customer, Invoice

    return Biller.objects.annotate(
        customer_count=_count(Customer),
        contract_count=_count(Contract),
        invoice_count=_count(Invoice),
    ).order_by("name")
