import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

# A fixed moment, so generated dates (relative to "today") are known.
NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def demo_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def run_demo(db, demo_var, frozen_now):
    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("demo", *args, stdout=out)
        return out.getvalue()

    return run
