"""Importing billing records: upsert, all-or-nothing, rejects, email index, audit."""

import datetime
import json
from decimal import Decimal

import pytest

from billfold.audit.models import ActivityEvent
from billfold.servicing import importing
from billfold.servicing import models as sm
from billfold.servicing.importing import (
    ImportRejected,
    RowError,
    import_file,
    import_rows,
    infer_record_type,
)
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    InvoiceFactory,
    PaymentFactory,
)

pytestmark = pytest.mark.django_db


def run(biller, record_type, rows, **kwargs):
    return import_rows(
        biller=biller,
        record_type=record_type,
        rows=list(enumerate(rows, start=1)),
        **kwargs,
    )


def counts(result):
    return (result.inserted, result.updated, result.unchanged, result.rejected)


def invoice(number="INV-1", contract="A-1", **overrides):
    row = {
        "number": number,
        "contract": contract,
        "issue_date": "2026-10-01",
        "due_date": "2026-10-31",
        "amount": "100.00",
        "open_balance": "100.00",
        "delivery_status": "sent",
    }
    row.update(overrides)
    return row


@pytest.fixture
def contract(biller):
    return ContractFactory(
        customer=CustomerFactory(biller=biller, number="C-1"), number="A-1"
    )


# -- upsert ------------------------------------------------------------------


def test_second_run_of_same_rows_changes_nothing(biller, contract):
    rows = [
        invoice("INV-1"),
        invoice(
            "INV-2",
            lines=[
                {
                    "description": "Rent",
                    "quantity": 2,
                    "unit_price": "50.00",
                    "amount": "100.00",
                }
            ],
        ),
    ]
    assert counts(run(biller, "invoices", rows)) == (2, 0, 0, 0)
    stamps = dict(sm.Invoice.objects.values_list("number", "updated_at"))
    assert counts(run(biller, "invoices", rows)) == (0, 0, 2, 0)
    assert dict(sm.Invoice.objects.values_list("number", "updated_at")) == stamps


def test_changed_row_is_updated_and_others_left_alone(biller, contract):
    run(biller, "invoices", [invoice("INV-1"), invoice("INV-2")])
    before = sm.Invoice.objects.get(number="INV-2").updated_at
    result = run(
        biller, "invoices", [invoice("INV-1", open_balance="0.00"), invoice("INV-2")]
    )
    assert counts(result) == (0, 1, 1, 0)
    assert sm.Invoice.objects.get(number="INV-1").open_balance == Decimal("0.00")
    assert sm.Invoice.objects.get(number="INV-1").updated_at > before
    assert sm.Invoice.objects.get(number="INV-2").updated_at == before


def test_rows_of_same_number_for_two_billers_stay_apart(biller, other_biller, contract):
    ContractFactory(customer=CustomerFactory(biller=other_biller), number="A-1")
    run(biller, "invoices", [invoice(amount="1.00", open_balance="1.00")])
    run(other_biller, "invoices", [invoice(amount="2.00", open_balance="2.00")])
    assert sorted(sm.Invoice.objects.values_list("biller_id", "amount")) == [
        (biller.pk, Decimal("1.00")),
        (other_biller.pk, Decimal("2.00")),
    ]


def test_every_record_type_round_trips(biller):
    run(biller, "customers", [{"number": "C-1", "name": "Ann", "email": "a@x.example"}])
    run(biller, "contacts", [{"id": "K-1", "customer": "C-1", "name": "Bo"}])
    run(
        biller,
        "contracts",
        [
            {
                "number": "A-1",
                "customer": "C-1",
                "status": "booked",
                "in_service_approved": "yes",
                "in_service_date": "2026-01-02",
                "billing_country": "CA",
                "billing_postal_code": "k1a 0b1",
                "paperless": "1",
            }
        ],
    )
    run(biller, "invoices", [invoice()])
    run(
        biller,
        "payments",
        [
            {
                "reference": "P-1",
                "contract": "A-1",
                "received_on": "2026-10-05",
                "amount": 60,
                "method": "card",
                "allocations": "INV-1:60.00",
            }
        ],
    )
    run(
        biller,
        "credits",
        [
            {
                "reference": "CR-1",
                "contract": "A-1",
                "issued_on": "2026-10-06",
                "amount": "5.5",
                "reason": "Outage",
            }
        ],
    )
    run(
        biller,
        "service-visits",
        [
            {
                "reference": "V-1",
                "contract": "A-1",
                "scheduled_for": "2026-12-01T09:00:00-05:00",
                "service": "Check",
            }
        ],
    )
    contract = sm.Contract.objects.get(biller=biller, number="A-1")
    assert (contract.status, contract.in_service_approved, contract.paperless) == (
        "booked",
        True,
        True,
    )
    assert (contract.billing_country, contract.billing_postal_code) == ("CA", "k1a 0b1")
    assert sm.Contact.objects.get(external_id="K-1").customer.number == "C-1"
    allocation = sm.PaymentAllocation.objects.get()
    assert (allocation.invoice.number, allocation.amount) == ("INV-1", Decimal("60.00"))
    credit = sm.Credit.objects.get()
    assert (credit.amount, credit.open_amount) == (Decimal("5.50"), Decimal("5.50"))
    visit = sm.ServiceVisit.objects.get()
    assert visit.scheduled_for == datetime.datetime(
        2026, 12, 1, 14, 0, tzinfo=datetime.UTC
    )
    assert visit.status == "scheduled"


# -- bad rows ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ({"amount": None}, "amount", "is required"),
        ({"amount": "-1.00"}, "amount", "must not be negative"),
        ({"amount": "1.005"}, "amount", "must have at most 2 decimal places"),
        ({"amount": "NaN"}, "amount", "must be an amount such as 12.50"),
        ({"amount": True}, "amount", "must be an amount such as 12.50"),
        (
            {"issue_date": "01/10/2026"},
            "issue_date",
            "must be a date written YYYY-MM-DD",
        ),
        (
            {"due_date": "2026-09-30"},
            "due_date",
            "must not be before issue_date (2026-10-01)",
        ),
        (
            {"delivery_status": "lost"},
            "delivery_status",
            "must be one of: unsent, sent",
        ),
        ({"contract": "A-404"}, "contract", "no contract with number A-404"),
        ({"colour": "red"}, "colour", "is not a field of this record type"),
        ({"lines": "[{]"}, "lines", "must be a JSON list of lines"),
    ],
)
def test_bad_invoice_row_stops_the_file_with_line_field_and_reason(
    biller, contract, row, field, reason
):
    rows = [invoice("INV-1"), invoice("INV-2", **row), invoice("INV-3")]
    with pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", rows, source="november.jsonl")
    assert caught.value.result.errors == [RowError(2, field, reason)]
    assert caught.value.message == (
        f"november.jsonl line 2, field {field}: {reason}. Nothing from this file was applied."
    )
    assert not sm.Invoice.objects.exists()


def test_contract_of_another_biller_is_unknown(biller, other_biller):
    ContractFactory(customer=CustomerFactory(biller=other_biller), number="A-9")
    with pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", [invoice(contract="A-9")])
    assert caught.value.result.errors == [
        RowError(1, "contract", "no contract with number A-9")
    ]


def test_customer_of_another_biller_is_unknown(biller, other_biller):
    CustomerFactory(biller=other_biller, number="C-9")
    with pytest.raises(ImportRejected) as caught:
        run(biller, "contacts", [{"id": "K-1", "customer": "C-9"}])
    assert caught.value.result.errors == [
        RowError(1, "customer", "no customer with number C-9")
    ]


def test_duplicate_key_in_same_batch_is_refused(biller, contract):
    with pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", [invoice("INV-1"), invoice("INV-2"), invoice("INV-1")])
    assert caught.value.result.errors == [
        RowError(3, "number", "INV-1 appears twice in this file (first on line 1)")
    ]


def test_duplicate_key_in_a_later_batch_is_refused(biller, contract, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    rows = [invoice("INV-1"), invoice("INV-2"), invoice("INV-3"), invoice("INV-1")]
    with pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", rows)
    assert caught.value.result.errors == [
        RowError(4, "number", "INV-1 appears twice in this file (first on line 1)")
    ]
    assert counts(caught.value.result) == (0, 0, 0, 1)
    assert not sm.Invoice.objects.exists()


def test_first_bad_row_is_reported_when_a_later_row_is_bad_too(biller, contract):
    rows = [invoice("INV-1", contract="A-404"), invoice("INV-2", amount="x")]
    with pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", rows)
    assert caught.value.result.errors == [
        RowError(1, "contract", "no contract with number A-404")
    ]


def test_allocations_beyond_the_payment_are_refused(biller, contract):
    InvoiceFactory(contract=contract, number="INV-1")
    InvoiceFactory(contract=contract, number="INV-2")
    row = {
        "reference": "P-1",
        "contract": "A-1",
        "received_on": "2026-10-05",
        "amount": "50.00",
        "allocations": [
            {"invoice": "INV-1", "amount": "30.00"},
            {"invoice": "INV-2", "amount": "30.00"},
        ],
    }
    with pytest.raises(ImportRejected) as caught:
        run(biller, "payments", [row])
    assert caught.value.result.errors == [
        RowError(
            1, "allocations", "add up to 60.00, more than the payment amount 50.00"
        )
    ]


def test_allocation_to_unknown_invoice_is_refused(biller, contract, other_biller):
    InvoiceFactory(
        contract=ContractFactory(customer=CustomerFactory(biller=other_biller)),
        number="INV-X",
    )
    row = {
        "reference": "P-1",
        "contract": "A-1",
        "received_on": "2026-10-05",
        "amount": "50.00",
        "allocations": "INV-X:10.00",
    }
    with pytest.raises(ImportRejected) as caught:
        run(biller, "payments", [row])
    assert caught.value.result.errors == [
        RowError(1, "allocations", "no invoice with number INV-X")
    ]
    assert not sm.Payment.objects.exists()


def test_payment_allocations_are_replaced_only_when_changed(biller, contract):
    InvoiceFactory(contract=contract, number="INV-1")
    InvoiceFactory(contract=contract, number="INV-2")
    row = {
        "reference": "P-1",
        "contract": "A-1",
        "received_on": "2026-10-05",
        "amount": "50.00",
        "allocations": "INV-1:20.00;INV-2:30.00",
    }
    assert counts(run(biller, "payments", [row])) == (1, 0, 0, 0)
    assert counts(run(biller, "payments", [row])) == (0, 0, 1, 0)
    row["allocations"] = "INV-2:50.00"
    assert counts(run(biller, "payments", [row])) == (0, 1, 0, 0)
    assert list(
        sm.PaymentAllocation.objects.values_list("invoice__number", "amount")
    ) == [("INV-2", Decimal("50.00"))]


def test_payment_without_allocations_field_keeps_them_but_cannot_shrink_below(
    biller, contract
):
    payment = PaymentFactory(
        contract=contract, reference="P-1", amount=Decimal("50.00")
    )
    sm.PaymentAllocation.objects.create(
        biller=biller,
        payment=payment,
        invoice=InvoiceFactory(contract=contract),
        amount=Decimal("40.00"),
    )
    row = {
        "reference": "P-1",
        "contract": "A-1",
        "received_on": "2026-10-15",
        "amount": "30.00",
    }
    with pytest.raises(ImportRejected) as caught:
        run(biller, "payments", [row])
    assert caught.value.result.errors == [
        RowError(1, "amount", "is less than the 40.00 already allocated")
    ]
    row["amount"] = "45.00"
    assert counts(run(biller, "payments", [row])) == (0, 1, 0, 0)
    assert sm.PaymentAllocation.objects.get().amount == Decimal("40.00")


def test_contract_in_service_needs_a_date(biller, contract):
    row = {"number": "A-2", "customer": "C-1", "in_service_approved": "true"}
    with pytest.raises(ImportRejected) as caught:
        run(biller, "contracts", [row])
    assert caught.value.result.errors == [
        RowError(1, "in_service_date", "is required when in_service_approved is true")
    ]


def test_credit_open_amount_cannot_exceed_amount(biller, contract):
    row = {
        "reference": "CR-1",
        "contract": "A-1",
        "issued_on": "2026-10-01",
        "amount": "5.00",
        "open_amount": "6.00",
    }
    with pytest.raises(ImportRejected) as caught:
        run(biller, "credits", [row])
    assert caught.value.result.errors == [
        RowError(1, "open_amount", "must not be more than amount (5.00)")
    ]


def test_visit_time_without_offset_is_refused(biller, contract):
    row = {
        "reference": "V-1",
        "contract": "A-1",
        "scheduled_for": "2026-12-01T09:00",
        "service": "X",
    }
    with pytest.raises(ImportRejected) as caught:
        run(biller, "service-visits", [row])
    assert caught.value.result.errors[0].field == "scheduled_for"


# -- skip invalid ------------------------------------------------------------


def test_skip_invalid_applies_good_rows_and_hands_over_bad_ones(biller, contract):
    rejected = []
    rows = [
        invoice("INV-1"),
        invoice("INV-2", amount="-5"),
        invoice("INV-3", contract="A-0"),
    ]
    result = run(
        biller,
        "invoices",
        rows,
        skip_invalid=True,
        rejects=lambda error, raw: rejected.append((error, raw["number"])),
    )
    assert counts(result) == (1, 0, 0, 2)
    assert rejected == [
        (RowError(2, "amount", "must not be negative"), "INV-2"),
        (RowError(3, "contract", "no contract with number A-0"), "INV-3"),
    ]
    assert list(sm.Invoice.objects.values_list("number", flat=True)) == ["INV-1"]


def test_rejects_file_is_written_next_to_the_input(biller, contract, tmp_path):
    path = tmp_path / "2026-11-invoices.csv"
    path.write_text(
        "number,contract,issue_date,due_date,amount\n"
        "INV-1,A-1,2026-10-01,2026-10-31,10.00\n"
        "INV-2,A-1,2026-10-01,2026-09-30,10.00\n"
    )
    result = import_file(biller=biller, path=path, skip_invalid=True)
    assert counts(result) == (1, 0, 0, 1)
    assert result.rejects_path == tmp_path / "2026-11-invoices.rejects.jsonl"
    lines = result.rejects_path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "line": 3,
            "field": "due_date",
            "reason": "must not be before issue_date (2026-10-01)",
            "row": {
                "number": "INV-2",
                "contract": "A-1",
                "issue_date": "2026-10-01",
                "due_date": "2026-09-30",
                "amount": "10.00",
            },
        }
    ]


def test_unreadable_json_line_is_a_bad_row(biller, contract, tmp_path):
    path = tmp_path / "invoices.jsonl"
    path.write_text(json.dumps(invoice()) + "\n{not json\n")
    with pytest.raises(ImportRejected) as caught:
        import_file(biller=biller, path=path)
    assert (caught.value.error.line, caught.value.error.field) == (2, "")
    assert not sm.Invoice.objects.exists()


def test_csv_row_with_too_many_values_is_a_bad_row(biller, contract, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(
        "number,contract,issue_date,due_date,amount\n"
        "INV-1,A-1,2026-10-01,2026-10-31,10.00,surplus\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(biller=biller, path=path)
    assert caught.value.result.errors == [
        RowError(2, "", "has more values than the header has columns")
    ]


# -- email index -------------------------------------------------------------


def index_of(biller):
    return sorted(
        sm.EmailIndex.objects.filter(biller=biller).values_list(
            "address",
            "source",
            "customer__number",
            "contact__external_id",
            "contract__number",
        )
    )


def test_email_index_follows_customers_contacts_and_bill_to(biller):
    biller.placeholder_emails = ["noemail@biller.example"]
    biller.save()
    result = run(
        biller,
        "customers",
        [
            {
                "number": "C-1",
                "name": "Ann",
                "email": "Ann@X.example; not-an-address, noemail@biller.example",
            },
        ],
    )
    assert result.invalid_emails == 1
    assert result.warnings == [
        RowError(
            1, "email", "not-an-address is not a valid email address; it is not indexed"
        )
    ]
    run(biller, "contacts", [{"id": "K-1", "customer": "C-1", "email": "bo@x.example"}])
    run(
        biller,
        "contracts",
        [
            {
                "number": "A-1",
                "customer": "C-1",
                "bill_to_email": "ap@x.example,AP@x.example",
            }
        ],
    )
    assert index_of(biller) == [
        ("ann@x.example", "customer", "C-1", None, None),
        ("ap@x.example", "bill_to", "C-1", None, "A-1"),
        ("bo@x.example", "contact", "C-1", "K-1", None),
    ]
    run(
        biller,
        "customers",
        [{"number": "C-1", "name": "Ann", "email": "ann@new.example"}],
    )
    run(biller, "contacts", [{"id": "K-1", "customer": "C-1", "email": ""}])
    assert index_of(biller) == [
        ("ann@new.example", "customer", "C-1", None, None),
        ("ap@x.example", "bill_to", "C-1", None, "A-1"),
    ]


def test_email_index_is_untouched_by_a_failed_file(biller):
    run(
        biller,
        "customers",
        [{"number": "C-1", "name": "Ann", "email": "ann@x.example"}],
    )
    with pytest.raises(ImportRejected):
        run(
            biller,
            "customers",
            [
                {"number": "C-1", "name": "Ann", "email": "changed@x.example"},
                {"number": "C-2"},
            ],
        )
    assert index_of(biller) == [("ann@x.example", "customer", "C-1", None, None)]


# -- audit, batching, file names ---------------------------------------------


def test_one_audit_event_per_run_with_counts(biller, contract):
    run(
        biller,
        "invoices",
        [invoice("INV-1"), invoice("INV-2")],
        actor_kind="admin",
        actor_id="cli:ops",
        source="invoices.jsonl",
    )
    event = ActivityEvent.objects.get(action="import.run")
    assert (event.actor_kind, event.actor_id, event.outcome) == (
        "admin",
        "cli:ops",
        "success",
    )
    assert event.details == {
        "record_type": "invoices",
        "source": "invoices.jsonl",
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }


def test_rejected_file_records_one_failure_event_after_rollback(biller, contract):
    with pytest.raises(ImportRejected):
        run(
            biller,
            "invoices",
            [invoice("INV-1"), invoice("INV-2", amount="")],
            source="invoices.jsonl",
        )
    event = ActivityEvent.objects.get(action="import.run")
    assert event.outcome == "failure"
    assert event.details == {
        "record_type": "invoices",
        "source": "invoices.jsonl",
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "error": {"line": 2, "field": "amount", "reason": "is required"},
    }


def test_rows_are_pulled_one_batch_at_a_time(biller, contract, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    pulled = []

    def rows():
        for n in range(1, 6):
            pulled.append(n)
            yield n, invoice(f"INV-{n}")

    pulled_at_progress = []
    import_rows(
        biller=biller,
        record_type="invoices",
        rows=rows(),
        progress=lambda read: pulled_at_progress.append((read, len(pulled))),
    )
    # Each batch is written before the next row is even read.
    assert pulled_at_progress == [(2, 2), (4, 4), (5, 5)]
    assert sm.Invoice.objects.filter(biller=biller).count() == 5


@pytest.mark.parametrize(
    ("name", "record_type"),
    [
        ("invoices.jsonl", "invoices"),
        ("2026-11-invoices.csv", "invoices"),
        ("service-visits.ndjson", "service-visits"),
        ("acme_service_visits.csv", "service-visits"),
        ("contacts.csv", "contacts"),
        ("contracts-2026.jsonl", "contracts"),
        ("export.csv", None),
    ],
)
def test_record_type_is_inferred_from_the_file_name(name, record_type):
    assert infer_record_type(name) == record_type


@pytest.mark.parametrize(
    ("country", "code", "accepted"),
    [
        ("US", "10001-4356", True),
        ("US", "1000", False),
        ("CA", "K1A 0B1", True),
        ("CA", "K1A", False),
    ],
)
def test_billing_postal_code_must_fit_its_country(
    biller, contract, country, code, accepted
):
    row = {
        "number": "A-2",
        "customer": "C-1",
        "billing_country": country,
        "billing_postal_code": code,
    }
    if accepted:
        assert counts(run(biller, "contracts", [row])) == (1, 0, 0, 0)
    else:
        with pytest.raises(ImportRejected) as caught:
            run(biller, "contracts", [row])
        assert caught.value.result.errors == [
            RowError(1, "billing_postal_code", f"is not a postal code of {country}")
        ]


def test_json_numbers_are_exact_amounts(biller, contract, tmp_path):
    path = tmp_path / "invoices.jsonl"
    path.write_text(
        '{"number": "INV-1", "contract": "A-1", "issue_date": "2026-10-01", '
        '"due_date": "2026-10-31", "amount": 0.1, "open_balance": 7}\n'
    )
    import_file(biller=biller, path=path)
    invoice_row = sm.Invoice.objects.get(number="INV-1")
    assert (invoice_row.amount, invoice_row.open_balance) == (
        Decimal("0.10"),
        Decimal("7.00"),
    )
    assert invoice_row.delivery_status == "unsent"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("No", False),
        (True, True),
        (0, False),
    ],
)
def test_booleans_accept_words_and_digits(biller, contract, value, expected):
    run(biller, "contracts", [{"number": "A-2", "customer": "C-1", "paperless": value}])
    assert sm.Contract.objects.get(number="A-2").paperless is expected


def test_boolean_that_is_not_one_is_refused(biller, contract):
    with pytest.raises(ImportRejected) as caught:
        run(
            biller,
            "contracts",
            [{"number": "A-2", "customer": "C-1", "paperless": "maybe"}],
        )
    assert caught.value.result.errors == [
        RowError(1, "paperless", "must be true or false")
    ]


def test_bad_row_message_is_translated(biller, contract):
    from django.utils import translation

    with translation.override("es"), pytest.raises(ImportRejected) as caught:
        run(biller, "invoices", [invoice(amount="-1")], source="facturas.csv")
    assert caught.value.message == (
        "facturas.csv línea 1, campo amount: no debe ser negativo. "
        "No se aplicó nada de este archivo."
    )
