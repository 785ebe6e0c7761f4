"""``billfold import --biller SLUG FILE...``: load billing records from files."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from billfold.billers.models import Biller
from billfold.core.errors import BillfoldError
from billfold.servicing.importing import (
    RECORD_TYPES,
    ImportRejected,
    estimate_rows,
    import_file,
)

# Files estimated to hold more rows than this get a progress bar.
PROGRESS_ROWS = 5000


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Import billing records (JSON Lines or CSV, one record type per file) "
        "for one biller. Each file is applied whole or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--biller", required=True, metavar="SLUG")
        parser.add_argument(
            "--type",
            choices=RECORD_TYPES,
            dest="record_type",
            help=gettext_lazy(
                "Record type of every file; by default taken from each file name."
            ),
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help=gettext_lazy(
                "Apply the good rows and write the bad ones to a rejects file."
            ),
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            metavar="PATH",
            help=gettext_lazy(
                "Rejects file (only with one FILE); default: <file>.rejects.jsonl."
            ),
        )

    def handle(self, *args, files, biller, record_type, skip_invalid, rejects, **opts):
        out = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        err = Console(file=self.stderr._out, highlight=False, soft_wrap=True)
        if rejects is not None and len(files) != 1:
            raise CommandError(_("--rejects can only be given with a single file."))
        try:
            biller_obj = Biller.objects.get(slug=biller)
        except Biller.DoesNotExist:
            raise CommandError(
                _("No biller with slug %(slug)s.") % {"slug": biller}
            ) from None
        actor_id = _operator()
        rows = []
        failed = 0
        for path in files:
            if not path.is_file():
                err.print(
                    _("%(file)s: no such file.") % {"file": path},
                    style="red",
                    markup=False,
                )
                rows.append((path.name, record_type or "?", None))
                failed += 1
                continue
            try:
                result = self._import_one(
                    err,
                    biller=biller_obj,
                    path=path,
                    record_type=record_type,
                    skip_invalid=skip_invalid,
                    rejects_path=rejects,
                    actor_id=actor_id,
                )
            except ImportRejected as exc:
                err.print(exc.message, style="red", markup=False)
                rows.append((path.name, exc.result.record_type, None))
                failed += 1
                continue
            except BillfoldError as exc:
                err.print(exc.message, style="red", markup=False)
                rows.append((path.name, record_type or "?", None))
                failed += 1
                continue
            rows.append((path.name, result.record_type, result))
            self._report_warnings(err, path, result)
        out.print(self._summary(rows))
        results = [r for _name, _type, r in rows if r is not None]
        if not failed and results and not any(r.changed for r in results):
            out.print(_("No changes."))
        if failed:
            raise CommandError(
                ngettext(
                    "%(count)d file was rejected; nothing from it was applied.",
                    "%(count)d files were rejected; nothing from them was applied.",
                    failed,
                )
                % {"count": failed}
            )

    def _import_one(self, err: Console, *, path: Path, **kwargs):
        if estimate_rows(path) <= PROGRESS_ROWS:
            return import_file(path=path, actor_kind="admin", **kwargs)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(path.name, total=path.stat().st_size)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return import_file(
                path=path, actor_kind="admin", progress=progress, **kwargs
            )

    def _report_warnings(self, err: Console, path: Path, result) -> None:
        if result.invalid_emails:
            err.print(
                ngettext(
                    "%(file)s: %(count)d email address is not valid and was not indexed.",
                    "%(file)s: %(count)d email addresses are not valid and were not indexed.",
                    result.invalid_emails,
                )
                % {"file": path.name, "count": result.invalid_emails},
                style="yellow",
                markup=False,
            )
            for warning in result.warnings[:5]:
                err.print(
                    _("  line %(line)d, field %(field)s: %(reason)s")
                    % {
                        "line": warning.line,
                        "field": warning.field,
                        "reason": warning.reason,
                    },
                    markup=False,
                )
        if result.rejected:
            err.print(
                ngettext(
                    "%(file)s: %(count)d row rejected, written to %(rejects)s.",
                    "%(file)s: %(count)d rows rejected, written to %(rejects)s.",
                    result.rejected,
                )
                % {
                    "file": path.name,
                    "count": result.rejected,
                    "rejects": result.rejects_path,
                },
                style="yellow",
                markup=False,
            )

    def _summary(self, rows) -> Table:
        table = Table(title=_("Import summary"))
        table.add_column(pgettext("import summary", "file"))
        table.add_column(pgettext("import summary", "type"))
        for heading in (
            pgettext("import summary", "inserted"),
            pgettext("import summary", "updated"),
            pgettext("import summary", "unchanged"),
            pgettext("import summary", "rejected"),
        ):
            table.add_column(heading, justify="right")
        for name, record_type, result in rows:
            if result is None:
                table.add_row(name, record_type, "—", "—", "—", _("file rejected"))
                continue
            table.add_row(
                name,
                record_type,
                f"{result.inserted:,}",
                f"{result.updated:,}",
                f"{result.unchanged:,}",
                f"{result.rejected:,}",
            )
        return table
