"""The directory, profiles, staff pages and exports: who sees what, and at what cost."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from members.models import Membership, Organization
from tests import factories
from tests.support.mfa import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def _members(count: int, **org_fields) -> list[Organization]:
    return [
        factories.MembershipFactory(organization=factories.OrganizationFactory(**org_fields)).organization
        for _ in range(count)
    ]


def test_public_directory_lists_only_opted_in_members_in_good_standing(client):
    listed = factories.MembershipFactory(organization__name="Listed Lithium").organization
    factories.MembershipFactory(organization__name="Quiet Cobalt", organization__public_listing=False)
    factories.MembershipFactory(organization__name="Lapsed Nickel", status=Membership.Status.LAPSED)
    factories.OrganizationFactory(name="Never A Member")

    response = client.get(reverse("members:directory"))

    names = [o.name for o in response.context["page"].object_list]
    assert names == [listed.name]


def test_member_directory_lists_every_member_for_members(member_client):
    factories.MembershipFactory(organization__name="Quiet Cobalt", organization__public_listing=False)

    response = member_client.get(reverse("members:member_directory"))

    assert "Quiet Cobalt" in [o.name for o in response.context["page"].object_list]


def test_directory_filters_by_name_segment_state_and_tier(member_client):
    target = factories.MembershipFactory(
        organization__name="Gulf Coast Refining", organization__hq_state="TX", tier=factories.tier("leadership-council")
    ).organization
    target.segments.set([factories.members.Segment.objects.get(slug="processing-and-refining")])
    _members(3)

    response = member_client.get(
        reverse("members:member_directory"),
        {"q": "gulf", "segment": "processing-and-refining", "state": "TX", "tier": "leadership-council"},
    )

    assert [o.name for o in response.context["page"].object_list] == ["Gulf Coast Refining"]


def test_directory_sorts_and_paginates(client):
    _members(30)

    first = client.get(reverse("members:directory"), {"sort": "-name"})
    second = client.get(reverse("members:directory"), {"sort": "-name", "page": 2})

    names = [o.name for o in first.context["page"].object_list] + [o.name for o in second.context["page"].object_list]
    assert len(names) == 30
    assert names == sorted(names, reverse=True)
    assert b'rel="next"' in first.content


@pytest.mark.parametrize("count", [10, 200])
def test_directory_runs_a_fixed_number_of_queries(member_client, django_assert_max_num_queries, count):
    _members(count)

    # session (from PostgreSQL), user, membership check, count, page, segments
    with django_assert_max_num_queries(9):
        response = member_client.get(reverse("members:member_directory"), {"segment": "exploration-and-mining"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_public_directory_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    _members(count)

    with django_assert_max_num_queries(5):
        assert client.get(reverse("members:directory"), {"page": 2}).status_code == 200


# --- Profiles ---------------------------------------------------------------------------------


def test_public_profile_hides_contacts_from_the_public(client):
    contact = factories.PrimaryContactFactory()

    response = client.get(reverse("members:organization", args=[contact.organization.slug]))

    assert response.status_code == 200
    assert contact.organization.name.encode() in response.content
    assert contact.user.email.encode() not in response.content


def test_members_see_contacts_on_profiles(member_client):
    contact = factories.PrimaryContactFactory()

    response = member_client.get(reverse("members:organization", args=[contact.organization.slug]))

    assert contact.user.email.encode() in response.content


@pytest.mark.parametrize("persona", ["anonymous", "user"])
def test_an_unlisted_member_is_not_found_by_outsiders(client, persona, user):
    organization = factories.MembershipFactory(organization__public_listing=False).organization
    if persona == "user":
        client.force_login(user)

    assert client.get(reverse("members:organization", args=[organization.slug])).status_code == 404


def test_people_of_an_unlisted_lapsed_organization_still_see_it(client):
    contact = factories.PrimaryContactFactory()
    # (The factory builds the organization itself: organization__ arguments do not reach it.)
    Organization.objects.filter(pk=contact.organization.pk).update(public_listing=False)
    Membership.objects.filter(organization=contact.organization).update(status=Membership.Status.LAPSED)
    client.force_login(contact.user)

    assert client.get(reverse("members:organization", args=[contact.organization.slug])).status_code == 200


# --- Who is refused where ------------------------------------------------------------------------


MANAGE_PAGES = ["members:manage", "members:edit"]


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_manage_pages_refuse_each_persona_that_is_not_a_primary_contact(client, name, user, member):
    contact = factories.PrimaryContactFactory()
    representative = factories.MemberFactory(organization=contact.organization)
    url = reverse(name, args=[contact.organization.slug])

    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(user)
    assert client.get(url).status_code == 404  # outsider: not told it exists
    client.force_login(member)
    assert client.get(url).status_code == 404  # a member of another organization
    client.force_login(representative.user)
    assert client.get(url).status_code == 403  # their own organization, but not primary
    client.force_login(contact.user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("members:invite", False),
        ("members:accept_charter", False),
        ("members:change_role", True),
        ("members:remove_person", True),
    ],
)
def test_organization_actions_refuse_a_representative(client, name, needs_pk):
    contact = factories.PrimaryContactFactory()
    representative = factories.MemberFactory(organization=contact.organization)
    args = [contact.organization.slug] + ([contact.pk] if needs_pk else [])
    client.force_login(representative.user)

    response = client.post(reverse(name, args=args), {"email": "x@example.org", "role": "primary", "version": 1})

    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.role == "primary"


def test_member_directory_refuses_non_members(client, user, applicant, primary_contact):
    url = reverse("members:member_directory")
    assert client.get(url).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 403
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    client.force_login(primary_contact)
    assert client.get(url).status_code == 200


STAFF_PAGES = [
    ("staff:members:applications", []),
    ("staff:members:memberships", []),
    ("staff:members:charter", []),
    ("staff:members:export", []),
    ("staff:index", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_staff_pages_refuse_everyone_but_staff_with_mfa(
    client, name, args, user, member, primary_contact, applicant, staff_without_mfa, staff_user
):
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    for persona in (user, member, primary_contact, applicant):
        client.force_login(persona)
        assert client.get(url).status_code == 403
    client.force_login(staff_without_mfa)
    assert client.get(url)["Location"] == reverse("mfa_activate_totp")
    sign_in_with_second_factor(client, staff_user)
    assert client.get(url).status_code == 200


def test_staff_actions_refuse_members(member_client, charter):
    application = factories.ApplicationFactory(status="submitted")

    response = member_client.post(reverse("staff:members:application_action", args=[application.pk, "approve"]))

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


# --- Staff pages -------------------------------------------------------------------------------


def test_the_review_queue_approves_through_the_page(
    staff_client, charter, mailoutbox, django_capture_on_commit_callbacks
):
    application = factories.ApplicationFactory(status="submitted", charter_version=charter)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("staff:members:application_action", args=[application.pk, "approve"]), {"note": ""}, follow=True
        )

    application.refresh_from_db()
    assert application.status == "approved"
    assert b"Approved" in response.content
    assert Membership.objects.filter(organization=application.organization).exists()


def test_rejecting_without_a_reason_shows_an_error_and_changes_nothing(staff_client, charter):
    application = factories.ApplicationFactory(status="submitted")

    response = staff_client.post(
        reverse("staff:members:application_action", args=[application.pk, "reject"]), {"note": ""}, follow=True
    )

    assert b"Give the reason" in response.content
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize("count", [10, 200])
def test_review_queue_runs_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries, count):
    factories.ApplicationFactory.create_batch(count, status="submitted")

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("staff:members:applications"), {"tier": "corporate"})
    assert len(response.context["page"].object_list) == min(count, 25)


@pytest.mark.parametrize("count", [10, 200])
def test_dashboard_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    contact = factories.PrimaryContactFactory()
    for _ in range(count // 10):
        factories.MemberFactory(user=contact.user)
    factories.ApplicationFactory.create_batch(count // 20, applicant=contact.user)
    client.force_login(contact.user)

    with django_assert_max_num_queries(14):
        assert client.get(reverse("dashboard")).status_code == 200


def test_the_staff_export_is_streamed_and_formula_safe(staff_client):
    factories.MembershipFactory(organization__name='=HYPERLINK("http://evil.example")', organization__slug="evil")
    factories.MembershipFactory(organization__name="Plain Minerals")

    response = staff_client.get(reverse("staff:members:export"))

    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Name"
    names = {row[0] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://evil.example")', "Plain Minerals"}


def test_staff_renew_from_the_membership_page(staff_client):
    membership = factories.MembershipFactory()

    response = staff_client.post(reverse("staff:members:renew", args=[membership.pk]), follow=True)

    assert b"Renewed until" in response.content
    assert membership.terms.count() == 1
