"""What must never happen, refused by the database itself."""

from django.db import migrations

from billfold.core.db import RunVendorSQL, SameBillerForeignKey

GUARDED = [
    ("servicing_contact", "customer_id", "servicing_customer"),
    ("servicing_contract", "customer_id", "servicing_customer"),
    ("servicing_invoice", "contract_id", "servicing_contract"),
    ("servicing_payment", "contract_id", "servicing_contract"),
    ("servicing_credit", "contract_id", "servicing_contract"),
    ("servicing_servicevisit", "contract_id", "servicing_contract"),
    ("servicing_paymentallocation", "payment_id", "servicing_payment"),
    ("servicing_paymentallocation", "invoice_id", "servicing_invoice"),
    ("servicing_emailindex", "customer_id", "servicing_customer"),
]

ALLOC_PG = """
CREATE FUNCTION bf_allocation_within_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE pid bigint;
BEGIN
  IF TG_TABLE_NAME = 'servicing_payment' THEN pid := NEW.id; ELSE pid := NEW.payment_id; END IF;
  IF (SELECT COALESCE(SUM(amount), 0) FROM servicing_paymentallocation WHERE payment_id = pid)
     > (SELECT amount FROM servicing_payment WHERE id = pid) THEN
    RAISE EXCEPTION USING ERRCODE = '23514',
      MESSAGE = 'billfold: payment ' || pid || ' is allocated beyond its amount';
  END IF;
  RETURN NULL;
END $$;
"""

ALLOC_SQLITE_CHECK = (
    "SELECT RAISE(ABORT, 'billfold: a payment is allocated beyond its amount') WHERE "
    "(SELECT COALESCE(SUM(amount), 0) FROM servicing_paymentallocation WHERE payment_id = {pid}) "
    "> (SELECT amount FROM servicing_payment WHERE id = {pid});"
)


class Migration(migrations.Migration):
    dependencies = [("servicing", "0001_initial")]

    operations = [
        *(SameBillerForeignKey(t, c, p) for t, c, p in GUARDED),
        RunVendorSQL(
            {
                "postgresql": (
                    [
                        ALLOC_PG,
                        "CREATE CONSTRAINT TRIGGER bf_allocation_cap AFTER INSERT OR UPDATE "
                        "ON servicing_paymentallocation DEFERRABLE INITIALLY DEFERRED "
                        "FOR EACH ROW EXECUTE FUNCTION bf_allocation_within_payment()",
                        "CREATE CONSTRAINT TRIGGER bf_allocation_cap_payment AFTER UPDATE OF amount "
                        "ON servicing_payment DEFERRABLE INITIALLY DEFERRED "
                        "FOR EACH ROW EXECUTE FUNCTION bf_allocation_within_payment()",
                    ],
                    [
                        "DROP TRIGGER bf_allocation_cap_payment ON servicing_payment",
                        "DROP TRIGGER bf_allocation_cap ON servicing_paymentallocation",
                        "DROP FUNCTION bf_allocation_within_payment()",
                    ],
                ),
                "sqlite": (
                    [
                        "CREATE TRIGGER bf_allocation_cap_ins AFTER INSERT ON servicing_paymentallocation "
                        "BEGIN " + ALLOC_SQLITE_CHECK.format(pid="NEW.payment_id") + " END",
                        "CREATE TRIGGER bf_allocation_cap_upd AFTER UPDATE ON servicing_paymentallocation "
                        "BEGIN " + ALLOC_SQLITE_CHECK.format(pid="NEW.payment_id") + " END",
                        "CREATE TRIGGER bf_allocation_cap_payment AFTER UPDATE OF amount ON servicing_payment "
                        "BEGIN " + ALLOC_SQLITE_CHECK.format(pid="NEW.id") + " END",
                    ],
                    [
                        "DROP TRIGGER bf_allocation_cap_ins",
                        "DROP TRIGGER bf_allocation_cap_upd",
                        "DROP TRIGGER bf_allocation_cap_payment",
                    ],
                ),
            },
            "Refuse allocations that exceed their payment",
        ),
    ]
