"""Re-running a JSON Lines file: lines equal to the stored import are not checked again."""

import json

import pytest

from billfold.servicing import importing
from billfold.servicing import models as sm
from billfold.servicing.importing import (
    ImportRejected,
    RowError,
    import_file,
    import_rows,
)
from billfold.servicing.importing_records import RecordSpec
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def invoice(number, **overrides):
    row = {
        "number": number,
        "contract": "A-1",
        "issue_date": "2026-10-01",
        "due_date": "2026-10-31",
        "amount": "100.00",
        "open_balance": "100.00",
        "delivery_status": "sent",
    }
    row.update(overrides)
    return row


def write(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def counts(result):
    return (result.inserted, result.updated, result.unchanged, result.rejected)


@pytest.fixture
def contract(biller):
    return ContractFactory(
        customer=CustomerFactory(biller=biller, number="C-1"), number="A-1"
    )


@pytest.fixture
def parsed(monkeypatch):
    """The lines of rows that went through the full check."""
    lines = []
    original = RecordSpec.parse

    def counting(self, line, raw, biller, digest=None):
        lines.append(line)
        return original(self, line, raw, biller, digest)

    monkeypatch.setattr(RecordSpec, "parse", counting)
    return lines


def test_unchanged_rerun_checks_no_row_and_writes_nothing(
    biller, contract, parsed, tmp_path
):
    path = write(tmp_path / "invoices.jsonl", [invoice("INV-1"), invoice("INV-2")])
    assert counts(import_file(biller=biller, path=path)) == (2, 0, 0, 0)
    assert parsed == [1, 2]
    before = dict(sm.Invoice.objects.values_list("number", "updated_at"))
    parsed.clear()

    assert counts(import_file(biller=biller, path=path)) == (0, 0, 2, 0)
    assert parsed == []
    assert dict(sm.Invoice.objects.values_list("number", "updated_at")) == before


def test_changed_line_in_a_rerun_is_checked_and_updated(
    biller, contract, parsed, tmp_path
):
    path = write(tmp_path / "invoices.jsonl", [invoice("INV-1"), invoice("INV-2")])
    import_file(biller=biller, path=path)
    parsed.clear()
    write(path, [invoice("INV-1"), invoice("INV-2", open_balance="40.00")])

    assert counts(import_file(biller=biller, path=path)) == (0, 1, 1, 0)
    assert parsed == [2]
    assert str(sm.Invoice.objects.get(number="INV-2").open_balance) == "40.00"
    parsed.clear()
    assert counts(import_file(biller=biller, path=path)) == (0, 0, 2, 0)
    assert parsed == []


def test_bad_changed_line_in_a_rerun_still_stops_the_file(biller, contract, tmp_path):
    path = write(tmp_path / "invoices.jsonl", [invoice("INV-1"), invoice("INV-2")])
    import_file(biller=biller, path=path)
    write(path, [invoice("INV-1"), invoice("INV-2", amount="x")])

    with pytest.raises(ImportRejected) as caught:
        import_file(biller=biller, path=path)
    assert caught.value.result.errors == [
        RowError(2, "amount", "must be an amount such as 12.50")
    ]


def test_row_edited_through_a_dict_is_restored_by_the_original_file(
    biller, contract, parsed, tmp_path
):
    path = write(tmp_path / "invoices.jsonl", [invoice("INV-1"), invoice("INV-2")])
    import_file(biller=biller, path=path)
    # What the admin does on save: one row as a dict, no line behind it.
    edited = import_rows(
        biller=biller,
        record_type="invoices",
        rows=[(1, invoice("INV-2", delivery_status="unsent"))],
    )
    assert counts(edited) == (0, 1, 0, 0)
    parsed.clear()

    assert counts(import_file(biller=biller, path=path)) == (0, 1, 1, 0)
    assert parsed == [2]
    assert sm.Invoice.objects.get(number="INV-2").delivery_status == "sent"


def test_rows_written_without_a_line_are_checked_once_then_recognised(
    biller, contract, parsed, tmp_path
):
    rows = [invoice("INV-1"), invoice("INV-2")]
    import_rows(biller=biller, record_type="invoices", rows=list(enumerate(rows, 1)))
    before = dict(sm.Invoice.objects.values_list("number", "updated_at"))
    path = write(tmp_path / "invoices.jsonl", rows)
    parsed.clear()

    # Equal rows only take the fingerprint: not counted, not touched.
    assert counts(import_file(biller=biller, path=path)) == (0, 0, 2, 0)
    assert parsed == [1, 2]
    assert dict(sm.Invoice.objects.values_list("number", "updated_at")) == before
    parsed.clear()
    assert counts(import_file(biller=biller, path=path)) == (0, 0, 2, 0)
    assert parsed == []


def test_duplicate_unchanged_line_in_a_rerun_is_refused(biller, contract, tmp_path):
    path = write(tmp_path / "invoices.jsonl", [invoice("INV-1"), invoice("INV-2")])
    import_file(biller=biller, path=path)
    write(path, [invoice("INV-1"), invoice("INV-2"), invoice("INV-1")])

    with pytest.raises(ImportRejected) as caught:
        import_file(biller=biller, path=path)
    assert caught.value.result.errors == [
        RowError(3, "number", "INV-1 appears twice in this file (first on line 1)")
    ]


def test_duplicate_unchanged_line_in_a_later_batch_is_refused(
    biller, contract, tmp_path, monkeypatch
):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    rows = [invoice("INV-1"), invoice("INV-2"), invoice("INV-3")]
    path = write(tmp_path / "invoices.jsonl", rows)
    import_file(biller=biller, path=path)
    write(path, [*rows, invoice("INV-2"), invoice("INV-3", amount="7.00")])

    result = import_file(biller=biller, path=path, skip_invalid=True)
    assert counts(result) == (0, 0, 3, 2)
    assert result.errors == [
        RowError(4, "number", "INV-2 appears twice in this file (first on line 2)"),
        RowError(5, "number", "INV-3 appears twice in this file (first on line 3)"),
    ]
    rejected = [
        json.loads(line) for line in result.rejects_path.read_text().splitlines()
    ]
    assert [r["row"] for r in rejected] == [
        invoice("INV-2"),
        invoice("INV-3", amount="7.00"),
    ]
    assert str(sm.Invoice.objects.get(number="INV-3").amount) == "100.00"
