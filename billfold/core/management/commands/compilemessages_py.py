"""Compile every .po catalog to .mo with polib: no GNU gettext needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogs (pure Python; no system gettext tools)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        root = Path(settings.BASE_DIR) / "billfold"
        compiled = 0
        for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalog = polib.pofile(str(po_path))
            # Fuzzy entries would show machine guesses to users; leave them out.
            for entry in catalog.fuzzy_entries():
                entry.obsolete = True
            catalog.save_as_mofile(str(mo_path))
            compiled += 1
        if not quiet:
            self.stdout.write(f"Compiled {compiled} catalog(s).")
