from __future__ import annotations

import pytest

from members.models import Membership
from tests import factories
from workinggroups.models import GroupMembership
from workinggroups.selectors import groups_of, is_group_member

pytestmark = pytest.mark.django_db


def test_active_member_of_good_standing_organization_is_group_member():
    group = factories.WorkingGroupFactory()
    person = factories.group_member(group)
    assert is_group_member(person, group)
    assert list(groups_of(person)) == [group]


def test_member_of_another_group_is_not_member():
    group, other = factories.WorkingGroupFactory(), factories.WorkingGroupFactory()
    person = factories.group_member(other)
    assert not is_group_member(person, group)
    assert list(groups_of(person)) == [other]


@pytest.mark.parametrize(
    "status",
    [
        GroupMembership.Status.REQUESTED,
        GroupMembership.Status.INVITED,
        GroupMembership.Status.DECLINED,
        GroupMembership.Status.LEFT,
        GroupMembership.Status.REMOVED,
    ],
)
def test_rows_that_are_not_active_grant_nothing(status):
    row = factories.GroupMembershipFactory(status=status)
    assert not is_group_member(row.user, row.group)
    assert not groups_of(row.user).exists()


def test_lapsed_organization_suspends_membership_and_renewal_restores_it():
    group = factories.WorkingGroupFactory()
    person = factories.group_member(group)
    membership = Membership.objects.get(organization__people__user=person)
    membership.status = Membership.Status.LAPSED
    membership.save()
    assert not is_group_member(person, group)
    assert not groups_of(person).exists()
    assert GroupMembership.objects.filter(user=person, status="active").exists()  # nothing deleted

    membership.status = Membership.Status.ACTIVE
    membership.save()
    assert is_group_member(person, group)
    assert list(groups_of(person)) == [group]


def test_grace_period_still_counts():
    group = factories.WorkingGroupFactory()
    person = factories.group_member(group)
    Membership.objects.filter(organization__people__user=person).update(status=Membership.Status.GRACE)
    assert is_group_member(person, group)


def test_staff_and_anonymous_are_not_members(staff_user):
    from django.contrib.auth.models import AnonymousUser

    group = factories.WorkingGroupFactory()
    factories.GroupMembershipFactory(group=group, user=staff_user)  # staff, but in no organization
    assert not is_group_member(staff_user, group)
    assert not is_group_member(AnonymousUser(), group)
    assert not groups_of(AnonymousUser()).exists()
    assert not groups_of(staff_user).exists()


def test_person_in_two_organizations_gets_each_group_once():
    group = factories.WorkingGroupFactory()
    person = factories.group_member(group)
    factories.MemberFactory(user=person)  # a second member organization
    assert list(groups_of(person)) == [group]


def test_groups_of_runs_one_query(django_assert_num_queries):
    person = factories.MemberFactory().user
    for _ in range(5):
        factories.GroupMembershipFactory(user=person)
    with django_assert_num_queries(1):
        assert len(list(groups_of(person))) == 5
