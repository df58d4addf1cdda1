"""Journey: staff schedule a one-seat webinar; two members register, the second is
waitlisted; the first cancels; the second is promoted and finds the join link
in the promotion email."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from events.models import Event, Registration
from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOIN_LINK = "https://meet.example.org/cma-usa/gallium-briefing"


def _label(text: str):
    return re.compile(rf"^{re.escape(text)}\W*$")


def test_one_seat_webinar_waitlist_and_promotion(browser, live_server, mailoutbox):
    staff = factories.StaffFactory(name="Morgan Avery")
    first = factories.MemberFactory(
        user=factories.UserFactory(name="Jordan Lee", email="jordan@sierra-lithium.example")
    ).user
    second = factories.MemberFactory(user=factories.UserFactory(name="Sam Ortiz", email="sam@bitterroot.example")).user
    start = (timezone.now() + datetime.timedelta(days=10)).astimezone(datetime.UTC)

    # Staff schedule and publish the webinar.
    with new_page(browser, live_server.url, "staff-schedules-webinar") as page:
        sign_in(page, staff.email, DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
        page.goto("/staff/")
        page.get_by_role("link", name="Schedule an event").click()
        page.get_by_label(_label("Kind")).select_option("webinar")
        page.get_by_label(_label("Title")).fill("Members' Briefing: Gallium Export Controls")
        page.get_by_label(_label("Summary")).fill("How members adapt to export controls on gallium and germanium.")
        page.get_by_label(_label("Starts")).fill(f"{start:%Y-%m-%d}T11:00")
        page.get_by_label(_label("Ends")).fill(f"{start:%Y-%m-%d}T12:00")
        page.get_by_label(_label("Time zone")).select_option("America/Chicago")
        page.get_by_label("Join link").fill(JOIN_LINK)
        page.get_by_label("Members only").check()
        page.get_by_label("Capacity").fill("1")
        screenshot(page, "events-staff-new-webinar")
        page.get_by_role("button", name="Save and publish").click()
        page.get_by_text("is published and open for registration").wait_for()
        screenshot(page, "events-staff-event-overview")

    event = Event.objects.get()
    assert (event.status, event.capacity, event.time_zone) == ("published", 1, "America/Chicago")
    assert event.local_starts_at.hour == 11

    # The first member registers and gets the seat.
    with new_page(browser, live_server.url, "first-member-registers") as page:
        sign_in(page, first.email, DEFAULT_PASSWORD)
        page.goto("/events/")
        page.get_by_role("link", name="Members' Briefing: Gallium Export Controls").click()
        page.get_by_role("button", name="Register").click()
        page.get_by_text("You're registered for Members' Briefing").wait_for()
        assert page.get_by_role("link", name="Join online").is_visible()
        screenshot(page, "events-registered")

    # The second member finds it full and joins the waitlist.
    with new_page(browser, live_server.url, "second-member-waitlisted") as page:
        sign_in(page, second.email, DEFAULT_PASSWORD)
        page.goto(f"/events/{event.slug}/")
        assert page.get_by_text("Full · waitlist open").is_visible()
        assert page.get_by_text(JOIN_LINK).count() == 0
        page.get_by_role("button", name="Join the waitlist").click()
        page.get_by_text("you're on the waitlist (position 1)").wait_for()
        screenshot(page, "events-waitlisted")

    # The first member cancels.
    with new_page(browser, live_server.url, "first-member-cancels") as page:
        sign_in(page, first.email, DEFAULT_PASSWORD)
        page.goto(f"/events/{event.slug}/")
        page.get_by_role("link", name="Cancel my registration").click()
        screenshot(page, "events-cancel-confirm")
        page.get_by_role("button", name="Cancel my registration").click()
        page.get_by_text("Your registration for Members' Briefing: Gallium Export Controls was cancelled.").wait_for()

    assert Registration.objects.get(user=second).status == "confirmed"

    # The second member was promoted: the email has the join link and the calendar entry.
    promotion = next(m for m in mailoutbox if m.to == [second.email] and "A seat opened up" in m.subject)
    assert JOIN_LINK in promotion.body
    assert JOIN_LINK in promotion.alternatives[0][0]
    assert [a[0] for a in promotion.attachments] == ["event.ics"]
    event_link = re.search(r"https?://\S+(/events/\S+/)", promotion.body).group(1)

    with new_page(browser, live_server.url, "second-member-promoted") as page:
        sign_in(page, second.email, DEFAULT_PASSWORD)
        page.goto(event_link)
        assert page.get_by_text("You're registered").first.is_visible()
        assert page.get_by_role("link", name=JOIN_LINK).is_visible()
        screenshot(page, "events-promoted")
