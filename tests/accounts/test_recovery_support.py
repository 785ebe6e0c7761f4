"""Helpers (no tests): walking the forgot-password pages with the test client."""

import html
import json
import re

from altcha import v2
from django.contrib.auth import get_user_model
from django.urls import reverse

from billfold.notifications.models import OutboxMessage
from tests.factories import BillerFactory

OLD_PASSWORD = "Copper-Meadow-Falcon-28"
NEW_PASSWORD = "Violet-Harbor-Lantern-93"
CHALLENGE = re.compile(r'<altcha-widget[^>]*\bchallenge="([^"]+)"')
CODE = re.compile(r"\b(\d{8})\b")


def recovery_biller(**extra):
    extra.setdefault("security_question_count", 1)
    extra.setdefault("support_phone", "555-0100")
    return BillerFactory(**extra)


def recovery_user(biller, email="john@example.com", **extra):
    extra.setdefault("email_verified", True)
    return get_user_model().objects.create_user(
        email, email, OLD_PASSWORD, biller=biller, **extra
    )


def url(name: str, biller) -> str:
    return reverse(f"accounts:{name}", args=[biller.slug])


def altcha_solve(page_html: str) -> str:
    """Solve the challenge embedded in the page, as the widget does."""
    match = CHALLENGE.search(page_html)
    assert match is not None, "no ALTCHA widget on the page"
    challenge = v2.Challenge.from_dict(json.loads(html.unescape(match.group(1))))
    solution = v2.solve_challenge(challenge)
    return v2.Payload(challenge, solution).to_base64()


def start(client, biller, email: str, *, payload: str | None = None):
    page = client.get(url("recover_start", biller))
    if payload is None:
        payload = altcha_solve(page.content.decode())
    return client.post(
        url("recover_start", biller), {"email": email, "altcha": payload}
    )


def choose(client, biller):
    return client.post(url("recover_choose", biller), {"destination": "email"})


def enter_code(client, biller, code: str):
    return client.post(url("recover_code", biller), {"code": code, "continue": ""})


def code_from_outbox(address: str) -> str:
    message = OutboxMessage.objects.filter(
        kind="recovery_code", to_address=address
    ).latest("id")
    match = CODE.search(message.body_text)
    assert match is not None
    return match.group(1)


def pass_the_code_step(client, biller, email: str = "john@example.com"):
    """Start, have the code sent by email and enter it; return the code step's answer."""
    start(client, biller, email)
    choose(client, biller)
    return enter_code(client, biller, code_from_outbox(email))


def new_password_set(client, biller, password: str = NEW_PASSWORD):
    return client.post(
        url("recover_password", biller),
        {"new_password1": password, "new_password2": password},
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"
