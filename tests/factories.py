"""factory_boy factories for every model the tests build."""

import datetime
from decimal import Decimal

import factory

from billfold.billers.models import Biller
from billfold.servicing import models as sm


class BillerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Biller

    slug = factory.Sequence(lambda n: f"biller-{n}")
    name = factory.Sequence(lambda n: f"Biller {n}")
    country = "US"
    timezone = "America/New_York"
    languages = factory.LazyFunction(lambda: ["en", "es"])


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Customer

    biller = factory.SubFactory(BillerFactory)
    number = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    email_raw = factory.Sequence(lambda n: f"customer{n}@example.com")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Contact

    customer = factory.SubFactory(CustomerFactory)
    biller = factory.SelfAttribute("customer.biller")
    external_id = factory.Sequence(lambda n: f"K{n:06d}")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email_raw = factory.Sequence(lambda n: f"contact{n}@example.com")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Contract

    customer = factory.SubFactory(CustomerFactory)
    biller = factory.SelfAttribute("customer.biller")
    number = factory.Sequence(lambda n: f"A{n:07d}")
    status = sm.ContractStatus.BOOKED
    in_service_approved = True
    in_service_date = datetime.date(2026, 1, 15)
    billing_country = "US"
    billing_postal_code = "10001"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Invoice

    contract = factory.SubFactory(ContractFactory)
    biller = factory.SelfAttribute("contract.biller")
    number = factory.Sequence(lambda n: f"INV{n:07d}")
    issue_date = datetime.date(2026, 10, 1)
    due_date = datetime.date(2026, 10, 31)
    amount = Decimal("100.00")
    open_balance = Decimal("100.00")
    delivery_status = sm.DeliveryStatus.SENT


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Payment

    contract = factory.SubFactory(ContractFactory)
    biller = factory.SelfAttribute("contract.biller")
    reference = factory.Sequence(lambda n: f"P{n:07d}")
    received_on = datetime.date(2026, 10, 15)
    amount = Decimal("50.00")


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Credit

    contract = factory.SubFactory(ContractFactory)
    biller = factory.SelfAttribute("contract.biller")
    reference = factory.Sequence(lambda n: f"CR{n:06d}")
    issued_on = datetime.date(2026, 10, 10)
    amount = Decimal("25.00")
    open_amount = Decimal("25.00")


class ServiceVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.ServiceVisit

    contract = factory.SubFactory(ContractFactory)
    biller = factory.SelfAttribute("contract.biller")
    reference = factory.Sequence(lambda n: f"V{n:06d}")
    scheduled_for = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    service = "Quarterly pest control"
