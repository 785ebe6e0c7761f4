"""The password policy of a biller, and the one way a password is changed.

A biller sets the composition part of the policy (length, letters, digits,
how many earlier passwords may not be reused). Three checks apply to every
biller whatever it sets: the password is not a common or breached one, it
does not contain words from the context (the biller's name, the username,
the email address), and the maximum length is at least 64.

Lengths are counted in Unicode code points after NFKC normalisation, so "ﬁ"
counts as two characters and a full-width digit as an ordinary digit. Letters are
what ``str.isalpha`` says (any script), digits what ``str.isdigit`` says.
Spaces are allowed. The password itself is hashed exactly as typed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    check_password,
    get_hasher,
    make_password,
)
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from billfold.accounts.models import PasswordHistory
from billfold.audit.services import event_record
from billfold.core.errors import BillfoldError

# Context words shorter than this are too common in ordinary passwords to
# refuse ("Ann", "co"): refusing them would refuse good passwords.
CONTEXT_WORD_MIN = 4
# A breached-passwords file up to this size is read once into a set; a larger
# one (the full public corpora are tens of gigabytes) is binary-searched.
BREACHED_SET_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Rule:
    """One line of the checklist shown beside the new-password field.

    ``check`` is None for rules only the server can check (common and
    breached passwords, context words, earlier passwords): the page shows
    them as checked when the form is sent.
    """

    code: str
    text: str
    check: Callable[[str], bool] | None = None
    count: int | None = None

    @property
    def live(self) -> bool:
        return self.check is not None


class PasswordPolicyError(BillfoldError):
    """The new password breaks the policy; ``problems`` lists every reason."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        messages = [message for _code, message in problems]
        super().__init__("password_policy", " ".join(messages), field="new_password1")
        self.problems = messages
        self.codes = [code for code, _message in problems]


def normalized(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _length(password: str) -> int:
    return len(normalized(password))


def _letters(password: str) -> int:
    return sum(1 for ch in normalized(password) if ch.isalpha())


def _digits(password: str) -> int:
    return sum(1 for ch in normalized(password) if ch.isdigit())


def policy_rules(biller) -> list[Rule]:
    """The rules a browser can check while the customer types, in page order."""
    min_length = biller.password_min_length
    max_length = biller.password_max_length
    rules = [
        Rule(
            "min_length",
            ngettext(
                "At least %(count)d character",
                "At least %(count)d characters",
                min_length,
            )
            % {"count": min_length},
            lambda p: _length(p) >= min_length,
            min_length,
        ),
        Rule(
            "max_length",
            ngettext(
                "No more than %(count)d character",
                "No more than %(count)d characters",
                max_length,
            )
            % {"count": max_length},
            lambda p: _length(p) <= max_length,
            max_length,
        ),
    ]
    if (letters := biller.password_min_letters) > 0:
        rules.append(
            Rule(
                "min_letters",
                ngettext(
                    "At least %(count)d letter", "At least %(count)d letters", letters
                )
                % {"count": letters},
                lambda p: _letters(p) >= letters,
                letters,
            )
        )
    if (digits := biller.password_min_digits) > 0:
        rules.append(
            Rule(
                "min_digits",
                ngettext(
                    "At least %(count)d digit", "At least %(count)d digits", digits
                )
                % {"count": digits},
                lambda p: _digits(p) >= digits,
                digits,
            )
        )
    return rules


def server_rules(biller) -> list[Rule]:
    """The rules only the server checks, shown after the live ones."""
    rules = [
        Rule(
            "common", gettext("Not a common password or one known from a data breach")
        ),
        Rule(
            "context",
            gettext(
                "Does not contain your username, your email address or the name "
                "%(biller)s"
            )
            % {"biller": biller.name},
        ),
    ]
    if (history := biller.password_history) > 0:
        rules.append(
            Rule(
                "history",
                gettext("Not one of your last %(count)d passwords") % {"count": history}
                if history > 1
                else gettext("Not your current password"),
                count=history,
            )
        )
    return rules


def checklist(biller) -> list[Rule]:
    return [*policy_rules(biller), *server_rules(biller)]


# --- the checks -------------------------------------------------------------


@functools.cache
def _common_validator() -> CommonPasswordValidator:
    # Django's list: 20,000 passwords seen most often in breaches, lower-cased.
    return CommonPasswordValidator()


def password_is_common(password: str) -> bool:
    passwords = _common_validator().passwords
    candidate = password.lower().strip()
    return candidate in passwords or normalized(candidate).casefold() in passwords


def breached_file() -> str:
    """Path of a local list of SHA-1 hashes of breached passwords, or ""."""
    return getattr(settings, "BILLFOLD_BREACHED_PASSWORDS_FILE", "") or os.environ.get(
        "BILLFOLD_BREACHED_PASSWORDS_FILE", ""
    )


def _line_hash(line: bytes) -> bytes:
    # Lines are "HASH" or "HASH:COUNT" (the format of the public range files).
    return line.split(b":", 1)[0].strip().upper()


@functools.lru_cache(maxsize=4)
def _hash_set(path: str, mtime_ns: int, size: int) -> frozenset[bytes]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as fh:
        return frozenset(h for line in fh if (h := _line_hash(line)))


def _first_line_from(fh, offset: int) -> bytes:
    """The first whole line that starts at ``offset`` or later ("" at the end)."""
    if offset == 0:
        fh.seek(0)
    else:
        fh.seek(offset - 1)
        fh.readline()
    return fh.readline()


def _sorted_file_contains(path: str, digest: bytes) -> bool:
    """Binary search of a file whose lines are sorted by hash (ASCII order)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        lo, hi = 0, size
        while lo < hi:
            mid = (lo + hi) // 2
            line = _first_line_from(fh, mid)
            if line and _line_hash(line) < digest:
                lo = mid + 1
            else:
                hi = mid
        line = _first_line_from(fh, lo)
        return bool(line) and _line_hash(line) == digest


def sha1_in_file(
    path: str, password: str, *, set_max_bytes: int = BREACHED_SET_MAX_BYTES
) -> bool:
    digest = (
        hashlib.sha1(password.encode(), usedforsecurity=False)
        .hexdigest()
        .upper()
        .encode()
    )
    stat = Path(path).stat()
    if stat.st_size <= set_max_bytes or path.endswith(".gz"):
        return digest in _hash_set(path, stat.st_mtime_ns, stat.st_size)
    return _sorted_file_contains(path, digest)


def password_is_breached(password: str) -> bool:
    """True when the password's SHA-1 is in the configured local breach list.

    No network call is made: this deployment has no outside network, so an
    online range API is not used. Without a configured file this is False
    and only the common-password list applies.
    """
    path = breached_file()
    if not path:
        return False
    return sha1_in_file(path, password)


_WORD_SPLIT = re.compile(r"[\W_]+")


def context_words(*, biller, username: str = "", email: str = "") -> set[str]:
    """Words a password may not contain: biller name, username, email parts."""
    words: set[str] = set()

    def add(text: str, *, whole: bool) -> None:
        text = normalized(text).casefold().strip()
        if whole and len(text) >= CONTEXT_WORD_MIN:
            words.add(text)
        words.update(w for w in _WORD_SPLIT.split(text) if len(w) >= CONTEXT_WORD_MIN)

    add(biller.name, whole=False)
    if username:
        local, _at, domain = username.partition("@")
        add(username, whole=True)
        if domain:
            add(local, whole=True)
            add(domain.rsplit(".", 1)[0], whole=False)
    if email:
        local, _at, domain = email.partition("@")
        add(local, whole=True)
        # The domain's name without its top-level part: "example" of example.com.
        add(domain.rsplit(".", 1)[0] if "." in domain else domain, whole=False)
    return words


def password_has_context_word(password: str, words: set[str]) -> bool:
    folded = normalized(password).casefold()
    return any(word in folded for word in words)


class HistoryArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane), for history.

    A reuse check verifies the new password against every remembered one:
    24 of them at the full sign-in cost would take seconds of both cores.
    At this cost one check takes about 20 ms, so the whole history costs
    about as much as one sign-in.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1


def history_hash(password: str) -> str:
    """The remembered form of a password: Argon2id, never dearer than sign-in."""
    default = get_hasher("default")
    if not isinstance(default, Argon2PasswordHasher):
        return make_password(password)
    hasher = HistoryArgon2PasswordHasher()
    # Never dearer than the configured hasher (the test suite's is tiny).
    hasher.time_cost = min(hasher.time_cost, default.time_cost)
    hasher.memory_cost = min(hasher.memory_cost, default.memory_cost)
    hasher.parallelism = min(hasher.parallelism, default.parallelism)
    return hasher.encode(password, hasher.salt())


def _history_hashes(user, depth: int) -> list[str]:
    """Hashes of the current and earlier passwords, newest first, ``depth`` of them.

    The newest history row is the current password when it was written by
    the same change (same time); otherwise the current password was set some
    other way and its own hash is checked first.
    """
    rows = list(
        PasswordHistory.objects.filter(user=user).values_list("password", "created_at")[
            :depth
        ]
    )
    current_remembered = bool(rows) and rows[0][1] == user.password_changed_at
    hashes: list[str] = []
    if not current_remembered and user.password and user.has_usable_password():
        hashes.append(user.password)
    hashes.extend(encoded for encoded, _at in rows)
    return hashes[:depth]


def password_reused(user, password: str) -> bool:
    depth = user.biller.password_history if user.biller_id else 0
    if depth <= 0:
        return False
    return any(
        check_password(password, encoded) for encoded in _history_hashes(user, depth)
    )


def password_problems(
    *,
    biller,
    password: str,
    user=None,
    username: str = "",
    email: str = "",
    history: bool = True,
) -> list[str]:
    """Every reason the password is refused, translated; empty when it is fine.

    The reuse check hashes the password once per remembered password, so it
    runs only when ``user`` is given, ``history`` is on and every other rule
    passes.
    """
    return [
        message
        for _code, message in password_problem_codes(
            biller=biller,
            password=password,
            user=user,
            username=username,
            email=email,
            history=history,
        )
    ]


def password_problem_codes(
    *,
    biller,
    password: str,
    user=None,
    username: str = "",
    email: str = "",
    history: bool = True,
) -> list[tuple[str, str]]:
    """Like ``password_problems``, each message with the checklist rule it breaks."""
    problems: list[tuple[str, str]] = []
    length = _length(password)
    min_length, max_length = biller.password_min_length, biller.password_max_length
    letters, digits = biller.password_min_letters, biller.password_min_digits
    if length < min_length:
        message = ngettext(
            "Use at least %(count)d character.",
            "Use at least %(count)d characters.",
            min_length,
        )
        problems.append(("min_length", message % {"count": min_length}))
    if length > max_length:
        message = ngettext(
            "Use no more than %(count)d character.",
            "Use no more than %(count)d characters.",
            max_length,
        )
        problems.append(("max_length", message % {"count": max_length}))
    if _letters(password) < letters:
        message = ngettext(
            "Use at least %(count)d letter.", "Use at least %(count)d letters.", letters
        )
        problems.append(("min_letters", message % {"count": letters}))
    if _digits(password) < digits:
        message = ngettext(
            "Use at least %(count)d digit.", "Use at least %(count)d digits.", digits
        )
        problems.append(("min_digits", message % {"count": digits}))
    if password_is_common(password) or password_is_breached(password):
        message = gettext(
            "This password is too common or is known from a data breach. "
            "Choose another."
        )
        problems.append(("common", message))
    if user is not None:
        username = username or user.username
        email = email or user.email
    words = context_words(biller=biller, username=username, email=email)
    if password_has_context_word(password, words):
        message = gettext(
            "Do not use your username, your email address or the name %(biller)s "
            "in your password."
        )
        problems.append(("context", message % {"biller": biller.name}))
    if (
        history
        and user is not None
        and not problems
        and password_reused(user, password)
    ):
        message = gettext(
            "You have used this password before. Choose one you have not used."
        )
        problems.append(("history", message))
    return problems


# --- the change itself --------------------------------------------------------


def password_change(
    *,
    user,
    new_password: str,
    actor_kind: str,
    actor_id,
    request=None,
    notify: bool = True,
    reason: str = "change",
) -> None:
    """Check the policy, set the password, remember it, record and notify.

    Sessions are left alone: a recovery ends all of them, a change in the
    security centre ends the others; the caller decides.
    """
    biller = user.biller
    problems = password_problem_codes(biller=biller, password=new_password, user=user)
    if problems:
        raise PasswordPolicyError(problems)
    now = timezone.now()
    # Both hashes before the transaction: a write lock is never held while
    # Argon2 runs.
    user.set_password(new_password)
    remembered = history_hash(new_password)
    with transaction.atomic():
        user.password_changed_at = now
        user.save(update_fields=["password", "password_changed_at"])
        PasswordHistory.objects.create(user=user, password=remembered, created_at=now)
        keep = max(biller.password_history, 1)
        stale = list(
            PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
                keep:
            ]
        )
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()
        event_record(
            biller=biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="password.change",
            target=user,
            customer_id=user.customer_id,
            request=request,
            details={"reason": reason},
        )
        if notify and user.email:
            from billfold.accounts.services import sign_in_url
            from billfold.notifications.services import email_enqueue

            email_enqueue(
                biller=biller,
                to=user.email,
                kind="password_changed",
                context={
                    "when": now,
                    "sign_in_url": sign_in_url(biller=biller, request=request),
                },
                user=user,
            )
