"""Journey: an organization endorses, confirms by email, staff approve it, it appears under its state."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.support.browser import screenshot
from tests.support.mfa import current_totp_code

from .conftest import link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_endorse_confirm_approve_and_appear_under_the_state(page, live_server, mailoutbox):
    petition = factories.PetitionFactory()
    factories.EndorsementFactory(petition=petition, organization_name="Reno-Sparks Climate Coalition", state="NV")
    staff = factories.StaffFactory(email="moderator@cma-usa.example", name="Morgan Avery")

    page.goto(petition.get_absolute_url())
    page.get_by_role("link", name="Click here to add your organization").click()
    page.get_by_label(re.compile(r"^Organization name\W*$")).fill("Great Lakes Mining Watch")
    page.get_by_label("State or Local").check()
    page.locator("#endorse").get_by_label(re.compile(r"^State\W*$")).select_option("MI")
    page.get_by_label("Website").fill("https://greatlakesminingwatch.example")
    page.get_by_label(re.compile(r"^Your name\W*$")).fill("Dana Whitcomb")
    page.get_by_label(re.compile(r"^Your title\W*$")).fill("Executive Director")
    page.get_by_label(re.compile(r"^Your email\W*$")).fill("dana@greatlakesminingwatch.example")
    page.get_by_label(re.compile(r"^I am authorized")).check()
    screenshot(page, "petition-endorse-form")
    page.get_by_role("button", name="Submit the endorsement").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    page.goto(link(mailoutbox[0], "confirm"))
    page.get_by_role("heading", name="Confirm your organization's endorsement").wait_for()
    page.get_by_role("button", name="Confirm the endorsement").click()
    page.get_by_text("Our staff will review it shortly").wait_for()
    assert page.locator("#endorsements").get_by_text("Great Lakes Mining Watch").count() == 0

    # Staff sign in with their second factor and approve it from the queue.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label(re.compile(r"^Password\W*$")).fill(factories.DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("#id_code").fill(current_totp_code(staff.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="My account").first.wait_for()
    page.goto("/staff/petitions/moderation/")
    page.get_by_role("heading", name="Endorsement moderation").wait_for()
    screenshot(page, "petition-moderation-queue")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text("is approved and listed").wait_for()
    assert len(mailoutbox) == 2 and "now listed" in mailoutbox[1].subject

    page.goto(petition.get_absolute_url() + "#endorsements")
    michigan = page.locator("details.wall-state", has=page.get_by_role("heading", name=re.compile("^Michigan")))
    assert michigan.get_by_role("link", name="Great Lakes Mining Watch").is_visible()
    nevada = page.locator("details.wall-state", has=page.get_by_role("heading", name=re.compile("^Nevada")))
    assert nevada.get_by_text("Great Lakes Mining Watch").count() == 0
    screenshot(page, "petition-endorsement-wall")
