import sys
import types

import pytest

from billfold.billers import demo_logins


def test_without_providers_there_are_no_logins(monkeypatch):
    monkeypatch.setattr(demo_logins, "PROVIDERS", ("tests.billers.no_such_module",))
    assert demo_logins.demo_logins() == []


def test_logins_of_each_provider_are_listed_in_order(monkeypatch):
    first = types.ModuleType("demo_provider_one")
    first.demo_sign_ins = lambda base_url=None: [
        ("Summit holder", "summit-leasing: a@example.com / pw1")
    ]
    second = types.ModuleType("demo_provider_two")
    second.demo_sign_ins = lambda base_url=None: [("Agent", f"{base_url}/ agent / pw2")]
    monkeypatch.setitem(sys.modules, "demo_provider_one", first)
    monkeypatch.setitem(sys.modules, "demo_provider_two", second)
    monkeypatch.setattr(
        demo_logins,
        "PROVIDERS",
        ("demo_provider_one", "missing_provider", "demo_provider_two"),
    )
    assert demo_logins.demo_logins(base_url="http://127.0.0.1:8042") == [
        ("Summit holder", "summit-leasing: a@example.com / pw1"),
        ("Agent", "http://127.0.0.1:8042/ agent / pw2"),
    ]


@pytest.mark.django_db
def test_no_enrollment_hints_while_no_registration_page_exists(demo_loaded):
    assert demo_logins.enrollment_hints() == []


@pytest.mark.django_db
def test_enrollment_hints_name_real_records_for_each_enabled_method(
    demo_loaded, monkeypatch
):
    from billfold.billers.demo_logins import enrollment_hints

    monkeypatch.setattr(
        demo_logins, "_enrollment_page_exists", lambda method, slug: True
    )
    from billfold.servicing import models as sm

    hints = dict(enrollment_hints())
    contract = sm.Contract.objects.get(
        biller__slug="summit-leasing", customer__number="SL100001"
    )
    invoice = (
        contract.invoices.filter(delivery_status="sent").order_by("-issue_date").first()
    )
    assert hints["Summit Equipment Leasing (Agreement, invoice and ZIP code)"] == (
        f"agreement {contract.number}, invoice {invoice.number}, ZIP {contract.billing_postal_code}"
    )
    assert sorted(hints) == [
        "Agua Clara Utilities (Account locator)",
        "Agua Clara Utilities (Register after a one-time payment)",
        "Greenleaf Pest & Lawn (Email sign-up link)",
        "Maple Lease Financial (Email, billing postal code and contract)",
        "Summit Equipment Leasing (Agreement, invoice and ZIP code)",
    ]
