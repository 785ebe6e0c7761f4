"""The example files shipped in docs/examples import cleanly, in order."""

from pathlib import Path

import pytest

from billfold.audit.models import ActivityEvent
from billfold.servicing import models as sm
from billfold.servicing.importing import ImportRejected, import_file

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
IN_ORDER = [
    "customers.jsonl",
    "contacts.csv",
    "contracts.jsonl",
    "invoices.csv",
    "invoices.jsonl",
    "payments.jsonl",
    "credits.csv",
    "service-visits.jsonl",
]
EXPECTED_ROWS = {
    "customers.jsonl": 3,
    "contacts.csv": 2,
    "contracts.jsonl": 3,
    "invoices.csv": 3,
    "invoices.jsonl": 2,
    "payments.jsonl": 3,
    "credits.csv": 2,
    "service-visits.jsonl": 2,
}


def _snapshot(biller):
    return {
        model.__name__: sorted(
            str(row) for row in model.objects.filter(biller=biller).values()
        )
        for model in (
            sm.Customer,
            sm.Contact,
            sm.Contract,
            sm.Invoice,
            sm.Payment,
            sm.PaymentAllocation,
            sm.Credit,
            sm.ServiceVisit,
            sm.EmailIndex,
        )
    }


@pytest.mark.django_db
def test_examples_import_in_order_then_reimport_unchanged(biller):
    for name in IN_ORDER:
        result = import_file(biller=biller, path=EXAMPLES / name)
        assert (result.inserted, result.updated, result.unchanged, result.rejected) == (
            EXPECTED_ROWS[name],
            0,
            0,
            0,
        ), name
    assert sm.Invoice.objects.filter(biller=biller).count() == 5
    assert sm.PaymentAllocation.objects.filter(biller=biller).count() == 2
    before = _snapshot(biller)
    for name in IN_ORDER:
        result = import_file(biller=biller, path=EXAMPLES / name)
        assert (result.inserted, result.updated, result.unchanged, result.rejected) == (
            0,
            0,
            EXPECTED_ROWS[name],
            0,
        ), name
    assert _snapshot(biller) == before
    assert (
        ActivityEvent.objects.filter(biller=biller, action="import.run").count() == 16
    )


@pytest.mark.django_db
def test_example_with_one_bad_row_reports_line_and_changes_nothing(biller):
    for name in IN_ORDER:
        import_file(biller=biller, path=EXAMPLES / name)
    before = _snapshot(biller)
    with pytest.raises(ImportRejected) as caught:
        import_file(biller=biller, path=EXAMPLES / "invoices-bad-row.csv")
    assert caught.value.message == (
        "invoices-bad-row.csv line 4, field due_date: must not be before issue_date "
        "(2026-12-05). Nothing from this file was applied."
    )
    assert _snapshot(biller) == before


def test_format_document_describes_every_field_with_valid_examples(biller):
    from billfold.servicing.importing import read_csv, read_jsonl
    from billfold.servicing.importing_records import SPECS

    document = (EXAMPLES.parent / "import-format.md").read_text()
    for record_type, spec in SPECS.items():
        section = document.split(f"### {record_type} — key `{spec.key_field}`")[1]
        section = section.split("\n### ")[0]
        for field in spec.fields:
            assert f"| `{field}` |" in section, (record_type, field)
        json_block = section.split("```json\n")[1].split("```")[0]
        csv_block = section.split("```csv\n")[1].split("```")[0]
        rows = [
            *read_jsonl(json_block.encode().splitlines(keepends=True)),
            *read_csv(csv_block.encode().splitlines(keepends=True)),
        ]
        assert len(rows) >= 2, record_type
        for line, raw in rows:
            spec.parse(line, raw, biller)  # raises FieldInvalid on a bad example
