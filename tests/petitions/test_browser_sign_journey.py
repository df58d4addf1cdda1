"""Journey: a visitor signs, opens the confirmation link from the email, presses confirm, sees the count go up."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.support.browser import screenshot

from .conftest import link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_confirm_and_see_the_count_go_up(page, live_server, mailoutbox):
    petition = factories.PetitionFactory(
        title="Critical Minerals Agreements Must Prioritize Labor, Environmental and Human Rights",
        signature_goal=50,
    )
    factories.FAQItemFactory(petition=petition, question="What are Critical Minerals?")
    factories.SignatureFactory.create_batch(2, petition=petition, show_name=True)

    page.goto(petition.get_absolute_url())
    sign_card = page.locator("#sign")
    assert sign_card.locator(".stat").inner_text() == "2"
    sign_card.get_by_label(re.compile(r"^Full name\W*$")).fill("Grace Whitfield")
    sign_card.get_by_label(re.compile(r"^Email\W*$")).fill("grace@lakeshore.example")
    sign_card.get_by_label(re.compile(r"^ZIP code\W*$")).fill("48201")
    sign_card.get_by_label(re.compile(r"^State\W*$")).select_option("MI")
    sign_card.get_by_label("Show my name in the list of recent signers").check()
    screenshot(page, "petition-sign-form")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "petition-sign-form-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_card.get_by_role("button", name="Sign the petition").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    screenshot(page, "petition-check-email")
    assert len(mailoutbox) == 1

    # Open the link as if from the mail client, in a fresh browser session.
    page.context.clear_cookies()
    page.goto(link(mailoutbox[0], "confirm"))
    page.get_by_role("heading", name="Confirm your signature").wait_for()
    assert page.get_by_text("Grace Whitfield").is_visible()
    screenshot(page, "petition-confirm-page")
    page.get_by_role("button", name="Confirm my signature").click()

    page.get_by_text("Your signature is confirmed").wait_for()
    assert page.locator("#sign .stat").inner_text() == "3"
    assert page.locator(".recent-signers").get_by_text("Grace Whitfield").is_visible()
    screenshot(page, "petition-confirmed")
