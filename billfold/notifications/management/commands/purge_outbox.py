"""Delete out-box messages older than N days.

Out-box rows hold what their recipients received, including one-time codes
and temporary passwords, so they should not be kept for long. Run it daily.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from billfold.notifications.services import outbox_purge


class Command(BaseCommand):
    help = "Delete out-box messages created more than --days days ago (default 30)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="Keep this many days (at least 1)."
        )

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = outbox_purge(older_than=datetime.timedelta(days=days))
        self.stdout.write(
            f"Deleted {deleted} out-box message(s) older than {days} day(s)."
        )
