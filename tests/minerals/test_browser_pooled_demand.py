"""Journey: a primary contact tags the organization as lithium processing
and recycling; staff open a pooled-demand round; three members declare
demand and the total appears only after the third; the matrix shows the
new cell."""

from __future__ import annotations

import re

import pytest

from minerals.models import Declaration, DemandRound, Involvement
from tests import factories
from tests.support.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shots(page, name: str) -> None:
    """Screenshots (test-artifacts/) at 1280 and 375 px wide, for a person to look at."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"minerals-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def buyer(name: str):
    organization = factories.MembershipFactory(organization__name=name).organization
    return factories.OrganizationMemberFactory(organization=organization).user


def declare(page, user, quantity: str, form: str) -> None:
    page.context.clear_cookies()
    sign_in(page, user.email, factories.DEFAULT_PASSWORD)
    page.goto("/minerals/demand/")
    page.get_by_role("link", name="Lithium for batteries 2027").click()
    page.get_by_label(re.compile(r"^Expected quantity")).fill(quantity)
    page.get_by_label(re.compile(r"^Stage or form")).fill(form)
    page.get_by_role("button", name="Save declaration").click()
    page.get_by_text("Your declaration is saved").wait_for()


def test_tag_open_a_round_declare_and_see_the_total_and_the_matrix(page):
    organization = factories.MembershipFactory(organization__name="Sierra Lithium Resources").organization
    contact = factories.PrimaryContactFactory(organization=organization)
    staff = factories.StaffFactory(email="minerals@cma-usa.example", name="Jordan Lee")
    buyers = [
        buyer(n) for n in ("Great Lakes EV Components", "Gulf Coast Refining Partners", "Lakeshore Battery Recycling")
    ]

    # The primary contact tags the organization.
    sign_in(page, contact.user.email, factories.DEFAULT_PASSWORD)
    page.goto(f"/minerals/organizations/{organization.slug}/")
    page.get_by_label(re.compile(r"^Mineral")).select_option("lithium")
    page.get_by_label("Processing and refining").check()
    page.get_by_label("Recycling").check()
    page.get_by_label("Public: shown in the public directory").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: Lithium.").wait_for()
    shots(page, "organization")
    assert set(Involvement.objects.filter(organization=organization).values_list("stage", flat=True)) == {
        "processing",
        "recycling",
    }

    # Staff open a round.
    page.context.clear_cookies()
    sign_in(page, staff.email, factories.DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
    page.goto("/staff/minerals/")
    page.get_by_label(re.compile(r"^Mineral")).select_option("lithium")
    page.get_by_label(re.compile(r"^Title")).fill("Lithium for batteries 2027")
    page.get_by_label(re.compile(r"^Window starts")).fill("2027-01-01")
    page.get_by_label(re.compile(r"^Window ends")).fill("2027-12-31")
    page.get_by_role("button", name="Open the round").click()
    page.get_by_text("is open.").wait_for()
    shots(page, "staff-home")
    round_ = DemandRound.objects.get()

    # Three members declare; the total shows only after the third.
    declare(page, buyers[0], "240", "battery-grade lithium hydroxide")
    page.get_by_text("Not shown yet").wait_for()
    declare(page, buyers[1], "180", "lithium carbonate")
    page.get_by_text("Not shown yet").wait_for()
    assert "420" not in page.locator("#pooled-total").inner_text()
    declare(page, buyers[2], "150", "battery-grade lithium hydroxide")
    page.locator("#pooled-total").get_by_text("570 metric tons").wait_for()
    shots(page, "round")
    assert Declaration.objects.filter(round=round_).count() == 3

    # The matrix shows the new cell, with its drill-down.
    page.goto("/minerals/coverage/")
    cell = page.locator('a[href="/minerals/coverage/lithium/processing/"]')
    assert cell.inner_text() == "1"
    shots(page, "coverage")
    cell.click()
    page.get_by_text("Sierra Lithium Resources").wait_for()

    page.goto("/minerals/lithium/")
    page.get_by_text("Chile and Argentina.").wait_for()
    shots(page, "lithium")
    page.goto("/minerals/?sort=reliance")
    shots(page, "index")
