"""Factories for the out-box tests."""

import factory

from billfold.accounts.models import User
from tests.factories import BillerFactory


class CustomerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    biller = factory.SubFactory(BillerFactory)
    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    language = "en"
    password = factory.django.Password(None)


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    biller = None
    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.Sequence(lambda n: f"staff{n}@billfold.example")
    is_staff = True
    password = factory.django.Password(None)
