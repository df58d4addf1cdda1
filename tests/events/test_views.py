"""The public pages: listing, month view, the event page, registering and cancelling."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from events import permissions
from events.models import Registration
from tests import factories

from .conftest import in_days

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    """The messages this response added (earlier, unread ones are dropped)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def test_list_shows_upcoming_events_soonest_first_with_seats_left(client):
    factories.EventFactory(title="Later", starts_at=in_days(20), ends_at=in_days(20.1), capacity=10)
    sooner = factories.EventFactory(title="Sooner", starts_at=in_days(2), ends_at=in_days(2.1), capacity=3)
    factories.RegistrationFactory(event=sooner)
    factories.EventFactory(title="Over", starts_at=in_days(-3), ends_at=in_days(-2.9))

    response = client.get(reverse("events:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Sooner") < body.index("Later")
    assert "Over" not in body
    assert "2 of 3 seats left" in body
    assert "10 of 10 seats left" in body


def test_past_events_latest_first(client):
    factories.EventFactory(title="Long ago", starts_at=in_days(-30), ends_at=in_days(-29.9))
    factories.EventFactory(title="Last week", starts_at=in_days(-7), ends_at=in_days(-6.9))
    factories.EventFactory(title="Next month's workshop")
    body = client.get(reverse("events:list"), {"when": "past"}).content.decode()
    assert body.index("Last week") < body.index("Long ago")
    assert "Next month" not in body


def test_list_filters_by_kind_and_working_group(client, group):
    factories.EventFactory(title="A webinar", kind="webinar")
    factories.EventFactory(title="A roundtable", kind="roundtable", working_group=group)
    body = client.get(reverse("events:list"), {"kind": "webinar"}).content.decode()
    assert "A webinar" in body and "A roundtable" not in body
    body = client.get(reverse("events:list"), {"group": group.slug}).content.decode()
    assert "A roundtable" in body and "A webinar" not in body


def test_list_with_a_bad_filter_shows_everything_rather_than_failing(client, event):
    response = client.get(reverse("events:list"), {"kind": "rave", "page": "x"})
    assert response.status_code == 200
    assert event.title in response.content.decode()


def test_list_empty_state(client):
    assert "No upcoming events right now" in client.get(reverse("events:list")).content.decode()


def test_list_shows_the_viewers_registration_and_waitlist_position(client, people):
    event = factories.EventFactory(capacity=1)
    factories.RegistrationFactory(event=event, user=people[0])
    factories.RegistrationFactory(event=event, user=people[1], status="waitlisted", confirmed_at=None)
    factories.RegistrationFactory(event=event, user=people[2], status="waitlisted", confirmed_at=None)
    client.force_login(people[2])
    body = client.get(reverse("events:list")).content.decode()
    assert "Waitlisted · position 2" in body
    client.force_login(people[0])
    assert "You're registered" in client.get(reverse("events:list")).content.decode()


def test_month_view_places_events_on_their_day_in_the_viewers_zone(client, user):
    user.time_zone = "America/Los_Angeles"
    user.save()
    client.force_login(user)
    # 03:00 UTC on the 15th is the evening of the 14th in Los Angeles.
    start = datetime.datetime(2027, 5, 15, 3, 0, tzinfo=datetime.UTC)
    factories.EventFactory(title="Evening webinar", starts_at=start, ends_at=start + datetime.timedelta(hours=1))

    response = client.get(reverse("events:month"), {"month": "2027-05"})

    assert response.status_code == 200
    month = response.context["month"]
    days = {day.date.day: [e.title for e in day.events] for week in month.weeks for day in week if day.in_month}
    assert days[14] == ["Evening webinar"]
    assert days[15] == []


def test_month_view_spreads_a_multi_day_conference(client):
    start = datetime.datetime(2027, 5, 10, 14, 0, tzinfo=datetime.UTC)
    factories.EventFactory(title="Conference", starts_at=start, ends_at=start + datetime.timedelta(days=2, hours=6))
    month = client.get(reverse("events:month"), {"month": "2027-05"}).context["month"]
    days = [day.date.day for week in month.weeks for day in week if day.in_month and day.events]
    assert days == [10, 11, 12]


def test_month_view_with_a_bad_month_shows_this_month(client):
    response = client.get(reverse("events:month"), {"month": "2027-13"})
    assert response.status_code == 200
    assert response.context["month"].first == timezone.localdate().replace(day=1)


def test_event_page_shows_times_in_the_events_zone_and_the_viewers(client, user):
    user.time_zone = "America/Los_Angeles"
    user.save()
    client.force_login(user)
    start = datetime.datetime(2027, 1, 12, 15, 0, tzinfo=datetime.UTC)  # 10 AM in New York
    event = factories.EventFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), time_zone="America/New_York"
    )

    body = client.get(reverse("events:detail", args=[event.slug])).content.decode()

    assert "Tuesday, January 12, 2027, 10:00 AM – 12:00 PM EST (New York time)" in body
    assert "Your time: Tuesday, January 12, 2027, 7:00 AM – 9:00 AM PST (Los Angeles time)" in body


def test_event_page_renders_markdown_safely(client):
    event = factories.EventFactory(description="**Agenda**\n\n<script>alert(1)</script>")
    body = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "<strong>Agenda</strong>" in body
    assert "<script>alert(1)</script>" not in body


def test_register_from_the_event_page(user_client, user, event, mailoutbox, django_capture_on_commit_callbacks):
    question = factories.RegistrationQuestionFactory(event=event, label="Dietary needs")
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(reverse("events:register", args=[event.slug]), {f"q_{question.pk}": "Vegetarian"})
    assert response.status_code == 302
    assert response["Location"] == reverse("events:detail", args=[event.slug])
    registration = Registration.objects.get(user=user)
    assert registration.status == "confirmed"
    assert registration.answers[0]["answer"] == "Vegetarian"
    assert _messages(response) == [
        f"You're registered for {event.title}. A confirmation with a calendar entry is on its way to {user.email}."
    ]
    assert len(mailoutbox) == 1
    page = user_client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "Cancel my registration" in page


def test_a_full_event_offers_the_waitlist(user_client, user):
    event = factories.EventFactory(capacity=1)
    factories.RegistrationFactory(event=event)
    page = user_client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "Join the waitlist" in page
    response = user_client.post(reverse("events:register", args=[event.slug]))
    assert "waitlist (position 1)" in _messages(response)[0]
    page = user_client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "number 1</strong> in line" in page


def test_registering_twice_is_answered_not_duplicated(user_client, user, event):
    url = reverse("events:register", args=[event.slug])
    user_client.post(url)
    response = user_client.post(url)
    assert response.status_code == 302
    assert _messages(response) == ["You are already registered for this event."]
    assert Registration.objects.filter(user=user).count() == 1


def test_too_many_seats_is_an_error_beside_the_field(user_client):
    event = factories.EventFactory(max_seats_per_registration=3)
    response = user_client.post(reverse("events:register", args=[event.slug]), {"seats": "7"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 3." in response.content.decode()
    assert not Registration.objects.exists()


def test_missing_required_answer_is_an_error_beside_the_field(user_client, event):
    factories.RegistrationQuestionFactory(event=event, label="Company role", required=True)
    response = user_client.post(reverse("events:register", args=[event.slug]), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"registration_closes_at": timezone.now() - datetime.timedelta(hours=1)},
            "Registration for this event has closed.",
        ),
        ({"registration_opens_at": timezone.now() + datetime.timedelta(days=2)}, "Registration opens on "),
        ({"status": "cancelled"}, "This event was cancelled, so registration is closed."),
    ],
)
def test_registering_outside_the_window_is_answered_and_changes_nothing(user_client, changes, message):
    event = factories.EventFactory(**changes)
    response = user_client.post(reverse("events:register", args=[event.slug]))
    assert response.status_code == 302
    assert message in _messages(response)[0]
    assert not Registration.objects.exists()


def test_the_page_says_when_registration_opens(user_client):
    event = factories.EventFactory(registration_opens_at=in_days(2))
    assert "Registration opens on" in user_client.get(reverse("events:detail", args=[event.slug])).content.decode()


def test_registering_for_a_missing_event_is_404(user_client):
    assert user_client.post(reverse("events:register", args=["no-such-event"])).status_code == 404


def test_register_page_refuses_get(user_client, event):
    assert user_client.get(reverse("events:register", args=[event.slug])).status_code == 405


def test_cancel_flow_with_confirmation_page(user_client, user, people):
    event = factories.EventFactory(capacity=1)
    url = reverse("events:cancel_registration", args=[event.slug])
    user_client.post(reverse("events:register", args=[event.slug]))
    factories.RegistrationFactory(event=event, user=people[0], status="waitlisted", confirmed_at=None)

    page = user_client.get(url)
    assert page.status_code == 200
    assert "Cancel your registration?" in page.content.decode()
    response = user_client.post(url)

    assert _messages(response) == [f"Your registration for {event.title} was cancelled."]
    assert Registration.objects.get(user=user).status == "cancelled"
    assert Registration.objects.get(user=people[0]).status == "confirmed"
    again = user_client.post(url)
    assert _messages(again) == ["You have no registration for this event."]


def test_leave_the_waitlist(user_client, user):
    event = factories.EventFactory(capacity=1)
    factories.RegistrationFactory(event=event)
    user_client.post(reverse("events:register", args=[event.slug]))
    page = user_client.get(reverse("events:cancel_registration", args=[event.slug])).content.decode()
    assert "Leave the waitlist?" in page
    response = user_client.post(reverse("events:cancel_registration", args=[event.slug]))
    assert _messages(response) == ["You left the waitlist."]


def test_my_events_lists_upcoming_with_positions_and_past_attendance(user_client, user):
    upcoming = factories.EventFactory(title="Coming soon", capacity=1)
    factories.RegistrationFactory(event=upcoming)
    factories.RegistrationFactory(event=upcoming, user=user, status="waitlisted", confirmed_at=None)
    past = factories.EventFactory(title="Last month", starts_at=in_days(-30), ends_at=in_days(-29.9))
    factories.RegistrationFactory(event=past, user=user, attended_at=past.starts_at)
    body = user_client.get(reverse("events:mine")).content.decode()
    assert "Coming soon" in body and "Waitlisted · position 1" in body
    assert "Last month" in body and "Attended" in body


def test_cancelled_event_page_shows_the_message(client, staff_user, event):
    from events import services

    services.event_cancel(actor=staff_user, event=event, message="The venue flooded.")
    body = client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert "This event was cancelled." in body
    assert "The venue flooded." in body
    assert 'action="/events/' not in body  # no registration form


# --- Who may register is decided once per request ------------------------------------


@pytest.fixture
def refusal_calls():
    with mock.patch(
        "events.permissions.registration_refusal", wraps=permissions.registration_refusal
    ) as registration_refusal:
        yield registration_refusal


def test_registering_decides_who_may_register_once(user_client, user, event, refusal_calls):
    response = user_client.post(reverse("events:register", args=[event.slug]))
    assert response.status_code == 302
    assert Registration.objects.get(user=user).status == "confirmed"
    assert refusal_calls.call_count == 1


def test_a_form_shown_again_decides_who_may_register_once(user_client, event, refusal_calls):
    factories.RegistrationQuestionFactory(event=event, label="Company role", required=True)
    response = user_client.post(reverse("events:register", args=[event.slug]), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert refusal_calls.call_count == 1


def test_the_event_page_decides_who_may_register_once(user_client, event, refusal_calls):
    assert "Register" in user_client.get(reverse("events:detail", args=[event.slug])).content.decode()
    assert refusal_calls.call_count == 1


def test_a_non_member_is_shown_the_membership_page_deciding_once(user_client, members_event, refusal_calls):
    response = user_client.post(reverse("events:register", args=[members_event.slug]))
    assert response.status_code == 403 and "This event is for members" in response.content.decode()
    assert refusal_calls.call_count == 1


def test_a_check_for_someone_else_is_not_trusted(user, member, members_event):
    from events import services
    from events.services import MembershipRequired

    check = permissions.registration_check(member, members_event)
    assert check.refusal is None
    with pytest.raises(MembershipRequired):
        services.event_register(actor=user, event=members_event, check=check)
    assert not Registration.objects.exists()
