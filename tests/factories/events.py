"""Events, their speakers and questions, registrations."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from events.models import Event, Registration, RegistrationQuestion, Speaker

from .accounts import UserFactory

__all__ = ["EventFactory", "RegistrationFactory", "RegistrationQuestionFactory", "SpeakerFactory"]


class EventFactory(factory.django.DjangoModelFactory):
    """A published, public, one-hour webinar-like event a week from now."""

    class Meta:
        model = Event

    kind = Event.Kind.ROUNDTABLE
    title = factory.Sequence(lambda n: f"Critical Minerals Roundtable {n}")
    slug = factory.Sequence(lambda n: f"critical-minerals-roundtable-{n}")
    summary = "Members compare notes on permitting reform."
    description = "## Agenda\n\n1. Permitting\n2. Processing capacity"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + datetime.timedelta(hours=2))
    time_zone = "America/New_York"
    venue_name = "CMA USA offices"
    venue_address = "1701 Pennsylvania Avenue NW, Washington, DC 20006"
    visibility = Event.Visibility.PUBLIC
    capacity = 10
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name")
    title = "Chief Executive Officer"
    organization = "Sierra Lithium Resources"


class RegistrationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationQuestion

    event = factory.SubFactory(EventFactory)
    label = "Dietary requirements"
    kind = RegistrationQuestion.Kind.TEXT
    required = False


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration, written directly (no emails, no capacity check)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    seats = 1
    registered_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(
        lambda r: r.registered_at if r.status == Registration.Status.CONFIRMED else None
    )
