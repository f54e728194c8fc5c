"""Real-browser fixtures: Debian's Chromium driven by Playwright's sync API.

One Chromium per test session (starting it is the slow part), a fresh
context per page so cookies and sessions never leak between tests. Pages
open against pytest-django's `live_server`, so tests using them get a
transactional database. Register in a conftest with
`from leadsys.testing.browser import browser, new_page, page  # noqa: F401`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Locator, Page, Playwright, sync_playwright

# Playwright's sync API keeps an asyncio loop running on the test thread;
# without this Django refuses ORM calls made from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Short enough that a missing element fails the test quickly, long enough for
# a cold live server on a busy machine.
DEFAULT_TIMEOUT_MS = 10_000

PageFactory = Callable[..., Page]


def chromium_path() -> str | None:
    """CHROMIUM_PATH if set (and executable), else `chromium` on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _missing_chromium(where: str) -> None:
    reason = f"Chromium not found at {where}; apt-get install chromium (or set CHROMIUM_PATH)"
    # On CI a missing browser is a broken image, not a reason to go green.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        _missing_chromium(os.environ.get("CHROMIUM_PATH") or "PATH (`chromium`)")
    chromium = playwright_session.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def new_page(browser: Browser, playwright_session: Playwright, live_server: object) -> Iterator[PageFactory]:
    """Open pages on the live server: `new_page()`, `new_page(device="Pixel 7")`,
    `new_page(viewport={"width": 375, "height": 700})`.

    Any uncaught JavaScript error on a page fails the test at teardown.
    """
    contexts: list[BrowserContext] = []
    script_errors: list[str] = []

    def open_page(*, device: str | None = None, **context_options: object) -> Page:
        options: dict[str, object] = {}
        if device:
            options.update(playwright_session.devices[device])
            options.pop("default_browser_type", None)  # a launch option, not a context one
        options.update(context_options)
        context = browser.new_context(base_url=live_server.url, **options)  # type: ignore[attr-defined]
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        try:
            context.close()
        except Error:
            pass  # the browser already went away; the test has failed for that
    if script_errors:
        pytest.fail(f"uncaught JavaScript errors: {script_errors}", pytrace=False)


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A desktop-sized page on the live server."""
    return new_page()


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The control whose label is exactly `label`, with or without an "(optional)" hint."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth")
