"""Normalisation of values pushed by the billing system.

Pure functions, no database: postal codes are compared letter-and-digit only,
raw email fields may hold several addresses separated by ``,`` or ``;``.
"""

import re
from collections.abc import Collection
from functools import lru_cache
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
_SEPARATORS = re.compile(r"[,;]")
# Significant length of a postal code per country; other countries keep all.
_POSTAL_LENGTH = {"US": 5, "CA": 6}


class EmailSplit(NamedTuple):
    valid: list[str]
    invalid: list[str]


def postal_code(value: str, country: str) -> str:
    """Letters and digits only, upper-cased; ZIP+4 and Canadian spacing ignored."""
    code = _NOT_ALNUM.sub("", value or "").upper()
    length = _POSTAL_LENGTH.get((country or "").strip().upper())
    return code[:length] if length else code


@lru_cache(maxsize=8192)
def _is_valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def split_emails(raw: str) -> EmailSplit:
    """Split a raw email field into valid (lower-cased) and invalid addresses.

    Empty parts are dropped; duplicates (compared lower-cased) keep the first
    occurrence. Invalid parts are kept trimmed but otherwise as given.
    """
    valid: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for part in _SEPARATORS.split(raw or ""):
        given = part.strip()
        if not given:
            continue
        address = given.lower()
        if address in seen:
            continue
        seen.add(address)
        if _is_valid(address):
            valid.append(address)
        else:
            invalid.append(given)
    return EmailSplit(valid=valid, invalid=invalid)


def indexable_emails(raw: str, placeholders: Collection[str]) -> EmailSplit:
    """Like ``split_emails``, with placeholder addresses dropped entirely."""
    ignored = {p.strip().lower() for p in placeholders}
    split = split_emails(raw)
    return EmailSplit(
        valid=[a for a in split.valid if a not in ignored],
        invalid=[a for a in split.invalid if a.lower() not in ignored],
    )
