"""Close the gaps the constraint tests found.

SQLite: a parent row (customer, contract, …) may not be deleted or moved to
another biller while rows name it. Both vendors: the email index's contact and
contract references are guarded like the others.
"""

import importlib

from django.db import migrations

from billfold.core.db import SameBillerForeignKey, SameBillerParentGuard

# The pairs 0002 guarded on the child side.
GUARDED = importlib.import_module(
    "billfold.servicing.migrations.0002_database_guards"
).GUARDED
NEW = [
    ("servicing_emailindex", "contact_id", "servicing_contact"),
    ("servicing_emailindex", "contract_id", "servicing_contract"),
]


class Migration(migrations.Migration):
    dependencies = [("servicing", "0003_contact_id_biller")]

    operations = [
        # 0003 rebuilt servicing_contact on SQLite, which dropped its triggers.
        SameBillerForeignKey(
            "servicing_contact",
            "customer_id",
            "servicing_customer",
            vendors=("sqlite",),
        ),
        *(SameBillerForeignKey(t, c, p) for t, c, p in NEW),
        *(SameBillerParentGuard(t, c, p) for t, c, p in GUARDED + NEW),
    ]
