"""Browser journeys: Playwright's sync API driving Debian's Chromium.

Fixtures for every journey: ``browser`` (one Chromium for the session),
``page`` (a fresh English page on pytest-django's live server) and
``page_factory`` (pages in another language). Tests that use them are marked
``@pytest.mark.browser`` and need ``transactional_db`` (the live server runs
in another thread). Without Chromium they skip loudly, and fail in CI
(BILLFOLD_REQUIRE_SERVICES=1), through the shared ``chromium_path`` fixture.
"""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's
# database calls happen in its own thread and are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def _guard_triggers_off(connection) -> list[str]:
    """Switch the database guards off; return the SQL that switches them on."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name NOT LIKE 'sqlite_%'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            return [sql for _name, sql in triggers]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_schema = current_schema()"
            )
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            return [f'ALTER TABLE "{table}" ENABLE TRIGGER USER' for table in tables]
    return []


@pytest.fixture
def _guards_back(django_db_blocker):
    """Runs its teardown after the flush: the guards come back for the next test."""
    statements: list[str] = []
    yield statements
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def transactional_db(_guards_back, transactional_db):
    """pytest-django's transactional_db, able to empty the append-only tables.

    The activity log refuses DELETE and TRUNCATE (and billing records guard
    their parents), so the flush that ends a transactional test would fail:
    the guards are switched off just for the flush and switched on again.
    """
    yield transactional_db
    from django.db import connection

    _guards_back.extend(_guard_triggers_off(connection))


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page_factory(browser, live_server, transactional_db):
    """``page_factory(locale="es")`` opens a page whose browser speaks ``locale``."""
    contexts = []

    def open_page(locale: str = "en-US"):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):
    return page_factory()
