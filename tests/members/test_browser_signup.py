"""Journey: a newcomer signs up, confirms the email, signs in and sees the account page."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_confirm_and_sign_in(page, live_server, mailoutbox):
    page.goto("/")
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Full name").fill("Grace Whitfield")
    page.get_by_label("Email").fill("grace@lakeshore-cobalt.example")
    page.get_by_label(re.compile(r"^Password\W*$")).fill("Lithium-brine-2026!")
    page.get_by_label("Password (again)").fill("Lithium-brine-2026!")
    page.get_by_role("button", name="Sign Up").click()

    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    screenshot(page, "signup-verification-sent")
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)

    # Open the link as if from the mail client, in a fresh browser session.
    page.context.clear_cookies()
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Email").fill("grace@lakeshore-cobalt.example")
    page.get_by_label(re.compile(r"^Password\W*$")).fill("Lithium-brine-2026!")
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("heading", name="Welcome, Grace").wait_for()
    assert page.title() == "My account · CMA USA"
    assert page.get_by_text("grace@lakeshore-cobalt.example").is_visible()
    screenshot(page, "signup-account-page")
