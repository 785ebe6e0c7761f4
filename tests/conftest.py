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
        service_missing("this test needs PostgreSQL; run with DATABASE_URL=postgres://…")
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
        service_missing(f"this test needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def biller(db):
    from tests.factories import BillerFactory

    return BillerFactory()


@pytest.fixture
def other_biller(db):
    from tests.factories import BillerFactory

    return BillerFactory()
