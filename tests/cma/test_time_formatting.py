"""One time style on every page, email and calendar text: "9:12 AM", "2:00 PM".

Pages used to mix Django's "9:12 a.m." (and "noon"), "2:00 PM" and
humanize's "2 days, 3 hours ago". These tests pin the US convention, with
the zone's abbreviation where a page names the zone, and check that
templates and code go through the one helper (cma.formatting and its
template filters) rather than formatting times themselves.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone

from cma import formatting
from notifications.models import Notification
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# 14:12 UTC on a January day is 9:12 in the morning in New York (EST).
MORNING = datetime.datetime(2026, 1, 5, 14, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (0, 5, "12:05 AM"),
        (9, 12, "9:12 AM"),
        (11, 59, "11:59 AM"),
        (12, 0, "12:00 PM"),
        (14, 0, "2:00 PM"),
        (23, 30, "11:30 PM"),
    ],
)
def test_clock_reads_hours_the_us_way(hour, minute, expected):
    assert formatting.clock(datetime.time(hour, minute)) == expected
    assert formatting.clock(datetime.datetime(2026, 7, 4, hour, minute)) == expected


def test_a_moment_in_a_zone_names_the_zone():
    assert formatting.date_and_time(MORNING, NEW_YORK, zone_name=True) == "Jan 5, 2026, 9:12 AM EST"
    assert formatting.date_and_time(MORNING, NEW_YORK, long=True) == "January 5, 2026, 9:12 AM"
    assert formatting.date_and_time(MORNING, NEW_YORK, year=False) == "Jan 5, 9:12 AM"


def test_template_filters_show_the_viewers_zone():
    template = Template(
        "{% load cma %}{{ t|clock }} | {{ t|date_time }} | {{ t|date_time:'long zone' }} | {{ t|date_time:'no-year' }}"
    )
    with timezone.override(NEW_YORK):
        text = template.render(Context({"t": MORNING}))
    assert text == "9:12 AM | Jan 5, 2026, 9:12 AM | January 5, 2026, 9:12 AM EST | Jan 5, 9:12 AM"


def test_relative_times_use_one_unit():
    now = datetime.datetime(2026, 1, 8, 17, 0, tzinfo=datetime.UTC)
    three_days_earlier = now - datetime.timedelta(days=3, hours=2, minutes=48)

    assert formatting.ago(now - datetime.timedelta(seconds=20), now) == "just now"
    assert formatting.ago(three_days_earlier, now).replace("\xa0", " ") == "3 days ago"
    assert formatting.waiting(three_days_earlier, now).replace("\xa0", " ") == "3 days"


def test_what_django_prints_unformatted_uses_the_same_style():
    """The admin, allauth's pages and a bare {{ value }} go through Django's
    formats, whose English defaults say "9:12 a.m." and "noon"."""
    noon = datetime.datetime(2026, 1, 5, 12, 0)

    assert formats.date_format(noon, "DATETIME_FORMAT") == "Jan 5, 2026, 12:00 PM"
    assert Template("{{ t|time }} / {{ t }}").render(Context({"t": noon})) == "12:00 PM / Jan 5, 2026, 12:00 PM"


@pytest.mark.django_db
def test_notifications_page_shows_a_9_12_am_notice_as_such(member, member_client):
    notice = Notification.objects.create(user=member, category="test", title="A decision", dedupe_key="t:1")
    Notification.objects.filter(pk=notice.pk).update(created_at=MORNING)

    html = member_client.get(reverse("notifications:list")).content.decode()

    assert "Jan 5, 2026, 9:12 AM" in html
    assert "a.m." not in html


@pytest.mark.django_db
def test_staff_review_page_shows_submission_time_the_same_way(staff_client):
    application = factories.ApplicationFactory(status="submitted", submitted_at=MORNING)

    html = staff_client.get(reverse("staff:members:application", args=[application.pk])).content.decode()

    assert "Submitted January 5, 2026, 9:12 AM" in html
    assert "a.m." not in html


@pytest.mark.django_db
def test_month_page_and_event_page_agree_on_the_time(client):
    start = datetime.datetime(2027, 1, 12, 19, 0, tzinfo=datetime.UTC)  # 2 PM in New York
    event = factories.EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1))

    month = client.get(reverse("events:month"), {"month": "2027-01"}).content.decode()
    detail = client.get(reverse("events:detail", args=[event.slug])).content.decode()

    assert '<span class="month-event-time">2:00 PM</span>' in month
    assert "2:00 PM – 3:00 PM EST" in detail


def test_a_time_the_clocks_skip_is_refused_in_the_same_style():
    from django.core.exceptions import ValidationError

    from events.forms import localize

    # Clocks in New York jump from 2:00 to 3:00 AM on March 14, 2027.
    with pytest.raises(ValidationError) as refusal:
        localize(datetime.datetime(2027, 3, 14, 2, 30), "America/New_York")
    assert refusal.value.messages == ["2:30 AM does not exist on that day in America/New_York (the clocks change)."]


# --- Nothing formats a time by itself -------------------------------------------

# Django date-format characters that print a time of day; "c" (ISO 8601, for
# datetime="" attributes) is for machines and allowed.
TIME_CHARACTERS = set("aABfgGhHiPsuveOTZUr")


def _templates() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"})


def test_templates_format_times_only_through_the_site_filters():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"\|date:(['\"])(.*?)\1", text):
            if set(match.group(2)) & TIME_CHARACTERS and match.group(2) != "c":
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        for pattern in (r"\|time\b", r"\bnaturaltime\b", r"\|timesince\b", r"\|timeuntil\b"):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert not offenders, "use |clock, |date_time, |ago or |waiting (cma.formatting):\n" + "\n".join(offenders)


def test_python_code_writes_clock_times_only_through_cma_formatting():
    """A 12-hour clock (%I, %p) written by hand drifts from the site's style
    (and %p follows the process's locale)."""
    offenders = []
    for app in ("cma", "members", "events", "workinggroups", "petitions", "notifications"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "cma" / "formatting.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"%-?I|%p|\bnaturaltime\b", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use cma.formatting:\n" + "\n".join(offenders)
