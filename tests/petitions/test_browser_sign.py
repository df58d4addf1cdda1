"""Journey: a visitor signs, opens the confirmation link from the email, presses confirm, sees the count go up."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.support.browser import expect_console_error, screenshot

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


def test_a_petition_closed_while_the_form_was_open_says_so(page, live_server, mailoutbox):
    """Staff close the petition (in another process, as far as this one knows)
    while a visitor is filling in the form: the visitor's signature is refused
    with the closed page, and the count stays final."""
    from django.utils import timezone

    from petitions.models import Petition, Signature

    petition = factories.PetitionFactory(signature_goal=50)
    factories.SignatureFactory.create_batch(3, petition=petition)
    page.goto(petition.get_absolute_url())
    sign_card = page.locator("#sign")
    sign_card.get_by_label(re.compile(r"^Full name\W*$")).fill("Early Signer")
    sign_card.get_by_label(re.compile(r"^Email\W*$")).fill("early@lakeshore.example")
    sign_card.get_by_label(re.compile(r"^ZIP code\W*$")).fill("48201")
    sign_card.get_by_label(re.compile(r"^State\W*$")).select_option("MI")
    sign_card.get_by_role("button", name="Sign the petition").click()
    page.get_by_role("heading", name="Check your email").wait_for()  # the server now holds a copy of the open petition

    page.goto(petition.get_absolute_url())
    sign_card.get_by_label(re.compile(r"^Full name\W*$")).fill("Late Signer")
    sign_card.get_by_label(re.compile(r"^Email\W*$")).fill("late@lakeshore.example")
    sign_card.get_by_label(re.compile(r"^ZIP code\W*$")).fill("48201")
    sign_card.get_by_label(re.compile(r"^State\W*$")).select_option("MI")
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.CLOSED, closed_at=timezone.now())
    expect_console_error(page, r"status of 400 \(Bad Request\)")  # the refusal is a 400 page
    sign_card.get_by_role("button", name="Sign the petition").click()

    page.get_by_text("This petition has closed, so it no longer takes signatures.").wait_for()
    screenshot(page, "petition-closed-while-signing")
    assert page.locator("#sign form").count() == 0
    assert page.get_by_role("button", name="Sign the petition").count() == 0
    assert list(
        Signature.objects.filter(petition=petition, name__contains="Signer").values_list("name", flat=True)
    ) == ["Early Signer"]
    assert len(mailoutbox) == 1
