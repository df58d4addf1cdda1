"""Working-group activity follows each member's choice: a muted group, a
digest, or off — while answers they must give (join requests) still come."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from notifications import services as notification_services
from notifications.models import DigestItem
from notifications.topics import Mode, Topic
from tests import factories
from workinggroups import services

from .conftest import checked

pytestmark = pytest.mark.django_db


def to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_a_muted_group_sends_no_document_comment_or_meeting_email(
    group, chair, group_member, mailoutbox, django_capture_on_commit_callbacks
):
    writer = factories.group_member(group)
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.document_create(actor=group_member, group=group, title="My memo", upload=checked())
    notification_services.group_mute(user=group_member, group_id=group.pk, muted=True)
    start = timezone.now() + datetime.timedelta(days=7)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(actor=chair, group=group, title="Fact sheet", upload=checked())
        services.comment_post(actor=writer, document=mine, body="Please review section 2.")
        event_services.meeting_schedule(
            actor=chair, group=group, title="Monthly call", summary="Our monthly working call.", kind="webinar", starts_at=start,
            ends_at=start + datetime.timedelta(hours=1), time_zone="America/New_York",
            online_url="https://meet.example.org/monthly",
        )  # fmt: skip

    assert to(mailoutbox, group_member) == []
    assert len(to(mailoutbox, writer)) == 2  # the same news reaches who did not mute: document, meeting
    assert group_member.notifications.count() >= 3  # the notices are still on the site


def test_a_chair_who_muted_the_group_hears_of_no_new_member(open_group, mailoutbox, django_capture_on_commit_callbacks):
    quiet_chair = factories.group_member(open_group, role="chair")
    other_chair = factories.group_member(open_group, role="chair")
    notification_services.group_mute(user=quiet_chair, group_id=open_group.pk, muted=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.membership_join(actor=factories.MemberFactory().user, group=open_group)

    assert to(mailoutbox, quiet_chair) == []
    assert len(to(mailoutbox, other_chair)) == 1


def test_other_groups_still_send_when_one_is_muted(
    group, chair, group_member, other_group, mailoutbox, django_capture_on_commit_callbacks
):
    other_chair = factories.group_member(other_group, role="chair", user=chair)
    notification_services.group_mute(user=chair, group_id=group.pk, muted=True)
    writer = factories.group_member(other_group)

    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(actor=writer, group=other_group, title="Other memo", upload=checked())

    assert other_chair == chair
    assert [m.subject for m in to(mailoutbox, chair)] == [f"[CMA USA] New in {other_group.name}: Other memo"]


def test_a_weekly_digest_choice_collects_group_activity(
    group, chair, group_member, mailoutbox, django_capture_on_commit_callbacks
):
    notification_services.preferences_set(user=chair, modes={Topic.WORKING_GROUPS: Mode.WEEKLY})

    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(actor=group_member, group=group, title="Fact sheet", upload=checked())

    assert to(mailoutbox, chair) == []
    assert DigestItem.objects.get(user=chair).title == f"New in {group.name}: Fact sheet"


def test_join_requests_still_reach_a_chair_who_muted_the_group(
    group, chair, mailoutbox, django_capture_on_commit_callbacks
):
    notification_services.group_mute(user=chair, group_id=group.pk, muted=True)
    applicant = factories.MemberFactory().user

    with django_capture_on_commit_callbacks(execute=True):
        services.membership_request(actor=applicant, group=group, message="I'd like to join.")

    assert len(to(mailoutbox, chair)) == 1


def test_the_group_page_mutes_and_unmutes_for_the_member_only(client, group, chair, group_member):
    client.force_login(group_member)

    response = client.post(reverse("workinggroups:mute", args=[group.slug]), {"muted": "1"})

    assert response.status_code == 302
    assert notification_services.muted_group_ids(user=group_member) == {group.pk}
    assert notification_services.muted_group_ids(user=chair) == set()
    page = client.get(reverse("workinggroups:detail", args=[group.slug])).content.decode()
    assert "Unmute this group&#x27;s emails" in page or "Unmute this group's emails" in page

    client.post(reverse("workinggroups:mute", args=[group.slug]), {"muted": "0"})
    assert notification_services.muted_group_ids(user=group_member) == set()


def test_outsiders_cannot_mute_a_group(client, group, chair):
    outsider = factories.MemberFactory().user
    client.force_login(outsider)

    response = client.post(reverse("workinggroups:mute", args=[group.slug]), {"muted": "1"})

    assert response.status_code == 404
    assert notification_services.muted_group_ids(user=outsider) == set()
