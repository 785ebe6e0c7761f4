"""The anti-robot check of the forgot-password page: a self-hosted ALTCHA.

The server signs a proof-of-work challenge (PBKDF2/SHA-256 with a random,
secret counter the browser must find) with an HMAC key derived from
SECRET_KEY; the ALTCHA widget solves it in the browser and posts the solution
in the form field ``altcha``. No third-party service is involved. A solution
is accepted once: its challenge signature is remembered in the cache until
the challenge expires.
"""

import hashlib
import json
import secrets
import time

from altcha import v2
from django.conf import settings
from django.core.cache import cache

FIELD = "altcha"
ALGORITHM = "PBKDF2/SHA-256"
# About a second of work in a phone browser, nothing for a person; a robot
# pays it for every attempt. Read at call time so tests can make it tiny.
DEFAULT_COST = 5000
DEFAULT_MAX_COUNTER = 2000
LIFETIME_SECONDS = 10 * 60
_USED_PREFIX = "altcha:used:"


def _key(label: str) -> bytes:
    return hashlib.sha256(
        f"billfold.altcha.{label}:".encode() + settings.SECRET_KEY.encode()
    ).digest()


def challenge_create() -> dict:
    """A signed challenge, as the JSON object the widget accepts."""
    cost = getattr(settings, "BILLFOLD_ALTCHA_COST", DEFAULT_COST)
    max_counter = getattr(settings, "BILLFOLD_ALTCHA_MAX_COUNTER", DEFAULT_MAX_COUNTER)
    challenge = v2.create_challenge(
        ALGORITHM,
        cost,
        counter=secrets.randbelow(max_counter + 1),
        expires_at=int(time.time()) + LIFETIME_SECONDS,
        hmac_secret=_key("challenge"),
        hmac_key_secret=_key("derived-key"),
    )
    return challenge.to_dict()


def challenge_json() -> str:
    return json.dumps(challenge_create(), separators=(",", ":"))


def solution_accept(payload: str) -> bool:
    """Whether ``payload`` solves one of our challenges not used before.

    Accepting it uses it up: the same solution posted again is refused.
    """
    if not payload or len(payload) > 4096:
        return False
    result = v2.verify_solution(
        payload, _key("challenge"), hmac_key_secret=_key("derived-key")
    )
    if not result.verified:
        return False
    challenge = v2.Payload.from_base64(payload).challenge
    expires_at = challenge.parameters.expires_at or int(time.time()) + LIFETIME_SECONDS
    ttl = max(1, int(expires_at - time.time()) + 60)
    # cache.add is atomic: of two requests racing with one solution, one wins.
    return cache.add(_USED_PREFIX + str(challenge.signature), 1, timeout=ttl)


def widget_strings() -> dict[str, str]:
    """The widget's words in the current language (the widget ships English only)."""
    from django.utils.translation import pgettext

    return {
        "label": pgettext("anti-robot check", "I'm not a robot"),
        "verifying": pgettext("anti-robot check", "Checking…"),
        "waitAlert": pgettext("anti-robot check", "Checking… please wait."),
        "verified": pgettext("anti-robot check", "Done"),
        "verificationRequired": pgettext("anti-robot check", "Tick the box first."),
        "error": pgettext(
            "anti-robot check", "The check did not work. Reload the page and try again."
        ),
        "expired": pgettext(
            "anti-robot check", "The check expired. Tick the box again."
        ),
        "loading": pgettext("anti-robot check", "Loading…"),
        "reload": pgettext("anti-robot check", "Reload"),
        "verify": pgettext("anti-robot check", "Check"),
        "cancel": pgettext("anti-robot check", "Cancel"),
    }
