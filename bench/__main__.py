"""`make bench`: import 1,000,000 invoices into PostgreSQL beside a bare COPY.

Prints one table: seconds, rows per second and peak memory of each import run,
the bare COPY of the same invoice rows as the reference, and the targets
(import >= 1/4 of COPY's rate, peak memory < 300 MB, unchanged re-run >= 2x
faster than the first run).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from bench.generate import write_files

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=130)


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return wall seconds, its own peak RSS in MB, and its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        console.print(output)
        raise SystemExit(f"failed: {' '.join(args)}")
    return seconds, usage.ru_maxrss / 1024, output


def billfold(*args: str) -> list[str]:
    return [sys.executable, "-m", "billfold.cli", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--database", default="billfold_bench")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    opts = parser.parse_args()

    try:
        admin = psycopg.connect(opts.admin_url, autocommit=True)
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"make bench needs PostgreSQL ({opts.admin_url}): {exc}"
        ) from None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{opts.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{opts.database}"')
    db_url = opts.admin_url.rsplit("/", 1)[0] + "/" + opts.database
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "billfold.settings",
        "BILLFOLD_DEMO": "0",
    }

    console.print(
        f"Generating {opts.customers:,} customers and {opts.invoices:,} invoices …"
    )
    t = time.perf_counter()
    paths = write_files(opts.out, customers=opts.customers, invoices=opts.invoices)
    console.print(f"  written in {time.perf_counter() - t:.1f} s to {opts.out}")
    run_measured(billfold("migrate", "--no-input", "-v", "0"), env)
    run_measured(
        billfold(
            "shell",
            "-c",
            "from billfold.billers.models import Biller; Biller.objects.get_or_create(slug='bench', defaults={'name': 'Bench Utility'})",
        ),
        env,
    )

    rows: list[tuple[str, int, float, float]] = []
    for label, key, count in (
        ("import customers", "customers", opts.customers),
        ("import contracts", "contracts", opts.customers),
        ("import invoices (first run)", "invoices", opts.invoices),
        ("import invoices (unchanged re-run)", "invoices", opts.invoices),
    ):
        console.print(f"{label} …")
        seconds, peak, _output = run_measured(
            billfold("import", "--biller", "bench", str(paths[key])), env
        )
        rows.append((label, count, seconds, peak))
        console.print(
            f"  {seconds:.1f} s, {count / seconds:,.0f} rows/s, peak {peak:.0f} MB"
        )

    # Reference: the same invoice rows, contract numbers resolved beforehand,
    # loaded by a bare COPY into a table of the same columns without indexes.
    console.print("bare COPY of the same invoice rows …")
    with psycopg.connect(db_url, autocommit=True) as conn:
        biller_id = conn.execute(
            "SELECT id FROM billers_biller WHERE slug = 'bench'"
        ).fetchone()[0]
        contract_ids = dict(
            conn.execute(
                "SELECT number, id FROM servicing_contract WHERE biller_id = %s",
                [biller_id],
            )
        )
        csv_path = opts.out / "invoices-copy.csv"
        with paths["invoices"].open() as src, csv_path.open("w", newline="") as dst:
            out = csv.writer(dst)
            for line in src:
                r = json.loads(line)
                out.writerow(
                    [
                        biller_id,
                        contract_ids[r["contract"]],
                        r["number"],
                        r["issue_date"],
                        r["due_date"],
                        r["amount"],
                        r["open_balance"],
                        r["delivery_status"],
                        "[]",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    ]
                )
        contract_ids.clear()
        copy_columns = (
            "(biller_id, contract_id, number, issue_date, due_date, amount, "
            "open_balance, delivery_status, lines, created_at, updated_at)"
        )

        def timed_copy(table: str, extra: list[str]) -> float:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in extra:
                conn.execute(statement)
            start = time.perf_counter()
            with (
                conn.transaction(),
                conn.cursor() as cur,
                csv_path.open("rb") as fh,
                cur.copy(
                    f"COPY {table} {copy_columns} FROM STDIN (FORMAT csv)"
                ) as copy,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            seconds = time.perf_counter() - start  # deferred checks ran at commit
            copied = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            conn.execute(f"DROP TABLE {table}")
            if copied != opts.invoices:
                raise SystemExit(f"COPY into {table} loaded {copied} rows")
            return seconds

        copy_seconds = timed_copy(
            "bench_copy_bare",
            [
                "CREATE TABLE bench_copy_bare (LIKE servicing_invoice INCLUDING DEFAULTS INCLUDING IDENTITY)"
            ],
        )
        console.print(
            "bare COPY into a table shaped like servicing_invoice (indexes, checks, keys) …"
        )
        shaped_seconds = timed_copy(
            "bench_copy_shaped",
            [
                "CREATE TABLE bench_copy_shaped (LIKE servicing_invoice INCLUDING ALL)",
                "ALTER TABLE bench_copy_shaped ADD FOREIGN KEY (contract_id, biller_id) "
                "REFERENCES servicing_contract (id, biller_id) DEFERRABLE INITIALLY DEFERRED",
            ],
        )
        loaded = conn.execute(
            "SELECT count(*) FROM servicing_invoice WHERE biller_id = %s", [biller_id]
        ).fetchone()[0]
        copied = opts.invoices
    if copied != opts.invoices or loaded != opts.invoices:
        raise SystemExit(
            f"row counts differ: COPY {copied}, import {loaded}, expected {opts.invoices}"
        )

    copy_rate = opts.invoices / copy_seconds
    table = Table(
        title=f"Billfold import on PostgreSQL — {opts.invoices:,} invoices, {opts.customers:,} customers"
    )
    for col in ("step", "rows", "seconds", "rows/s", "vs COPY", "peak MB"):
        table.add_column(col, justify="left" if col == "step" else "right")
    table.add_row(
        "bare COPY, table without indexes (reference)",
        f"{opts.invoices:,}",
        f"{copy_seconds:.1f}",
        f"{copy_rate:,.0f}",
        "1.00",
        "—",
    )
    shaped_rate = opts.invoices / shaped_seconds
    table.add_row(
        "bare COPY, same indexes and keys as the invoice table",
        f"{opts.invoices:,}",
        f"{shaped_seconds:.1f}",
        f"{shaped_rate:,.0f}",
        f"{shaped_rate / copy_rate:.2f}",
        "—",
    )
    for label, count, seconds, peak in rows:
        rate = count / seconds
        ratio = (
            f"{rate / copy_rate:.2f}" if label.startswith("import invoices") else "—"
        )
        table.add_row(
            label, f"{count:,}", f"{seconds:.1f}", f"{rate:,.0f}", ratio, f"{peak:.0f}"
        )
    console.print(table)

    first, rerun = rows[2], rows[3]
    first_rate = first[1] / first[2]
    checks = [
        (
            "import rate >= 1/4 of bare COPY",
            first_rate >= copy_rate / 4,
            f"{first_rate / copy_rate:.2f} of COPY",
        ),
        (
            "peak memory < 300 MB",
            max(r[3] for r in rows) < 300,
            f"{max(r[3] for r in rows):.0f} MB",
        ),
        (
            "unchanged re-run >= 2x faster",
            first[2] / rerun[2] >= 2,
            f"{first[2] / rerun[2]:.2f}x",
        ),
    ]
    targets = Table(title="Targets")
    for col in ("target", "result", "measured"):
        targets.add_column(col)
    for name, ok, measured in checks:
        targets.add_row(
            name, "[green]met[/green]" if ok else "[red]missed[/red]", measured
        )
    console.print(targets)
    console.print(
        f"For scale: the first import runs at {first_rate / shaped_rate:.2f} of a bare COPY into a table "
        "with the invoice table's indexes, checks and same-biller key."
    )
    sys.exit(0 if all(ok for _n, ok, _m in checks) else 1)


if __name__ == "__main__":
    main()
