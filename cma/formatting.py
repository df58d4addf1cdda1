"""Dates, times and money as the site writes them, in one place.

One style everywhere (pages, emails, calendar text, messages): the US
convention, "9:12 AM" and "2:00 PM" (never "9:12 a.m.", "noon" or "14:00"),
"Jan 5, 2026", and the zone's abbreviation ("EST") where a page names the
zone. Templates reach these through the filters in `cma.templatetags.cma`
(`clock`, `date_time`, `ago`); the admin and any date printed without a
filter use the same patterns through `cma/formats/en/formats.py`.

Month and day names are spelled here rather than by `strftime`, whose
output follows the process's C locale.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.timesince import timesince

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _in(value: datetime.datetime, zone: datetime.tzinfo | None) -> datetime.datetime:
    """The value in `zone`; as it is without one (templates hand the filters
    values already in the viewer's zone)."""
    if zone is None or timezone.is_naive(value):
        return value
    return value.astimezone(zone)


def clock(value: datetime.datetime | datetime.time, zone: datetime.tzinfo | None = None) -> str:
    """'9:12 AM', '2:00 PM', '12:00 PM' at noon, '12:05 AM' just after midnight."""
    if isinstance(value, datetime.datetime):
        value = _in(value, zone)
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def day(value: datetime.date, *, long: bool = False, weekday: bool = False, year: bool = True) -> str:
    """'Jan 5, 2026'; long: 'January 5, 2026'; weekday: 'Mon, Jan 5, 2026' or
    'Monday, January 5, 2026'; without the year: 'Jan 5'."""
    month = MONTHS[value.month - 1]
    text = f"{month if long else month[:3]} {value.day}"
    if year:
        text += f", {value.year}"
    if weekday:
        name = WEEKDAYS[value.weekday()]
        text = f"{name if long else name[:3]}, {text}"
    return text


def date_and_time(
    value: datetime.datetime,
    zone: datetime.tzinfo | None = None,
    *,
    long: bool = False,
    year: bool = True,
    zone_name: bool = False,
) -> str:
    """'Jan 5, 2026, 9:12 AM' (in `zone` when given); with zone_name:
    'Jan 5, 2026, 9:12 AM EST'."""
    value = _in(value, zone)
    text = f"{day(value, long=long, year=year)}, {clock(value)}"
    if zone_name and value.tzname():
        text += f" {value.tzname()}"
    return text


def ago(value: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long ago, in its largest unit: 'just now', '5 minutes ago', '2 days ago'."""
    now = now or timezone.now()
    if now - value < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, now, depth=1)} ago"


def waiting(value: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long something has waited, in its largest unit: '3 days', '1 hour'."""
    now = now or timezone.now()
    if now - value < datetime.timedelta(minutes=1):
        return "under a minute"
    return timesince(value, now, depth=1)


def money(amount: Decimal | int | float | None) -> str:
    """US dollars as pages and PDFs print them: "$12,500.00", "-$250.00"
    (a credit), "" for nothing. CSV exports write plain numbers instead."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"))
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"
