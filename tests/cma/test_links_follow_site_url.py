"""Every emailed and calendar link follows the address the site is served on
(SITE_URL; `make run PORT=8101` sets it): none falls back to port 8000."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from members import services as member_services
from tests import factories
from tests.petitions.conftest import VALID_ENDORSEMENT, VALID_SIGNATURE

pytestmark = pytest.mark.django_db

SERVED_AT = "http://127.0.0.1:8101"


@pytest.fixture(autouse=True)
def served_elsewhere(settings):
    settings.SITE_URL = SERVED_AT


def assert_follows(text: str, what: str) -> None:
    assert SERVED_AT in text, f"{what}: no link to {SERVED_AT}"
    assert ":8000" not in text, f"{what}: a link to port 8000"


def test_membership_welcome_and_acknowledgment(staff_user, mailoutbox, django_capture_on_commit_callbacks):
    application = factories.ApplicationFactory(status="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        member_services.application_approve(actor=staff_user, application=application)

    welcome = next(m for m in mailoutbox if m.to == [application.applicant.email])
    assert_follows(welcome.body + welcome.alternatives[0][0], "the welcome email")


def test_waitlist_promotion_and_calendar_files(staff_user, mailoutbox, django_capture_on_commit_callbacks):
    start = timezone.now() + datetime.timedelta(days=9)
    event = factories.EventFactory(capacity=1, starts_at=start, ends_at=start + datetime.timedelta(hours=1))
    first, second = factories.UserFactory(), factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        seat = event_services.event_register(actor=first, event=event)
        event_services.event_register(actor=second, event=event)
        event_services.registration_cancel(actor=first, registration=seat)

    promoted = [m for m in mailoutbox if m.to == [second.email]][-1]
    assert_follows(promoted.body, "the waitlist promotion")
    ics = next(a for a in promoted.attachments if a[0].endswith(".ics"))[1]
    assert_follows(ics, "the .ics URL and description")

    page = Client().get(reverse("events:detail", args=[event.slug])).content.decode()
    google = page.split('href="https://calendar.google.com', 1)[1].split('"', 1)[0]
    assert "127.0.0.1%3A8101" in google and "8000" not in google
    assert_follows(Client().get(reverse("events:ics", args=[event.slug])).content.decode(), "the event's .ics")


def test_petition_confirmations_and_share_links(mailoutbox, django_capture_on_commit_callbacks):
    petition = factories.PetitionFactory()
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("petitions:sign", args=[petition.slug]), VALID_SIGNATURE)
        browser.post(reverse("petitions:endorse", args=[petition.slug]), VALID_ENDORSEMENT)

    for message in mailoutbox:
        assert_follows(message.body, message.subject)
    page = browser.get(petition.get_absolute_url()).content.decode()
    assert f"{SERVED_AT}{petition.get_absolute_url()}" in page  # the share links
    assert ":8000" not in page
