"""Every events page in Chromium, with the demo data, on a desktop and a phone.

The page fixture fails on any console error, so a CSP violation (an inline
script or style) on any of these pages fails here. The screenshots land in
test-artifacts/ for people to look at.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Event, Registration
from tests.support.browser import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def demo():
    from events import demo as events_demo
    from members import demo as members_demo

    members_demo.seed()
    events_demo.seed()
    return members_demo


def _both(page, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"events-{name}")
    page.set_viewport_size(PHONE)
    screenshot(page, f"events-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_public_pages_for_a_visitor(browser, live_server, demo):
    with new_page(browser, live_server.url, "events-visitor") as page:
        page.goto("/events/")
        page.get_by_role("heading", name="Upcoming events").wait_for()
        _both(page, "list-visitor")
        page.get_by_role("link", name="Permitting Reform Roundtable").click()
        assert page.get_by_role("link", name="Sign in").last.is_visible()
        _both(page, "detail-visitor")
        page.goto("/events/calendar/")
        _both(page, "month")
        page.goto("/events/?when=past")
        screenshot(page, "events-past")


def test_member_pages(browser, live_server, demo):
    with new_page(browser, live_server.url, "events-member") as page:
        sign_in(page, "sam.ortiz@sierra-lithium.example", demo.DEMO_PASSWORD)
        page.goto("/events/")
        page.get_by_text("Waitlisted · position 1").wait_for()
        _both(page, "list-member")
        page.goto("/events/workshop-battery-recycling-circularity/")
        page.get_by_text("Which afternoon session will you join?").wait_for()
        _both(page, "detail-with-questions")
        page.get_by_role("button", name="Register").click()
        # the required choice, beside its field (the error summary above the form says it too)
        page.locator(".field .errorlist").get_by_text("This field is required.").wait_for()
        screenshot(page, "events-register-error")
        page.get_by_label("Direct recycling").check()
        page.get_by_role("button", name="Register").click()
        page.get_by_text("You're registered for Workshop: Battery Recycling").wait_for()
        page.goto("/events/webinar-gallium-germanium-export-controls/")
        _both(page, "detail-waitlisted")
        page.goto("/events/mine/")
        page.get_by_role("button", name="Create my calendar feed").click()
        page.get_by_text("Your calendar feed is ready").wait_for()
        _both(page, "mine")


def test_non_member_refusal(browser, live_server, demo):
    with new_page(browser, live_server.url, "events-non-member") as page:
        sign_in(page, "casey.newcomer@example.org", demo.DEMO_PASSWORD)
        page.goto("/events/permitting-reform-roundtable/")
        page.get_by_text("This roundtable is for people from member organizations").wait_for()
        _both(page, "detail-non-member")
    assert not Registration.objects.filter(
        user__email="casey.newcomer@example.org", event__slug="permitting-reform-roundtable"
    ).exists()


def test_staff_pages(browser, live_server, demo):
    event = Event.objects.get(slug="permitting-reform-roundtable")
    past = Event.objects.get(slug="roundtable-ustr-plurilateral-agreement")
    with new_page(browser, live_server.url, "events-staff") as page:
        sign_in(page, "staff@cma-usa.localhost", demo.DEMO_PASSWORD, totp_secret=demo.DEMO_STAFF_TOTP_SECRET)
        page.goto(reverse("staff:events:list"))
        _both(page, "staff-list")
        page.goto(reverse("staff:events:detail", args=[event.pk]))
        screenshot(page, "events-staff-detail")
        page.goto(reverse("staff:events:registrants", args=[event.pk]))
        _both(page, "staff-registrants")
        page.goto(reverse("staff:events:check_in", args=[event.pk]))
        page.set_viewport_size(PHONE)
        page.get_by_role("button", name="Check in").first.click()  # htmx swaps the row
        page.get_by_text("1 of 12 confirmed registrants checked in").wait_for()
        screenshot(page, "events-staff-check-in-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(reverse("staff:events:reschedule", args=[event.pk]))
        screenshot(page, "events-staff-reschedule")
        page.goto(reverse("staff:events:cancel", args=[event.pk]))
        screenshot(page, "events-staff-cancel")
        page.goto(reverse("staff:events:duplicate", args=[past.pk]))
        screenshot(page, "events-staff-duplicate")
        page.goto(reverse("staff:events:edit", args=[event.pk]))
        screenshot(page, "events-staff-edit")
        page.goto(reverse("staff:events:registrants", args=[past.pk]) + "?show=attended")
        screenshot(page, "events-staff-registrants-past")
    assert Registration.objects.filter(event=event, attended_at__isnull=False).count() == 1
