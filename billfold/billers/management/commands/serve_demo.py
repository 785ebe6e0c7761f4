"""``billfold serve_demo``: the task worker and the web server, together."""

import os
import signal
import subprocess
import sys
import time
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from rich.console import Console
from rich.table import Table

from billfold.billers import demo
from billfold.billers.demo_logins import demo_logins, enrollment_hints
from billfold.billers.models import Biller

STOP_GRACE_SECONDS = 10


def default_port() -> int:
    return int(os.environ.get("PORT") or 8000)


class Command(BaseCommand):
    help = (
        "Serve the demo on 127.0.0.1 with a task worker beside it; Ctrl-C stops both."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=None, help="port (default: $PORT or 8000)"
        )

    def handle(self, *args, port, **options):
        port = port or default_port()
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        base = f"http://127.0.0.1:{port}"
        self._print_banner(base)
        python = sys.executable
        children = [
            ("worker", [python, "-m", "billfold.cli", "db_worker"]),
            (
                "web",
                [
                    python,
                    "-m",
                    "billfold.cli",
                    "runserver",
                    "--noreload",
                    f"127.0.0.1:{port}",
                ],
            ),
        ]
        processes: list[tuple[str, subprocess.Popen]] = []
        # Started from a script, SIGINT may arrive ignored; Ctrl-C must work, and
        # the children inherit the default disposition from here.
        previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
        previous_term = signal.signal(signal.SIGTERM, _terminate)
        forward: int | None = None
        try:
            for name, argv in children:
                processes.append((name, subprocess.Popen(argv)))  # noqa: S603
            name, code = _wait_for_first_exit(processes)
            self.stderr.write(f"The {name} process stopped (exit code {code}).")
            forward = signal.SIGTERM
            raise SystemExit(code or 1)
        except KeyboardInterrupt:
            # Ctrl-C in a terminal reaches the children too; SIGTERM does not.
            forward = None
            self.stdout.write("\nStopping…")
        except _Terminated:
            forward = signal.SIGTERM
            self.stdout.write("\nStopping…")
        finally:
            _stop(processes, forward)
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)
        self.stdout.write("Stopped.")

    def _print_banner(self, base: str) -> None:
        console = Console(
            file=cast(IO[str], self.stdout), highlight=False, soft_wrap=True
        )
        console.print(f"\n[bold]Billfold demo[/bold] — {base}/")
        console.print(
            f"(Passkeys need a name, not an address: use {base.replace('127.0.0.1', 'localhost')}/ to try them.)\n"
        )
        table = Table(show_header=True, box=None, pad_edge=False)
        table.add_column("Biller")
        table.add_column("Portal")
        billers = list(Biller.objects.order_by("name"))
        for biller in billers:
            url = base + reverse("accounts:home", args=[biller.slug])
            table.add_row(biller.name, url)
        if billers:
            console.print(table)
        else:
            console.print("No billers yet: run [bold]billfold demo[/bold] first.")
        console.print(
            f"\nAdmin: {base}{reverse('admin:index')}  user [bold]{demo.ADMIN_USERNAME}"
            f"[/bold]  password [bold]{demo.admin_password()}[/bold]"
        )
        logins = demo_logins(base_url=base)
        if logins:
            console.print("\nReady-made sign-ins:")
            for label, text in logins:
                console.print(f"  {label}: {text}")
        hints = enrollment_hints()
        if hints:
            console.print("\nTo try enrollment:")
            for label, text in hints:
                console.print(f"  {label}: {text}")
        console.print("\nPress Ctrl-C to stop the web server and the worker.\n")


class _Terminated(Exception):
    """SIGTERM arrived."""


def _terminate(signum, frame):
    raise _Terminated


def _wait_for_first_exit(processes) -> tuple[str, int]:
    while True:
        for name, process in processes:
            code = process.poll()
            if code is not None:
                return name, code
        time.sleep(0.2)


def _stop(processes, forward: int | None) -> None:
    """Let each child stop (after ``forward``, if given), then make sure."""
    if forward is not None:
        for _name, process in processes:
            if process.poll() is None:
                process.send_signal(forward)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for _name, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
