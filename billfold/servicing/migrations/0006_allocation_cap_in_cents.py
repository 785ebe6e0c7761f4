"""SQLite adds decimals as floating point (0.10 + 0.20 > 0.30): compare whole cents."""

from django.db import migrations

from billfold.core.db import RunVendorSQL

CHECK = (
    "SELECT RAISE(ABORT, 'billfold: a payment is allocated beyond its amount') WHERE "
    "(SELECT COALESCE(SUM(ROUND(amount * 100)), 0) FROM servicing_paymentallocation "
    "WHERE payment_id = {pid}) > (SELECT ROUND(amount * 100) FROM servicing_payment WHERE id = {pid});"
)
TRIGGERS = [
    ("bf_allocation_cap_ins", "AFTER INSERT ON servicing_paymentallocation", "NEW.payment_id"),
    ("bf_allocation_cap_upd", "AFTER UPDATE ON servicing_paymentallocation", "NEW.payment_id"),
    ("bf_allocation_cap_payment", "AFTER UPDATE OF amount ON servicing_payment", "NEW.id"),
]


class Migration(migrations.Migration):
    dependencies = [("servicing", "0005_lean_indexes")]

    operations = [
        RunVendorSQL(
            {
                "sqlite": (
                    [f"DROP TRIGGER IF EXISTS {name}" for name, _when, _pid in TRIGGERS]
                    + [
                        f"CREATE TRIGGER {name} {when} BEGIN {CHECK.format(pid=pid)} END"
                        for name, when, pid in TRIGGERS
                    ],
                    [],
                )
            },
            "Compare allocations with their payment in whole cents on SQLite",
        )
    ]
