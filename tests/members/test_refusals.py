"""What a refused membership action looks like on each page and in the admin:
the reason where the person is, and nothing changed."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cma.errors import Conflict
from members import services
from members.models import Application, Dues, Membership, Organization, OrganizationMember
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Staff pages ---------------------------------------------------------------------------------


def test_approving_twice_from_the_page_goes_back_to_the_application_with_the_reason(staff_client, charter):
    application = factories.ApplicationFactory(status="submitted", charter_version=charter)
    url = reverse("staff:members:application_action", args=[application.pk, "approve"])
    staff_client.post(url, {"note": ""}, follow=True)  # the page shows (and so clears) its success message

    response = staff_client.post(url, {"note": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:members:application", args=[application.pk])
    assert _messages(response) == ["You can't approve an application that is approved."]
    assert Membership.objects.count() == 1


def test_an_application_without_a_tier_is_not_approved(staff_client, charter):
    # Staff can clear the tier in the admin after submission; approval must
    # not start a membership without one.
    application = factories.ApplicationFactory(status="submitted", charter_version=charter, tier=None)

    with pytest.raises(Conflict, match="tier"):
        services.application_approve(actor=factories.StaffFactory(), application=application)
    response = staff_client.post(
        reverse("staff:members:application_action", args=[application.pk, "approve"]), {"note": ""}, follow=True
    )

    assert "Choose the membership tier before approving the application." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Organization.objects.filter(name=application.org_name).exists()
    assert not Membership.objects.exists()


def test_renewing_an_ended_membership_from_the_page_says_why(staff_client, staff_user):
    membership = factories.MembershipFactory()
    services.membership_change_status(actor=staff_user, membership=membership, action="end")

    response = staff_client.post(reverse("staff:members:renew", args=[membership.pk]))

    assert response["Location"] == reverse("staff:members:membership", args=[membership.pk])
    assert _messages(response) == ["This membership has ended; the organization needs to apply again."]
    assert not membership.terms.exists()


def test_the_old_record_payment_address_marks_nothing_and_sends_staff_to_the_invoice(staff_client, staff_user):
    membership = factories.MembershipFactory()
    services.membership_renew(actor=staff_user, membership=membership)
    dues = Dues.objects.get()
    url = reverse("staff:members:dues_paid", args=[dues.pk])

    response = staff_client.post(url, {"paid_on": "2026-01-15"})

    assert response["Location"] == reverse("staff:billing:by_number", args=[dues.invoice_number])
    assert _messages(response) == [f"Payments are recorded on invoice {dues.invoice_number}."]
    dues.refresh_from_db()
    assert dues.paid_on is None


def test_publishing_a_published_version_from_the_page_goes_back_to_the_charter_page(staff_client, charter):
    response = staff_client.post(reverse("staff:members:charter_publish", args=[charter.pk]))

    assert response["Location"] == reverse("staff:members:charter")
    assert _messages(response) == ["Version 1 is already published."]


def test_an_admin_action_reports_each_refusal_and_goes_on(staff_client, charter, staff_user):
    approvable = factories.ApplicationFactory(status="submitted", charter_version=charter)
    withdrawn = factories.ApplicationFactory(status="withdrawn")

    response = staff_client.post(
        reverse("admin:members_application_changelist"),
        {"action": "approve", "_selected_action": [approvable.pk, withdrawn.pk]},
        follow=True,
    )

    shown = _messages(response)
    assert "Approved: 1." in shown
    assert f"{withdrawn}: You can't approve an application that is withdrawn." in shown
    assert Membership.objects.count() == 1


# --- Applicants and members ----------------------------------------------------------------------


def test_a_refused_submission_shows_beside_the_name_and_stores_nothing(user_client, user, charter):
    factories.OrganizationFactory(name="Helios Materials Recycling")
    data = {
        "org_name": "Helios Materials Recycling",
        "description": "Gallium recovery.",
        "hq_city": "Phoenix",
        "hq_country": "United States",
        "segments": [factories.members.Segment.objects.get(slug="recycling").pk],
        "tier": factories.tier("associate").pk,
        "contact_name": "Alex Morgan",
        "statement": "We want to join.",
        "accept_charter": "on",
        "action": "submit",
    }

    response = user_client.post(reverse("members:apply"), data)

    assert response.status_code == 200
    assert "is already on file" in str(response.context["form"].errors["org_name"])
    assert not Application.objects.exists()
    # The page offers nothing for the application that was not stored.
    assert response.context["application"] is None
    assert b"Withdraw this application" not in response.content


def test_withdrawing_a_withdrawn_application_goes_back_to_it_with_the_reason(user_client, user):
    application = factories.ApplicationFactory(applicant=user, status="withdrawn")

    response = user_client.post(reverse("members:withdraw", args=[application.pk]))

    assert response["Location"] == reverse("members:application", args=[application.pk])
    assert _messages(response) == ["You can't withdraw an application that is withdrawn."]


def test_the_invitation_page_tells_another_account_to_sign_in_with_the_invited_address(client):
    contact = factories.PrimaryContactFactory()
    invitation = services.invitation_create(
        actor=contact.user, organization=contact.organization, email="colleague@example.org", role="representative"
    )
    client.force_login(factories.UserFactory(email="someone-else@example.org"))

    response = client.post(reverse("members:invitation", args=[services.invitation_token(invitation)]))

    assert response.status_code == 200
    assert "Sign in with that address" in response.content.decode()
    assert f"Join {contact.organization.name}" in response.content.decode()
    assert not OrganizationMember.objects.filter(user__email="someone-else@example.org").exists()


def test_an_invitation_used_in_another_tab_is_explained_on_the_dashboard(client):
    contact = factories.PrimaryContactFactory()
    invitation = services.invitation_create(
        actor=contact.user, organization=contact.organization, email="colleague@example.org", role="representative"
    )
    newcomer = factories.UserFactory(email="colleague@example.org")
    services.invitation_accept(user=newcomer, invitation=invitation)
    client.force_login(newcomer)

    response = client.post(reverse("members:accept_invitation", args=[invitation.pk]))

    assert response["Location"] == reverse("dashboard")
    assert _messages(response) == ["This invitation has already been used or was withdrawn."]
    assert OrganizationMember.objects.filter(user=newcomer).count() == 1
