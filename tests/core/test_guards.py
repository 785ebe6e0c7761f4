"""Every same-biller guard exists in the database (a rebuilt SQLite table loses them)."""

import pytest
from django.db import connection

GUARDED = [
    ("servicing_contact", "customer_id"),
    ("servicing_contract", "customer_id"),
    ("servicing_invoice", "contract_id"),
    ("servicing_payment", "contract_id"),
    ("servicing_credit", "contract_id"),
    ("servicing_servicevisit", "contract_id"),
    ("servicing_paymentallocation", "payment_id"),
    ("servicing_paymentallocation", "invoice_id"),
    ("servicing_emailindex", "customer_id"),
    ("servicing_emailindex", "contact_id"),
    ("servicing_emailindex", "contract_id"),
]


def _names(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_guarded_foreign_key_has_its_database_guard(flush_blocking_guards):
    if connection.vendor == "postgresql":
        found = _names("SELECT conname FROM pg_constraint WHERE conname LIKE 'bf_%%'")
        expected = {f"bf_{t}_{c}_same_biller"[:63] for t, c in GUARDED}
    else:
        found = _names("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        expected = {
            f"bf_{t}_{c}_same_biller"[:63] + suffix
            for t, c in GUARDED
            for suffix in ("_ins", "_upd")
        } | {
            f"bf_{t}_{c}_parent"[:63] + suffix
            for t, c in GUARDED
            for suffix in ("_upd", "_del")
        }
    assert expected - found == set()


@pytest.mark.django_db
def test_the_allocation_cap_triggers_exist():
    if connection.vendor == "postgresql":
        found = _names(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'bf_allocation%%'"
        )
        expected = {"bf_allocation_cap", "bf_allocation_cap_payment"}
    else:
        found = _names("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        expected = {
            "bf_allocation_cap_ins",
            "bf_allocation_cap_upd",
            "bf_allocation_cap_payment",
        }
    assert expected - found == set()
