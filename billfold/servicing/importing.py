"""Importing billing records pushed by the biller's servicing system.

One record type per file, JSON Lines or CSV (see docs/import-format.md). Rows
are upserted by their natural key per biller; rows equal to what is stored are
not written. A file is one transaction: a bad row stops it and nothing of it is
applied, unless ``skip_invalid`` is set, in which case the good rows are
applied and the bad ones go to ``rejects``. The file is streamed and written in
batches, so memory stays flat however long the file is. The CLI
(``billfold import``) and the API (``POST /api/v1/sync/<type>``) both call
``import_rows``.
"""

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billfold.audit.models import Outcome
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError
from billfold.servicing import models as sm
from billfold.servicing.importing_records import (
    SPECS,
    FieldInvalid,
    ParsedRow,
    RecordSpec,
)
from billfold.servicing.importing_sql import (
    Written,
    chunks,
    ids_by_key,
    writer_for,
)

RECORD_TYPES: tuple[str, ...] = tuple(SPECS)
BATCH_SIZE = 5000
# Errors and warnings kept in the result; the rejects file gets every one.
KEEP_MESSAGES = 1000
ACTION = "import.run"
# Numbers with a fraction become Decimal, never float.
_JSON = json.JSONDecoder(parse_float=Decimal)


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class ImportResult:
    record_type: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Addresses in email fields that are not valid email addresses: the row is
    # imported, the address is not indexed (enrollment cannot match it).
    invalid_emails: int = 0
    warnings: list[RowError] = field(default_factory=list)
    rejects_path: Path | None = None

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


class ImportRejected(BillfoldError):
    """A bad row stopped the file; nothing of it was applied."""

    def __init__(self, result: ImportResult, source: str = "") -> None:
        error = result.errors[0]
        self.result = result
        self.error = error
        self.source = source
        super().__init__(
            "import_rejected",
            _(
                "%(source)s line %(line)d, field %(field)s: %(reason)s. "
                "Nothing from this file was applied."
            )
            % {
                "source": source or result.record_type,
                "line": error.line,
                "field": error.field or "-",
                "reason": error.reason,
            },
            field=error.field,
        )


class UnreadableRow(dict):
    """Stands for a line that could not be read as a row (bad JSON, bad CSV)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class JsonLine:
    """One line of a JSON Lines file, not yet decoded.

    The import decodes it only when it has to check the row: a line equal to
    the one a stored record was imported from is recognised by its digest.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    @property
    def digest(self) -> bytes:
        return hashlib.blake2b(
            self.data.rstrip(b"\r\n"), digest_size=16, person=b"billfold-jsonl"
        ).digest()

    def decoded(self) -> dict:
        try:
            row = _JSON.decode(self.data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return UnreadableRow(_("is not valid JSON (%(error)s)") % {"error": exc})
        if not isinstance(row, dict):
            return UnreadableRow(_("is not a JSON object"))
        return row


def _as_row(raw: Any) -> Mapping[str, Any]:
    return raw.decoded() if raw.__class__ is JsonLine else raw


RejectWriter = Callable[[RowError, Mapping[str, Any]], None]


# -- reading files -----------------------------------------------------------


_TYPE_IN_NAME = re.compile(
    r"(?:^|[^a-z])("
    + "|".join(re.escape(t) for t in sorted(SPECS, key=len, reverse=True))
    + r")(?:[^a-z]|$)"
)


def infer_record_type(name: str) -> str | None:
    """The record type a file name speaks of: ``2026-11-invoices.csv`` → invoices."""
    stem = Path(name).name.lower()
    for suffix in (".jsonl", ".ndjson", ".csv"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    match = _TYPE_IN_NAME.search(stem.replace("_", "-"))
    return match.group(1) if match else None


def file_format(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    return None


def read_json_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, JsonLine]]:
    """Lines of a JSON Lines stream with their numbers; blank lines skipped."""
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        yield number, JsonLine(line)


def read_jsonl(lines: Iterable[bytes]) -> Iterator[tuple[int, dict]]:
    """Rows of a JSON Lines stream with their line numbers; blank lines skipped."""
    for number, line in read_json_lines(lines):
        yield number, line.decoded()


def _decoded(lines: Iterable[bytes]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        yield line.decode("utf-8", errors="replace")


def read_csv(lines: Iterable[bytes]) -> Iterator[tuple[int, dict]]:
    """Rows of a CSV stream (header row first) with the line each row starts on."""
    reader = csv.reader(_decoded(lines))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        yield 1, UnreadableRow(_("is not valid CSV (%(error)s)") % {"error": exc})
        return
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield (
                start,
                UnreadableRow(_("is not valid CSV (%(error)s)") % {"error": exc}),
            )
            start = reader.line_num + 1
            continue
        if values and any(v.strip() for v in values):
            row: dict[Any, Any] = dict(zip(header, values, strict=False))
            if len(values) > len(header):
                row[None] = values[len(header) :]
            yield start, row
        start = reader.line_num + 1


def read_rows(lines: Iterable[bytes], fmt: str) -> Iterator[tuple[int, Any]]:
    """Rows for ``import_rows``: JSON lines are decoded only when checked."""
    return read_json_lines(lines) if fmt == "jsonl" else read_csv(lines)


def estimate_rows(path: Path, sample_bytes: int = 65536) -> int:
    """Rows in a file estimated from the line length of its first bytes."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        sample = fh.read(sample_bytes)
    lines = sample.count(b"\n")
    if not sample or not lines:
        return 1 if sample else 0
    if len(sample) >= size:
        return lines
    return int(size / (len(sample) / lines))


# -- importing ---------------------------------------------------------------


class _Run:
    """State of one import run: the current batch, the caches, the counts."""

    def __init__(self, *, biller, spec: RecordSpec, skip_invalid, rejects, result):
        self.biller, self.spec = biller, spec
        self.skip_invalid, self.rejects, self.result = skip_invalid, rejects, result
        self.now = timezone.now()
        self.ref_ids: dict[str, int] = {}
        self.pending: tuple[int, Callable[[], list[Written]]] | None = None
        self.writer = writer_for(spec, biller)
        # Fingerprints are looked up while they keep matching, and tried again
        # every few batches (a first run finds none, and should not wait).
        self.batches = 0
        self.matched = False
        self.earlier: dict[str, int] = {}
        self._key_in_line = re.compile(
            rb'"' + spec.key_field.encode() + rb'"\s*:\s*"([^"\\]*)"'
        )

    def close(self) -> None:
        self.writer.close()

    # A bad row: stop the file, or note it and go on.
    def reject(self, line: int, field_name: str, reason: str, raw: Mapping[str, Any]):
        error = RowError(line, field_name, reason)
        result = self.result
        result.rejected += 1
        if len(result.errors) < KEEP_MESSAGES:
            result.errors.append(error)
        if not self.skip_invalid:
            raise _Stop
        if self.rejects is not None:
            self.rejects(error, raw)

    def parse(self, line: int, raw: Any) -> ParsedRow | None:
        digest = None
        if raw.__class__ is JsonLine:
            if self.spec.fast:
                digest = raw.digest
            raw = raw.decoded()
        if isinstance(raw, UnreadableRow):
            self.reject(line, "", raw.reason, raw)
            return None
        try:
            return self.spec.parse(line, raw, self.biller, digest)
        except FieldInvalid as exc:
            self.reject(line, exc.field, exc.reason, raw)
            return None

    def unchanged_keys(self, rows: list[tuple[int, Any]]) -> list[str | None]:
        """For each row, its key if it is the line its stored record came from.

        The key is read from the line without decoding it. A wrong reading
        cannot match: a stored digest is that of a line whose key is the one
        it is stored under, and the same bytes have the same key.
        """
        found: list[str | None] = [None] * len(rows)
        if not self.spec.fast:
            return found
        self.batches += 1
        if not self.matched and self.batches % 16 != 1:
            return found
        wanted: dict[int, tuple[str, bytes]] = {}
        search = self._key_in_line.search
        for i, (_line, raw) in enumerate(rows):
            if raw.__class__ is JsonLine:
                match = search(raw.data)
                if match:
                    try:
                        key = match.group(1).decode("utf-8")
                    except UnicodeDecodeError:
                        continue
                    wanted[i] = (key, raw.digest)
        if not wanted:
            return found
        self.finish_pending()
        stored, self.earlier = self.writer.stored_digests(
            sorted({k for k, _d in wanted.values()})
        )
        for i, (key, digest) in wanted.items():
            if stored.get(key) == digest:
                found[i] = key
        self.matched = any(found)
        return found

    def _check_unchanged(self, unchanged: list[tuple[str, int, Any]], check_only):
        """Refuse unchanged rows whose key an earlier batch had; count the others."""
        # Met in an earlier batch: looked up with the digests (unchanged_keys).
        earlier = self.earlier
        kept = []
        for key, line, raw in unchanged:
            first = earlier.get(key)
            if first is not None:
                self.reject(
                    line, self.spec.key_field, _duplicate(key, first), _as_row(raw)
                )
                continue
            kept.append((key, line))
        if kept and not check_only:
            self.writer.add_seen(kept)
            self.result.unchanged += len(kept)

    def flush(
        self,
        batch: list[ParsedRow],
        unchanged: list[tuple[str, int, Any]] | None = None,
        *,
        check_only: bool = False,
    ) -> None:
        """Check the batch against the database, then write it."""
        spec = self.spec
        self.finish_pending()
        if unchanged:
            self._check_unchanged(unchanged, check_only)
        batch = self._resolve_refs(batch)
        if not batch:
            return
        self.writer.stage(batch)
        batch = self._drop_duplicates(batch)
        allocations = None
        if spec.record_type == "payments":
            batch, allocations = self._check_allocations(batch)
        if not batch or check_only:
            return
        if not spec.email_source and allocations is None:
            # Nothing more to do for these rows: count them when the next
            # batch (or the end) needs the connection again.
            self.pending = (len(batch), self.writer.write_later(batch, self.now))
            return
        written = self.writer.write(batch, self.now)
        self._count(len(batch), written)
        if spec.email_source:
            self._reindex_emails(written)
        if allocations is not None:
            moved = self._replace_allocations(batch, written, allocations)
            self.result.unchanged -= moved

    def _count(self, size: int, written: list[Written]) -> None:
        inserted = sum(1 for w in written if w.inserted)
        self.result.inserted += inserted
        self.result.updated += len(written) - inserted
        self.result.unchanged += size - len(written)

    def finish_pending(self) -> None:
        """Wait for the batch being written, and count it."""
        if self.pending is not None:
            size, wait = self.pending
            self.pending = None
            self._count(size, wait())

    def abandon(self) -> None:
        """On failure: let the batch being written end before the rollback."""
        self.pending = None
        self.writer.shutdown()

    def _resolve_refs(self, batch: list[ParsedRow]) -> list[ParsedRow]:
        spec = self.spec
        if not spec.ref_field or spec.ref_model is None:
            return batch
        missing = sorted(
            {
                row.ref
                for row in batch
                if row.ref is not None and row.ref not in self.ref_ids
            }
        )
        self.ref_ids.update(ids_by_key(spec.ref_model, "number", self.biller, missing))
        kept = []
        for row in batch:
            ref_id = self.ref_ids.get(row.ref)  # type: ignore[arg-type]
            if ref_id is None:
                self.reject(
                    row.line,
                    spec.ref_field,
                    _("no %(record)s with number %(number)s")
                    % {
                        "record": spec.ref_model._meta.verbose_name,
                        "number": row.ref,
                    },
                    row.raw,
                )
                continue
            row.values[spec.ref_column or ""] = ref_id
            kept.append(row)
        return kept

    def _drop_duplicates(self, batch: list[ParsedRow]) -> list[ParsedRow]:
        earlier = self.writer.earlier()
        if not earlier:
            return batch
        kept = []
        for row in batch:
            first = earlier.get(row.key)
            if first is not None:
                self.reject(
                    row.line, self.spec.key_field, _duplicate(row.key, first), row.raw
                )
                continue
            earlier[row.key] = row.line
            kept.append(row)
        return kept

    def _check_allocations(self, batch):
        """Resolve allocated invoices; refuse allocations beyond a payment."""
        numbers = sorted(
            {a.invoice for row in batch if row.allocations for a in row.allocations}
        )
        invoice_ids: dict[str, int] = {}
        for part in chunks(numbers):
            invoice_ids.update(
                sm.Invoice.objects.filter(
                    biller=self.biller, number__in=part
                ).values_list("number", "id")
            )
        payment_ids: dict[str, int] = {}
        for part in chunks([row.key for row in batch]):
            payment_ids.update(
                sm.Payment.objects.filter(
                    biller=self.biller, reference__in=part
                ).values_list("reference", "id")
            )
        stored: dict[int, dict[int, Decimal]] = {}
        for part in chunks(list(payment_ids.values())):
            for pid, iid, amount in sm.PaymentAllocation.objects.filter(
                payment_id__in=part
            ).values_list("payment_id", "invoice_id", "amount"):
                stored.setdefault(pid, {})[iid] = amount
        kept, wanted = [], {}
        for row in batch:
            current = stored.get(payment_ids.get(row.key, 0), {})
            if row.allocations is None:
                allocated = sum(current.values(), Decimal("0.00"))
                if allocated > row.values["amount"]:
                    self.reject(
                        row.line,
                        "amount",
                        _("is less than the %(allocated)s already allocated")
                        % {"allocated": allocated},
                        row.raw,
                    )
                    continue
                kept.append(row)
                continue
            unknown = [
                a.invoice for a in row.allocations if a.invoice not in invoice_ids
            ]
            if unknown:
                self.reject(
                    row.line,
                    "allocations",
                    _("no invoice with number %(number)s") % {"number": unknown[0]},
                    row.raw,
                )
                continue
            desired = {invoice_ids[a.invoice]: a.amount for a in row.allocations}
            if desired != current:
                wanted[row.key] = desired
            kept.append(row)
        # Allocations go before their payments are written: a payment whose
        # amount shrinks must not meet its old allocations.
        old = [payment_ids[key] for key in wanted if key in payment_ids]
        for part in chunks(old):
            sm.PaymentAllocation.objects.filter(payment_id__in=part).delete()
        return kept, wanted

    def _replace_allocations(self, batch, written: list[Written], wanted) -> int:
        """Insert the new allocations; return how many payments changed only by them."""
        if not wanted:
            return 0
        ids = {w.row.key: w.id for w in written}
        missing = [key for key in wanted if key not in ids]
        for part in chunks(missing):
            ids.update(
                sm.Payment.objects.filter(
                    biller=self.biller, reference__in=part
                ).values_list("reference", "id")
            )
        sm.PaymentAllocation.objects.bulk_create(
            [
                sm.PaymentAllocation(
                    biller=self.biller,
                    payment_id=ids[key],
                    invoice_id=iid,
                    amount=amount,
                )
                for key, desired in wanted.items()
                for iid, amount in desired.items()
            ],
            batch_size=2000,
        )
        only_allocations = [ids[key] for key in missing]
        for part in chunks(only_allocations):
            sm.Payment.objects.filter(id__in=part).update(updated_at=self.now)
        self.result.updated += len(only_allocations)
        return len(only_allocations)

    def _reindex_emails(self, written: list[Written]) -> None:
        """Replace the email index rows of every record written."""
        spec, source = self.spec, self.spec.email_source
        assert source is not None
        ids = [w.id for w in written]
        owner: str = {
            sm.EmailSource.CUSTOMER.value: "customer_id",
            sm.EmailSource.CONTACT.value: "contact_id",
            sm.EmailSource.BILL_TO.value: "contract_id",
        }[source]
        for part in chunks(ids):
            sm.EmailIndex.objects.filter(
                biller=self.biller, source=source, **{f"{owner}__in": part}
            ).delete()
        entries = []
        for w in written:
            emails = w.row.emails
            assert emails is not None
            for address in emails.valid:
                entry = sm.EmailIndex(
                    biller=self.biller, address=address, source=source
                )
                if spec.record_type == "customers":
                    entry.customer_id = w.id
                elif spec.record_type == "contacts":
                    entry.customer_id = w.row.values["customer_id"]
                    entry.contact_id = w.id
                else:
                    entry.customer_id = w.row.values["customer_id"]
                    entry.contract_id = w.id
                entries.append(entry)
        sm.EmailIndex.objects.bulk_create(entries, batch_size=2000)

    def note_invalid_emails(self, row: ParsedRow) -> None:
        if row.emails is None or not row.emails.invalid:
            return
        result = self.result
        result.invalid_emails += len(row.emails.invalid)
        field_name = (
            "bill_to_email" if self.spec.email_field == "bill_to_email_raw" else "email"
        )
        for address in row.emails.invalid:
            if len(result.warnings) < KEEP_MESSAGES:
                result.warnings.append(
                    RowError(
                        row.line,
                        field_name,
                        _("%(address)s is not a valid email address; it is not indexed")
                        % {"address": address},
                    )
                )


class _Stop(Exception):
    """Internal: a bad row stops the file."""


def _duplicate(key: str, first: int) -> str:
    return _("%(key)s appears twice in this file (first on line %(line)d)") % {
        "key": key,
        "line": first,
    }


def _read_all(run: _Run, rows, progress) -> None:
    """Read the rows in batches, check and flush each one."""
    chunk: list[tuple[int, Any]] = []
    read = 0
    for item in rows:
        chunk.append(item)
        if len(chunk) >= BATCH_SIZE:
            read += len(chunk)
            _read_batch(run, chunk)
            chunk = []
            if progress is not None:
                progress(read)
    read += len(chunk)
    _read_batch(run, chunk)
    run.finish_pending()
    if progress is not None:
        progress(read)


def _read_batch(run: _Run, chunk: list[tuple[int, Any]]) -> None:
    spec = run.spec
    batch: list[ParsedRow] = []
    unchanged: list[tuple[str, int, Any]] = []
    keys: dict[str, int] = {}
    for (line, raw), key in zip(chunk, run.unchanged_keys(chunk), strict=True):
        try:
            if key is not None:
                # The very line the stored record came from: nothing to check
                # but that its key is not in the file twice.
                first = keys.get(key)
                if first is not None:
                    run.reject(
                        line, spec.key_field, _duplicate(key, first), _as_row(raw)
                    )
                    continue
                keys[key] = line
                unchanged.append((key, line, raw))
                continue
            parsed = run.parse(line, raw)
            if parsed is not None and parsed.key in keys:
                run.reject(
                    line,
                    spec.key_field,
                    _duplicate(parsed.key, keys[parsed.key]),
                    parsed.raw,
                )
                parsed = None
        except _Stop:
            # An earlier row of the batch may be the first bad one.
            run.flush(batch, unchanged, check_only=True)
            raise
        if parsed is None:
            continue
        if parsed.emails is not None:
            run.note_invalid_emails(parsed)
        keys[parsed.key] = parsed.line
        batch.append(parsed)
    run.flush(batch, unchanged)


def import_rows(
    *,
    biller,
    record_type: str,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    skip_invalid: bool = False,
    rejects: RejectWriter | None = None,
    actor_kind: str = "system",
    actor_id: str = "",
    source: str = "",
    progress: Callable[[int], None] | None = None,
    request=None,
) -> ImportResult:
    """Upsert rows ``(line number, fields)`` of one record type for ``biller``.

    All or nothing unless ``skip_invalid``: the first bad row raises
    ``ImportRejected`` and nothing is applied. With ``skip_invalid`` bad rows
    are counted, passed to ``rejects(error, row)`` and the good ones applied.
    ``progress(rows_read)`` is called after every batch. One ``import.run``
    activity event is recorded in the same transaction (or, for a rejected
    file, after the rollback, with outcome failure).
    """
    spec = SPECS.get(record_type)
    if spec is None:
        raise BillfoldError(
            "unknown_record_type",
            _("Unknown record type %(type)s; use one of: %(types)s.")
            % {"type": record_type, "types": ", ".join(RECORD_TYPES)},
        )
    result = ImportResult(record_type=record_type)
    details = {"record_type": record_type, "source": source}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The guards the database keeps deferred (same-biller keys,
                # allocation caps) are checked as each batch is written, inside
                # this file's transaction: while Python reads the next batch,
                # not all together at the end, and never at some outer commit.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            run = _Run(
                biller=biller,
                spec=spec,
                skip_invalid=skip_invalid,
                rejects=rejects,
                result=result,
            )
            try:
                _read_all(run, rows, progress)
            except BaseException:
                run.abandon()
                raise
            # On failure the rollback drops the temporary tables with the rest.
            run.close()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            event_record(
                biller=biller,
                actor_kind=actor_kind,
                actor_id=actor_id,
                action=ACTION,
                request=request,
                details={**details, **_counts(result)},
            )
    except _Stop:
        # Keep the first bad row of the file: a check of an earlier row may
        # have been completed after a later row was found bad.
        result.errors.sort(key=lambda e: e.line)
        del result.errors[1:]
        # Nothing was applied, whatever earlier batches had counted.
        result.inserted = result.updated = result.unchanged = 0
        result.rejected = 1
        event_record(
            biller=biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=ACTION,
            outcome=Outcome.FAILURE,
            request=request,
            details={
                **details,
                "inserted": 0,
                "updated": 0,
                "unchanged": 0,
                "rejected": result.rejected,
                "error": result.errors[0].as_dict(),
            },
        )
        raise ImportRejected(result, source) from None
    except DatabaseError:
        event_record(
            biller=biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=ACTION,
            outcome=Outcome.FAILURE,
            request=request,
            details={**details, "error": "database"},
        )
        raise
    return result


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
    }


class RejectsFile:
    """Writes rejected rows as JSON Lines, creating the file at the first one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh: IO[str] | None = None

    def __call__(self, error: RowError, raw: Mapping[str, Any]) -> None:
        if self.fh is None:
            self.fh = self.path.open("w", encoding="utf-8")
        row = (
            {}
            if isinstance(raw, UnreadableRow)
            else {str(k) if k is not None else "_extra": v for k, v in raw.items()}
        )
        record = {**error.as_dict(), "row": row}
        self.fh.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


def default_rejects_path(path: Path) -> Path:
    name = path.name
    for suffix in (".jsonl", ".ndjson", ".csv"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(f"{name}.rejects.jsonl")


def import_file(
    *,
    biller,
    path: Path,
    record_type: str | None = None,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    actor_kind: str = "system",
    actor_id: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one file; ``progress(bytes_read, total_bytes)`` follows the reading."""
    path = Path(path)
    fmt = file_format(path.name)
    if fmt is None:
        raise BillfoldError(
            "unknown_format",
            _("%(file)s: use a .jsonl, .ndjson or .csv file.") % {"file": path.name},
        )
    record_type = record_type or infer_record_type(path.name)
    if record_type is None:
        raise BillfoldError(
            "unknown_record_type",
            _("%(file)s: cannot tell the record type from the name; give --type.")
            % {"file": path.name},
        )
    rejects = None
    if skip_invalid:
        rejects = RejectsFile(rejects_path or default_rejects_path(path))
    total_bytes = path.stat().st_size
    with path.open("rb") as fh:
        report = None
        if progress is not None:

            def report(_rows: int) -> None:
                # Binary files may be asked where they are while being iterated.
                progress(fh.tell(), total_bytes)

        try:
            result = import_rows(
                biller=biller,
                record_type=record_type,
                rows=read_rows(fh, fmt),
                skip_invalid=skip_invalid,
                rejects=rejects,
                actor_kind=actor_kind,
                actor_id=actor_id,
                source=path.name,
                progress=report,
            )
        finally:
            if rejects is not None:
                rejects.close()
    if rejects is not None and rejects.fh is not None:
        result.rejects_path = rejects.path
    return result
