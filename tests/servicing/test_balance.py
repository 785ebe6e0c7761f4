"""Balance due, past due and visible invoices as the portal shows them."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from billfold.servicing.models import Contract, DeliveryStatus
from billfold.servicing.selectors import (
    BalanceSummary,
    balance_summary,
    invoice_list_visible,
)
from tests.factories import (
    BillerFactory,
    ContractFactory,
    CreditFactory,
    CustomerFactory,
    InvoiceFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
YESTERDAY = datetime.date(2026, 11, 19)
TOMORROW = datetime.date(2026, 11, 21)
UNSENT = DeliveryStatus.UNSENT


@pytest.fixture
def customer(biller):
    return CustomerFactory(biller=biller)


@pytest.fixture
def contract(customer):
    return ContractFactory(customer=customer, biller=customer.biller)


def invoice(contract, open_balance, due=TOMORROW, status=DeliveryStatus.SENT, **kw):
    amount = kw.pop("amount", max(Decimal(open_balance), Decimal("0.01")))
    return InvoiceFactory(
        contract=contract,
        open_balance=Decimal(open_balance),
        amount=amount,
        issue_date=kw.pop("issue_date", due - datetime.timedelta(days=30)),
        due_date=due,
        delivery_status=status,
        **kw,
    )


def summary(biller, contracts, today=TODAY):
    return balance_summary(biller=biller, contracts=contracts, today=today)


def test_no_invoices_no_credit_is_all_zero(biller, contract):
    assert summary(biller, [contract]) == BalanceSummary(
        balance_due=Decimal("0.00"),
        past_due=False,
        past_due_amount=Decimal("0.00"),
        open_credit=Decimal("0.00"),
        invoices_open=0,
    )


def test_balance_is_the_open_balance_of_sent_invoices_only(biller, contract):
    invoice(contract, "100.00")
    invoice(contract, "40.50")
    invoice(contract, "999.99", status=UNSENT)
    result = summary(biller, [contract])
    assert result.balance_due == Decimal("140.50")
    assert result.invoices_open == 2
    assert result.past_due is False


def test_sums_are_exact_to_the_cent(biller, contract):
    for cents in ("0.10", "0.20", "33.33", "0.01"):
        invoice(contract, cents)
    result = summary(biller, [contract])
    assert str(result.balance_due) == "33.64"
    assert str(result.past_due_amount) == "0.00"
    assert str(result.open_credit) == "0.00"


def test_due_today_is_not_past_due(biller, contract):
    invoice(contract, "75.00", due=TODAY)
    result = summary(biller, [contract])
    assert result.past_due is False
    assert result.past_due_amount == Decimal("0.00")
    assert result.balance_due == Decimal("75.00")


def test_due_yesterday_is_past_due(biller, contract):
    invoice(contract, "60.00", due=YESTERDAY)
    invoice(contract, "15.25", due=datetime.date(2026, 10, 31))
    invoice(contract, "75.00", due=TODAY)
    result = summary(biller, [contract])
    assert result.past_due is True
    assert result.past_due_amount == Decimal("75.25")
    assert result.balance_due == Decimal("150.25")
    assert result.invoices_open == 3


def test_fully_paid_past_due_invoice_is_not_past_due(biller, contract):
    invoice(contract, "0.00", amount=Decimal("80.00"), due=datetime.date(2026, 9, 1))
    result = summary(biller, [contract])
    assert result == BalanceSummary(
        balance_due=Decimal("0.00"),
        past_due=False,
        past_due_amount=Decimal("0.00"),
        open_credit=Decimal("0.00"),
        invoices_open=0,
    )


def test_unsent_past_due_invoice_is_ignored_entirely(biller, contract):
    invoice(contract, "500.00", due=datetime.date(2026, 9, 1), status=UNSENT)
    invoice(contract, "20.00", due=TOMORROW)
    result = summary(biller, [contract])
    assert result == BalanceSummary(
        balance_due=Decimal("20.00"),
        past_due=False,
        past_due_amount=Decimal("0.00"),
        open_credit=Decimal("0.00"),
        invoices_open=1,
    )


def test_unapplied_credit_lowers_the_balance(biller, contract):
    invoice(contract, "100.00")
    CreditFactory(
        contract=contract, amount=Decimal("40.00"), open_amount=Decimal("25.00")
    )
    CreditFactory(
        contract=contract, amount=Decimal("10.00"), open_amount=Decimal("0.00")
    )
    result = summary(biller, [contract])
    assert result.balance_due == Decimal("75.00")
    assert result.open_credit == Decimal("25.00")


def test_credit_larger_than_balance_leaves_zero_due_and_shows_the_credit(
    biller, contract
):
    invoice(contract, "30.00", due=YESTERDAY)
    CreditFactory(
        contract=contract, amount=Decimal("50.00"), open_amount=Decimal("50.00")
    )
    result = summary(biller, [contract])
    assert result == BalanceSummary(
        balance_due=Decimal("0.00"),
        past_due=True,
        past_due_amount=Decimal("30.00"),
        open_credit=Decimal("50.00"),
        invoices_open=1,
    )
    assert str(result.balance_due) == "0.00"


def test_credit_on_unsent_invoices_only_is_shown_but_due_stays_zero(biller, contract):
    invoice(contract, "200.00", status=UNSENT)
    CreditFactory(
        contract=contract, amount=Decimal("12.00"), open_amount=Decimal("12.00")
    )
    result = summary(biller, [contract])
    assert result.balance_due == Decimal("0.00")
    assert result.open_credit == Decimal("12.00")


def test_another_billers_records_are_never_counted(biller, contract, other_biller):
    invoice(contract, "10.00")
    foreign = ContractFactory(customer__biller=other_biller, biller=other_biller)
    invoice(foreign, "900.00", due=YESTERDAY)
    CreditFactory(contract=foreign, amount=Decimal("5.00"), open_amount=Decimal("5.00"))
    as_ids = summary(biller, [contract.pk, foreign.pk])
    as_queryset = summary(biller, Contract.objects.all())
    expected = BalanceSummary(
        balance_due=Decimal("10.00"),
        past_due=False,
        past_due_amount=Decimal("0.00"),
        open_credit=Decimal("0.00"),
        invoices_open=1,
    )
    assert as_ids == expected
    assert as_queryset == expected


def test_contracts_of_another_customer_are_not_counted(biller, customer, contract):
    second = ContractFactory(customer=customer, biller=biller)
    invoice(contract, "10.00")
    invoice(second, "5.00", due=YESTERDAY)
    neighbour = ContractFactory(customer=CustomerFactory(biller=biller), biller=biller)
    invoice(neighbour, "700.00", due=YESTERDAY)
    CreditFactory(
        contract=neighbour, amount=Decimal("3.00"), open_amount=Decimal("3.00")
    )
    mine = Contract.objects.filter(biller=biller, customer=customer)
    result = summary(biller, mine)
    assert result == BalanceSummary(
        balance_due=Decimal("15.00"),
        past_due=True,
        past_due_amount=Decimal("5.00"),
        open_credit=Decimal("0.00"),
        invoices_open=2,
    )
    assert summary(biller, [contract, second]) == result
    assert summary(biller, [contract.pk, second.pk]) == result


def test_summary_takes_two_queries(biller, contract, django_assert_num_queries):
    for _ in range(5):
        invoice(contract, "1.00", due=YESTERDAY)
    CreditFactory(contract=contract)
    mine = Contract.objects.filter(pk=contract.pk)
    with django_assert_num_queries(2):
        result = summary(biller, mine)
    assert result.past_due_amount == Decimal("5.00")


@time_machine.travel(datetime.datetime(2026, 11, 21, 6, 0, tzinfo=datetime.UTC))
def test_today_is_the_billers_local_date():
    los_angeles = BillerFactory(timezone="America/Los_Angeles")
    new_york = BillerFactory(timezone="America/New_York")
    results = {}
    for biller in (los_angeles, new_york):
        contract = ContractFactory(customer__biller=biller, biller=biller)
        invoice(contract, "42.00", due=datetime.date(2026, 11, 20))
        results[biller.timezone] = balance_summary(biller=biller, contracts=[contract])
    # 22:00 on Nov 20 in Los Angeles: due today, not past due.
    assert results["America/Los_Angeles"].past_due is False
    assert results["America/Los_Angeles"].past_due_amount == Decimal("0.00")
    # 01:00 on Nov 21 in New York: due yesterday, past due.
    assert results["America/New_York"].past_due is True
    assert results["America/New_York"].past_due_amount == Decimal("42.00")


def test_visible_invoices_are_sent_ones_newest_issue_first(
    biller, customer, contract, other_biller
):
    second = ContractFactory(customer=customer, biller=biller)
    october = invoice(contract, "1.00", issue_date=datetime.date(2026, 10, 1))
    november = invoice(second, "2.00", issue_date=datetime.date(2026, 11, 1))
    september = invoice(contract, "0.00", issue_date=datetime.date(2026, 9, 1))
    invoice(contract, "3.00", issue_date=datetime.date(2026, 11, 5), status=UNSENT)
    neighbour = ContractFactory(customer=CustomerFactory(biller=biller), biller=biller)
    invoice(neighbour, "4.00")
    foreign = ContractFactory(customer__biller=other_biller, biller=other_biller)
    invoice(foreign, "5.00")
    visible = invoice_list_visible(biller=biller, contracts=[contract, second, foreign])
    assert list(visible) == [november, october, september]
    mine = Contract.objects.filter(customer=customer)
    assert list(invoice_list_visible(biller=biller, contracts=mine)) == [
        november,
        october,
        september,
    ]
