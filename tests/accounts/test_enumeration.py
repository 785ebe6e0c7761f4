"""Sign-in says nothing about whether an account exists, and costs the same."""

import re

import pytest
from django.urls import reverse

from billfold.accounts.hashers import FastArgon2PasswordHasher
from tests.accounts.conftest import UserFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def hasher_calls(monkeypatch):
    """Count every run of the password hasher (verify and encode)."""
    calls: list[str] = []
    verify = FastArgon2PasswordHasher.verify
    encode = FastArgon2PasswordHasher.encode

    def counting_verify(self, password, encoded):
        calls.append("verify")
        return verify(self, password, encoded)

    def counting_encode(self, password, salt):
        calls.append("encode")
        return encode(self, password, salt)

    monkeypatch.setattr(FastArgon2PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(FastArgon2PasswordHasher, "encode", counting_encode)
    return calls


def attempt(client, biller, login, password="Wrong-Password-42"):
    response = client.post(
        reverse("accounts:home", args=[biller.slug]),
        {"login": login, "password": password},
    )
    body = CSRF.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    return response.status_code, response.get("Location"), body.replace(login, "LOGIN")


def test_known_and_unknown_account_give_the_same_answer(client, biller, user):
    known = attempt(client, biller, user.username)
    unknown = attempt(client, biller, "nobody@example.com")
    assert known == unknown
    assert known[0] == 200
    assert known[1] is None


def test_known_and_unknown_account_each_run_the_hasher_once(
    client, biller, user, hasher_calls
):
    attempt(client, biller, user.username)
    assert hasher_calls == ["verify"]
    hasher_calls.clear()
    attempt(client, biller, "nobody@example.com")
    assert hasher_calls == ["encode"]


def test_account_without_a_usable_password_runs_the_hasher_once(
    client, biller, hasher_calls
):
    nopass = UserFactory(biller=biller, username="nopass@example.com")
    nopass.set_unusable_password()
    nopass.save()
    hasher_calls.clear()
    attempt(client, biller, "nopass@example.com")
    assert hasher_calls == ["encode"]


def test_text_shaped_like_a_temporary_password_runs_the_hasher_once(
    client, biller, user, hasher_calls
):
    attempt(client, biller, user.username, "ABCD-EFGH-JKMN-PQRS")
    assert hasher_calls == ["verify"]
    hasher_calls.clear()
    attempt(client, biller, "nobody@example.com", "ABCD-EFGH-JKMN-PQRS")
    assert hasher_calls == ["encode"]


def test_throttled_attempts_run_no_hash_for_known_or_unknown(
    client, biller, user, hasher_calls
):
    for _ in range(5):
        attempt(client, biller, user.username)
        attempt(client, biller, "nobody@example.com")
    hasher_calls.clear()
    known = attempt(client, biller, user.username)
    unknown = attempt(client, biller, "nobody@example.com")
    assert hasher_calls == []
    assert known == unknown


def test_throttled_answer_equals_wrong_password_answer(client, biller, user):
    wrong = attempt(client, biller, user.username)
    for _ in range(4):
        attempt(client, biller, user.username)
    throttled = attempt(client, biller, user.username, "Violet-Harbor-Lantern-93")
    assert throttled == wrong
