"""Browser fixtures for every test that drives chromium (tests/e2e/ and the apps' browser tests).

There is one Playwright instance and one chromium per pytest process (`browser`, session
scope), registered in tests/conftest.py so every test directory sees the same fixture. Test
modules must not import these fixtures: an imported fixture is a second definition, and a
second `sync_playwright()` inside the first one's event loop is refused by Playwright.

A test using `page` fails when the page reports a Content Security Policy violation or an
uncaught script error: both mean something the user would rely on did not run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# CHROMIUM=/path/to/chrome picks another build (or, pointing nowhere, shows the skip path).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "e2e" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SKIP_REASON = "chromium is not installed (apt-get install chromium); browser tests skipped"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


def uses_browser(item: pytest.Item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole run: launching it costs about a second per test otherwise."""
    if not chromium_available():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that the tests know what they are doing.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot of where it ended under e2e/artifacts/."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}")
            if m.type == "error" and is_csp_violation(m.text)
            else None
        ),
    )
    new_page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    yield new_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        new_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
    if problems:
        pytest.fail("the page reported:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def login(live_server, page):
    """login(user) -> signs in through the real login form and returns the page."""

    def _login(user, password="correct-horse-battery"):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login
