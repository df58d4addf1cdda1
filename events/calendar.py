"""Calendar entries: RFC 5545 files written with `icalendar`, and add-to-calendar links.

One VEVENT per event, always with the same UID; SEQUENCE grows each time the
entry people hold must be replaced (rescheduled, moved, cancelled), so
calendar clients update the entry they have instead of adding a second one.
Times are written in the event's own zone with its VTIMEZONE.

The join link of an online event goes only into entries made for a confirmed
registrant (their email attachments and their personal feed).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import STATUS, Alarm, Calendar, Timezone, vCalAddress
from icalendar import Event as VEvent

from cma.http import absolute_url

from .models import Event

PRODID = "-//CMA USA//Portal events//EN"
REMINDER_BEFORE = datetime.timedelta(hours=1)


def event_url(event: Event) -> str:
    return absolute_url(reverse("events:detail", args=[event.slug]))


def event_uid(event: Event) -> str:
    return f"{event.uid}@events.cma-usa"


def _location(event: Event, *, join_link: bool) -> str:
    place = ", ".join(part for part in [event.venue_name, event.address_one_line] if part)
    if join_link and event.online_url:
        return f"{place} / {event.online_url}" if place else event.online_url
    if place:
        return place
    return "Online" if event.is_online else ""


def _description(event: Event, *, join_link: bool) -> str:
    parts = [event.summary]
    if event.is_cancelled and event.cancellation_message:
        parts.insert(0, f"CANCELLED: {event.cancellation_message}")
    if join_link and event.online_url:
        parts.append(f"Join online: {event.online_url}")
    parts.append(f"Details: {event_url(event)}")
    return "\n\n".join(p for p in parts if p)


def _organizer() -> vCalAddress:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = settings.SITE_NAME
    return organizer


def _vevent(
    event: Event, *, join_link: bool, stamp: datetime.datetime, attendee: str = "", attendee_name: str = ""
) -> VEvent:
    cancelled = event.is_cancelled
    vevent = VEvent.new(
        uid=event_uid(event),
        stamp=stamp,
        sequence=event.sequence,
        summary=f"{'Cancelled: ' if cancelled else ''}{event.title}",
        start=event.local_starts_at,
        end=event.local_ends_at,
        description=_description(event, join_link=join_link),
        location=_location(event, join_link=join_link) or None,
        url=event_url(event),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        organizer=_organizer(),
        categories=[event.get_kind_display()],
    )
    if attendee:
        address = vCalAddress(f"mailto:{attendee}")
        if attendee_name:
            address.params["CN"] = attendee_name
        vevent.add("attendee", address)
    if not cancelled:
        alarm = Alarm.new(description=f"{event.title} starts in one hour")
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -REMINDER_BEFORE)
        vevent.add_component(alarm)
    return vevent


def _calendar(events: list[Event], vevents: list[VEvent], *, method: str | None, name: str = "") -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        # Subscribed clients refresh hourly (Apple and Outlook read either).
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for vevent in vevents:
        calendar.add_component(vevent)
    if events:
        # VTIMEZONE for the zones used, covering just the span of the events
        # (whole months, so one event's entries share the cached component).
        first = min(e.local_starts_at.date() for e in events).replace(day=1) - datetime.timedelta(days=1)
        last = (max(e.local_ends_at.date() for e in events).replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        for position, tzid in enumerate(sorted({e.time_zone for e in events})):
            component = _vtimezone(tzid, first, last)
            if component is not None:
                calendar.subcomponents.insert(position, component)
    return calendar.to_ical().decode()


@lru_cache(maxsize=256)
def _vtimezone(tzid: str, first: datetime.date, last: datetime.date) -> Timezone | None:
    """The VTIMEZONE of a zone over a span. Computing it from the tz database
    takes milliseconds, and registrations build entries inside the event's
    lock: built once per zone and span, then only read (serialized)."""
    if tzid == "UTC":
        return None  # UTC times are written with Z and need no VTIMEZONE
    try:
        return Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:
        return None


def event_ics(
    event: Event,
    *,
    join_link: bool = False,
    attendee: str = "",
    attendee_name: str = "",
    stamp: datetime.datetime | None = None,
) -> str:
    """The event as a one-entry calendar: METHOD:PUBLISH while it is on,
    METHOD:CANCEL (STATUS:CANCELLED, with the attendee) once cancelled."""
    method = "CANCEL" if event.is_cancelled else "PUBLISH"
    vevent = _vevent(
        event,
        join_link=join_link,
        stamp=stamp or timezone.now(),
        attendee=attendee if method == "CANCEL" else "",
        attendee_name=attendee_name,
    )
    return _calendar([event], [vevent], method=method)


def registration_cancelled_ics(event: Event, *, attendee: str, attendee_name: str = "") -> str:
    """Removes the event from one person's calendar (they cancelled; the event goes on)."""
    vevent = _vevent(event, join_link=False, stamp=timezone.now(), attendee=attendee, attendee_name=attendee_name)
    vevent["status"] = "CANCELLED"
    vevent.subcomponents.clear()  # no alarm for an entry being removed
    return _calendar([event], [vevent], method="CANCEL")


def feed_ics(events: Iterable[Event], *, name: str) -> str:
    """A subscribable calendar of the given events, join links included (the
    feed belongs to one confirmed registrant)."""
    events = list(events)
    # DTSTAMP in a feed is when each entry last changed, so an unchanged
    # entry reads the same on every refresh.
    vevents = [_vevent(e, join_link=True, stamp=e.updated_at) for e in events]
    return _calendar(events, vevents, method="PUBLISH", name=name)


# --- Add-to-calendar links -----------------------------------------------------


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def google_calendar_url(event: Event, *, join_link: bool = False) -> str:
    dates = f"{_utc(event.starts_at):%Y%m%dT%H%M%SZ}/{_utc(event.ends_at):%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": _description(event, join_link=join_link),
        "location": _location(event, join_link=join_link),
        "ctz": event.time_zone,
    }
    return f"https://calendar.google.com/calendar/render?{urlencode(query)}"


def outlook_calendar_url(event: Event, *, join_link: bool = False, personal: bool = False) -> str:
    """Outlook on the web: Microsoft 365 work accounts, or outlook.com (`personal`)."""
    host = "outlook.live.com" if personal else "outlook.office.com"
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": _utc(event.starts_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(event.ends_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _description(event, join_link=join_link),
        "location": _location(event, join_link=join_link),
    }
    return f"https://{host}/calendar/0/action/compose?{urlencode(query)}"
