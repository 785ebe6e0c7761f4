"""``billfold apikey create|list|revoke``: manage a biller's API keys."""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.table import Table

from billfold.api.selectors import apikey_list
from billfold.api.services import apikey_create, apikey_revoke
from billfold.billers.models import Biller
from billfold.core.errors import BillfoldError


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "Create, list and revoke the API keys of a biller."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser(
            "create", help=gettext_lazy("Create a key (shown once).")
        )
        create.add_argument("--biller", required=True, metavar="SLUG")
        create.add_argument(
            "--name", default="", help=gettext_lazy("What the key is for.")
        )
        listing = actions.add_parser("list", help=gettext_lazy("List a biller's keys."))
        listing.add_argument("--biller", required=True, metavar="SLUG")
        revoke = actions.add_parser(
            "revoke", help=gettext_lazy("Revoke a key at once.")
        )
        revoke.add_argument("prefix", metavar="PREFIX")

    def handle(self, *args, action, **options):
        out = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            if action == "create":
                api_key, key = apikey_create(
                    biller=self._biller(options["biller"]),
                    name=options["name"],
                    actor_kind="admin",
                    actor_id=_operator(),
                )
                out.print(
                    _("Key %(prefix)s created. Store it now; it is not shown again:")
                    % {"prefix": api_key.prefix},
                    markup=False,
                )
                out.print(key, markup=False)
            elif action == "list":
                out.print(
                    self._table(apikey_list(biller=self._biller(options["biller"])))
                )
            else:
                api_key = apikey_revoke(
                    prefix=options["prefix"], actor_kind="admin", actor_id=_operator()
                )
                out.print(
                    _("Key %(prefix)s revoked.") % {"prefix": api_key.prefix},
                    markup=False,
                )
        except BillfoldError as exc:
            raise CommandError(exc.message) from None

    def _biller(self, slug: str) -> Biller:
        try:
            return Biller.objects.get(slug=slug)
        except Biller.DoesNotExist:
            raise CommandError(
                _("No biller with slug %(slug)s.") % {"slug": slug}
            ) from None

    def _table(self, keys) -> Table:
        table = Table(title=_("API keys"))
        for heading in (
            _("prefix"),
            _("name"),
            _("created"),
            _("last used"),
            _("status"),
        ):
            table.add_column(heading)
        for key in keys:
            table.add_row(
                key.prefix,
                key.name,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "—",
                _("revoked") if key.revoked_at else _("active"),
            )
        return table
