"""Start delivery of out-box messages that are due.

Picks up messages whose after-commit enqueue was lost, failed messages whose
retry is due (task backends that cannot defer rely on this), and messages
claimed by a worker that died. Safe to run at any time; run it every minute
or so next to the worker.
"""

from django.core.management.base import BaseCommand

from billfold.notifications.services import outbox_send_due


class Command(BaseCommand):
    help = "Enqueue delivery of every out-box message that is due."

    def handle(self, *args, **options):
        count = outbox_send_due()
        self.stdout.write(f"Enqueued {count} out-box message(s).")
