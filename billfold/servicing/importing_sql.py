"""Writing checked batches of import rows: PostgreSQL fast path and portable path.

Both writers take a batch of ``ParsedRow`` whose references are resolved and
return the rows that were inserted or updated; rows equal to what is stored are
not written at all (their ``updated_at`` stays).

PostgreSQL: the batch is ``COPY``-ed into a temporary staging table, then one
``INSERT ... SELECT`` that skips unchanged rows with an anti-join and upserts
the rest with ``ON CONFLICT (biller_id, key) DO UPDATE``. ``RETURNING (xmax =
0)`` tells an inserted row from an updated one. Other databases (SQLite): the
stored rows of the batch are read, compared in Python, then inserted with
``bulk_create`` and updated with ``bulk_update``.
"""

# Table and column names in the SQL below come from model metadata, never from
# the imported data; every value is a bound parameter or goes through COPY.
# ruff: noqa: S608

import json
import operator
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from django.db import connection

from billfold.servicing.importing_records import ParsedRow, RecordSpec

CHUNK = 500  # parameters per IN (...) on databases without arrays


class Written(NamedTuple):
    id: int
    inserted: bool
    row: ParsedRow


def chunks(items: Sequence[Any], size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def digests_by_key(spec: RecordSpec, biller, keys: list[str]) -> dict[str, bytes]:
    """``{key: import_digest}`` of the biller's rows of ``keys`` that have one."""
    found: dict[str, bytes] = {}
    if not keys:
        return found
    table, column = spec.model._meta.db_table, spec.key_column
    with connection.cursor() as cursor:
        for part in chunks(keys):
            marks = ",".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT {column}, import_digest FROM {table} WHERE biller_id = %s "
                f"AND {column} IN ({marks}) AND import_digest IS NOT NULL",
                [biller.pk, *part],
            )
            found.update((k, bytes(d)) for k, d in cursor.fetchall())
    return found


def ids_by_key(model, column: str, biller, keys: list[str]) -> dict[str, int]:
    """``{key: id}`` of the biller's rows whose ``column`` is one of ``keys``."""
    found: dict[str, int] = {}
    if not keys:
        return found
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {column}, id FROM {table} WHERE biller_id = %s AND {column} = ANY(%s)",
                [biller.pk, keys],
            )
            found.update(cursor.fetchall())
        else:
            for part in chunks(keys):
                marks = ",".join(["%s"] * len(part))
                cursor.execute(
                    f"SELECT {column}, id FROM {table} WHERE biller_id = %s AND {column} IN ({marks})",
                    [biller.pk, *part],
                )
                found.update(cursor.fetchall())
    return found


class SeenKeys:
    """Keys already met in this file, kept in a temporary table (flat memory)."""

    table = "bf_import_seen"

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} (k text PRIMARY KEY, line integer)"
            )

    def earlier(self, keys: list[str]) -> dict[str, int]:
        """The keys of ``keys`` met before, with the line they were first met on."""
        found: dict[str, int] = {}
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    f"SELECT k, line FROM {self.table} WHERE k = ANY(%s)", [keys]
                )
                found.update(cursor.fetchall())
            else:
                for part in chunks(keys):
                    marks = ",".join(["%s"] * len(part))
                    cursor.execute(
                        f"SELECT k, line FROM {self.table} WHERE k IN ({marks})", part
                    )
                    found.update(cursor.fetchall())
        return found

    def add(self, rows: list[tuple[str, int]]) -> None:
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(
                    f"COPY {self.table} (k, line) FROM STDIN"
                ) as cp:
                    for row in rows:
                        cp.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} (k, line) VALUES (%s, %s)", rows
                )

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


class OrmWriter:
    """Read the stored rows of the batch, compare in Python, write the changes."""

    def __init__(self, spec: RecordSpec, biller) -> None:
        self.spec, self.biller = spec, biller
        self.seen = SeenKeys()
        self.staged: list[ParsedRow] = []

    def stage(self, rows: list[ParsedRow]) -> None:
        self.staged = rows

    def earlier(self) -> dict[str, int]:
        """Keys of the staged rows met in an earlier batch, with that line."""
        return self.seen.earlier([row.key for row in self.staged])

    def stored_digests(self, keys: list[str]):
        """``({key: import_digest}, {key: line met before in this file})``."""
        return digests_by_key(self.spec, self.biller, keys), self.seen.earlier(keys)

    def write(self, rows: list[ParsedRow], now) -> list[Written]:
        written = self._write(rows, now)
        self.seen.add([(row.key, row.line) for row in rows])
        return written

    def write_later(self, rows: list[ParsedRow], now) -> Callable[[], list[Written]]:
        written = self.write(rows, now)
        return lambda: written

    def shutdown(self) -> None:
        pass

    def _write(self, rows: list[ParsedRow], now) -> list[Written]:
        spec, model = self.spec, self.spec.model
        stored: dict[str, dict[str, Any]] = {}
        keys = [row.key for row in rows]
        digest = ("import_digest",) if spec.fast else ()
        for part in chunks(keys):
            for values in model._default_manager.filter(
                biller=self.biller, **{f"{spec.key_column}__in": part}
            ).values("id", spec.key_column, *spec.columns, *digest):
                stored[values[spec.key_column]] = values
        new, changed, fingerprinted = [], [], []
        for row in rows:
            current = stored.get(row.key)
            if current is None:
                new.append(row)
            elif any(current[c] != row.values[c] for c in spec.columns):
                changed.append((current["id"], row))
            elif row.digest is not None and row.digest != _bytes(
                current["import_digest"]
            ):
                # Equal to what is stored: not written, only its fingerprint.
                fingerprinted.append((current["id"], row.digest))
        if fingerprinted:
            model._default_manager.bulk_update(
                [model(id=pk, import_digest=d) for pk, d in fingerprinted],
                ["import_digest"],
                batch_size=CHUNK,
            )
        written: list[Written] = []
        if new:
            objs = model._default_manager.bulk_create(
                [
                    model(
                        biller=self.biller,
                        created_at=now,
                        updated_at=now,
                        **{spec.key_column: row.key},
                        **row.values,
                        **({"import_digest": row.digest} if spec.fast else {}),
                    )
                    for row in new
                ],
                batch_size=CHUNK,
            )
            written += [
                Written(obj.pk, True, row) for obj, row in zip(objs, new, strict=True)
            ]
        if changed:
            objs = [
                model(
                    id=pk,
                    biller=self.biller,
                    updated_at=now,
                    **row.values,
                    **({"import_digest": row.digest} if spec.fast else {}),
                )
                for pk, row in changed
            ]
            model._default_manager.bulk_update(
                objs, [*spec.columns, *digest, "updated_at"], batch_size=CHUNK
            )
            written += [Written(pk, False, row) for pk, row in changed]
        return written

    def add_seen(self, rows: list[tuple[str, int]]) -> None:
        self.seen.add(rows)

    def close(self) -> None:
        self.seen.close()


class PostgresWriter:
    """COPY into a staging table, then one INSERT ... ON CONFLICT per batch."""

    def __init__(self, spec: RecordSpec, biller) -> None:
        self.spec, self.biller = spec, biller
        model = spec.model
        self.table = model._meta.db_table
        self.stage_table = "bf_import_stage"
        self.seen = SeenKeys.table
        self.fast = spec.fast
        self.pool: ThreadPoolExecutor | None = None
        self.columns = [spec.key_column, *spec.columns]
        fields = _by_column(model)
        self.json_columns = {
            c for c in spec.columns if fields[c].get_internal_type() == "JSONField"
        }
        definitions = ", ".join(
            [
                "line integer",
                *(f"{c} {fields[c].db_type(connection)}" for c in self.columns),
            ]
        )
        # Fields the import does not carry get their model default on insert
        # (Django declares no database defaults).
        handled = {"id", "biller_id", "created_at", "updated_at", *self.columns}
        if self.fast:
            handled.add("import_digest")
            definitions += ", import_digest bytea"
        digest_col = ", import_digest" if self.fast else ""
        changed = (
            f"({_prefixed(spec.columns, 't.')}) IS DISTINCT FROM "
            f"({_prefixed(spec.columns, 'EXCLUDED.')})"
        )
        self.defaults = {
            c: f.get_default() for c, f in fields.items() if c not in handled
        }
        quoted = ", ".join([*self.columns, *self.defaults]) + digest_col
        self.upsert = (
            f"INSERT INTO {self.table} AS t (biller_id, {quoted}, created_at, updated_at) "
            f"SELECT %(biller)s, {', '.join(['s.' + c for c in self.columns] + [f'%({c})s' for c in self.defaults])}"
            + (", s.import_digest" if self.fast else "")
            + ", %(now)s, %(now)s "
            f"FROM {self.stage_table} s LEFT JOIN LATERAL (SELECT * FROM {self.table} x "
            f"WHERE x.biller_id = %(biller)s AND x.{spec.key_column} = s.{spec.key_column} "
            "LIMIT 1) o ON true "
            f"WHERE o.id IS NULL OR ({', '.join('o.' + c for c in spec.columns)}) "
            f"IS DISTINCT FROM ({', '.join('s.' + c for c in spec.columns)}) "
            + (
                "OR (s.import_digest IS NOT NULL "
                "AND s.import_digest IS DISTINCT FROM o.import_digest) "
                if self.fast
                else ""
            )
            + f"ON CONFLICT (biller_id, {spec.key_column}) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in spec.columns)
            + (
                # A row equal to the stored one only takes the new fingerprint:
                # its updated_at stays, and it is not counted as updated.
                ", import_digest = EXCLUDED.import_digest, updated_at = CASE WHEN "
                f"{changed} THEN EXCLUDED.updated_at ELSE t.updated_at END "
                f"WHERE {changed} OR (EXCLUDED.import_digest IS NOT NULL AND "
                "EXCLUDED.import_digest IS DISTINCT FROM t.import_digest) "
                if self.fast
                else f", updated_at = EXCLUDED.updated_at WHERE {changed} "
            )
            + f"RETURNING t.id, t.{spec.key_column}, (t.xmax = 0), "
            "(t.updated_at = %(now)s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage_table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.stage_table} ({definitions})")
            cursor.execute(f"DROP TABLE IF EXISTS {self.seen}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.seen} (k text PRIMARY KEY, line integer)"
            )
            # Compiling these short statements costs more than running them.
            cursor.execute("SET LOCAL jit = off")

    def stage(self, rows: list[ParsedRow]) -> None:
        columns = self.spec.columns
        pick = operator.itemgetter(*columns)
        json_at = [i for i, c in enumerate(columns) if c in self.json_columns]
        self.staged = len(rows)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.stage_table}")
            copy = (
                f"COPY {self.stage_table} (line, {', '.join(self.columns)}"
                + (", import_digest" if self.fast else "")
                + ") FROM STDIN"
            )
            with cursor.cursor.copy(copy) as cp:
                write = cp.write_row
                for row in rows:
                    values = pick(row.values)
                    if json_at:
                        values = list(values)
                        for i in json_at:
                            values[i] = _json(values[i])
                    if self.fast:
                        write((row.line, row.key, *values, row.digest))
                    else:
                        write((row.line, row.key, *values))

    def earlier(self) -> dict[str, int]:
        key = self.spec.key_column
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT k, first FROM (SELECT s.{key} AS k, (SELECT seen.line FROM "
                f"{self.seen} seen WHERE seen.k = s.{key}) AS first "
                f"FROM {self.stage_table} s) found WHERE first IS NOT NULL"
            )
            return dict(cursor.fetchall())

    def write(self, rows: list[ParsedRow], now) -> list[Written]:
        """Upsert the staged rows that are in ``rows`` (the others were refused)."""
        return self.write_later(rows, now)()

    def write_later(self, rows: list[ParsedRow], now) -> Callable[[], list[Written]]:
        """Start the upsert in a helper thread; the returned function waits for it.

        PostgreSQL works on one batch while Python reads and checks the next:
        the helper thread spends its time waiting on the server, with the GIL
        released. The caller must wait before its next use of the connection.
        """
        if len(rows) != self.staged:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {self.stage_table} WHERE NOT (line = ANY(%s))",
                    [[row.line for row in rows]],
                )
        params = {"biller": self.biller.pk, "now": now, **self.defaults}
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import")
        future = self.pool.submit(self._upsert, connection.connection, rows, params)
        return future.result

    def _upsert(self, raw, rows: list[ParsedRow], params) -> list[Written]:
        by_key = {row.key: row for row in rows}
        with raw.cursor() as cursor:
            cursor.execute(self.upsert, params)
            written = [
                Written(pk, inserted, by_key[key])
                for pk, key, inserted, changed in cursor.fetchall()
                if changed
            ]
            cursor.execute(
                f"INSERT INTO {self.seen} (k, line) "
                f"SELECT {self.spec.key_column}, line FROM {self.stage_table}"
            )
        return written

    def stored_digests(self, keys: list[str]):
        """``({key: import_digest}, {key: line met before in this file})``.

        One index probe per key (see the upsert): with ``= ANY(...)`` the
        planner read all of the biller's rows for every batch.
        """
        digests: dict[str, bytes] = {}
        earlier: dict[str, int] = {}
        if not keys:
            return digests, earlier
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT u.k, o.d, (SELECT seen.line FROM {self.seen} seen "
                "WHERE seen.k = u.k) FROM unnest(string_to_array(%s, E'\\n')) u(k) "
                f"LEFT JOIN LATERAL (SELECT x.import_digest AS d FROM {self.table} x "
                f"WHERE x.biller_id = %s AND x.{self.spec.key_column} = u.k LIMIT 1) "
                "o ON true",
                ["\n".join(keys), self.biller.pk],
            )
            for key, digest, line in cursor.fetchall():
                if digest is not None:
                    digests[key] = bytes(digest)
                if line is not None:
                    earlier[key] = line
        return digests, earlier

    def add_seen(self, rows: list[tuple[str, int]]) -> None:
        copy = f"COPY {self.seen} (k, line) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy) as cp:
            for row in rows:
                cp.write_row(row)

    def shutdown(self) -> None:
        """Wait for the helper thread, if any, and stop it."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    def close(self) -> None:
        self.shutdown()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.seen}")
            cursor.execute("RESET jit")


def _prefixed(columns: Sequence[str], prefix: str) -> str:
    return ", ".join(prefix + c for c in columns)


def _bytes(value) -> bytes | None:
    return None if value is None else bytes(value)


def _json(value: Any) -> str:
    return json.dumps(value) if value else "[]" if isinstance(value, list) else "{}"


def _by_column(model) -> dict:
    return {f.column: f for f in model._meta.concrete_fields}


def writer_for(spec: RecordSpec, biller):
    if connection.vendor == "postgresql":
        return PostgresWriter(spec, biller)
    return OrmWriter(spec, biller)
