"""Real Chromium through Playwright, against the app served on 127.0.0.1.

The app is the `app` fixture of tests/conftest.py (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), served by a werkzeug thread on a free port; the data is set up
directly on the same database with the builders.

Chromium is looked for at PARCOURS_CHROMIUM (default /usr/bin/chromium). When it or the
`playwright` package is missing, every browser test skips with the reason; the rest of the
suite runs. `PARCOURS_CHROMIUM=/nonexistent pytest tests/browser` shows the skips.
Screenshots go to test-artifacts/ (git-ignored), one per test and viewport.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

VIEWPORTS = {
    "phone": {"width": 375, "height": 667},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server_url(app):
    """The app on a free port of 127.0.0.1, for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


class Contexts:
    """New browser contexts (a fresh customer each), closed at the end of the test."""

    def __init__(self, browser, viewport: str):
        self.browser = browser
        self.viewport = viewport
        self.opened = []

    def new(self, locale: str = "fr-FR", **options):
        options.setdefault("viewport", VIEWPORTS[self.viewport])
        options.setdefault("is_mobile", self.viewport == "phone")
        options.setdefault("has_touch", self.viewport == "phone")
        options.setdefault("extra_http_headers", {"Accept-Language": locale.split("-")[0]})
        context = self.browser.new_context(locale=locale, **options)
        context.set_default_timeout(5_000)
        self.opened.append(context)
        return context

    def close(self):
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser, viewport):
    opened = Contexts(browser, viewport)
    yield opened
    opened.close()


@pytest.fixture
def screenshot(request, viewport):
    """screenshot(page): save the page under test-artifacts/<test>-<viewport>.png."""

    def take(page, suffix: str = ""):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
        path = ARTIFACTS / f"{name}{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe(database_url):
    """axe-core's source, for the accessibility checks."""
    from .accessibility import AXE, axe_source

    if not database_url.startswith("sqlite"):
        # What axe reads is the rendered page, the same on both databases; the flows
        # themselves run on both.
        pytest.skip("accessibility is checked once, on SQLite")
    source = axe_source()
    if source is None:
        pytest.skip(f"axe-core not found at {AXE}: run .ci/vendor-axe (needs npm)")
    return source
