"""Fixtures shared by the whole suite.

Tests that need PostgreSQL, Redis or Chromium skip with a loud reason when the
service is missing, and fail instead when BILLFOLD_REQUIRE_SERVICES=1 (CI).
"""

import os
import shutil
import socket

import pytest
from django.db import connection

REQUIRE_SERVICES = os.environ.get("BILLFOLD_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("BILLFOLD_CHROMIUM", "/usr/bin/chromium")


def service_missing(reason: str) -> None:
    """Skip (developer laptop) or fail (CI) because a service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRED SERVICE MISSING: {reason}", pytrace=False)
    pytest.skip(f"SERVICE MISSING — {reason}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres():
    """The test database is PostgreSQL (set DATABASE_URL=postgres://…)."""
    if connection.vendor != "postgresql":
        service_missing(
            "this test needs PostgreSQL; run with DATABASE_URL=postgres://…"
        )
    return connection


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if not _port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        service_missing(f"this test needs Redis at {url}")
    return url


@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        service_missing(
            f"this test needs Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return CHROMIUM


@pytest.fixture
def biller(db):
    from tests.factories import BillerFactory

    return BillerFactory()


@pytest.fixture
def other_biller(db):
    from tests.factories import BillerFactory

    return BillerFactory()


# Guards that would stop the test runner from emptying the database after a
# test that really commits (live server, transactional tests): the activity
# log's refusal of DELETE/TRUNCATE, and SQLite's refusal to delete a parent row
# that children name. They are dropped from the test database once, and
# re-created inside the transaction of the tests that check them (DDL is
# transactional on both vendors, so they vanish again at rollback).
_FLUSH_BLOCKERS: list[str] = []


def _flush_blockers(cursor) -> list[tuple[str, str, str]]:
    """(name, table, create statement) of every trigger that blocks a flush."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'bf_audit_no_truncate'"
        )
    else:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (name = 'bf_audit_no_delete' OR name LIKE 'bf\\_%\\_parent\\_del' ESCAPE '\\')"
        )
    return list(cursor.fetchall())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for name, table, create in _flush_blockers(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
            else:
                cursor.execute(f'DROP TRIGGER "{name}"')
            _FLUSH_BLOCKERS.append(create)
    return


@pytest.fixture
def flush_blocking_guards(db):
    """Put back, for this test's transaction only, the guards dropped above."""
    with connection.cursor() as cursor:
        for create in _FLUSH_BLOCKERS:
            cursor.execute(create)


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts in English, whatever language an earlier one activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
