import pytest

from tests.factories import BillerFactory


@pytest.fixture
def acme(db):
    return BillerFactory(
        slug="acme",
        name="Acme Leasing",
        brand_color="#7a1f1f",
        contact_email="help@acme.example",
        support_phone="1-800-555-0100",
        support_hours="Mon-Fri 8am-6pm",
        default_language="en",
        placeholder_emails=["Blackhole@Acme.example"],
    )
