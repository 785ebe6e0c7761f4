"""Background jobs of the out-box. Each takes ids and is safe to run twice."""

from django.tasks import task

from billfold.notifications import services


@task
def deliver_message(message_id: int) -> str:
    """Deliver one out-box message; return the status it ends in."""
    return services.message_deliver(message_id=message_id)
