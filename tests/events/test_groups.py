"""Events asks working groups its questions through `events.groups`, never by
importing them: the working-groups app registers the directory at start-up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events import groups, permissions, selectors
from tests import factories
from workinggroups.directory import WorkingGroupDirectory
from workinggroups.models import GroupMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_directory():
    registered = groups.directory()
    groups.register(None)
    yield
    groups.register(registered)


def test_the_working_groups_app_registers_its_directory():
    assert isinstance(groups.directory(), WorkingGroupDirectory)


def test_the_directory_answers_from_the_groups_membership(group, group_member, member):
    directory = groups.directory()
    assert directory.is_member(group_member, group.pk) is True
    assert directory.is_member(member, group.pk) is False
    assert list(directory.member_groups(group_member)) == [group]
    assert directory.meeting_audience(group.pk) == [group_member]


def test_the_directory_says_who_may_call_a_meeting(group, group_member, staff_user):
    chair = factories.group_member(group, role=GroupMembership.Role.CHAIR)
    directory = groups.directory()
    assert directory.meeting_refusal(chair, group.pk) is None
    assert directory.meeting_refusal(staff_user, group.pk) is None
    assert "chairs" in directory.meeting_refusal(group_member, group.pk)
    assert directory.meeting_refusal(chair, group.pk + 1000) == "No such working group."


def test_without_a_directory_there_are_no_groups(no_directory, group, group_member, group_event):
    directory = groups.directory()
    assert isinstance(directory, groups.NoGroups)
    assert directory.is_member(group_member, group.pk) is False
    assert directory.meeting_refusal(group_member, group.pk)
    assert directory.meeting_audience(group.pk) == []
    assert list(directory.groups_for_events()) == []
    # A group's event is then for staff only; nothing fails.
    assert permissions.can_view(group_member, group_event) is False
    assert list(selectors.events_for_listing(user=group_member)) == []
    assert list(selectors.groups_with_events(user=group_member)) == []


def test_the_events_list_filters_by_the_groups_the_directory_names(client, group, group_member):
    other = factories.WorkingGroupFactory(name="Permitting Reform", slug="permitting-reform")
    factories.EventFactory(title="Open roundtable", working_group=group)
    factories.EventFactory(title="Closed call", working_group=other, visibility="group")
    client.force_login(group_member)
    form = client.get(reverse("events:list")).context["form"]
    assert [name for _, name in form.fields["group"].choices] == ["All working groups", group.name]
