"""Joining, requests, decisions, invitations, leaving, removal, roles."""

from __future__ import annotations

import pytest

from cma.audit import history_of
from cma.errors import Conflict, Refused
from members.models import Membership
from tests import factories
from workinggroups import services
from workinggroups.models import Activity, GroupMembership, WorkingGroup
from workinggroups.selectors import is_group_member

pytestmark = pytest.mark.django_db

Status, Role = GroupMembership.Status, GroupMembership.Role


def _mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_member_joins_open_group_and_chairs_hear_of_it(
    open_group, member, mailoutbox, django_capture_on_commit_callbacks
):
    chair = factories.group_member(open_group, role=Role.CHAIR)
    with django_capture_on_commit_callbacks(execute=True):
        row = services.membership_join(actor=member, group=open_group)
    assert row.status == Status.ACTIVE and row.role == Role.MEMBER and row.joined_at
    assert is_group_member(member, open_group)
    [mail] = _mails_to(mailoutbox, chair)
    assert "joined Recycling and Circularity" in mail.subject
    assert history_of(row).filter(action="workinggroups.membership.join").exists()
    assert Activity.objects.filter(group=open_group, actor=member, kind=Activity.Kind.JOINED).exists()


def test_joining_twice_is_refused_and_creates_nothing(open_group, member):
    services.membership_join(actor=member, group=open_group)
    with pytest.raises(Conflict, match="already a member"):
        services.membership_join(actor=member, group=open_group)
    assert GroupMembership.objects.filter(group=open_group, user=member).count() == 1


def test_user_outside_member_organizations_cannot_join(open_group, user):
    with pytest.raises(Refused, match="member organizations"):
        services.membership_join(actor=user, group=open_group)
    assert not GroupMembership.objects.exists()


def test_lapsed_organizations_people_cannot_join(open_group, member):
    Membership.objects.filter(organization__people__user=member).update(status=Membership.Status.LAPSED)
    with pytest.raises(Refused):
        services.membership_join(actor=member, group=open_group)


def test_invitation_only_group_cannot_be_joined_or_requested_directly(invitation_group, member):
    with pytest.raises(Refused, match="invitation only"):
        services.membership_join(actor=member, group=invitation_group)
    with pytest.raises(Refused, match="invitation only"):
        services.membership_request(actor=member, group=invitation_group)
    assert not GroupMembership.objects.exists()


def test_archived_group_takes_no_one(open_group, member):
    WorkingGroup.objects.filter(pk=open_group.pk).update(status=WorkingGroup.Status.ARCHIVED)
    with pytest.raises(Refused, match="archived"):
        services.membership_join(actor=member, group=open_group)


def test_request_tells_chairs_with_message(group, chair, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.membership_request(actor=member, group=group, message="We refine lithium hydroxide.")
    assert row.status == Status.REQUESTED
    assert not is_group_member(member, group)
    [mail] = _mails_to(mailoutbox, chair)
    assert "asks to join Trade Policy Working Group" in mail.subject
    assert "We refine lithium hydroxide." in mail.body


def test_request_to_group_without_chairs_goes_to_staff(
    group, member, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_request(actor=member, group=group)
    assert _mails_to(mailoutbox, staff_user)


def test_second_request_while_waiting_is_refused(group, chair, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_request(actor=member, group=group)
        with pytest.raises(Conflict, match="already waiting"):
            services.membership_request(actor=member, group=group)
    assert len(_mails_to(mailoutbox, chair)) == 1


def test_chair_approves_request_and_requester_is_told(
    group, chair, member, mailoutbox, django_capture_on_commit_callbacks
):
    row = services.membership_request(actor=member, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_approve(actor=chair, membership=row)
    row.refresh_from_db()
    assert row.status == Status.ACTIVE and row.decided_by == chair
    assert is_group_member(member, group)
    [mail] = _mails_to(mailoutbox, member)
    assert mail.subject.endswith("Welcome to Trade Policy Working Group")
    assert history_of(row).filter(action="workinggroups.membership.approve", to_state="active").exists()


def test_approving_twice_is_refused_and_sends_once(
    group, chair, member, mailoutbox, django_capture_on_commit_callbacks
):
    row = services.membership_request(actor=member, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_approve(actor=chair, membership=row)
        with pytest.raises(Conflict, match="already been dealt with"):
            services.membership_approve(actor=chair, membership=row)
    assert len(_mails_to(mailoutbox, member)) == 1


def test_decline_tells_requester_the_reason(group, chair, member, mailoutbox, django_capture_on_commit_callbacks):
    row = services.membership_request(actor=member, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decline(actor=chair, membership=row, reason="The group is full until June.")
    row.refresh_from_db()
    assert row.status == Status.DECLINED
    [mail] = _mails_to(mailoutbox, member)
    assert "declined" in mail.body and "full until June" in mail.body


def test_declined_person_may_ask_again(group, chair, member):
    row = services.membership_request(actor=member, group=group)
    services.membership_decline(actor=chair, membership=row)
    again = services.membership_request(actor=member, group=group, message="Second try")
    assert again.pk == row.pk and again.status == Status.REQUESTED


def test_plain_member_cannot_approve(group, group_member, member):
    row = services.membership_request(actor=member, group=group)
    with pytest.raises(Refused):
        services.membership_approve(actor=group_member, membership=row)
    row.refresh_from_db()
    assert row.status == Status.REQUESTED


def test_staff_can_approve(group, staff_user, member):
    row = services.membership_request(actor=member, group=group)
    services.membership_approve(actor=staff_user, membership=row)
    assert is_group_member(member, group)


def test_staff_without_mfa_cannot_approve(group, staff_without_mfa, member):
    row = services.membership_request(actor=member, group=group)
    with pytest.raises(Refused):
        services.membership_approve(actor=staff_without_mfa, membership=row)


def test_approval_refused_once_requesters_organization_lapsed(group, chair, member):
    row = services.membership_request(actor=member, group=group)
    Membership.objects.filter(organization__people__user=member).update(status=Membership.Status.LAPSED)
    with pytest.raises(Conflict, match="no longer a member"):
        services.membership_approve(actor=chair, membership=row)


def test_withdraw_request(group, chair, member):
    services.membership_request(actor=member, group=group)
    row = services.membership_withdraw(actor=member, group=group)
    assert row.status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        services.membership_withdraw(actor=member, group=group)


def test_invitation_accept_flow(invitation_group, member, mailoutbox, django_capture_on_commit_callbacks):
    chair = factories.group_member(invitation_group, role=Role.CHAIR)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(actor=chair, group=invitation_group, user=member, message="We need a geologist.")
    [invite] = _mails_to(mailoutbox, member)
    assert "invited you to the Workforce and Skills working group" in invite.subject
    with django_capture_on_commit_callbacks(execute=True):
        row = services.membership_accept_invitation(actor=member, group=invitation_group)
    assert row.status == Status.ACTIVE
    assert "joined Workforce and Skills" in _mails_to(mailoutbox, chair)[-1].subject


def test_invitation_can_be_declined(invitation_group, member):
    chair = factories.group_member(invitation_group, role=Role.CHAIR)
    services.membership_invite(actor=chair, group=invitation_group, user=member)
    assert services.membership_decline_invitation(actor=member, group=invitation_group).status == Status.DECLINED
    with pytest.raises(Conflict, match="no invitation"):
        services.membership_accept_invitation(actor=member, group=invitation_group)


def test_cannot_invite_someone_outside_member_organizations(group, chair, user):
    with pytest.raises(Conflict, match="not in a CMA USA member organization"):
        services.membership_invite(actor=chair, group=group, user=user)
    assert not GroupMembership.objects.filter(user=user).exists()


def test_inviting_twice_is_refused(group, chair, member):
    services.membership_invite(actor=chair, group=group, user=member)
    with pytest.raises(Conflict, match="already been invited"):
        services.membership_invite(actor=chair, group=group, user=member)


def test_member_leaves(group, group_member):
    row = services.membership_leave(actor=group_member, group=group)
    assert row.status == Status.LEFT
    assert not is_group_member(group_member, group)


def test_only_chair_cannot_leave_until_another_is_appointed(group, chair, group_member):
    with pytest.raises(Conflict, match="only chair"):
        services.membership_leave(actor=chair, group=group)
    services.membership_set_role(
        actor=chair, membership=GroupMembership.objects.get(user=group_member, group=group), role=Role.CHAIR
    )
    services.membership_leave(actor=chair, group=group)
    assert GroupMembership.objects.get(user=chair, group=group).status == Status.LEFT


def test_chair_removes_member_who_cannot_rejoin_open_group_alone(open_group, member):
    chair = factories.group_member(open_group, role=Role.CHAIR)
    row = services.membership_join(actor=member, group=open_group)
    services.membership_remove(actor=chair, membership=row)
    assert GroupMembership.objects.get(pk=row.pk).status == Status.REMOVED
    with pytest.raises(Refused, match="removed you"):
        services.membership_join(actor=member, group=open_group)


def test_chair_cannot_remove_another_chair_but_staff_can(group, chair, staff_user):
    second = factories.group_member(group, role=Role.CHAIR)
    row = GroupMembership.objects.get(user=second, group=group)
    with pytest.raises(Refused, match="staff"):
        services.membership_remove(actor=chair, membership=row)
    services.membership_remove(actor=staff_user, membership=row)
    assert GroupMembership.objects.get(pk=row.pk).status == Status.REMOVED


def test_nobody_removes_the_last_chair(group, chair, staff_user):
    with pytest.raises(Conflict, match="only chair"):
        services.membership_remove(actor=staff_user, membership=GroupMembership.objects.get(user=chair))


def test_chair_cannot_remove_themselves(group, chair):
    with pytest.raises(Conflict, match="Leave group"):
        services.membership_remove(actor=chair, membership=GroupMembership.objects.get(user=chair))


def test_chair_appoints_another_chair_and_steps_down(group, chair, group_member):
    row = GroupMembership.objects.get(user=group_member, group=group)
    services.membership_set_role(actor=chair, membership=row, role=Role.CHAIR)
    own = GroupMembership.objects.get(user=chair, group=group)
    services.membership_set_role(actor=chair, membership=own, role=Role.MEMBER)
    assert GroupMembership.objects.get(pk=row.pk).role == Role.CHAIR
    assert GroupMembership.objects.get(pk=own.pk).role == Role.MEMBER


def test_chair_cannot_demote_another_chair(group, chair):
    other = factories.group_member(group, role=Role.CHAIR)
    with pytest.raises(Refused):
        services.membership_set_role(actor=chair, membership=GroupMembership.objects.get(user=other), role=Role.MEMBER)


def test_staff_appoints_first_chair(group, staff_user, member, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.membership_appoint_chair(actor=staff_user, group=group, user=member)
    assert row.status == Status.ACTIVE and row.role == Role.CHAIR
    assert "You now chair Trade Policy Working Group" in _mails_to(mailoutbox, member)[0].subject


def test_only_staff_appoint_chairs_directly(group, chair, member):
    with pytest.raises(Refused):
        services.membership_appoint_chair(actor=chair, group=group, user=member)


def test_group_archive_and_reactivate_are_transitions(group, staff_user):
    services.group_archive(actor=staff_user, group=group)
    with pytest.raises(Conflict, match="already archived"):
        services.group_archive(actor=staff_user, group=group)
    services.group_reactivate(actor=staff_user, group=group)
    assert WorkingGroup.objects.get(pk=group.pk).status == WorkingGroup.Status.ACTIVE
    actions = list(history_of(group).values_list("action", flat=True))
    assert "workinggroups.group.archive" in actions and "workinggroups.group.reactivate" in actions


def test_members_cannot_archive_groups(group, chair):
    with pytest.raises(Refused):
        services.group_archive(actor=chair, group=group)


def test_group_create_refuses_a_taken_name(staff_user, group):
    with pytest.raises(Conflict, match="already exists"):
        services.group_create(actor=staff_user, name=group.name, slug="another")


def test_group_created_without_notice_works_under_the_standard_one(staff_user):
    group = services.group_create(actor=staff_user, name="Minerals Data", antitrust_notice="  ")
    assert group.antitrust_notice.startswith("CMA USA working groups follow the antitrust laws")
    services.group_update(actor=staff_user, group=group, antitrust_notice="Our own notice.")
    assert WorkingGroup.objects.get(pk=group.pk).antitrust_notice == "Our own notice."
