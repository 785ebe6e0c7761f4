"""Delivery through the database task backend the deployment uses."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from billfold.notifications.models import Status
from billfold.notifications.services import email_enqueue, message_deliver
from tests.factories import BillerFactory
from tests.notifications.test_delivery import REFUSING

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def enqueue(biller):
    return email_enqueue(
        biller=biller,
        to="ana@example.com",
        kind="verification_code",
        context={"code": "482913", "minutes_valid": 15},
    )


# The worker closes database connections between tasks, as in production, so
# this test commits for real instead of running inside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_commit_enqueues_one_task_that_the_worker_runs(database_tasks):
    with transaction.atomic():
        message = enqueue(BillerFactory())
    task = DBTaskResult.objects.get()
    assert task.task_path == "billfold.notifications.tasks.deliver_message"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


def test_failed_delivery_schedules_a_deferred_retry(acme, database_tasks, settings):
    settings.MAILERS = REFUSING
    message = enqueue(acme)
    assert message_deliver(message_id=message.pk) == Status.FAILED
    message.refresh_from_db()
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert retry.run_after == message.next_attempt_at
    assert message.next_attempt_at - message.last_attempt_at >= datetime.timedelta(
        minutes=1
    )
