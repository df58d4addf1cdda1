"""Playwright driving the machine's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def launch_chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def new_page(browser, base_url: str, test_name: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    # Any CSP violation or script error in the page fails the journey.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', test_name)}.png", full_page=True)
        raise
    finally:
        context.close()
    allowed = getattr(page, "expected_console_errors", ())
    unexpected = [e for e in errors if not any(re.search(pattern, e) for pattern in allowed)]
    assert not unexpected, f"browser console errors: {unexpected}"


def wait_until(page, expression: str, *, timeout: float = 5.0) -> bool:
    """Poll a JavaScript expression until it is true; False when `timeout`
    seconds pass. Playwright's own wait_for_function evaluates its predicate
    with eval() inside the page, which the site's CSP (no 'unsafe-eval')
    rightly refuses; page.evaluate goes through the DevTools protocol instead."""
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression):
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)


def expect_console_error(page, pattern: str) -> None:
    """Let one kind of console error through (Chromium logs every 4xx page it
    loads as one: a test that expects a refusal says so)."""
    page.expected_console_errors = (*getattr(page, "expected_console_errors", ()), pattern)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def sign_in(page, email: str, password: str, *, totp_secret: str | None = None) -> None:
    """Sign in through the real login page (and the authenticator step for staff)."""
    from tests.support.mfa import current_totp_code

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        page.locator("#id_code").fill(current_totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="My account").first.wait_for()
