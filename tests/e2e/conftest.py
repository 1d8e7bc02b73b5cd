"""End-to-end tests: Playwright drives Debian's chromium against pytest-django's ``live_server``.

- The browser is /usr/bin/chromium (apt); Playwright never downloads one. Without it (or without
  the playwright package, or when it cannot start) the tests are skipped with the reason, unless
  REQUIRE_BROWSER=1 (CI), where that is a failure.
- One Playwright instance and one browser serve the whole tests/e2e package; each test gets
  fresh browser contexts (one per signed-in person), so no cookie leaks from one test to the next.
- A failed test leaves a full-page screenshot of the page it was on in var/e2e-screenshots/.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e-screenshots"
TIMEOUT_MS = 15_000  # a step that waits longer than this on a local server is broken, not slow


def pytest_configure(config):
    # pyproject.toml is not ours to edit; with --strict-markers the marker must be registered here.
    config.addinivalue_line(
        "markers", "e2e: end-to-end browser tests (Playwright + /usr/bin/chromium); skipped without "
                   "a browser unless REQUIRE_BROWSER=1")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (rep_setup, rep_call, rep_teardown) for the fixtures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _no_browser(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"a browser is required (REQUIRE_BROWSER=1) but: {reason}", pytrace=False)
    pytest.skip(f"no browser for the end-to-end tests: {reason}")


@pytest.fixture(scope="package")
def browser():
    """One headless chromium for the package, or a skip (a failure with REQUIRE_BROWSER=1)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"the playwright package is not installed ({exc}); pip install -r requirements-dev.txt")
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(f"{CHROMIUM} is missing; apt-get install chromium")

    # Playwright's sync API runs an asyncio event loop in this (the test) thread, in a greenlet,
    # for as long as it is started; Django then takes every ORM call made from this thread (the
    # test's own queries, build_world, the transactional flush) for a call from async code and
    # raises SynchronousOnlyOperation. Nothing here is async: the live server answers the browser
    # from its own thread with its own connection, so the guard is switched off, but only while
    # the browser is up (package scope), so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                  args=["--disable-dev-shm-usage"])
        except PlaywrightError as exc:
            _no_browser(f"{CHROMIUM} did not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()
    finally:
        playwright.stop()  # ends the event loop: Django's async guard is meaningful again
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Django's LiveServerThread wraps the app in a handler that serves MEDIA_ROOT under MEDIA_URL.
# The project sets MEDIA_URL = None (uploads are never public), which that handler cannot parse
# (every request answers 500: "startswith first arg must be str ... not bytes"). A URL on another
# host keeps it out of the way: it then serves nothing, as production serves no media either.
NO_MEDIA_URL = "http://media.invalid/"


@pytest.fixture(scope="package")
def live_server(request):
    """pytest-django's live server (its LiveServer helper), on 127.0.0.1, for this package.

    Named like pytest-django's fixture so that its ``_live_server_helper`` still gives each test a
    transactional database and the server's ALLOWED_HOSTS; ``--liveserver`` still chooses the address.
    """
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(MEDIA_URL=NO_MEDIA_URL):  # read once, when the server thread starts
        server = LiveServer(request.config.getvalue("liveserver") or "127.0.0.1")
    yield server
    server.stop()


class Pages:
    """Opens a fresh browser context (its own cookies) per person; remembers the current page."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.opened = []  # every page opened, to close them all
        self.current = None  # the page that last opened or sent a request: the one a step is on
        self.errors: list[str] = []  # uncaught JavaScript errors and CSP refusals, on any page

    def new(self):
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", accept_downloads=True,
                                           viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc, page=page: self.errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda message, page=page: self._console(page, message))
        page.on("request", lambda _request, page=page: self._touch(page))  # only the driven page asks
        self.opened.append(page)
        self.current = page
        return page

    def _touch(self, page):
        self.current = page

    def _console(self, page, message):
        """A script or style the Content-Security-Policy refused is an error of the page."""
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def close(self):
        for page in self.opened:
            try:
                page.context.close()
            except Exception:  # already closed or the browser went away: nothing left to close
                pass


def _screenshot_name(item) -> str:
    return re.sub(r"[^\w.-]+", "_", item.name).strip("_") or "test"


@pytest.fixture
def pages(request, browser, live_server):
    """Browser pages against the live server; a failed test leaves a screenshot of the current one."""
    path = SCREENSHOTS / f"{_screenshot_name(request.node)}.png"
    path.unlink(missing_ok=True)  # a screenshot there is always of this run's failure
    opened = Pages(browser, live_server.url)
    yield opened
    report = getattr(request.node, "rep_call", None)
    try:
        if report is not None and report.failed and opened.current is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                opened.current.screenshot(path=str(path), full_page=True)
                print(f"screenshot of the failed step's page ({opened.current.url}): {path}")
            except Exception as exc:  # a screenshot must never hide the failure itself
                print(f"could not take a screenshot: {exc}")
    finally:
        opened.close()
    if report is not None and report.passed and opened.errors:
        pytest.fail("JavaScript errors or CSP refusals in the browser:\n" + "\n".join(opened.errors), pytrace=False)
