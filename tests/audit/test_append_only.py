"""Activity events are written once and never changed or removed."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from billfold.audit.models import ActivityEvent, ActorKind, Outcome
from billfold.audit.services import event_record
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(biller):
    invoice = InvoiceFactory(contract__customer__biller=biller, biller=biller)
    return event_record(
        biller=biller,
        actor_kind=ActorKind.AGENT,
        actor_id=17,
        action="invoice.viewed",
        target=invoice,
        details={"channel": "phone"},
    )


def test_event_record_stores_every_field(biller, settings):
    settings.BILLFOLD_TRUSTED_PROXIES = 0
    invoice = InvoiceFactory(contract__customer__biller=biller, biller=biller)
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Agent/1.0"
    )
    created = event_record(
        biller=biller,
        actor_kind=ActorKind.CUSTOMER,
        actor_id=42,
        action="payment.failed",
        target=invoice,
        outcome=Outcome.FAILURE,
        request=request,
        details={"reason": "declined"},
    )
    stored = ActivityEvent.objects.get(pk=created.pk)
    assert stored.biller_id == biller.pk
    assert stored.actor_kind == "customer"
    assert stored.actor_id == "42"
    assert stored.action == "payment.failed"
    assert stored.outcome == "failure"
    assert stored.target_type == "invoice"
    assert stored.target_id == str(invoice.pk)
    assert stored.customer_id == invoice.contract.customer_id
    assert stored.ip == "203.0.113.9"
    assert stored.user_agent == "Agent/1.0"
    assert stored.details == {"reason": "declined"}
    assert stored.created_at is not None


def test_event_record_refuses_an_unknown_actor_kind(biller):
    with pytest.raises(ValueError, match="unknown actor kind"):
        event_record(biller=biller, actor_kind="robot", action="x")
    assert not ActivityEvent.objects.exists()


def test_saving_an_event_again_raises(event):
    event.action = "invoice.edited"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    assert ActivityEvent.objects.get(pk=event.pk).action == "invoice.viewed"


def test_saving_a_copy_with_the_same_id_raises(event):
    copy = ActivityEvent(pk=event.pk, actor_kind=ActorKind.SYSTEM, action="forged")
    with pytest.raises(TypeError, match="append-only"):
        copy.save()
    assert ActivityEvent.objects.get(pk=event.pk).action == "invoice.viewed"


def test_deleting_an_event_raises(event):
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_raises(event):
    with pytest.raises(TypeError, match="append-only"):
        ActivityEvent.objects.filter(pk=event.pk).update(action="forged")
    assert ActivityEvent.objects.get(pk=event.pk).action == "invoice.viewed"


def test_queryset_delete_raises(event):
    with pytest.raises(TypeError, match="append-only"):
        ActivityEvent.objects.all().delete()
    assert ActivityEvent.objects.count() == 1


def test_bulk_update_raises(event):
    event.action = "forged"
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        ActivityEvent.objects.bulk_update([event], ["action"])
    assert ActivityEvent.objects.get(pk=event.pk).action == "invoice.viewed"


def run_sql(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql(
            "UPDATE audit_activityevent SET action = %s WHERE id = %s",
            ["forged", event.pk],
        )
    assert ActivityEvent.objects.get(pk=event.pk).action == "invoice.viewed"


def test_sql_delete_is_refused_by_the_database(event, flush_blocking_guards):
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("DELETE FROM audit_activityevent WHERE id = %s", [event.pk])
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


def test_sql_delete_of_the_whole_table_is_refused_by_the_database(
    event, flush_blocking_guards
):
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("DELETE FROM audit_activityevent", [])
    assert ActivityEvent.objects.count() == 1


def test_queryset_raw_delete_is_refused_by_the_database(event, flush_blocking_guards):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ActivityEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


def test_sql_truncate_is_refused_by_postgresql(postgres, event, flush_blocking_guards):
    connection.check_constraints()  # TRUNCATE refuses pending deferred checks
    with pytest.raises(DatabaseError, match="append-only"):
        run_sql("TRUNCATE audit_activityevent", [])
