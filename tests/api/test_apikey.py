"""API keys: stored hashed, shown once, revocable, audited."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billfold.api.models import ApiKey
from billfold.api.services import apikey_authenticate, apikey_create, apikey_revoke
from billfold.audit.models import ActivityEvent

pytestmark = pytest.mark.django_db


def test_create_stores_only_prefix_and_hash(biller):
    api_key, key = apikey_create(biller=biller, name="servicing")
    stored = ApiKey.objects.get()
    assert key.startswith(stored.prefix + "_")
    assert len(stored.prefix) == 11
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.prefix, stored.key_hash, stored.name}
    event = ActivityEvent.objects.get(action="apikey.create")
    assert (event.biller_id, event.target_id) == (biller.pk, str(api_key.pk))
    assert event.details == {"prefix": stored.prefix, "name": "servicing"}


def test_authenticate_accepts_the_key_and_nothing_else(biller):
    api_key, key = apikey_create(biller=biller)
    assert apikey_authenticate(key) == api_key
    assert apikey_authenticate(key + "x") is None
    assert apikey_authenticate(api_key.prefix) is None
    assert apikey_authenticate("") is None
    assert ApiKey.objects.get().last_used_at is not None


def test_revoked_key_no_longer_authenticates_and_revoke_is_audited(biller):
    api_key, key = apikey_create(biller=biller)
    apikey_revoke(prefix=api_key.prefix, actor_kind="admin", actor_id="cli:ops")
    assert apikey_authenticate(key) is None
    event = ActivityEvent.objects.get(action="apikey.revoke")
    assert (event.actor_kind, event.actor_id, event.biller_id) == (
        "admin",
        "cli:ops",
        biller.pk,
    )


def test_command_create_prints_the_key_once_and_list_does_not(biller):
    out = StringIO()
    call_command(
        "apikey", "create", "--biller", biller.slug, "--name", "ERP", stdout=out
    )
    stored = ApiKey.objects.get(biller=biller)
    key = out.getvalue().strip().splitlines()[-1]
    assert apikey_authenticate(key) == stored
    listing = StringIO()
    call_command("apikey", "list", "--biller", biller.slug, stdout=listing)
    assert stored.prefix in listing.getvalue()
    assert "ERP" in listing.getvalue()
    assert key not in listing.getvalue()


def test_command_revoke_then_revoke_again_fails(biller):
    api_key, _key = apikey_create(biller=biller)
    out = StringIO()
    call_command("apikey", "revoke", api_key.prefix, stdout=out)
    assert f"Key {api_key.prefix} revoked." in out.getvalue()
    with pytest.raises(CommandError, match="already revoked"):
        call_command("apikey", "revoke", api_key.prefix, stdout=StringIO())


def test_command_create_for_unknown_biller_fails(db):
    with pytest.raises(CommandError, match="No biller with slug nobody"):
        call_command("apikey", "create", "--biller", "nobody", stdout=StringIO())
