"""Forgot password says nothing about whether an account exists, and costs the same.

The same address is typed at a biller where it has an account and at an
identical biller where it has none: every page, status code and redirect is
the same once the biller's own name and address are blanked out, and each
request computes the same number of code digests (and no password hash).
"""

import re

import pytest

from billfold.accounts import codes
from billfold.accounts.hashers import FastArgon2PasswordHasher
from billfold.notifications.models import OutboxMessage
from tests.accounts.test_recovery_support import (
    choose,
    code_from_outbox,
    enter_code,
    recovery_biller,
    recovery_user,
    start,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_altcha")]

VARIABLE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    re.compile(r'challenge="[^"]+"'),
]


@pytest.fixture
def work(monkeypatch):
    """Count code digests and password-hasher runs."""
    calls: list[str] = []
    digest = codes.code_digest
    verify = FastArgon2PasswordHasher.verify
    encode = FastArgon2PasswordHasher.encode

    def counting_digest(code, salt):
        calls.append("code_digest")
        return digest(code, salt)

    def counting_verify(self, password, encoded):
        calls.append("password_verify")
        return verify(self, password, encoded)

    def counting_encode(self, password, salt):
        calls.append("password_encode")
        return encode(self, password, salt)

    monkeypatch.setattr(codes, "code_digest", counting_digest)
    monkeypatch.setattr(FastArgon2PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(FastArgon2PasswordHasher, "encode", counting_encode)
    return calls


def seen(response, biller):
    """What a visitor observes, with the biller's own name and slug blanked."""
    body = response.content.decode()
    for pattern in VARIABLE:
        body = pattern.sub("VARIABLE", body)
    body = body.replace(biller.slug, "SLUG").replace(biller.name, "BILLER")
    location = response.get("Location", "").replace(biller.slug, "SLUG")
    return response.status_code, location, body


def walk(client, biller, work) -> list:
    """Every step up to a code; returns what was seen and the work of each request."""
    observed = []
    work.clear()

    def step(response):
        observed.append((seen(response, biller), list(work)))
        work.clear()

    step(client.get(url("recover_start", biller)))
    step(start(client, biller, "john@example.com"))
    step(client.get(url("recover_choose", biller)))
    step(choose(client, biller))
    step(client.get(url("recover_code", biller)))
    step(enter_code(client, biller, "00000000"))
    step(client.post(url("recover_code", biller), {"resend": "1"}))
    step(client.get(url("recover_code", biller)))
    step(enter_code(client, biller, "00000001"))
    return observed


def test_known_and_unknown_address_look_and_cost_the_same(client, work):
    known_biller = recovery_biller(name="Lakeside Leasing A", slug="lakeside-a")
    unknown_biller = recovery_biller(name="Lakeside Leasing B", slug="lakeside-b")
    recovery_user(known_biller, email="john@example.com")

    known = walk(client, known_biller, work)
    unknown = walk(client, unknown_biller, work)

    assert [status for (status, _loc, _body), _work in known] == [
        200,
        302,
        200,
        302,
        200,
        200,
        302,
        200,
        200,
    ]
    assert [w for _seen, w in known] == [
        [],
        [],
        [],
        ["code_digest"],
        [],
        ["code_digest"],
        ["code_digest"],
        [],
        ["code_digest"],
    ]
    for step_known, step_unknown in zip(known, unknown, strict=True):
        assert step_known == step_unknown
    assert "That code is not right or has expired." in known[5][0][2]
    assert "j***@e******.com" in known[2][0][2]
    # Only the real account received anything.
    assert OutboxMessage.objects.filter(biller=known_biller).count() == 2
    assert OutboxMessage.objects.filter(biller=unknown_biller).count() == 0


def test_right_code_for_a_known_address_continues(client, work):
    biller = recovery_biller()
    recovery_user(biller, email="john@example.com")
    start(client, biller, "john@example.com")
    choose(client, biller)
    work.clear()

    response = enter_code(client, biller, code_from_outbox("john@example.com"))

    assert response.status_code == 302
    assert work == ["code_digest"]
