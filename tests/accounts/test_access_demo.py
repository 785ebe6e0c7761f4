"""Ready-made demo sign-ins: set-up accounts and one temporary password."""

import pytest
from django.urls import reverse

from billfold.accounts.demo import DEMO_ANSWER, DEMO_PASSWORD, demo_sign_ins
from billfold.accounts.models import User
from billfold.accounts.questions import security_answer_check
from billfold.accounts.security.passwords import password_problems
from billfold.billers.demo_data import BILLERS
from tests.accounts.conftest import EmailIndexFactory
from tests.factories import BillerFactory, ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_billers():
    billers = []
    for spec in BILLERS[:2]:
        biller = BillerFactory(slug=spec.slug, **spec.settings)
        for n in range(3):
            customer = CustomerFactory(
                biller=biller,
                number=f"{spec.customer_prefix}{n:04d}",
                email_raw=f"person{n}@{spec.slug}.example.com",
            )
            EmailIndexFactory(customer=customer)
            ContractFactory(customer=customer)
        billers.append(biller)
    return billers


@pytest.mark.parametrize("spec", BILLERS, ids=lambda s: s.slug)
def test_demo_password_meets_every_demo_billers_policy(spec):
    biller = BillerFactory.build(slug=spec.slug, **spec.settings)
    problems = password_problems(
        biller=biller,
        password=DEMO_PASSWORD,
        username="person0@example.com",
        email="person0@example.com",
    )
    assert problems == []


def test_demo_sign_ins_list_a_ready_account_per_biller_and_one_first_sign_in(
    demo_billers,
):
    summit, maple = demo_billers
    assert maple.security_question_count == 0
    lines = demo_sign_ins()
    assert lines == [
        (
            summit.name,
            f"sign in at http://127.0.0.1:8000/b/{summit.slug}/ as "
            f"person0@{summit.slug}.example.com / {DEMO_PASSWORD} "
            f"(security answers: {DEMO_ANSWER})",
        ),
        (
            f"{summit.name} (first sign-in)",
            lines[1][1],
        ),
        (
            maple.name,
            f"sign in at http://127.0.0.1:8000/b/{maple.slug}/ as "
            f"person0@{maple.slug}.example.com / {DEMO_PASSWORD}",
        ),
    ]
    assert lines[1][1].startswith(
        f"sign in at http://127.0.0.1:8000/b/{summit.slug}/ as "
        f"person1@{summit.slug}.example.com / "
    )


def test_ready_demo_account_signs_straight_into_the_portal(client, demo_billers):
    summit = demo_billers[0]
    demo_sign_ins()
    user = User.objects.get(username=f"person0@{summit.slug}.example.com")
    assert (user.setup_required, user.email_verified) == (False, True)
    assert security_answer_check(user=user, question="first_pet", answer="DEMO") is True
    response = client.post(
        reverse("accounts:home", args=[summit.slug]),
        {"login": user.username, "password": DEMO_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:home", args=[summit.slug])


def test_first_sign_in_demo_account_goes_to_the_setup_steps(client, demo_billers):
    summit = demo_billers[0]
    lines = demo_sign_ins()
    words = lines[1][1].split()
    username, password = words[words.index("as") + 1], words[words.index("as") + 3]
    response = client.post(
        reverse("accounts:home", args=[summit.slug]),
        {"login": username, "password": password},
    )
    assert response["Location"] == reverse("accounts:setup", args=[summit.slug])


def test_running_it_again_keeps_the_same_accounts(demo_billers):
    demo_sign_ins()
    first = set(User.objects.values_list("pk", "username"))
    again = demo_sign_ins()
    assert set(User.objects.values_list("pk", "username")) == first
    assert len(again) == 3


def test_nothing_without_the_demo_setting(demo_billers, settings):
    settings.BILLFOLD_DEMO = False
    assert demo_sign_ins() == []
    assert User.objects.count() == 0
