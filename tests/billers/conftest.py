import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_loaded(db, settings, tmp_path):
    """The five demo billers with a few customers each."""
    settings.VAR_DIR = tmp_path
    call_command("demo", "--scale", "9", stdout=io.StringIO())


@pytest.fixture
def superuser_client(client, db):
    from billfold.accounts.models import User

    user = User.objects.create_superuser("root", "root@example.com", "x-demo-pass-42")
    client.force_login(user)
    client.user = user
    return client
