import pytest
from django.core.exceptions import ValidationError

from billfold.audit.models import ActivityEvent
from billfold.billers.models import Biller
from billfold.billers.services import biller_configure

pytestmark = pytest.mark.django_db


def test_configure_creates_a_biller_and_records_it():
    biller, changed = biller_configure(
        slug="north",
        values={"name": "North Water", "languages": ["en", "es"]},
        actor_kind="system",
        actor_id="demo",
    )
    assert (biller.slug, biller.name, biller.languages, changed) == (
        "north",
        "North Water",
        ["en", "es"],
        ["languages", "name"],
    )
    event = ActivityEvent.objects.get(action="biller.created")
    assert (event.biller_id, event.actor_id, event.details) == (
        biller.pk,
        "demo",
        {"fields": ["languages", "name"]},
    )


def test_configure_again_with_same_values_changes_nothing():
    values = {"name": "North Water", "security_question_count": 2}
    biller_configure(slug="north", values=values, actor_kind="system", actor_id="demo")
    _biller, changed = biller_configure(
        slug="north", values=values, actor_kind="system", actor_id="demo"
    )
    assert changed == []
    assert ActivityEvent.objects.filter(action="biller.updated").count() == 0


def test_configure_updates_only_what_differs():
    biller_configure(
        slug="north",
        values={"name": "North Water"},
        actor_kind="system",
        actor_id="demo",
    )
    biller, changed = biller_configure(
        slug="north",
        values={"name": "North Water", "tagline": "Clean"},
        actor_kind="system",
        actor_id="demo",
    )
    assert (changed, biller.tagline) == (["tagline"], "Clean")
    assert ActivityEvent.objects.get(action="biller.updated").details == {
        "fields": ["tagline"]
    }


def test_configure_refuses_invalid_settings_and_saves_nothing():
    with pytest.raises(ValidationError):
        biller_configure(
            slug="north",
            values={"name": "North", "timezone": "Mars/Olympus"},
            actor_kind="system",
            actor_id="demo",
        )
    assert not Biller.objects.filter(slug="north").exists()
