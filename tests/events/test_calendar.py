"""Calendar files parsed back with icalendar and checked field by field; feeds and links."""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from events import calendar, services
from events.models import CalendarFeed
from tests import factories

from .conftest import parse_ics

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")


@pytest.fixture
def denver_event():
    start = datetime.datetime(2027, 6, 16, 10, 0, tzinfo=DENVER)
    return factories.EventFactory(
        kind="workshop",
        title="Workshop: Lithium Brine, Processing; Permits",
        slug="lithium-brine-workshop",
        summary="Hands-on, with site visit.",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3, minutes=30),
        time_zone="America/Denver",
        venue_name="Colorado School of Mines",
        venue_address="1500 Illinois St\nGolden, CO 80401",
        online_url="https://meet.example.org/brine",
    )


def test_event_file_is_rfc5545_with_every_field(denver_event, settings):
    before = timezone.now().replace(microsecond=0)
    text = calendar.event_ics(denver_event)

    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded lines
    cal = parse_ics(text)
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"] == "-//CMA USA//Portal events//EN"
    assert cal["METHOD"] == "PUBLISH"
    (vevent,) = cal.events
    assert vevent["UID"] == f"{denver_event.uid}@events.cma-usa"
    assert vevent["SUMMARY"] == "Workshop: Lithium Brine, Processing; Permits"
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    stamp = vevent.DTSTAMP
    assert stamp.tzinfo is not None and stamp.utcoffset() == datetime.timedelta(0)
    assert stamp >= before
    assert vevent["DTSTART"].params["TZID"] == "America/Denver"
    assert vevent.start == datetime.datetime(2027, 6, 16, 10, 0, tzinfo=DENVER)
    assert vevent.end == datetime.datetime(2027, 6, 16, 13, 30, tzinfo=DENVER)
    assert vevent["LOCATION"] == "Colorado School of Mines, 1500 Illinois St, Golden, CO 80401"
    assert vevent["URL"] == f"{settings.SITE_URL}/events/lithium-brine-workshop/"
    assert "https://meet.example.org/brine" not in text  # not for everyone
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    (timezone_component,) = cal.timezones
    assert timezone_component["TZID"] == "America/Denver"
    (alarm,) = vevent.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == datetime.timedelta(hours=-1)


def test_confirmed_registrants_entry_includes_the_join_link(denver_event):
    cal = parse_ics(calendar.event_ics(denver_event, join_link=True))
    vevent = cal.events[0]
    assert "https://meet.example.org/brine" in vevent["LOCATION"]
    assert "Join online: https://meet.example.org/brine" in vevent["DESCRIPTION"]


def test_uid_is_stable_and_sequence_grows_on_reschedule_and_cancel(staff_user, denver_event):
    first = parse_ics(calendar.event_ics(denver_event)).events[0]
    services.event_reschedule(
        actor=staff_user,
        event=denver_event,
        starts_at=denver_event.starts_at + datetime.timedelta(days=1),
        ends_at=denver_event.ends_at + datetime.timedelta(days=1),
    )
    second = parse_ics(calendar.event_ics(denver_event)).events[0]
    services.event_cancel(actor=staff_user, event=denver_event, message="Snow")
    cancelled_cal = parse_ics(calendar.event_ics(denver_event, attendee="ada@example.org", attendee_name="Ada"))
    third = cancelled_cal.events[0]

    assert first["UID"] == second["UID"] == third["UID"]
    assert (first["SEQUENCE"], second["SEQUENCE"], third["SEQUENCE"]) == (0, 1, 2)
    assert second.start == datetime.datetime(2027, 6, 17, 10, 0, tzinfo=DENVER)
    assert cancelled_cal["METHOD"] == "CANCEL"
    assert third["STATUS"] == "CANCELLED"
    assert str(third["ATTENDEE"]) == "mailto:ada@example.org"
    assert third.walk("VALARM") == []
    assert "CANCELLED: Snow" in third["DESCRIPTION"]


def test_event_download_view(client, denver_event):
    response = client.get(reverse("events:ics", args=[denver_event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lithium-brine-workshop.ics"'
    assert parse_ics(response.content).events[0]["UID"] == f"{denver_event.uid}@events.cma-usa"


def test_event_download_has_the_join_link_only_for_a_confirmed_registrant(client, user, denver_event):
    client.force_login(user)
    url = reverse("events:ics", args=[denver_event.slug])
    assert b"meet.example.org" not in client.get(url).content
    services.event_register(actor=user, event=denver_event)
    assert b"meet.example.org/brine" in client.get(url).content


def test_add_to_calendar_links(denver_event):
    google = urlsplit(calendar.google_calendar_url(denver_event))
    assert google.netloc == "calendar.google.com"
    query = parse_qs(google.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20270616T160000Z/20270616T193000Z"]
    assert query["ctz"] == ["America/Denver"]
    assert query["text"] == [denver_event.title]
    outlook = urlsplit(calendar.outlook_calendar_url(denver_event))
    assert outlook.netloc == "outlook.office.com"
    assert parse_qs(outlook.query)["startdt"] == ["2027-06-16T16:00:00Z"]
    assert urlsplit(calendar.outlook_calendar_url(denver_event, personal=True)).netloc == "outlook.live.com"


# --- Personal feed ------------------------------------------------------------


def test_feed_lists_only_the_users_confirmed_published_events(client, people, staff_user):
    user = people[0]
    mine = factories.EventFactory(title="Mine", capacity=5, online_url="https://meet.example.org/mine")
    waitlisted = factories.EventFactory(title="Waitlisted", capacity=1)
    cancelled_reg = factories.EventFactory(title="Cancelled registration")
    cancelled_event = factories.EventFactory(title="Cancelled event")
    factories.EventFactory(title="Someone else's")
    services.event_register(actor=user, event=mine)
    services.event_register(actor=people[1], event=waitlisted)
    services.event_register(actor=user, event=waitlisted)
    registration = services.event_register(actor=user, event=cancelled_reg)
    services.registration_cancel(actor=user, registration=registration)
    services.event_register(actor=user, event=cancelled_event)
    services.event_cancel(actor=staff_user, event=cancelled_event, message="Storm")
    feed = services.calendar_feed_enable(user=user)

    response = client.get(reverse("events:feed", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse_ics(response.content)
    assert [e["SUMMARY"] for e in cal.events] == ["Mine"]
    assert "https://meet.example.org/mine" in cal.events[0]["DESCRIPTION"]
    assert cal["X-WR-CALNAME"] == "CMA USA events"
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at is not None


def test_feed_with_a_wrong_token_is_404(client, user):
    services.calendar_feed_enable(user=user)
    assert client.get(reverse("events:feed", args=["not-the-token"])).status_code == 404
    assert client.get("/events/feed/" + "x" * 80 + ".ics").status_code == 404


def test_revoked_and_regenerated_feeds_stop_working(client, user):
    old = services.calendar_feed_enable(user=user).token
    new = services.calendar_feed_regenerate(user=user).token
    assert new != old
    assert client.get(reverse("events:feed", args=[old])).status_code == 404
    assert client.get(reverse("events:feed", args=[new])).status_code == 200

    assert services.calendar_feed_revoke(user=user) is True
    assert client.get(reverse("events:feed", args=[new])).status_code == 404
    assert services.calendar_feed_revoke(user=user) is False


def test_feed_of_a_deactivated_user_is_404(client, user):
    token = services.calendar_feed_enable(user=user).token
    user.is_active = False
    user.save()
    assert client.get(reverse("events:feed", args=[token])).status_code == 404


def test_enabling_twice_keeps_one_feed(user):
    assert services.calendar_feed_enable(user=user).token == services.calendar_feed_enable(user=user).token
    assert CalendarFeed.objects.count() == 1


def test_feed_management_page_actions(user_client, user):
    url = reverse("events:feed_manage")
    user_client.post(url, {"action": "enable"})
    token = CalendarFeed.objects.get(user=user).token
    page = user_client.get(reverse("events:mine"))
    assert token in page.content.decode()
    user_client.post(url, {"action": "regenerate"})
    assert CalendarFeed.objects.get(user=user).token != token
    user_client.post(url, {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert user_client.post(url, {"action": "steal"}).status_code == 400
