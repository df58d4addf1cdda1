"""Registering, the waitlist, cancelling and promotion (services)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.audit import history_of
from cma.errors import Conflict, NotFound, Refused
from events import services
from events.models import Registration
from notifications.models import OutgoingEmail
from tests import factories

from .conftest import ics_attachments

pytestmark = pytest.mark.django_db


def register(user, event, **kwargs):
    return services.event_register(actor=user, event=event, **kwargs)


def test_registrations_are_confirmed_while_seats_last_then_waitlisted_in_order(people):
    event = factories.EventFactory(capacity=3)

    results = [register(p, event) for p in people]

    assert [r.status for r in results] == ["confirmed"] * 3 + ["waitlisted"] * 2
    waitlist = list(Registration.objects.filter(event=event, status="waitlisted").order_by("registered_at", "pk"))
    assert [r.user for r in waitlist] == people[3:]


def test_confirmation_email_carries_the_calendar_entry(user, event, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(user, event)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert message.subject == f"[CMA USA] You're registered: {event.title}"
    (calendar,) = ics_attachments(message)
    assert calendar.events[0]["UID"] == f"{event.uid}@events.cma-usa"


def test_waitlisted_person_is_told_their_position(people, mailoutbox, django_capture_on_commit_callbacks):
    event = factories.EventFactory(capacity=1)
    register(people[0], event)
    register(people[1], event)
    with django_capture_on_commit_callbacks(execute=True):
        register(people[2], event)

    message = mailoutbox[-1]
    assert message.subject == f"[CMA USA] You're on the waitlist: {event.title}"
    assert "number 2 in line" in message.body
    assert ics_attachments(message) == []


def test_several_seats_count_against_capacity(people):
    event = factories.EventFactory(capacity=5, max_seats_per_registration=3)

    first = register(people[0], event, seats=3)
    second = register(people[1], event, seats=3)  # 3 + 3 > 5
    third = register(people[2], event, seats=2)  # 3 + 2 = 5

    assert (first.status, second.status, third.status) == ("confirmed", "waitlisted", "confirmed")


def test_more_seats_than_allowed_is_refused_and_changes_nothing(user):
    event = factories.EventFactory(max_seats_per_registration=2)
    with pytest.raises(Conflict, match="2 seats at most"):
        register(user, event, seats=3)
    with pytest.raises(Conflict):
        register(user, event, seats=0)
    assert not Registration.objects.exists()


def test_registering_twice_is_refused(user, event):
    register(user, event)
    with pytest.raises(services.AlreadyRegistered):
        register(user, event)
    assert Registration.objects.filter(event=event, user=user).count() == 1


def test_registering_twice_sends_one_email(user, event, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(user, event)
        with pytest.raises(services.AlreadyRegistered):
            register(user, event)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "draft"}, "not open"),
        ({"registration_opens_at": timezone.now() + datetime.timedelta(days=1)}, "Registration opens on"),
        ({"registration_closes_at": timezone.now() - datetime.timedelta(minutes=1)}, "has closed"),
    ],
)
def test_registration_outside_its_window_or_state_is_refused(user, changes, message):
    event = factories.EventFactory(**changes)
    with pytest.raises(Conflict, match=message):
        register(user, event)
    assert not Registration.objects.exists()


def test_registration_closes_when_the_event_starts(user):
    event = factories.EventFactory(
        starts_at=timezone.now() - datetime.timedelta(minutes=5), ends_at=timezone.now() + datetime.timedelta(hours=1)
    )
    with pytest.raises(Conflict, match="has closed"):
        register(user, event)


def test_non_member_cannot_register_for_members_only_event(user, members_event):
    with pytest.raises(services.MembershipRequired):
        register(user, members_event)
    assert not Registration.objects.exists()


def test_member_may_register_for_members_only_event(member, members_event):
    assert register(member, members_event).is_confirmed


def test_member_of_lapsed_organization_is_not_a_member(members_event):
    lapsed = factories.MemberFactory(organization=factories.MembershipFactory(status="lapsed").organization).user
    with pytest.raises(services.MembershipRequired):
        register(lapsed, members_event)


def test_staff_with_mfa_may_register_for_anything(staff_user, members_event, group_event):
    assert register(staff_user, members_event).is_confirmed
    assert register(staff_user, group_event).is_confirmed


def test_group_event_is_for_the_group(member, group_member, group_event):
    with pytest.raises(NotFound):
        register(member, group_event)
    assert register(group_member, group_event).is_confirmed


def test_required_answers_and_choices_are_checked(user, event):
    required = factories.RegistrationQuestionFactory(event=event, label="Company role", required=True)
    choice = factories.RegistrationQuestionFactory(
        event=event, label="Session", kind="choice", choices="Morning\nAfternoon", required=False
    )
    with pytest.raises(ValidationError) as excinfo:
        register(user, event, answers={choice.pk: "Evening"})
    assert set(excinfo.value.message_dict) == {f"q_{required.pk}", f"q_{choice.pk}"}
    assert not Registration.objects.exists()

    registration = register(user, event, answers={required.pk: "  Geologist ", choice.pk: "Morning"})
    assert registration.answers == [
        {"question_id": required.pk, "question": "Company role", "answer": "Geologist"},
        {"question_id": choice.pk, "question": "Session", "answer": "Morning"},
    ]


def test_cancelling_a_seat_promotes_the_first_waitlisted(people, mailoutbox, django_capture_on_commit_callbacks):
    event = factories.EventFactory(capacity=1, online_url="https://meet.example.org/room-42")
    first = register(people[0], event)
    second = register(people[1], event)
    third = register(people[2], event)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(actor=people[0], registration=first)

    assert [r.pk for r in promoted] == [second.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    assert second.confirmed_at is not None
    promotion = next(m for m in mailoutbox if m.to == [people[1].email])
    assert "you're registered" in promotion.subject
    assert "https://meet.example.org/room-42" in promotion.body
    assert (
        ics_attachments(promotion)[0].events[0]["LOCATION"]
        == "CMA USA offices, 1701 Pennsylvania Avenue NW, Washington, DC 20006 / https://meet.example.org/room-42"
    )
    cancellation = next(m for m in mailoutbox if m.to == [people[0].email])
    assert ics_attachments(cancellation)[0]["METHOD"] == "CANCEL"


def test_a_larger_party_that_does_not_fit_keeps_its_place(people):
    event = factories.EventFactory(capacity=3, max_seats_per_registration=3)
    holder = register(people[0], event, seats=1)
    register(people[1], event, seats=2)
    big = register(people[2], event, seats=3)  # waitlisted first
    small = register(people[3], event, seats=1)  # waitlisted second

    promoted = services.registration_cancel(actor=people[0], registration=holder)

    assert [r.pk for r in promoted] == [small.pk]
    big.refresh_from_db()
    assert big.status == "waitlisted"


def test_freed_seats_go_to_everyone_who_fits_in_order(people):
    event = factories.EventFactory(capacity=3, max_seats_per_registration=3)
    party = register(people[0], event, seats=3)
    waiting = [register(p, event) for p in people[1:5]]

    promoted = services.registration_cancel(actor=people[0], registration=party)

    assert [r.pk for r in promoted] == [w.pk for w in waiting[:3]]
    assert Registration.objects.get(pk=waiting[3].pk).status == "waitlisted"


def test_leaving_the_waitlist_promotes_nobody(people):
    event = factories.EventFactory(capacity=1)
    register(people[0], event)
    waiting = register(people[1], event)
    register(people[2], event)

    assert services.registration_cancel(actor=people[1], registration=waiting) == []
    assert Registration.objects.get(pk=waiting.pk).status == "cancelled"
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1


def test_cancelling_twice_is_refused(user, event):
    registration = register(user, event)
    services.registration_cancel(actor=user, registration=registration)
    with pytest.raises(Conflict, match="already cancelled"):
        services.registration_cancel(actor=user, registration=registration)


def test_nobody_else_may_cancel_a_registration(user, member, event):
    registration = register(user, event)
    with pytest.raises(Refused):
        services.registration_cancel(actor=member, registration=registration)
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_staff_may_cancel_anyones_registration_and_the_person_is_told(
    user, staff_user, event, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(user, event)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=staff_user, registration=registration, note="Duplicate booking")
    registration.refresh_from_db()
    assert registration.cancelled_by == staff_user
    message = mailoutbox[-1]
    assert message.to == [user.email]
    assert "Association staff cancelled your registration" in message.body
    assert "Duplicate booking" in message.body


def test_registering_again_after_cancelling_goes_to_the_back_of_the_queue(people):
    event = factories.EventFactory(capacity=1)
    register(people[0], event)
    leaving = register(people[1], event)
    register(people[2], event)
    services.registration_cancel(actor=people[1], registration=leaving)

    again = register(people[1], event)

    assert again.pk == leaving.pk  # one row per person and event
    assert again.status == "waitlisted"
    order = list(
        Registration.objects.filter(event=event, status="waitlisted")
        .order_by("registered_at", "pk")
        .values_list("user", flat=True)
    )
    assert order == [people[2].pk, people[1].pk]


def test_each_registration_step_is_audited(user, event):
    registration = register(user, event)
    services.registration_cancel(actor=user, registration=registration)
    actions = [entry.action for entry in history_of(registration)]
    assert actions == ["registration.cancelled", "registration.created"]


def test_attendance_is_marked_once_and_can_be_undone(user, staff_user, event):
    registration = register(user, event)

    first = services.registration_set_attendance(actor=staff_user, registration=registration, attended=True)
    again = services.registration_set_attendance(actor=staff_user, registration=registration, attended=True)
    assert first.attended_at == again.attended_at
    assert again.checked_in_by == staff_user

    undone = services.registration_set_attendance(actor=staff_user, registration=registration, attended=False)
    assert undone.attended_at is None
    assert [e.action for e in history_of(registration)][:2] == [
        "registration.check_in_undone",
        "registration.checked_in",
    ]


def test_waitlisted_people_cannot_be_checked_in(people, staff_user):
    event = factories.EventFactory(capacity=1)
    register(people[0], event)
    waiting = register(people[1], event)
    with pytest.raises(Conflict):
        services.registration_set_attendance(actor=staff_user, registration=waiting, attended=True)
    assert Registration.objects.get(pk=waiting.pk).attended_at is None


def test_unlimited_event_confirms_everyone(people):
    event = factories.EventFactory(capacity=None)
    assert all(register(p, event).is_confirmed for p in people)


def test_emails_are_queued_once_per_registration_round(user, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(user, event)
        services.registration_cancel(actor=user, registration=registration)
        register(user, event)
    keys = list(OutgoingEmail.objects.order_by("pk").values_list("category", flat=True))
    assert keys == ["events/registration_confirmed", "events/registration_cancelled", "events/registration_confirmed"]
