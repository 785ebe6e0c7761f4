"""Close the gaps the constraint tests found.

SQLite: a parent row (customer, contract, …) may not be deleted or moved to
another biller while rows name it. Both vendors: the email index's contact and
contract references are guarded like the others.
"""

from django.db import migrations

from billfold.core.db import SameBillerForeignKey, SameBillerParentGuard

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
NEW = [
    ("servicing_emailindex", "contact_id", "servicing_contact"),
    ("servicing_emailindex", "contract_id", "servicing_contract"),
]


class Migration(migrations.Migration):
    dependencies = [("servicing", "0003_contact_id_biller")]

    operations = [
        # 0003 rebuilt servicing_contact on SQLite, which dropped its triggers.
        SameBillerForeignKey(
            "servicing_contact", "customer_id", "servicing_customer", vendors=("sqlite",)
        ),
        *(SameBillerForeignKey(t, c, p) for t, c, p in NEW),
        *(SameBillerParentGuard(t, c, p) for t, c, p in GUARDED + NEW),
    ]
