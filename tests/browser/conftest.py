"""Browser journeys: Playwright's sync API driving Debian's Chromium.

Fixtures for every journey: ``browser`` (one Chromium for the session),
``page`` (a fresh English page on pytest-django's live server) and
``page_factory`` (pages in another language). Tests that use them are marked
``@pytest.mark.browser`` and need ``transactional_db`` (the live server runs
in another thread). Without Chromium they skip loudly, and fail in CI
(BILLFOLD_REQUIRE_SERVICES=1), through the shared ``chromium_path`` fixture.
The root conftest takes the guards that would block the flush after a
transactional test off the test database.
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
