"""Journey: staff write an announcement to one segment, see how many it
reaches, send themselves a test, send it; a member reads it in the archive,
mutes a working group, and the unsubscribe link in the delivered email works."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from members.models import Segment
from notifications import services as notification_services
from notifications.models import Preference
from notifications.topics import Mode, Topic
from tests import factories
from tests.support.browser import screenshot, sign_in

from .conftest import member_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_announce_to_a_segment_read_it_mute_a_group_and_unsubscribe(page, live_server, mailoutbox):
    recycling = Segment.objects.get(slug="recycling")
    reader = member_in(recycling, email="riley.chen@redwood-recycling.example")
    member_in(recycling)
    member_in()  # another segment: not in this audience
    group = factories.WorkingGroupFactory(name="Battery Recycling")
    factories.group_member(group, user=reader)
    staff = factories.StaffFactory(email="comms@cma-usa.example", name="Morgan Avery")

    sign_in(page, staff.email, factories.DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
    page.goto("/staff/communications/new/")
    page.get_by_label(re.compile(r"^Subject")).fill("Recycling roundtable: call for case studies")
    page.get_by_label(re.compile(r"^Body")).fill(
        "## Share your work\n\nThe **recycling roundtable** collects case studies on black mass recovery."
    )
    page.get_by_label("Members in good standing", exact=False).check()
    page.get_by_label("Recycling", exact=True).check()
    page.get_by_role("button", name="Count the recipients").click()
    page.get_by_text("2 recipients").wait_for()
    screenshot(page, "communications-compose")
    page.get_by_role("button", name="Save draft").click()

    page.get_by_role("heading", name="Recycling roundtable: call for case studies").wait_for()
    page.get_by_role("button", name="Send me a test").click()
    page.get_by_text(f"A test is on its way to {staff.email}").wait_for()
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert mailoutbox[0].subject == "[CMA USA] [Test] Recycling roundtable: call for case studies"

    page.get_by_role("button", name=re.compile(r"^Send now to 2 recipients")).click()
    page.get_by_text("Sending has started").wait_for()
    page.locator("#progress").get_by_text("Sent").wait_for()
    screenshot(page, "communications-sent")
    delivered = [m for m in mailoutbox if m.to == [reader.email]]
    assert len(delivered) == 1 and len(mailoutbox) == 3

    # The member reads it on the portal, then mutes their working group.
    page.context.clear_cookies()
    sign_in(page, reader.email, factories.DEFAULT_PASSWORD)
    page.goto("/announcements/")
    page.get_by_role("link", name="Recycling roundtable: call for case studies").click()
    page.locator("strong", has_text="recycling roundtable").wait_for()
    page.goto(f"/groups/{group.slug}/")
    page.get_by_role("button", name="Mute this group's emails").click()
    page.get_by_text("Muted: no more emails").wait_for()
    assert notification_services.muted_group_ids(user=reader) == {group.pk}

    # The unsubscribe link in the delivered email, opened without a session.
    page.context.clear_cookies()
    link = re.search(r"Unsubscribe: (\S+)", delivered[0].body).group(1)
    page.goto(link.replace(settings.SITE_URL, live_server.url))
    page.get_by_role("heading", name="Unsubscribe").wait_for()
    assert not Preference.objects.filter(user=reader, topic=Topic.ANNOUNCEMENTS).exists()  # a GET changes nothing
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("heading", name="You're unsubscribed").wait_for()
    screenshot(page, "communications-unsubscribed")
    assert Preference.objects.get(user=reader, topic=Topic.ANNOUNCEMENTS, scope="").mode == Mode.OFF
