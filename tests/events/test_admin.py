"""The admin goes through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cma.audit import history_of
from events import services
from events.models import Event, Registration
from tests import factories
from tests.support.mfa import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    sign_in_with_second_factor(client, staff_user)
    return client


def _add_data(**overrides):
    data = {
        "kind": "roundtable",
        "title": "Roundtable from the admin",
        "slug": "",
        "summary": "Made in the admin.",
        "description": "",
        "starts_at_0": "2027-04-06",
        "starts_at_1": "10:00",
        "ends_at_0": "2027-04-06",
        "ends_at_1": "12:00",
        "time_zone": "America/New_York",
        "venue_name": "CMA USA offices",
        "visibility": "members",
        "max_seats_per_registration": "1",
        "speakers-TOTAL_FORMS": "0",
        "speakers-INITIAL_FORMS": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_add_goes_through_the_service(admin_client, staff_user):
    response = admin_client.post(reverse("admin:events_event_add"), _add_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    assert event.status == "draft"
    assert event.slug.startswith("roundtable-from-the-admin-2027-04-0")
    assert [e.action for e in history_of(event)] == ["event.created"]
    assert event.created_by == staff_user


def test_admin_refuses_an_event_ending_before_it_starts(admin_client):
    response = admin_client.post(reverse("admin:events_event_add"), _add_data(ends_at_1="09:00"))
    assert response.status_code == 200
    assert "The event must end after it starts." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_refuses_a_webinar_without_a_join_link(admin_client):
    response = admin_client.post(reverse("admin:events_event_add"), _add_data(kind="webinar", venue_name=""))
    assert response.status_code == 200
    assert "A webinar needs a join link." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_refuses_an_event_with_nowhere_to_go(admin_client):
    response = admin_client.post(reverse("admin:events_event_add"), _add_data(venue_name=""))
    assert response.status_code == 200
    assert "Give a venue or a join link." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_publish_action(admin_client, draft_event, event):
    response = admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "publish", "_selected_action": [draft_event.pk, event.pk]},
        follow=True,
    )
    assert Event.objects.get(pk=draft_event.pk).status == "published"
    assert "Only a draft can be published" in response.content.decode()


def test_admin_cancel_action_opens_the_staff_page(admin_client, event):
    response = admin_client.post(
        reverse("admin:events_event_changelist"), {"action": "cancel", "_selected_action": [event.pk]}
    )
    assert response["Location"] == reverse("staff:events:cancel", args=[event.pk])


def test_admin_registration_cancel_action_promotes(admin_client, people):
    event = factories.EventFactory(capacity=1)
    first = services.event_register(actor=people[0], event=event)
    services.event_register(actor=people[1], event=event)
    admin_client.post(
        reverse("admin:events_registration_changelist"), {"action": "cancel", "_selected_action": [first.pk]}
    )
    assert Registration.objects.get(user=people[1]).status == "confirmed"


def test_admin_change_page_of_a_published_event_keeps_times_read_only(admin_client, event):
    body = admin_client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'name="starts_at_0"' not in body
    assert reverse("staff:events:reschedule", args=[event.pk]) in body
