"""Temporary passwords: random, grouped for reading aloud, easy to retype."""

import re
import secrets

# No 0/O, 1/I/L: an agent can read it out and a customer can type it back.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS = 4
GROUP_LENGTH = 4
_SHAPE = re.compile(rf"^[{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}}$")
_SEPARATORS = re.compile(r"[\s-]")


def temporary_password_generate() -> str:
    """Four groups of four characters from a CSPRNG (about 79 bits)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(
        chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH)
    )


def temporary_password_normalize(text: str) -> str | None:
    """The canonical form of ``text`` if it is shaped like a temporary password.

    Case, spaces and hyphens are ignored; anything else returns None.
    """
    compact = _SEPARATORS.sub("", text or "").upper()
    if not _SHAPE.match(compact):
        return None
    return "-".join(
        compact[i : i + GROUP_LENGTH] for i in range(0, len(compact), GROUP_LENGTH)
    )
