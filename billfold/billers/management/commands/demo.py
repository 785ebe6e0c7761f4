"""``billfold demo``: load the five demo billers and their billing records."""

import time
from typing import IO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from billfold.billers import demo, demo_data
from billfold.billers.selectors import biller_list_with_counts


class Command(BaseCommand):
    help = (
        "Create or update the five demo billers (one per product document) and "
        "import their generated billing records. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=demo_data.DEFAULT_CUSTOMERS,
            metavar="N",
            help="customers per biller (default %(default)s; thousands for benchmarks)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo_data.DEFAULT_SEED,
            metavar="S",
            help="random seed: same seed, same records (default %(default)s)",
        )
        parser.add_argument(
            "--biller",
            action="append",
            choices=[spec.slug for spec in demo_data.BILLERS],
            help="load only this biller (may be repeated)",
        )

    def handle(self, *args, scale, seed, biller, verbosity, **options):
        if not settings.BILLFOLD_DEMO:
            raise CommandError(
                "BILLFOLD_DEMO is off: demo billers and the demo admin login are only "
                "made on a demo installation."
            )
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        if not console.is_terminal:
            console.width = 100
        specs = [s for s in demo_data.BILLERS if not biller or s.slug in biller]
        started = time.monotonic()
        loads = []
        for spec in specs:
            name = spec.settings["name"]
            if not console.is_terminal:
                loads.append(demo.biller_load(spec, customers=scale, seed=seed))
                continue
            with console.status(name) as status:

                def progress(slug, record_type, status=status, name=name):
                    status.update(f"{name}: {record_type}")

                loads.append(
                    demo.biller_load(
                        spec, customers=scale, seed=seed, progress=progress
                    )
                )
        _user, created = demo.admin_ensure()
        elapsed = time.monotonic() - started
        if verbosity == 0:
            return
        table = Table(title=f"Demo billers ({scale:,} customers each, seed {seed})")
        table.add_column("Biller")
        table.add_column("Portal")
        table.add_column("Customers", justify="right")
        table.add_column("Contracts", justify="right")
        table.add_column("Invoices", justify="right")
        slugs = [load.biller.slug for load in loads]
        for row in biller_list_with_counts().filter(slug__in=slugs):
            table.add_row(
                row.name,
                f"/b/{row.slug}/",
                f"{row.customer_count:,}",
                f"{row.contract_count:,}",
                f"{row.invoice_count:,}",
            )
        console.print(table)
        for load in loads:
            if load.changed_settings:
                console.print(
                    f"{load.biller.name}: settings set ({', '.join(load.changed_settings)})"
                )
        console.print(f"Loaded in {elapsed:.1f} s.")
        console.print(
            f"Admin: user [bold]{demo.ADMIN_USERNAME}[/bold], password "
            f"[bold]{demo.admin_password()}[/bold]" + (" (created)" if created else "")
        )
