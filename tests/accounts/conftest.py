"""Fixtures for the accounts tests: users, customers with addresses of record."""

import factory
import pytest
from django.core.cache import cache

from billfold.accounts.models import User
from billfold.audit.models import ActivityEvent
from billfold.servicing.models import EmailIndex, EmailSource
from tests.factories import BillerFactory, CustomerFactory

# Passes the default (NIST style) policy and the seed 000 policy.
GOOD_PASSWORD = "Violet-Harbor-Lantern-93"


def actions_on(user) -> list[str]:
    """The actions of the activity events about ``user``, oldest first."""
    return list(
        ActivityEvent.objects.filter(target_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    biller = factory.SubFactory(BillerFactory)
    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    email_verified = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or GOOD_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class EmailIndexFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailIndex

    customer = factory.SubFactory(CustomerFactory)
    biller = factory.SelfAttribute("customer.biller")
    address = factory.SelfAttribute("customer.email_raw")
    source = EmailSource.CUSTOMER


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_altcha(settings):
    """A tiny proof of work keeps the forgot-password tests fast.

    The browser test solves the real one.
    """
    settings.BILLFOLD_ALTCHA_COST = 10
    settings.BILLFOLD_ALTCHA_MAX_COUNTER = 20


@pytest.fixture
def customer(biller):
    """A customer of ``biller`` whose address of record is indexed."""
    row = CustomerFactory(biller=biller)
    EmailIndexFactory(customer=row)
    return row


@pytest.fixture
def user(biller, customer):
    return UserFactory(
        biller=biller, customer=customer, username=customer.email_raw.lower()
    )


@pytest.fixture
def other_user(other_biller):
    return UserFactory(biller=other_biller)
