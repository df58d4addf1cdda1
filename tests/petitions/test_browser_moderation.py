"""Journey: staff sign in with their second factor, tick two endorsements in
the moderation queue, approve both at once, reject the last with a reason,
and see the two on the wall."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.support.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approve_two_endorsements_at_once_and_see_them_on_the_wall(page, live_server, mailoutbox):
    petition = factories.PetitionFactory()
    factories.EndorsementFactory(petition=petition, organization_name="Reno-Sparks Climate Coalition", state="NV")
    for name in ("Alpha Watershed Alliance", "Bayou Keepers", "Copper Country Neighbors"):
        factories.EndorsementFactory(petition=petition, organization_name=name, status="pending", moderated_at=None)
    staff = factories.StaffFactory(email="moderator@cma-usa.example", name="Morgan Avery")

    sign_in(page, staff.email, factories.DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
    page.goto("/staff/petitions/moderation/")
    page.get_by_role("heading", name="Endorsement moderation").wait_for()

    # "Select all" ticks every row (the page's script), and unticks them again.
    select_all = page.get_by_label("Select all on this page (3 awaiting moderation)")
    rows = [page.get_by_label(f"Select {name}") for name in ("Alpha Watershed Alliance", "Bayou Keepers")]
    select_all.check()
    assert all(row.is_checked() for row in rows)
    select_all.uncheck()
    assert not any(row.is_checked() for row in rows)

    page.get_by_label("Select Alpha Watershed Alliance").check()
    page.get_by_label("Select Copper Country Neighbors").check()
    screenshot(page, "petition-moderation-bulk")
    page.get_by_role("button", name="Approve selected").click()

    page.get_by_text("Approved 2 endorsements.").wait_for()
    queue = page.locator(".moderation-list")
    assert queue.get_by_role("link", name="Bayou Keepers").is_visible()
    assert queue.get_by_text("Alpha Watershed Alliance").count() == 0
    assert queue.get_by_text("Copper Country Neighbors").count() == 0
    screenshot(page, "petition-moderation-bulk-done")
    assert len(mailoutbox) == 2 and all("now listed" in m.subject for m in mailoutbox)

    # The one left: rejected with a reason, from the same controls.
    page.get_by_label("Select Bayou Keepers").check()
    page.get_by_text("Reject selected…").click()
    page.get_by_label(re.compile(r"^Reason \(sent to each organization's contact\)")).fill("Not an organization.")
    screenshot(page, "petition-moderation-bulk-reject")
    page.get_by_role("button", name="Reject selected and tell the contacts").click()
    page.get_by_text("Rejected 1 endorsement.").wait_for()
    page.get_by_role("heading", name="Nothing to moderate").wait_for()

    page.goto(petition.get_absolute_url() + "#endorsements")
    michigan = page.locator("details.wall-state", has=page.get_by_role("heading", name=re.compile("^Michigan")))
    assert michigan.get_by_role("link", name="Alpha Watershed Alliance").is_visible()
    assert michigan.get_by_role("link", name="Copper Country Neighbors").is_visible()
    assert page.locator("#endorsements").get_by_text("Bayou Keepers").count() == 0
