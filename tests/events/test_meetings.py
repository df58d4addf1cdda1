"""Group meetings: events only a working group's members may attend, scheduled
by its chairs through the events services and announced to its members."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cma.audit import history_of
from cma.errors import Refused
from events import services, tasks
from events.models import Event
from notifications.models import OutgoingEmail
from tests import factories
from workinggroups.models import Activity, GroupMembership, WorkingGroup

from .conftest import in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(group):
    return factories.group_member(group, role=GroupMembership.Role.CHAIR)


def _meeting(**overrides):
    start = in_days(10, hour=15)
    fields = {
        "title": "Drafting session: USTR-2026-03868",
        "kind": "webinar",
        "summary": "Line-by-line review of v2.",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=1),
        "time_zone": "America/New_York",
        "online_url": "https://meet.example.org/ustr",
    }
    fields.update(overrides)
    return fields


def test_a_chair_schedules_a_published_group_only_meeting(chair, group):
    event = services.meeting_schedule(actor=chair, group=group, **_meeting())
    event.refresh_from_db()
    assert (event.status, event.visibility, event.working_group_id) == ("published", "group", group.pk)
    assert [e.action for e in history_of(event)] == ["event.published", "event.created"]


def test_the_group_records_the_meeting_in_its_activity_feed(chair, group):
    event = services.meeting_schedule(actor=chair, group=group, **_meeting())
    activity = Activity.objects.get(group=group, kind=Activity.Kind.MEETING)
    assert (activity.actor, activity.subject) == (chair, event.title)
    assert history_of(group).filter(action="workinggroups.meeting.schedule", note=event.title).exists()


def test_a_failing_feed_entry_leaves_no_meeting_behind(chair, group):
    with (
        mock.patch("workinggroups.services.meeting_record", side_effect=RuntimeError("feed down")),
        pytest.raises(RuntimeError),
    ):
        services.meeting_schedule(actor=chair, group=group, **_meeting())
    assert not Event.objects.exists()
    assert not Activity.objects.filter(kind=Activity.Kind.MEETING).exists()


@pytest.mark.parametrize("who", ["plain member", "outsider", "staff without two-factor"])
def test_only_chairs_and_staff_schedule_meetings(request, group, group_member, who):
    actor = {
        "plain member": group_member,
        "outsider": factories.MemberFactory().user,
        "staff without two-factor": request.getfixturevalue("staff_without_mfa"),
    }[who]
    with pytest.raises(Refused, match="chairs and association staff"):
        services.meeting_schedule(actor=actor, group=group, **_meeting())
    assert not Event.objects.exists()


def test_staff_schedule_meetings_of_any_group(staff_user, group):
    assert services.meeting_schedule(actor=staff_user, group=group, **_meeting()).is_published


def test_an_archived_group_holds_no_new_meetings(chair, group):
    WorkingGroup.objects.filter(pk=group.pk).update(status=WorkingGroup.Status.ARCHIVED)
    with pytest.raises(Refused, match="archived"):
        services.meeting_schedule(actor=chair, group=group, **_meeting())
    assert not Event.objects.exists()


def test_a_meeting_starts_in_the_future(chair, group):
    start = in_days(-1)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_schedule(
            actor=chair, group=group, **_meeting(starts_at=start, ends_at=start + datetime.timedelta(hours=1))
        )
    assert set(excinfo.value.message_dict) == {"starts_at"}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"online_url": ""}, "online_url", "A webinar needs a join link."),
        ({"kind": "roundtable", "online_url": ""}, "venue_name", "Give a venue or a join link."),
    ],
)
def test_a_meeting_follows_the_rules_of_every_event(chair, group, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_schedule(actor=chair, group=group, **_meeting(**overrides))
    assert excinfo.value.message_dict == {field: [message]}
    assert not Event.objects.exists()


def test_members_but_not_the_scheduler_are_told_once(
    chair, group, group_member, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = factories.MemberFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        event = services.meeting_schedule(actor=chair, group=group, **_meeting())
    assert [m.to for m in mailoutbox] == [[group_member.email]]
    assert mailoutbox[0].subject.endswith(f"{group.name} meeting: {event.title}")
    assert f"/events/{event.slug}/" in mailoutbox[0].body
    assert tasks.announce_meeting(event.pk) == 1  # a rerun finds the email already sent
    assert OutgoingEmail.objects.filter(recipient=group_member.email).count() == 1
    assert not OutgoingEmail.objects.filter(recipient__in=[chair.email, outsider.email]).exists()


def test_a_meeting_called_off_before_the_task_ran_is_not_announced(chair, group, group_member, staff_user):
    event = services.meeting_schedule(actor=chair, group=group, **_meeting())
    services.event_cancel(actor=staff_user, event=event, message="Postponed.")
    OutgoingEmail.objects.all().delete()
    assert services.meeting_announce(event_id=event.pk) == 0
    assert not OutgoingEmail.objects.exists()


def test_announcements_queued_under_the_old_task_name_still_go_out(chair, group, group_member):
    from workinggroups import tasks as group_tasks

    event = services.meeting_schedule(actor=chair, group=group, **_meeting())  # its own task never ran (no commit)
    assert group_tasks.announce_meeting(event.pk) == 1
    assert OutgoingEmail.objects.filter(recipient=group_member.email, category="events/group_meeting").count() == 1
