"""Counting failures in windows, before any password hash is computed.

Argon2id costs about 140 ms of two cores, so a limit that acts after the hash
would let a flood of bad sign-ins starve real customers: every caller checks
``throttle_allowed`` first and only then verifies. Counters live in the Django
cache (Redis in production, the database cache in the embedded demo) and
expire with their window, so an attacker can pause an account for a while but
never lock a customer out for good.

Keys name what is counted: ``login_key`` an account at one biller (the login
as typed, trimmed and lower-cased, so "JOHN" and " john " share a counter),
``client_key`` a client address.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from billfold.core.http import client_ip


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: int


WINDOW = 15 * 60
# (scope, kind of key) -> limit. The kind is the key's prefix: "acct" or "ip".
LIMITS: dict[tuple[str, str], Limit] = {
    ("signin", "acct"): Limit(5, WINDOW),
    ("signin", "ip"): Limit(20, WINDOW),
    ("code", "acct"): Limit(5, WINDOW),
    ("code", "ip"): Limit(20, WINDOW),
    ("answer", "acct"): Limit(3, WINDOW),
    ("answer", "ip"): Limit(20, WINDOW),
    ("recover", "acct"): Limit(5, WINDOW),
    ("recover", "ip"): Limit(20, WINDOW),
}
DEFAULT_LIMIT = Limit(5, WINDOW)
SCOPES = ("signin", "code", "answer", "recover")


def _limit(scope: str, key: str) -> Limit:
    return LIMITS.get((scope, key.split(":", 1)[0]), DEFAULT_LIMIT)


def _cache_key(scope: str, key: str) -> str:
    return f"throttle:{scope}:{key}"


def login_key(biller, login: str) -> str:
    """The account counter for ``login`` at ``biller``; case and spaces ignored.

    The login is hashed so that cache keys hold no email address.
    """
    normal = (login or "").strip().lower()
    digest = hashlib.sha256(normal.encode()).hexdigest()[:32]
    return f"acct:{biller.pk}:{digest}"


def client_key(request) -> str:
    """The counter of one client address (X-Forwarded-For only as configured)."""
    return f"ip:{client_ip(request)}"


def throttle_count(scope: str, key: str) -> int:
    return int(cache.get(_cache_key(scope, key), 0))


def throttle_allowed(scope: str, key: str) -> bool:
    """True while ``key`` has fewer failures than its limit in the current window."""
    return throttle_count(scope, key) < _limit(scope, key).failures


def throttle_hit_count(scope: str, key: str) -> int:
    """Count one failure and return the number in the current window.

    The window opens at the first failure and closes ``window_seconds`` later.
    """
    limit = _limit(scope, key)
    name = _cache_key(scope, key)
    cache.add(name, 0, timeout=limit.window_seconds)
    try:
        return cache.incr(name)
    except ValueError:
        # The window closed between add() and incr(): this failure opens a new one.
        cache.set(name, 1, timeout=limit.window_seconds)
        return 1


def throttle_hit(scope: str, key: str) -> None:
    throttle_hit_count(scope, key)


def throttle_tripped(scope: str, key: str, count: int) -> bool:
    """True when ``count`` is the failure that reached the limit (first time only)."""
    return count == _limit(scope, key).failures


def throttle_clear(scope: str, key: str) -> None:
    cache.delete(_cache_key(scope, key))


def _user_keys(user) -> list[str]:
    logins = {user.username.strip().lower()}
    if user.email:
        logins.add(user.email.strip().lower())
    return [login_key(user.biller, login) for login in sorted(logins)]


def user_locked(user) -> bool:
    """True while sign-in to this account is paused (by username or by email)."""
    if user.biller_id is None:
        return False
    return any(not throttle_allowed("signin", key) for key in _user_keys(user))


def user_unlock(*, user, actor_kind: str, actor_id, request=None) -> None:
    """Clear every account counter of ``user`` (an agent, or a password reset)."""
    from billfold.audit.services import event_record

    was_locked = user_locked(user)
    for key in _user_keys(user):
        for scope in SCOPES:
            throttle_clear(scope, key)
    event_record(
        biller=user.biller,
        actor_kind=actor_kind,
        actor_id=actor_id,
        action="account.unlocked",
        target=user,
        request=request,
        details={"was_locked": was_locked},
    )
