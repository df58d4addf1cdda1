"""Staff scheduling through the services: create, edit, publish, reschedule, cancel, duplicate."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cma.audit import history_of
from cma.errors import Conflict
from events import services
from events.models import Event, Registration
from tests import factories

from .conftest import ics_attachments, in_days

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _fields(**overrides):
    start = in_days(10, hour=15)
    fields = {
        "kind": "roundtable",
        "title": "Permitting Reform Roundtable",
        "summary": "Members and congressional staff on NEPA.",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "time_zone": "America/New_York",
        "venue_name": "CMA USA offices",
        "visibility": "members",
        "capacity": 40,
    }
    fields.update(overrides)
    return fields


def test_create_makes_an_audited_draft_with_a_dated_slug(staff_user):
    event = services.event_create(
        actor=staff_user,
        speakers=[{"name": "Ada Okafor", "title": "Partner", "organization": "Whitfield & Okafor LLP"}],
        questions=[{"label": "Dietary needs", "kind": "text"}],
        **_fields(),
    )
    assert event.status == "draft"
    assert event.created_by == staff_user
    assert event.slug == f"permitting-reform-roundtable-{event.starts_at.astimezone(NEW_YORK):%Y-%m-%d}"
    assert [s.name for s in event.speakers.all()] == ["Ada Okafor"]
    assert [q.label for q in event.questions.all()] == ["Dietary needs"]
    assert [e.action for e in history_of(event)] == ["event.created"]


def test_two_events_with_the_same_title_and_day_get_different_slugs(staff_user):
    first = services.event_create(actor=staff_user, **_fields())
    second = services.event_create(actor=staff_user, **_fields())
    assert second.slug == f"{first.slug}-2"


def test_create_refuses_an_event_that_ends_before_it_starts(staff_user):
    start = in_days(3)
    with pytest.raises(ValidationError) as excinfo:
        services.event_create(actor=staff_user, **_fields(starts_at=start, ends_at=start - datetime.timedelta(hours=1)))
    assert excinfo.value.message_dict == {"ends_at": ["The event must end after it starts."]}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visibility": "group"}, "working_group"),
        ({"capacity": 0}, "capacity"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"slug": "calendar"}, "slug"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_create_refuses_invalid_fields(staff_user, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.event_create(actor=staff_user, **_fields(**overrides))
    assert field in excinfo.value.message_dict
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"kind": "webinar", "venue_name": ""}, {"online_url": ["A webinar needs a join link."]}),
        ({"kind": "webinar"}, {"online_url": ["A webinar needs a join link."]}),  # a venue is not enough
        ({"venue_name": ""}, {"venue_name": ["Give a venue or a join link."]}),
    ],
)
def test_every_event_says_where_people_go(staff_user, overrides, errors):
    with pytest.raises(ValidationError) as excinfo:
        services.event_create(actor=staff_user, **_fields(**overrides))
    assert excinfo.value.message_dict == errors
    assert not Event.objects.exists()


def test_an_online_roundtable_and_a_webinar_with_its_link_are_fine(staff_user):
    link = "https://meet.example.org/cma"
    services.event_create(actor=staff_user, **_fields(venue_name="", online_url=link))
    services.event_create(actor=staff_user, **_fields(kind="webinar", venue_name="", online_url=link))
    assert Event.objects.count() == 2


def test_create_refuses_unknown_fields(staff_user):
    with pytest.raises(TypeError):
        services.event_create(actor=staff_user, status="published", **_fields())


def test_a_chair_who_is_not_staff_can_schedule_through_the_service(group_member, group):
    # The working-groups app checks the chair's rights, then calls these services.
    event = services.event_create(actor=group_member, **_fields(visibility="group", working_group=group))
    services.event_publish(actor=group_member, event=event)
    assert Event.objects.get(pk=event.pk).status == "published"


def test_publish_moves_a_draft_to_published_and_audits(staff_user):
    event = services.event_create(actor=staff_user, **_fields())
    services.event_publish(actor=staff_user, event=event)
    event.refresh_from_db()
    assert event.status == "published"
    assert event.published_at is not None
    entry = history_of(event).first()
    assert (entry.action, entry.from_state, entry.to_state, entry.actor) == (
        "event.published",
        "draft",
        "published",
        staff_user,
    )


def test_publish_is_refused_from_any_other_state(staff_user, event):
    with pytest.raises(Conflict, match="Only a draft"):
        services.event_publish(actor=staff_user, event=event)
    event.status = "cancelled"
    event.save()
    with pytest.raises(Conflict, match="Only a draft"):
        services.event_publish(actor=staff_user, event=event)


def test_an_event_that_has_ended_cannot_be_published(staff_user):
    event = factories.EventFactory(
        status="draft", starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=1)
    )
    with pytest.raises(Conflict, match="already ended"):
        services.event_publish(actor=staff_user, event=event)


def test_a_published_events_time_changes_only_by_rescheduling(staff_user, event):
    with pytest.raises(Conflict, match="Reschedule"):
        services.event_update(actor=staff_user, event=event, starts_at=event.starts_at + datetime.timedelta(hours=1))
    assert Event.objects.get(pk=event.pk).starts_at == event.starts_at


def test_a_drafts_time_can_be_edited(staff_user, draft_event):
    new_start = draft_event.starts_at + datetime.timedelta(days=1)
    services.event_update(
        actor=staff_user, event=draft_event, starts_at=new_start, ends_at=new_start + datetime.timedelta(hours=1)
    )
    assert Event.objects.get(pk=draft_event.pk).starts_at == new_start


def test_capacity_cannot_drop_below_confirmed_seats(staff_user, people):
    event = factories.EventFactory(capacity=5)
    for person in people[:3]:
        services.event_register(actor=person, event=event)
    with pytest.raises(ValidationError) as excinfo:
        services.event_update(actor=staff_user, event=event, capacity=2)
    assert "3 seats are already confirmed" in excinfo.value.message_dict["capacity"][0]


def test_more_capacity_promotes_the_waitlist(staff_user, people, mailoutbox, django_capture_on_commit_callbacks):
    event = factories.EventFactory(capacity=1)
    for person in people[:3]:
        services.event_register(actor=person, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(actor=staff_user, event=event, capacity=2)
    statuses = list(
        Registration.objects.filter(event=event).order_by("registered_at", "pk").values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert [m.to for m in mailoutbox if "seat opened up" in m.subject] == [[people[1].email]]


def test_moving_a_published_event_bumps_its_calendar_sequence(staff_user, event):
    services.event_update(actor=staff_user, event=event, venue_name="Rayburn House Office Building")
    assert Event.objects.get(pk=event.pk).sequence == 1
    services.event_update(actor=staff_user, event=event, description="New agenda")
    assert Event.objects.get(pk=event.pk).sequence == 1  # not shown in calendar entries


def test_cancelled_events_cannot_be_edited(staff_user, event):
    services.event_cancel(actor=staff_user, event=event, message="Storm")
    with pytest.raises(Conflict, match="cancelled"):
        services.event_update(actor=staff_user, event=event, title="Renamed")


def test_reschedule_tells_every_active_registrant_with_an_updated_calendar_entry(
    staff_user, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = factories.EventFactory(capacity=2)
    registrations = [services.event_register(actor=p, event=event) for p in people[:4]]
    services.registration_cancel(actor=people[3], registration=registrations[3])
    mailoutbox.clear()
    new_start = event.starts_at + datetime.timedelta(days=3, hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.event_reschedule(
            actor=staff_user,
            event=event,
            starts_at=new_start,
            ends_at=new_start + datetime.timedelta(hours=2),
            note="The Senate hearing moved.",
        )

    event.refresh_from_db()
    assert (event.starts_at, event.sequence) == (new_start, 1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people[:3])
    for message in mailoutbox:
        assert message.subject == f"[CMA USA] New time: {event.title}"
        assert "The Senate hearing moved." in message.body
    confirmed_mail = next(m for m in mailoutbox if m.to == [people[0].email])
    (calendar,) = ics_attachments(confirmed_mail)
    vevent = calendar.events[0]
    assert vevent["UID"] == f"{event.uid}@events.cma-usa"
    assert vevent["SEQUENCE"] == 1
    assert vevent.start == new_start
    waitlisted_mail = next(m for m in mailoutbox if m.to == [people[2].email])
    assert ics_attachments(waitlisted_mail) == []
    assert "You keep your place on the waitlist" in waitlisted_mail.body


def test_reschedule_moves_a_set_registration_deadline_with_the_event(staff_user):
    event = factories.EventFactory(registration_closes_at=in_days(6))
    old_close = event.registration_closes_at
    services.event_reschedule(
        actor=staff_user,
        event=event,
        starts_at=event.starts_at + datetime.timedelta(days=7),
        ends_at=event.ends_at + datetime.timedelta(days=7),
    )
    assert Event.objects.get(pk=event.pk).registration_closes_at == old_close + datetime.timedelta(days=7)


def test_reschedule_twice_sends_each_registrant_the_latest_only_once(
    staff_user, user, event, mailoutbox, django_capture_on_commit_callbacks
):
    services.event_register(actor=user, event=event)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for days in (1, 2):
            services.event_reschedule(
                actor=staff_user,
                event=event,
                starts_at=event.starts_at + datetime.timedelta(days=days),
                ends_at=event.ends_at + datetime.timedelta(days=days),
            )
    # The first announcement was superseded before it ran (both run after commit).
    assert len(mailoutbox) == 1
    assert services.event_announce_reschedule(event_id=event.pk, sequence=2) == 1
    assert len(mailoutbox) == 1  # same dedupe key: not sent again


@pytest.mark.parametrize(
    ("start_delta", "length", "field"),
    [
        (datetime.timedelta(days=-8), datetime.timedelta(hours=1), "starts_at"),
        (datetime.timedelta(days=1), datetime.timedelta(0), "ends_at"),
    ],
)
def test_reschedule_refuses_bad_times(staff_user, event, start_delta, length, field):
    start = event.starts_at + start_delta
    with pytest.raises(ValidationError) as excinfo:
        services.event_reschedule(actor=staff_user, event=event, starts_at=start, ends_at=start + length)
    assert field in excinfo.value.message_dict
    assert Event.objects.get(pk=event.pk).sequence == 0


def test_reschedule_refuses_drafts_and_cancelled_events(staff_user, draft_event, event):
    with pytest.raises(Conflict, match="edit the draft"):
        services.event_reschedule(actor=staff_user, event=draft_event, starts_at=in_days(20), ends_at=in_days(20.1))
    services.event_cancel(actor=staff_user, event=event, message="Storm")
    with pytest.raises(Conflict, match="cancelled"):
        services.event_reschedule(actor=staff_user, event=event, starts_at=in_days(20), ends_at=in_days(20.1))


def test_cancel_emails_the_message_and_a_cancellation_entry(
    staff_user, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = factories.EventFactory(capacity=1)
    for person in people[:2]:
        services.event_register(actor=person, event=event)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=staff_user, event=event, message="The venue flooded.\nWe will find a new date.")

    event.refresh_from_db()
    assert (event.status, event.sequence) == ("cancelled", 1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people[:2])
    message = mailoutbox[0]
    assert message.subject == f"[CMA USA] Cancelled: {event.title}"
    assert "The venue flooded." in message.body
    (calendar,) = ics_attachments(message)
    assert calendar["METHOD"] == "CANCEL"
    vevent = calendar.events[0]
    assert (vevent["STATUS"], vevent["SEQUENCE"], vevent["UID"]) == ("CANCELLED", 1, f"{event.uid}@events.cma-usa")
    assert history_of(event).first().note == "The venue flooded.\nWe will find a new date."


def test_cancel_needs_a_message_and_a_published_event(staff_user, event, draft_event):
    with pytest.raises(ValidationError):
        services.event_cancel(actor=staff_user, event=event, message="   ")
    assert Event.objects.get(pk=event.pk).status == "published"
    with pytest.raises(Conflict, match="draft"):
        services.event_cancel(actor=staff_user, event=draft_event, message="No")
    services.event_cancel(actor=staff_user, event=event, message="Storm")
    with pytest.raises(Conflict, match="already cancelled"):
        services.event_cancel(actor=staff_user, event=event, message="Again")


def test_registration_after_cancellation_is_refused(staff_user, user, event):
    services.event_cancel(actor=staff_user, event=event, message="Storm")
    with pytest.raises(Conflict, match="cancelled"):
        services.event_register(actor=user, event=event)


def test_duplicate_copies_a_recurring_event_as_a_draft(staff_user, user):
    event = factories.EventFactory(registration_closes_at=in_days(6), capacity=25)
    factories.SpeakerFactory(event=event, name="Dana Whitcomb")
    question = factories.RegistrationQuestionFactory(event=event, label="Topics to raise", required=True)
    services.event_register(actor=user, event=event, answers={question.pk: "Permitting"})
    new_start = event.starts_at + datetime.timedelta(days=28)

    copy = services.event_duplicate(actor=staff_user, event=event, starts_at=new_start)

    assert copy.pk != event.pk and copy.uid != event.uid and copy.slug != event.slug
    assert (copy.status, copy.title, copy.capacity, copy.sequence) == ("draft", event.title, 25, 0)
    assert copy.ends_at - copy.starts_at == event.ends_at - event.starts_at
    assert copy.registration_closes_at == event.registration_closes_at + datetime.timedelta(days=28)
    assert [s.name for s in copy.speakers.all()] == ["Dana Whitcomb"]
    assert [(q.label, q.required) for q in copy.questions.all()] == [("Topics to raise", True)]
    assert not copy.registrations.exists()
    assert history_of(copy).first().action == "event.duplicated"


def test_times_are_stored_in_utc(staff_user):
    local = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/Denver"))
    event = services.event_create(
        actor=staff_user,
        **_fields(starts_at=local, ends_at=local + datetime.timedelta(hours=1), time_zone="America/Denver"),
    )
    event.refresh_from_db()
    assert event.starts_at.astimezone(datetime.UTC) == datetime.datetime(2027, 3, 10, 17, 0, tzinfo=datetime.UTC)
    assert event.local_starts_at.hour == 10
    assert timezone.is_aware(event.starts_at)


def test_create_with_the_same_creation_key_returns_the_first_event(staff_user):
    key = "d3b07384-d9a0-4c9b-8f3a-0b1e2c3d4e5f"
    first = services.event_create(actor=staff_user, creation_key=key, **_fields())
    again = services.event_create(actor=staff_user, creation_key=key, **_fields(title="Changed meanwhile"))
    assert again.pk == first.pk
    assert Event.objects.get().title == "Permitting Reform Roundtable"
