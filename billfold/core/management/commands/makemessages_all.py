"""Refresh the Spanish catalogs of the project and of each app (needs xgettext)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run makemessages for Spanish in the project and in every app with a locale/."
    )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR) / "billfold"
        here = Path.cwd()
        for locale_dir in sorted(root.rglob("locale")):
            if not locale_dir.is_dir() or ".venv" in locale_dir.parts:
                continue
            os.chdir(locale_dir.parent)
            try:
                # Each catalog covers its own folder, less nested folders that
                # have a catalog of their own.
                base = locale_dir.parent
                nested = [
                    str(p.parent.relative_to(base)) + "/*"
                    for p in base.rglob("locale")
                    if p != locale_dir and p.is_dir()
                ]
                ignore = ["migrations/*", ".venv/*", *nested]
                call_command(
                    "makemessages",
                    locale=["es"],
                    ignore_patterns=ignore,
                    no_obsolete=True,
                    verbosity=0,
                )
            finally:
                os.chdir(here)
            self.stdout.write(f"Updated {locale_dir / 'es/LC_MESSAGES/django.po'}")
