"""The self-hosted ALTCHA check and the masked destination."""

import datetime

import pytest
import time_machine
from altcha import v2

from billfold.accounts.recovery import altcha
from billfold.accounts.recovery.services import email_mask

pytestmark = pytest.mark.usefixtures("small_altcha")


def solved(challenge: dict) -> str:
    parsed = v2.Challenge.from_dict(challenge)
    return v2.Payload(parsed, v2.solve_challenge(parsed)).to_base64()


def test_challenge_is_signed_pbkdf2_with_an_expiry():
    challenge = altcha.challenge_create()

    params = challenge["parameters"]
    assert params["algorithm"] == "PBKDF2/SHA-256"
    assert params["cost"] == 10
    assert len(challenge["signature"]) == 64
    assert len(params["keySignature"]) == 64


def test_solution_is_accepted_once():
    payload = solved(altcha.challenge_create())

    assert altcha.solution_accept(payload) is True
    assert altcha.solution_accept(payload) is False


def test_solution_of_a_challenge_signed_with_another_key_is_refused(settings):
    payload = solved(altcha.challenge_create())
    settings.SECRET_KEY = "another-deployment-" + "x" * 40

    assert altcha.solution_accept(payload) is False


def test_challenge_with_a_later_expiry_written_in_is_refused():
    parsed = v2.Challenge.from_dict(altcha.challenge_create())
    answer = v2.solve_challenge(parsed)
    parsed.parameters.expires_at += 3600

    assert altcha.solution_accept(v2.Payload(parsed, answer).to_base64()) is False


def test_wrong_derived_key_is_refused():
    challenge = altcha.challenge_create()
    parsed = v2.Challenge.from_dict(challenge)
    answer = v2.solve_challenge(parsed)
    answer.derived_key = "00" * 32

    assert altcha.solution_accept(v2.Payload(parsed, answer).to_base64()) is False


def test_expired_challenge_is_refused():
    start = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        payload = solved(altcha.challenge_create())
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert altcha.solution_accept(payload) is False


@pytest.mark.parametrize("payload", ["", "not base64!", "e30=", "x" * 5000])
def test_garbage_is_refused(payload):
    assert altcha.solution_accept(payload) is False


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("john@example.com", "j***@e******.com"),
        (" John@Example.COM ", "j***@e******.com"),
        ("a@b.co", "a@b.co"),
        ("mary.ann@mail.example.co.uk", "m*******@m***.e******.c*.uk"),
    ],
)
def test_email_mask(address, masked):
    assert email_mask(address) == masked
