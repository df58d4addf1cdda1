"""Journey: apply (asking to be listed), staff approve, read the email, accept a new charter, find the organization."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_approve_accept_new_charter_and_appear_in_the_directory(browser, live_server, mailoutbox):
    from tests.support.browser import new_page

    factories.CharterVersionFactory(number=1, body="## 1. Purpose\n\nUnify the critical minerals supply chain.")
    applicant = factories.UserFactory(name="Alex Morgan", email="alex@helios-recycling.example")
    staff = factories.StaffFactory(name="Morgan Avery")

    # The applicant applies.
    with new_page(browser, live_server.url, "applicant-applies") as page:
        sign_in(page, applicant.email, DEFAULT_PASSWORD)
        page.goto("/dashboard/")
        page.get_by_role("link", name="Apply for membership").first.click()
        page.get_by_label(re.compile(r"^Organization name")).fill("Helios Materials Recycling")
        page.get_by_label("What the organization does").fill("Recovering gallium and germanium from fab waste.")
        page.get_by_label("Headquarters city").fill("Phoenix")
        page.get_by_label("Headquarters state").select_option("AZ")
        page.get_by_label("Recycling").check()
        page.get_by_label("Technology").check()
        page.get_by_label(re.compile("Associate —")).check()
        page.get_by_label("Statement of interest").fill(
            "The U.S. is 100% import-reliant for gallium; we want to help change that."
        )
        assert page.get_by_label("List us in the public member directory").is_checked()
        page.get_by_role("button", name="Submit application").click()
        # beside the box (the error summary above the form says it too)
        assert page.locator(".field .errorlist").get_by_text("You need to accept the charter").is_visible()
        page.get_by_label(re.compile("I have read the CMA USA Charter")).check()
        page.get_by_role("button", name="Submit application").click()
        page.get_by_text("Your application was submitted. We").wait_for()
        screenshot(page, "membership-application-submitted")

    # Staff approve it from the review queue, after the second factor.
    with new_page(browser, live_server.url, "staff-approves") as page:
        sign_in(page, staff.email, DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
        page.goto("/staff/members/applications/")
        screenshot(page, "membership-review-queue")
        page.get_by_role("link", name="Helios Materials Recycling").click()
        assert page.get_by_text(
            "Approving lists Helios Materials Recycling in the public member directory"
        ).is_visible()
        page.get_by_label("Message to the applicant").fill("Welcome — see you at the recycling working group.")
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("Approved: the organization is now a member").wait_for()
        screenshot(page, "membership-application-approved")

        # Later, staff publish a new version of the charter.
        page.goto("/staff/members/charter/")
        page.get_by_label("Charter text (Markdown)").fill(
            "## 1. Purpose\n\nUnify the supply chain.\n\n## 2. Competition law\n\nNo price talk."
        )
        page.get_by_label("Summary of changes").fill("Adds a competition-law section.")
        page.get_by_role("button", name="Save draft").click()
        page.get_by_role("button", name="Publish version 2").click()
        page.get_by_text("Version 2 is published").wait_for()

    approval = next(m for m in mailoutbox if m.to == [applicant.email] and "is a member" in m.subject)
    manage_link = re.search(r"https?://\S+(/members/\S+/manage/)", approval.body).group(1)
    charter_mail = next(m for m in mailoutbox if m.to == [applicant.email] and "version 2" in m.subject)
    assert manage_link in charter_mail.body

    # The applicant, now primary contact, follows the email and accepts version 2.
    with new_page(browser, live_server.url, "applicant-accepts") as page:
        sign_in(page, applicant.email, DEFAULT_PASSWORD)
        page.goto(manage_link)
        assert page.get_by_text("Re-acceptance required").is_visible()
        page.get_by_role("link", name="see what changed since version 1").click()
        assert page.get_by_text("2. Competition law").is_visible()
        page.go_back()
        page.get_by_role("button", name="Accept version 2 for Helios Materials Recycling").click()
        page.get_by_text("accepted version 2 of the charter").wait_for()
        screenshot(page, "membership-charter-accepted")

        page.goto("/members/all/")
        page.get_by_label("Name").fill("helios")
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name="Helios Materials Recycling").wait_for()
        screenshot(page, "membership-directory-found")

        # Listed, as the application asked: the public directory shows it too.
        page.goto("/members/")
        page.get_by_role("link", name="Helios Materials Recycling").wait_for()
