"""{% load events %}: event times for people, in the event's zone and theirs."""

from __future__ import annotations

from django import template
from django.utils import timezone

from events import formatting

register = template.Library()


@register.inclusion_tag("events/_when.html")
def event_when(event, compact: bool = False):
    """When the event happens in its own zone, and in the viewer's zone (the
    middleware activates it) when that reads differently."""
    return {
        "event": event,
        "when": formatting.event_when(event),
        "when_for_viewer": formatting.event_when_for(event, timezone.get_current_timezone()),
        "compact": compact,
    }


@register.filter
def in_event_zone(value, event):
    """A datetime shown in the event's zone: {{ event.registration_closes|in_event_zone:event }}."""
    if not value:
        return ""
    return formatting.moment_text(value, event.zone).removeprefix("on ")
