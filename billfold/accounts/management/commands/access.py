"""``billfold access grant``: give a customer web access with a temporary password."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from billfold.accounts.services import access_grant, sign_in_url
from billfold.billers.models import Biller
from billfold.core.errors import BillfoldError
from billfold.servicing.models import Customer


class Command(BaseCommand):
    help = (
        "Give a customer web access: create (or reuse) their portal user and send a "
        "temporary password to an email address of record. An operator and demo tool: "
        "it prints the username and the temporary password, so run it only where the "
        "screen is private. Agents do the same from the support console."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser("grant", help="issue a temporary password")
        grant.add_argument("--biller", required=True, help="the biller's slug")
        grant.add_argument("--customer", required=True, help="the customer number")
        grant.add_argument(
            "--email",
            default=None,
            help="an address of record of the customer (default: the first one)",
        )

    def handle(self, *args, **options):
        biller = Biller.objects.filter(slug=options["biller"]).first()
        if biller is None:
            raise CommandError(f"No biller with slug {options['biller']!r}.")
        customer = Customer.objects.filter(
            biller=biller, number=options["customer"]
        ).first()
        if customer is None:
            raise CommandError(f"No customer {options['customer']!r} at {biller.slug}.")
        try:
            with transaction.atomic():
                user, plain = access_grant(
                    biller=biller,
                    customer=customer,
                    email=options["email"],
                    actor_kind="admin",
                    actor_id="command",
                )
        except BillfoldError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Sign in at: {sign_in_url(biller=biller)}")
        self.stdout.write(f"Username: {user.username}")
        self.stdout.write(f"Temporary password: {plain}")
        self.stdout.write(
            f"It works once and expires in {biller.temporary_password_hours} hours; "
            f"it was also sent to {user.email}."
        )
