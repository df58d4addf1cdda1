from __future__ import annotations

import pytest

from billing.models import Invoice
from members import services as member_services
from members.models import OrganizationMember
from tests import factories


@pytest.fixture
def charter(db):
    return factories.CharterVersionFactory(number=1)


def approve(staff_user, **application_fields):
    """Submit and approve an application; return its membership and invoice."""
    application = factories.ApplicationFactory(**application_fields)
    member_services.application_submit(
        applicant=application.applicant, application=application, ip_address="203.0.113.5", user_agent="pytest"
    )
    membership = member_services.application_approve(actor=staff_user, application=application)
    return membership, Invoice.objects.get(membership=membership)


@pytest.fixture
def approved(charter, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return approve(staff_user)


@pytest.fixture
def invoice(approved):
    return approved[1]


@pytest.fixture
def billing_contact(invoice):
    """A billing contact of the invoiced organization."""
    return factories.OrganizationMemberFactory(
        organization=invoice.organization, role=OrganizationMember.Role.BILLING_CONTACT
    ).user


@pytest.fixture
def invoice_owner(invoice):
    """The invoiced organization's primary contact (the applicant)."""
    return OrganizationMember.objects.get(organization=invoice.organization, role="primary").user
