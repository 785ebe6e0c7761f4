"""Database guards that Django's ORM cannot declare on its own.

``SameBillerForeignKey`` makes the database refuse a row whose foreign key
points at a row of another biller: a composite foreign key on PostgreSQL (no
extra cost over the plain one it replaces), a trigger on SQLite.
``RunVendorSQL`` runs the statements meant for the connection's vendor.
"""

from django.db import migrations


def _same_biller_sql(vendor: str, table: str, column: str, parent: str) -> tuple[list[str], list[str]]:
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
            f"SELECT RAISE(ABORT, 'billfold: {table}.{column} must name a row of the same biller') "
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
    def __init__(self, table: str, column: str, parent: str) -> None:
        self.table, self.column, self.parent = table, column, parent

    def deconstruct(self):
        return (self.__class__.__name__, [self.table, self.column, self.parent], {})

    def sql(self, vendor):
        return _same_biller_sql(vendor, self.table, self.column, self.parent)

    def describe(self):
        return f"Refuse {self.table}.{self.column} rows of another biller"


class RunVendorSQL(_VendorOperation):
    """Run ``{vendor: (forward_statements, backward_statements)}``."""

    def __init__(self, statements: dict[str, tuple[list[str], list[str]]], description: str) -> None:
        self.statements, self.description = statements, description

    def deconstruct(self):
        return (self.__class__.__name__, [self.statements, self.description], {})

    def sql(self, vendor):
        return self.statements.get(vendor, ([], []))

    def describe(self):
        return self.description
