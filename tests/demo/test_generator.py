"""The demo generator: deterministic, streaming, covering every scripted case."""

import datetime
from decimal import Decimal

import pytest

from billfold.billers import demo_data as d
from billfold.servicing.importing_records import SPECS
from billfold.servicing.normalize import postal_code, split_emails

TODAY = datetime.date(2026, 11, 21)


def bundles(spec, n=40, today=TODAY, seed=d.DEFAULT_SEED):
    return [d.customer_bundle(spec, i, seed=seed, today=today) for i in range(n)]


def test_same_arguments_generate_the_same_rows():
    first = [b.__dict__ for b in bundles(d.MAPLE)]
    second = [b.__dict__ for b in bundles(d.MAPLE)]
    assert first == second


def test_another_seed_generates_other_rows():
    assert (
        bundles(d.MAPLE, seed=1)[20].customer != bundles(d.MAPLE, seed=2)[20].customer
    )


def test_a_customer_is_the_same_whatever_the_scale():
    small = list(d.records(d.SUMMIT, "invoices", customers=10, today=TODAY))
    large = list(d.records(d.SUMMIT, "invoices", customers=40, today=TODAY))
    assert large[: len(small)] == small


def test_records_number_rows_from_one_without_gaps():
    lines = [
        line
        for line, _row in d.records(d.PRAIRIE, "contracts", customers=25, today=TODAY)
    ]
    assert lines == list(range(1, len(lines) + 1))


def test_unknown_record_type_is_refused():
    with pytest.raises(ValueError):
        next(d.records(d.PRAIRIE, "orders", today=TODAY))


@pytest.mark.parametrize("spec", d.BILLERS, ids=lambda s: s.slug)
def test_every_generated_row_passes_the_import_checks(spec, biller):
    # The real import parser, with the biller configured as the demo does.
    for name, value in spec.settings.items():
        setattr(biller, name, value)
    for record_type in d.RECORD_TYPES:
        for line, row in d.records(spec, record_type, customers=40, today=TODAY):
            SPECS[record_type].parse(line, row, biller)


@pytest.mark.parametrize("spec", d.BILLERS, ids=lambda s: s.slug)
def test_natural_keys_are_unique_per_biller(spec):
    keys = {
        "customers": "number",
        "contacts": "id",
        "contracts": "number",
        "invoices": "number",
        "payments": "reference",
        "credits": "reference",
        "service-visits": "reference",
    }
    for record_type, key in keys.items():
        values = [
            row[key]
            for _l, row in d.records(spec, record_type, customers=200, today=TODAY)
        ]
        assert len(values) == len(set(values)), record_type


@pytest.mark.parametrize("spec", d.BILLERS, ids=lambda s: s.slug)
def test_allocations_add_up_to_each_payment_and_name_paid_invoices(spec):
    invoices = {}
    payments = []
    for b in bundles(spec, 60):
        invoices.update({i["number"]: i for i in b.invoices})
        payments.extend(b.payments)
    assert payments
    for payment in payments:
        total = sum(Decimal(a["amount"]) for a in payment["allocations"])
        assert total == Decimal(payment["amount"])
        for allocation in payment["allocations"]:
            invoice = invoices[allocation["invoice"]]
            assert invoice["contract"] == payment["contract"]
            paid = Decimal(invoice["amount"]) - Decimal(invoice["open_balance"])
            assert Decimal(allocation["amount"]) == paid


@pytest.mark.parametrize("spec", d.BILLERS, ids=lambda s: s.slug)
def test_scripted_customers_cover_each_case(spec):
    b = {
        name: bundle
        for name, bundle in zip(
            d.SCENARIOS, bundles(spec, len(d.SCENARIOS)), strict=True
        )
    }
    today = TODAY.isoformat()

    current = b["current"].invoices[0]
    assert (
        current["delivery_status"],
        current["open_balance"] == current["amount"],
    ) == ("sent", True)
    assert current["due_date"] >= today

    past_due = b["past_due"].invoices
    assert past_due[0]["delivery_status"] == "unsent"
    assert past_due[1]["delivery_status"] == "sent"
    assert past_due[1]["due_date"] < today
    assert Decimal(past_due[1]["open_balance"]) > 0

    [waiting] = b["not_in_service"].contracts
    assert (
        waiting["status"],
        waiting["in_service_approved"],
        waiting["in_service_date"],
    ) == ("booked", False, "")
    assert b["not_in_service"].invoices == []

    multi = b["multi_email"]
    assert len(split_emails(multi.customer["email"]).valid) == 2
    assert len(multi.contacts) == 1
    assert multi.contracts[0]["bill_to_email"] != ""

    over = b["credit_over_balance"]
    balance = sum(
        Decimal(i["open_balance"])
        for i in over.invoices
        if i["delivery_status"] == "sent"
    )
    [credit] = over.credits
    assert (balance, Decimal(credit["open_amount"])) == (
        Decimal("40.00"),
        Decimal("100.00"),
    )

    paid = b["paid_up"]
    assert {i["open_balance"] for i in paid.invoices} == {"0.00"}
    assert len(paid.payments) >= 1

    statuses = [c["status"] for c in b["pending_and_terminated"].contracts]
    assert statuses == ["pending", "terminated"]


def test_the_coop_gives_customers_without_email_its_placeholder():
    placeholder = d.PRAIRIE.settings["placeholder_emails"][0]
    emails = [b.customer["email"] for b in bundles(d.PRAIRIE)]
    assert emails[d.SCENARIOS.index("special")] == placeholder
    assert "" not in emails
    assert emails.count(placeholder) >= 3


def test_the_canadian_lessor_has_canadian_postal_codes_some_typed_oddly():
    codes = [c["billing_postal_code"] for b in bundles(d.MAPLE) for c in b.contracts]
    canonical = [postal_code(code, "CA") for code in codes]
    assert all(len(c) == 6 and c[0].isalpha() and c[1].isdigit() for c in canonical)
    odd = [
        code
        for code in codes
        if code != f"{postal_code(code, 'CA')[:3]} {postal_code(code, 'CA')[3:]}"
    ]
    assert len(odd) >= 2


def test_only_the_service_business_has_visits_upcoming_and_past():
    for spec in d.BILLERS:
        visits = [v for b in bundles(spec) for v in b.visits]
        if spec is not d.GREENLEAF:
            assert visits == []
            continue
        statuses = {v["status"] for v in visits}
        assert statuses == {"scheduled", "completed", "cancelled"}
        upcoming = [v for v in visits if v["status"] == "scheduled"]
        assert all(
            datetime.datetime.fromisoformat(v["scheduled_for"]).date() > TODAY
            for v in upcoming
        )


def test_spool_yields_what_records_yields():
    with d.Spool(d.GREENLEAF, customers=15, today=TODAY) as spool:
        for record_type in d.RECORD_TYPES:
            assert list(spool.rows(record_type)) == list(
                d.records(d.GREENLEAF, record_type, customers=15, today=TODAY)
            )
            assert spool.counts[record_type] == len(list(spool.rows(record_type)))
