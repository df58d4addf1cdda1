"""Each audience kind resolves to the right people, in a fixed number of queries."""

from __future__ import annotations

import pytest

from communications import audiences
from communications.audiences import Audience
from events.models import Registration
from members.models import Membership, Segment
from tests import factories

from .conftest import member_in

pytestmark = pytest.mark.django_db


def emails(audience: Audience) -> set[str]:
    return {p.email for p in audiences.people(audience)}


def test_members_means_people_of_organizations_in_good_standing(recycling):
    current = member_in(recycling)
    lapsed = member_in(recycling)
    Membership.objects.filter(organization__people__user=lapsed).update(status=Membership.Status.LAPSED)
    outsider = factories.UserFactory()
    inactive = member_in(recycling)
    inactive.is_active = False
    inactive.save()

    found = emails(Audience(kind="members"))

    assert current.email in found
    assert not {lapsed.email, outsider.email, inactive.email} & found


def test_members_narrowed_by_segment_tier_state_and_role(recycling):
    mining = Segment.objects.get(slug="exploration-and-mining")
    recycler_nv = member_in(recycling, state="NV")
    recycler_pa = member_in(recycling, state="PA")
    miner = member_in(mining, state="NV")
    primary = member_in(recycling, state="NV", role="primary")
    leader = member_in(mining, state="AZ", tier_slug="leadership-council")

    assert emails(Audience(segments=[recycling.pk])) == {recycler_nv.email, recycler_pa.email, primary.email}
    assert emails(Audience(segments=[recycling.pk], states=["NV"])) == {recycler_nv.email, primary.email}
    assert emails(Audience(segments=[recycling.pk], primary_only=True)) == {primary.email}
    assert emails(Audience(states=["AZ", "PA"])) == {recycler_pa.email, leader.email}
    assert miner.email in emails(Audience(tiers=[factories.tier("corporate").pk]))
    assert emails(Audience(tiers=[factories.tier("leadership-council").pk])) == {leader.email}


def test_working_groups_means_their_counted_members():
    group, other = factories.WorkingGroupFactory(), factories.WorkingGroupFactory()
    inside = factories.group_member(group)
    elsewhere = factories.group_member(other)
    requested = factories.GroupMembershipFactory(group=group, status="requested").user

    assert emails(Audience(kind="groups", groups=[group.pk])) == {inside.email}
    assert emails(Audience(kind="groups", groups=[group.pk, other.pk])) == {inside.email, elsewhere.email}
    assert requested.email not in emails(Audience(kind="groups", groups=[group.pk]))


def test_an_events_registrants_confirmed_and_waitlisted():
    event = factories.EventFactory()
    confirmed = factories.RegistrationFactory(event=event).user
    waitlisted = factories.RegistrationFactory(event=event, status=Registration.Status.WAITLISTED).user
    cancelled = factories.RegistrationFactory(event=event, status=Registration.Status.CANCELLED).user

    assert emails(Audience(kind="event", event=event.pk)) == {confirmed.email, waitlisted.email}
    assert cancelled.email not in emails(Audience(kind="event", event=event.pk))


def test_petition_signers_who_asked_for_updates_and_approved_endorsers():
    petition = factories.PetitionFactory()
    wants = factories.SignatureFactory(petition=petition, wants_updates=True)
    factories.SignatureFactory(petition=petition, wants_updates=False)
    factories.SignatureFactory(petition=petition, wants_updates=True, status="unconfirmed", confirmed_at=None)
    approved = factories.EndorsementFactory(petition=petition)
    factories.EndorsementFactory(petition=petition, status="pending")

    assert emails(Audience(kind="petition_signers", petition=petition.pk)) == {wants.email}
    assert emails(Audience(kind="petition_endorsers", petition=petition.pk)) == {approved.contact_email}


def test_the_same_address_is_listed_once(recycling):
    person = member_in(recycling)
    second = factories.MembershipFactory().organization
    factories.OrganizationMemberFactory(organization=second, user=person)

    assert [p.email for p in audiences.people(Audience())].count(person.email) == 1


@pytest.mark.parametrize("kind", ["members", "groups", "event", "petition_signers", "petition_endorsers"])
def test_count_and_sample_take_the_same_queries_whatever_the_size(kind, django_assert_num_queries):
    group, event, petition = factories.WorkingGroupFactory(), factories.EventFactory(), factories.PetitionFactory()
    audience = Audience(kind=kind, groups=[group.pk], event=event.pk, petition=petition.pk)

    def grow(n):
        for _ in range(n):
            member = member_in()
            factories.GroupMembershipFactory(group=group, user=member)
            factories.RegistrationFactory(event=event, user=member)
            factories.SignatureFactory(petition=petition, wants_updates=True)
            factories.EndorsementFactory(petition=petition)

    grow(2)
    with django_assert_num_queries(2):
        small = (audiences.count(audience), audiences.sample(audience))
    grow(12)
    with django_assert_num_queries(2):
        large = (audiences.count(audience), audiences.sample(audience))

    assert small[0] == 2 and large[0] == 14
    assert len(large[1]) == 8
