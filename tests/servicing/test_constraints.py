"""The database itself refuses billing records that must never exist.

Run on SQLite (default) and on PostgreSQL (DATABASE_URL=postgres://…). On
PostgreSQL the same-biller foreign keys and the allocation cap are deferred to
commit, so every case forces the check with ``connection.check_constraints()``
inside its own savepoint.
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billfold.servicing import models as sm
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CreditFactory,
    CustomerFactory,
    InvoiceFactory,
    PaymentFactory,
    ServiceVisitFactory,
)

pytestmark = pytest.mark.django_db


@contextmanager
def refused():
    """The block, with deferred checks forced, raises IntegrityError."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield
        connection.check_constraints()


@contextmanager
def accepted():
    """The block passes every check, deferred ones included."""
    with transaction.atomic():
        yield
        connection.check_constraints()


@pytest.fixture
def contract(biller):
    return ContractFactory(customer__biller=biller, biller=biller)


@pytest.fixture
def foreign_contract(other_biller):
    return ContractFactory(customer__biller=other_biller, biller=other_biller)


# --- amounts and dates ------------------------------------------------------


def test_negative_invoice_amount_is_refused(contract):
    with refused():
        InvoiceFactory(contract=contract, amount=Decimal("-0.01"))


def test_negative_open_balance_is_refused(contract):
    with refused():
        InvoiceFactory(contract=contract, open_balance=Decimal("-0.01"))


def test_zero_amount_and_balance_are_accepted(contract):
    with accepted():
        InvoiceFactory(
            contract=contract, amount=Decimal("0.00"), open_balance=Decimal("0.00")
        )
    assert sm.Invoice.objects.count() == 1


def test_due_date_before_issue_date_is_refused(contract):
    with refused():
        InvoiceFactory(
            contract=contract,
            issue_date=datetime.date(2026, 11, 2),
            due_date=datetime.date(2026, 11, 1),
        )


def test_due_on_issue_date_is_accepted(contract):
    with accepted():
        InvoiceFactory(
            contract=contract,
            issue_date=datetime.date(2026, 11, 1),
            due_date=datetime.date(2026, 11, 1),
        )
    assert sm.Invoice.objects.count() == 1


def test_credit_open_amount_above_its_amount_is_refused(contract):
    with refused():
        CreditFactory(
            contract=contract, amount=Decimal("25.00"), open_amount=Decimal("25.01")
        )


def test_negative_credit_open_amount_is_refused(contract):
    with refused():
        CreditFactory(
            contract=contract, amount=Decimal("25.00"), open_amount=Decimal("-1.00")
        )


def test_raising_credit_open_amount_above_amount_later_is_refused(contract):
    credit = CreditFactory(
        contract=contract, amount=Decimal("25.00"), open_amount=Decimal("0.00")
    )
    with refused():
        sm.Credit.objects.filter(pk=credit.pk).update(open_amount=Decimal("30.00"))
    credit.refresh_from_db()
    assert credit.open_amount == Decimal("0.00")


# --- natural keys -------------------------------------------------------------

NATURAL_KEYS = [
    pytest.param(
        lambda c, **kw: CustomerFactory(biller=c.biller, **kw), "number", id="customer"
    ),
    pytest.param(
        lambda c, **kw: ContractFactory(customer=c.customer, biller=c.biller, **kw),
        "number",
        id="contract",
    ),
    pytest.param(
        lambda c, **kw: ContactFactory(customer=c.customer, biller=c.biller, **kw),
        "external_id",
        id="contact",
    ),
    pytest.param(
        lambda c, **kw: InvoiceFactory(contract=c, **kw), "number", id="invoice"
    ),
    pytest.param(
        lambda c, **kw: PaymentFactory(contract=c, **kw), "reference", id="payment"
    ),
    pytest.param(
        lambda c, **kw: CreditFactory(contract=c, **kw), "reference", id="credit"
    ),
    pytest.param(
        lambda c, **kw: ServiceVisitFactory(contract=c, **kw), "reference", id="visit"
    ),
]


@pytest.mark.parametrize(("make", "field"), NATURAL_KEYS)
def test_duplicate_natural_key_at_one_biller_is_refused(contract, make, field):
    make(contract, **{field: "K-100"})
    with refused():
        make(contract, **{field: "K-100"})


@pytest.mark.parametrize(("make", "field"), NATURAL_KEYS)
def test_same_natural_key_at_two_billers_is_accepted(
    contract, foreign_contract, make, field
):
    with accepted():
        first = make(contract, **{field: "K-100"})
        second = make(foreign_contract, **{field: "K-100"})
    assert first.biller_id != second.biller_id
    assert type(first).objects.filter(**{field: "K-100"}).count() == 2


# --- same biller --------------------------------------------------------------

CROSS_BILLER = [
    pytest.param(
        lambda b, fc: ContractFactory(customer=fc.customer, biller=b),
        id="contract-customer",
    ),
    pytest.param(
        lambda b, fc: ContactFactory(customer=fc.customer, biller=b),
        id="contact-customer",
    ),
    pytest.param(
        lambda b, fc: InvoiceFactory(contract=fc, biller=b), id="invoice-contract"
    ),
    pytest.param(
        lambda b, fc: PaymentFactory(contract=fc, biller=b), id="payment-contract"
    ),
    pytest.param(
        lambda b, fc: CreditFactory(contract=fc, biller=b), id="credit-contract"
    ),
    pytest.param(
        lambda b, fc: ServiceVisitFactory(contract=fc, biller=b), id="visit-contract"
    ),
    pytest.param(
        lambda b, fc: sm.EmailIndex.objects.create(
            biller=b,
            address="jane@example.com",
            customer=fc.customer,
            source=sm.EmailSource.CUSTOMER,
        ),
        id="email-index-customer",
    ),
]


@pytest.mark.parametrize("make", CROSS_BILLER)
def test_row_pointing_at_another_billers_record_is_refused(
    biller, foreign_contract, make
):
    with refused():
        make(biller, foreign_contract)


@pytest.mark.parametrize("make", CROSS_BILLER)
def test_row_pointing_at_its_own_billers_record_is_accepted(
    other_biller, foreign_contract, make
):
    with accepted():
        row = make(other_biller, foreign_contract)
    assert row.biller_id == other_biller.pk


def test_invoice_of_a_contract_that_does_not_exist_is_refused(biller, contract):
    with refused():
        sm.Invoice.objects.create(
            biller=biller,
            contract_id=contract.pk + 1000,
            number="INV-ORPHAN",
            issue_date=datetime.date(2026, 11, 1),
            due_date=datetime.date(2026, 11, 30),
            amount=Decimal("1.00"),
            open_balance=Decimal("1.00"),
        )


def test_moving_an_invoice_to_another_billers_contract_is_refused(
    contract, foreign_contract
):
    invoice = InvoiceFactory(contract=contract)
    with refused():
        sm.Invoice.objects.filter(pk=invoice.pk).update(contract=foreign_contract)
    invoice.refresh_from_db()
    assert invoice.contract_id == contract.pk


def test_moving_an_invoice_to_another_biller_alone_is_refused(contract, other_biller):
    invoice = InvoiceFactory(contract=contract)
    with refused():
        sm.Invoice.objects.filter(pk=invoice.pk).update(biller=other_biller)


def test_saving_an_unchanged_invoice_again_is_accepted(contract):
    invoice = InvoiceFactory(contract=contract)
    invoice.open_balance = Decimal("10.00")
    with accepted():
        invoice.save()
    invoice.refresh_from_db()
    assert invoice.open_balance == Decimal("10.00")


def test_allocation_to_another_billers_invoice_is_refused(contract, foreign_contract):
    payment = PaymentFactory(contract=contract, amount=Decimal("50.00"))
    foreign_invoice = InvoiceFactory(contract=foreign_contract)
    with refused():
        sm.PaymentAllocation.objects.create(
            biller=contract.biller,
            payment=payment,
            invoice=foreign_invoice,
            amount=Decimal("10.00"),
        )


def test_allocation_of_another_billers_payment_is_refused(contract, foreign_contract):
    foreign_payment = PaymentFactory(contract=foreign_contract, amount=Decimal("50.00"))
    invoice = InvoiceFactory(contract=contract)
    with refused():
        sm.PaymentAllocation.objects.create(
            biller=contract.biller,
            payment=foreign_payment,
            invoice=invoice,
            amount=Decimal("10.00"),
        )


def test_moving_a_contract_with_invoices_to_another_biller_is_refused(
    contract, other_biller
):
    InvoiceFactory(contract=contract)
    with refused():
        sm.Contract.objects.filter(pk=contract.pk).update(biller=other_biller)


def test_moving_a_customer_with_contracts_to_another_biller_is_refused(
    contract, other_biller
):
    with refused():
        sm.Customer.objects.filter(pk=contract.customer_id).update(biller=other_biller)


def test_deleting_a_contract_with_invoices_in_sql_is_refused(
    flush_blocking_guards, contract
):
    InvoiceFactory(contract=contract)
    with refused(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM servicing_contract WHERE id = %s", [contract.pk])


# --- payment allocations ------------------------------------------------------


@pytest.fixture
def payment(contract):
    return PaymentFactory(contract=contract, amount=Decimal("50.00"))


def allocate(payment, amount, contract=None):
    invoice = InvoiceFactory(contract=contract or payment.contract)
    return sm.PaymentAllocation.objects.create(
        biller=payment.biller, payment=payment, invoice=invoice, amount=Decimal(amount)
    )


def test_allocations_up_to_the_payment_amount_are_accepted(payment):
    with accepted():
        allocate(payment, "30.00")
        allocate(payment, "20.00")
    assert sm.PaymentAllocation.objects.filter(payment=payment).count() == 2


def test_allocations_that_sum_exactly_in_cents_are_accepted(contract):
    # 0.10 + 0.20 is more than 0.30 in floating point; money is counted in cents.
    payment = PaymentFactory(contract=contract, amount=Decimal("0.30"))
    with accepted():
        allocate(payment, "0.10")
        allocate(payment, "0.20")
    assert sm.PaymentAllocation.objects.filter(payment=payment).count() == 2


def test_two_allocations_summing_over_the_payment_are_refused(payment):
    with refused():
        allocate(payment, "30.00")
        allocate(payment, "20.01")
    assert not sm.PaymentAllocation.objects.exists()


def test_one_allocation_over_the_payment_is_refused(payment):
    with refused():
        allocate(payment, "50.01")


def test_raising_an_allocation_over_the_payment_is_refused(payment):
    with accepted():
        allocation = allocate(payment, "30.00")
        allocate(payment, "20.00")
    with refused():
        sm.PaymentAllocation.objects.filter(pk=allocation.pk).update(
            amount=Decimal("30.01")
        )


def test_lowering_the_payment_below_its_allocations_is_refused(payment):
    with accepted():
        allocate(payment, "30.00")
        allocate(payment, "15.00")
    with refused():
        sm.Payment.objects.filter(pk=payment.pk).update(amount=Decimal("44.99"))
    with accepted():
        sm.Payment.objects.filter(pk=payment.pk).update(amount=Decimal("45.00"))
    payment.refresh_from_db()
    assert payment.amount == Decimal("45.00")


def test_allocations_of_other_payments_do_not_count(payment):
    other = PaymentFactory(contract=payment.contract, amount=Decimal("100.00"))
    with accepted():
        allocate(other, "100.00")
        allocate(payment, "50.00")
    assert sm.PaymentAllocation.objects.count() == 2


def test_zero_allocation_is_refused(payment):
    with refused():
        allocate(payment, "0.00")
