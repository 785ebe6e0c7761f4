"""A stored record turned back into an import row re-imports as unchanged.

The admin saves edits through ``RecordSpec.row_of``; a field it forgot would
be blanked by the import, so every record type must round-trip exactly.
"""

import pytest

from billfold.servicing.importing import import_rows
from billfold.servicing.importing_records import SPECS
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CreditFactory,
    CustomerFactory,
    InvoiceFactory,
    ServiceVisitFactory,
)

pytestmark = pytest.mark.django_db

# Every optional field filled, so that a field the row forgot shows as a change.
FACTORIES = {
    "customers": lambda: CustomerFactory(phone="555-0100"),
    "contacts": lambda: ContactFactory(phone="555-0101"),
    "contracts": lambda: ContractFactory(
        billing_address="1 Main St",
        bill_to_name="Accounts payable",
        bill_to_email_raw="ap@example.com",
        paperless=True,
    ),
    "invoices": lambda: InvoiceFactory(
        lines=[
            {
                "description": "Lease",
                "quantity": "1",
                "unit_price": "100.00",
                "amount": "100.00",
            }
        ]
    ),
    "credits": lambda: CreditFactory(reason="Goodwill"),
    "service-visits": lambda: ServiceVisitFactory(notes="Gate code 1234"),
}


@pytest.mark.parametrize("record_type", sorted(FACTORIES))
def test_row_of_a_stored_record_reimports_unchanged(record_type):
    obj = FACTORIES[record_type]()
    row = SPECS[record_type].row_of(obj)

    result = import_rows(biller=obj.biller, record_type=record_type, rows=[(1, row)])

    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)


def test_row_of_names_file_fields_not_model_fields():
    contract = ContractFactory(
        bill_to_email_raw="ap@example.com",
        in_service_date=None,
        in_service_approved=False,
    )
    row = SPECS["contracts"].row_of(contract)
    assert row["customer"] == contract.customer.number
    assert row["bill_to_email"] == "ap@example.com"
    assert row["in_service_date"] == ""
    assert SPECS["contacts"].model_field("id") == "external_id"
    assert SPECS["contracts"].model_field("customer") == "customer"
