"""``billfold import``: summary table, "No changes.", exit status, rejects."""

import importlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billfold.audit.models import ActivityEvent
from billfold.servicing import models as sm
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = "number,contract,issue_date,due_date,amount,open_balance,delivery_status\n"


@pytest.fixture
def contract(biller):
    return ContractFactory(customer=CustomerFactory(biller=biller), number="A-1")


def write_invoices(path, rows):
    path.write_text(HEADER + "".join(rows))
    return path


def good(n):
    return f"INV-{n},A-1,2026-10-01,2026-10-31,10.00,10.00,sent\n"


def call(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_summary_then_no_changes_on_rerun(biller, contract, tmp_path):
    path = write_invoices(tmp_path / "invoices.csv", [good(1), good(2)])
    out, _err = call("--biller", biller.slug, str(path))
    assert "invoices.csv" in out
    assert (
        "│ invoices.csv │ invoices │        2 │       0 │         0 │        0 │" in out
    )
    assert "No changes." not in out
    out, _err = call("--biller", biller.slug, str(path))
    assert (
        "│ invoices.csv │ invoices │        0 │       0 │         2 │        0 │" in out
    )
    assert out.rstrip().endswith("No changes.")
    assert (
        ActivityEvent.objects.filter(action="import.run", actor_kind="admin").count()
        == 2
    )


def test_bad_row_message_and_nonzero_exit(biller, contract, tmp_path):
    bad = "INV-7,A-1,2026-10-01,2026-09-30,10.00,10.00,sent\n"
    path = write_invoices(
        tmp_path / "invoices.csv", [good(n) for n in range(1, 6)] + [bad]
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file was rejected"):
        call_command(
            "import", "--biller", biller.slug, str(path), stdout=out, stderr=err
        )
    assert (
        "invoices.csv line 7, field due_date: must not be before issue_date (2026-10-01). "
        "Nothing from this file was applied." in err.getvalue().replace("\n", " ")
    )
    assert "file rejected" in out.getvalue()
    assert not sm.Invoice.objects.exists()


def test_skip_invalid_writes_rejects_where_asked(biller, contract, tmp_path):
    bad = "INV-3,A-404,2026-10-01,2026-10-31,10.00,10.00,sent\n"
    path = write_invoices(tmp_path / "invoices.csv", [good(1), good(2), bad])
    rejects = tmp_path / "out" / "bad.jsonl"
    rejects.parent.mkdir()
    out, err = call(
        "--biller", biller.slug, "--skip-invalid", "--rejects", str(rejects), str(path)
    )
    assert (
        "│ invoices.csv │ invoices │        2 │       0 │         0 │        1 │" in out
    )
    assert "1 row rejected, written to" in err
    record = json.loads(rejects.read_text())
    assert (record["line"], record["field"], record["row"]["number"]) == (
        4,
        "contract",
        "INV-3",
    )


def test_type_option_overrides_the_file_name(biller, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"number": "C-1", "name": "Ann"}) + "\n")
    out, _err = call("--biller", biller.slug, "--type", "customers", str(path))
    assert "│ export.jsonl │ customers │        1 │" in out
    assert sm.Customer.objects.filter(biller=biller, number="C-1").exists()


def test_file_without_a_known_type_is_rejected(biller, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text("{}\n")
    with pytest.raises(CommandError):
        call("--biller", biller.slug, str(path))


def test_unknown_biller_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No biller with slug nobody"):
        call("--biller", "nobody", str(tmp_path / "invoices.csv"))


def test_large_file_gets_a_progress_bar_fed_by_bytes_read(
    biller, contract, tmp_path, monkeypatch
):
    command = importlib.import_module("billfold.servicing.management.commands.import")

    path = write_invoices(tmp_path / "invoices.csv", [good(n) for n in range(6000)])
    reports = []
    real = command.import_file

    def spy(**kwargs):
        progress = kwargs["progress"]
        kwargs["progress"] = lambda done, total: (
            reports.append((done, total)),
            progress(done, total),
        )
        return real(**kwargs)

    monkeypatch.setattr(command, "import_file", spy)
    out, _err = call("--biller", biller.slug, str(path))
    assert "│ invoices.csv │ invoices │    6,000 │" in out
    assert reports[-1] == (path.stat().st_size, path.stat().st_size)
    assert len(reports) == 2  # after each batch of 5,000 rows and at the end


def test_small_file_has_no_progress_bar(biller, contract, tmp_path, monkeypatch):
    command = importlib.import_module("billfold.servicing.management.commands.import")

    path = write_invoices(tmp_path / "invoices.csv", [good(1)])
    given = []
    real = command.import_file
    monkeypatch.setattr(
        command,
        "import_file",
        lambda **kw: (given.append("progress" in kw), real(**kw))[1],
    )
    call("--biller", biller.slug, str(path))
    assert given == [False]


def test_missing_file_is_reported_and_the_others_still_imported(
    biller, contract, tmp_path
):
    path = write_invoices(tmp_path / "invoices.csv", [good(1)])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file was rejected"):
        call_command(
            "import",
            "--biller",
            biller.slug,
            str(tmp_path / "gone.csv"),
            str(path),
            stdout=out,
            stderr=err,
        )
    assert "gone.csv: no such file." in err.getvalue()
    assert "│ invoices.csv │ invoices │        1 │" in out.getvalue()
    assert sm.Invoice.objects.filter(biller=biller).count() == 1
