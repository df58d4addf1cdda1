"""Event times as people read them: in the event's zone, and in the reader's."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings

from cma.formatting import clock as _time
from cma.formatting import day


def _date(value: datetime.datetime, *, short: bool = False) -> str:
    return day(value, long=not short, weekday=True)


def moment_text(value: datetime.datetime, zone: datetime.tzinfo) -> str:
    """'on Tuesday, December 8, 2026 at 9:00 AM EST'."""
    local = value.astimezone(zone)
    return f"on {_date(local)} at {_time(local)} {local.tzname()}"


def zone_label(zone: zoneinfo.ZoneInfo | datetime.tzinfo) -> str:
    """'America/New_York' -> 'New York'."""
    key = getattr(zone, "key", str(zone))
    return key.rsplit("/", 1)[-1].replace("_", " ")


def when_text(start: datetime.datetime, end: datetime.datetime, zone: datetime.tzinfo) -> str:
    """'Tuesday, December 8, 2026, 10:00 AM – 11:30 AM EST', or a span of days."""
    s, e = start.astimezone(zone), end.astimezone(zone)
    if s.date() == e.date():
        return f"{_date(s)}, {_time(s)} – {_time(e)} {e.tzname()}"
    return f"{_date(s, short=True)}, {_time(s)} {s.tzname()} – {_date(e, short=True)}, {_time(e)} {e.tzname()}"


def viewer_zone(user) -> zoneinfo.ZoneInfo:
    """The zone a person chose, or the association's default."""
    name = getattr(user, "time_zone", "") or settings.DISPLAY_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE)


def same_offsets(event, zone: datetime.tzinfo) -> bool:
    """True when the reader's clock reads the same as the event's for its whole span."""
    return event.starts_at.astimezone(zone).utcoffset() == event.local_starts_at.utcoffset() and (
        event.ends_at.astimezone(zone).utcoffset() == event.local_ends_at.utcoffset()
    )


def event_when(event) -> str:
    """When, in the event's own zone, with the zone named."""
    return f"{when_text(event.starts_at, event.ends_at, event.zone)} ({zone_label(event.zone)} time)"


def event_when_for(event, zone: datetime.tzinfo) -> str:
    """When, in the reader's zone; empty when it reads the same as the event's."""
    if same_offsets(event, zone):
        return ""
    return f"{when_text(event.starts_at, event.ends_at, zone)} ({zone_label(zone)} time)"
