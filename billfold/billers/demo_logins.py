"""Ready-made sign-ins printed by ``billfold serve_demo``.

Each entry is ``(label, text)``: who it is for and what to type. Apps that
create demo sign-ins register them by offering a ``demo_sign_ins()`` function
in a ``demo`` module listed in ``PROVIDERS``; adding one is one line here.
"""

import importlib
import importlib.util
import sys

# Modules with a ``demo_sign_ins() -> list[tuple[str, str]]`` function.
PROVIDERS = ("billfold.accounts.demo",)


def demo_logins() -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    for name in PROVIDERS:
        # A provider that is not written yet is skipped; one that is written
        # but broken raises, so its error is seen rather than hidden.
        try:
            found = name in sys.modules or importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            logins.extend(importlib.import_module(name).demo_sign_ins())
    return logins
