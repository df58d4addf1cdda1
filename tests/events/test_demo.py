"""The demo data: idempotent, consistent with the rules."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from events import demo, services
from events.models import Event, Registration
from members import demo as members_demo
from workinggroups import demo as workinggroups_demo

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_respects_capacity():
    members_demo.seed()
    demo.seed()
    counts = (Event.objects.count(), Registration.objects.count())
    demo.seed()
    assert (Event.objects.count(), Registration.objects.count()) == counts
    assert counts[0] >= 10
    for event in Event.objects.filter(capacity__isnull=False):
        confirmed = event.registrations.filter(status="confirmed").aggregate(n=Sum("seats"))["n"] or 0
        assert confirmed <= event.capacity, event.slug
    assert set(Event.objects.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert Event.objects.filter(status="draft").exists() and Event.objects.filter(status="cancelled").exists()
    member = Registration.objects.filter(user__email="sam.ortiz@sierra-lithium.example")
    assert member.filter(status="waitlisted").exists() and member.filter(status="confirmed").exists()


def test_seed_scale_adds_events_with_registrations():
    members_demo.seed()
    members_demo.seed_scale(20)
    summary = demo.seed_scale(20)
    assert summary.startswith("20 events")
    scale = Event.objects.filter(slug__startswith="scale-event-")
    assert scale.count() == 20
    assert Registration.objects.filter(event__in=scale).exists()


def test_demo_events_follow_the_rules_of_every_event(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the working groups' demo stores documents
    members_demo.seed()
    workinggroups_demo.seed()
    demo.seed()
    members_demo.seed_scale(20)
    demo.seed_scale(20)
    assert Event.objects.filter(visibility="group", working_group__slug="trade-policy-working-group").exists()
    for event in Event.objects.all():
        fields = {name: getattr(event, name) for name in services.EVENT_FIELDS - {"slug"}}
        services.event_check(**fields)  # raises ValidationError naming the field
