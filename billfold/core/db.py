"""Database guards that Django's ORM cannot declare on its own.

Beware: on SQLite, a migration that makes Django rebuild a table (most
AlterField / AddConstraint operations) drops that table's triggers. Re-create
them in the same migration; ``tests/core/test_guards.py`` counts them.

``SameBillerForeignKey`` makes the database refuse a row whose foreign key
points at a row of another biller: a composite foreign key on PostgreSQL (no
extra cost over the plain one it replaces), a trigger on SQLite.
``RunVendorSQL`` runs the statements meant for the connection's vendor.
"""

from django.db import migrations


def _same_biller_sql(
    vendor: str, table: str, column: str, parent: str
) -> tuple[list[str], list[str]]:
    name = f"bf_{table}_{column}_same_biller"[:63]
    if vendor == "postgresql":
        return (
            [
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}, biller_id) "
                f"REFERENCES {parent} (id, biller_id) DEFERRABLE INITIALLY DEFERRED"
            ],
            [f"ALTER TABLE {table} DROP CONSTRAINT {name}"],
        )
    if vendor == "sqlite":
        check = (
            f"SELECT RAISE(ABORT, 'billfold: {table}.{column} must name a row of the same biller') "  # noqa: S608 (names from migrations)
            f"WHERE NEW.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} WHERE id = NEW.{column} AND biller_id = NEW.biller_id);"
        )
        return (
            [
                f"CREATE TRIGGER {name}_ins BEFORE INSERT ON {table} BEGIN {check} END",
                f"CREATE TRIGGER {name}_upd BEFORE UPDATE OF {column}, biller_id ON {table} "
                f"BEGIN {check} END",
            ],
            [f"DROP TRIGGER {name}_ins", f"DROP TRIGGER {name}_upd"],
        )
    return [], []


def _parent_guard_sql(
    vendor: str, table: str, column: str, parent: str
) -> tuple[list[str], list[str]]:
    """SQLite only: refuse deleting or re-homing a parent row that children name.

    PostgreSQL's composite foreign key already covers both directions.
    """
    if vendor != "sqlite":
        return [], []
    name = f"bf_{table}_{column}_parent"[:63]
    refuse = (
        f"SELECT RAISE(ABORT, 'billfold: {table}.{column} must name a row of the same biller') "  # noqa: S608 (names from migrations)
        f"WHERE EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id);"
    )
    return (
        [
            f"CREATE TRIGGER {name}_upd BEFORE UPDATE OF id, biller_id ON {parent} "
            f"WHEN NEW.id IS NOT OLD.id OR NEW.biller_id IS NOT OLD.biller_id BEGIN {refuse} END",
            f"CREATE TRIGGER {name}_del BEFORE DELETE ON {parent} BEGIN {refuse} END",
        ],
        [f"DROP TRIGGER {name}_upd", f"DROP TRIGGER {name}_del"],
    )


class _VendorOperation(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def sql(self, vendor: str) -> tuple[list[str], list[str]]:
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.sql(schema_editor.connection.vendor)[0]:
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.sql(schema_editor.connection.vendor)[1]:
            schema_editor.execute(statement)


class SameBillerForeignKey(_VendorOperation):
    """Guard ``table.column → parent`` (``vendors`` limits it, e.g. to re-create
    SQLite triggers lost when a migration rebuilt the table)."""

    def __init__(
        self, table: str, column: str, parent: str, vendors: tuple[str, ...] = ()
    ) -> None:
        self.table, self.column, self.parent, self.vendors = (
            table,
            column,
            parent,
            vendors,
        )

    def deconstruct(self):
        kwargs = {"vendors": self.vendors} if self.vendors else {}
        return (self.__class__.__name__, [self.table, self.column, self.parent], kwargs)

    def sql(self, vendor):
        if self.vendors and vendor not in self.vendors:
            return [], []
        return _same_biller_sql(vendor, self.table, self.column, self.parent)

    def describe(self):
        return f"Refuse {self.table}.{self.column} rows of another biller"


class SameBillerParentGuard(SameBillerForeignKey):
    def sql(self, vendor):
        if self.vendors and vendor not in self.vendors:
            return [], []
        return _parent_guard_sql(vendor, self.table, self.column, self.parent)

    def describe(self):
        return f"Refuse deleting or moving {self.parent} rows named by {self.table}.{self.column}"


class RunVendorSQL(_VendorOperation):
    """Run ``{vendor: (forward_statements, backward_statements)}``."""

    def __init__(
        self, statements: dict[str, tuple[list[str], list[str]]], description: str
    ) -> None:
        self.statements, self.description = statements, description

    def deconstruct(self):
        return (self.__class__.__name__, [self.statements, self.description], {})

    def sql(self, vendor):
        return self.statements.get(vendor, ([], []))

    def describe(self):
        return self.description
