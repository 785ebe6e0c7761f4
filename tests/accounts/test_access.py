"""Giving a customer web access with a temporary password."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.urls import reverse

from billfold.accounts.models import TemporaryPassword, User
from billfold.accounts.services import access_grant
from billfold.accounts.temporary import (
    ALPHABET,
    temporary_password_generate,
    temporary_password_normalize,
)
from billfold.audit.models import ActivityEvent
from billfold.core.errors import BillfoldError
from billfold.notifications.models import OutboxMessage
from billfold.servicing.models import EmailSource
from tests.accounts.conftest import GOOD_PASSWORD, EmailIndexFactory, UserFactory
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
SHAPE = re.compile(rf"^[{ALPHABET}]{{4}}(-[{ALPHABET}]{{4}}){{3}}$")


def grant(biller, customer, email=None):
    return access_grant(
        biller=biller, customer=customer, email=email, actor_kind="agent", actor_id=5
    )


def grant_command(biller, customer_number, *options):
    """Run ``access grant`` for the customer; return what it printed."""
    out = io.StringIO()
    call_command(
        "access",
        "grant",
        "--biller",
        biller.slug,
        "--customer",
        customer_number,
        *options,
        stdout=out,
    )
    return out.getvalue()


def sign_in(client, biller, login, password):
    return client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": login, "password": password},
    )


def test_generated_password_has_four_groups_of_unambiguous_characters():
    passwords = {temporary_password_generate() for _ in range(50)}
    assert len(passwords) == 50
    assert all(SHAPE.match(p) for p in passwords)
    assert not any(ch in p for p in passwords for ch in "0O1IL")


def test_normalize_ignores_case_spaces_and_hyphens():
    assert (
        temporary_password_normalize(" abcd efgh-jkmn PQRS ") == "ABCD-EFGH-JKMN-PQRS"
    )
    assert temporary_password_normalize("ABCD-EFGH-JKMN-PQR") is None
    assert temporary_password_normalize("ABCD-EFGH-JKMN-PQR0") is None
    assert temporary_password_normalize("Violet-Harbor-Lantern-93") is None


def test_grant_creates_the_user_with_setup_pending_and_no_usable_password(
    biller, customer
):
    user, plain = grant(biller, customer)
    address = customer.email_raw.lower()
    assert (user.biller, user.customer, user.username, user.email) == (
        biller,
        customer,
        address,
        address,
    )
    assert user.setup_required is True
    assert user.has_usable_password() is False
    temporary = TemporaryPassword.objects.get(user=user)
    assert temporary.password != plain
    assert check_password(plain, temporary.password) is True
    assert temporary.expires_at - temporary.created_at == datetime.timedelta(hours=72)


def test_grant_mails_the_password_to_the_address_of_record(biller, customer):
    user, plain = grant(biller, customer)
    message = OutboxMessage.objects.get(kind="temporary_password")
    assert (message.biller, message.user, message.to_address) == (
        biller,
        user,
        user.email,
    )
    assert plain in message.body_text
    assert user.username in message.body_text
    assert f"/b/{biller.slug}/" in message.body_text


def test_grant_records_an_event_without_the_password(biller, customer):
    user, plain = grant(biller, customer)
    event = ActivityEvent.objects.get(action="access.grant")
    assert (event.actor_kind, event.actor_id, event.target_id, event.customer_id) == (
        "agent",
        "5",
        str(user.pk),
        customer.pk,
    )
    assert event.details == {"created": True, "expires_hours": 72}
    assert plain not in str(event.details)


def test_grant_to_a_contact_address_of_record(biller, customer):
    contact = ContactFactory(customer=customer, email_raw="Helper@Example.com")
    EmailIndexFactory(
        customer=customer,
        address="helper@example.com",
        source=EmailSource.CONTACT,
        contact=contact,
    )
    user, _plain = grant(biller, customer, email=" HELPER@example.com ")
    assert user.email == "helper@example.com"


def test_grant_refuses_an_address_not_of_record(biller, customer):
    with pytest.raises(BillfoldError) as caught:
        grant(biller, customer, email="stranger@example.com")
    assert caught.value.code == "address_not_of_record"
    assert User.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_grant_refuses_a_placeholder_address(biller):
    biller.placeholder_emails = ["blackhole@biller.example"]
    biller.save()
    customer = CustomerFactory(biller=biller, email_raw="blackhole@biller.example")
    EmailIndexFactory(customer=customer)
    with pytest.raises(BillfoldError) as caught:
        grant(biller, customer)
    assert caught.value.code == "no_address_of_record"
    with pytest.raises(BillfoldError) as caught:
        grant(biller, customer, email="blackhole@biller.example")
    assert caught.value.code == "address_not_of_record"


def test_grant_refuses_a_customer_of_another_biller(biller, other_biller):
    stranger = CustomerFactory(biller=other_biller)
    EmailIndexFactory(customer=stranger)
    with pytest.raises(BillfoldError) as caught:
        grant(biller, stranger)
    assert caught.value.code == "customer_not_found"


def test_new_grant_revokes_the_older_password(client, biller, customer):
    user, first = grant(biller, customer)
    _user, second = grant(biller, customer)
    assert (
        TemporaryPassword.objects.filter(user=user, revoked_at__isnull=True).count()
        == 1
    )
    sign_in(client, biller, user.username, first)
    assert "_auth_user_id" not in client.session
    sign_in(client, biller, user.username, second)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_grant_to_an_existing_user_keeps_their_password(client, biller, customer, user):
    again, _plain = grant(biller, customer)
    assert again.pk == user.pk
    assert again.check_password(GOOD_PASSWORD) is True
    sign_in(client, biller, user.username, GOOD_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_temporary_password_signs_in_once(client, biller, customer):
    user, plain = grant(biller, customer)
    response = sign_in(client, biller, user.username, plain.lower().replace("-", " "))
    assert response["Location"] == reverse("accounts:setup", args=[biller.slug])
    assert TemporaryPassword.objects.get(user=user).used_at is not None
    client.post(reverse("accounts:signout", args=[biller.slug]))
    sign_in(client, biller, user.username, plain)
    assert "_auth_user_id" not in client.session
    event = ActivityEvent.objects.filter(action="signin.success").get()
    assert event.details == {"method": "temporary_password"}


def test_temporary_password_expires(client, biller, customer):
    with time_machine.travel(START, tick=False) as traveller:
        user, plain = grant(biller, customer)
        traveller.shift(datetime.timedelta(hours=72, seconds=1))
        sign_in(client, biller, user.username, plain)
        assert "_auth_user_id" not in client.session


def test_temporary_password_works_just_before_expiry(client, biller, customer):
    with time_machine.travel(START, tick=False) as traveller:
        user, plain = grant(biller, customer)
        traveller.shift(datetime.timedelta(hours=71, minutes=59))
        sign_in(client, biller, user.username, plain)
        assert client.session["_auth_user_id"] == str(user.pk)


def test_temporary_password_of_another_user_does_not_work(client, biller, customer):
    _user, plain = grant(biller, customer)
    bystander = UserFactory(biller=biller)
    sign_in(client, biller, bystander.username, plain)
    assert "_auth_user_id" not in client.session


def test_command_prints_username_and_password(biller, customer):
    lines = grant_command(biller, customer.number).splitlines()
    user = User.objects.get(biller=biller)
    temporary = TemporaryPassword.objects.get(user=user)
    assert lines[0] == f"Sign in at: http://127.0.0.1:8000/b/{biller.slug}/"
    assert lines[1] == f"Username: {user.username}"
    plain = lines[2].removeprefix("Temporary password: ")
    assert SHAPE.match(plain)
    assert check_password(plain, temporary.password) is True
    event = ActivityEvent.objects.get(action="access.grant")
    assert (event.actor_kind, event.actor_id) == ("admin", "command")


def test_command_with_an_email_not_of_record_fails(biller, customer):
    with pytest.raises(CommandError, match="not an email address of record"):
        grant_command(biller, customer.number, "--email", "stranger@example.com")
    assert User.objects.count() == 0


def test_command_with_an_unknown_customer_fails(biller):
    with pytest.raises(CommandError, match="No customer 'NOPE'"):
        grant_command(biller, "NOPE")
