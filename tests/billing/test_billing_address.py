"""The organization's billing address: kept by its primary contact (and
staff), validated, and copied onto each invoice when it is issued."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from billing.models import Invoice
from members import services as member_services
from members.models import Organization, OrganizationMember
from tests import factories

pytestmark = pytest.mark.django_db

ADDRESS = {
    "billing_street": "1200 Mill Street, Suite 400",
    "billing_city": "Reno",
    "billing_state": "NV",
    "billing_postal_code": "89502-1234",
    "billing_country": "United States",
}


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _edit(browser, organization, **billing):
    data = {
        "name": organization.name, "legal_name": organization.legal_name, "website": organization.website,
        "description": organization.description, "hq_city": "Reno", "hq_state": "NV",
        "hq_country": "United States", "size_band": "51-200",
        "segments": [s.pk for s in organization.segments.all()], **billing,
    }  # fmt: skip
    return browser.post(reverse("members:edit", args=[organization.slug]), data)


def _pdf_text(browser, invoice) -> str:
    response = browser.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_the_primary_contact_sets_the_billing_address_and_new_invoices_print_it(approved, invoice_owner, staff_user):
    membership, first = approved
    browser = _signed_in(invoice_owner)
    assert _edit(browser, membership.organization, **ADDRESS).status_code == 302
    organization = Organization.objects.get(pk=membership.organization_id)
    assert (organization.billing_street, organization.billing_postal_code) == (ADDRESS["billing_street"], "89502-1234")

    member_services.membership_renew(actor=staff_user, membership=membership)
    renewal = Invoice.objects.filter(membership=membership).exclude(pk=first.pk).get()
    html = browser.get(reverse("billing:invoice", args=[renewal.pk])).content.decode()
    assert "1200 Mill Street, Suite 400<br>Reno, NV 89502-1234<br>United States" in html
    text = _pdf_text(browser, renewal)
    assert "1200 Mill Street, Suite 400" in text and "Reno, NV 89502-1234" in text


def test_an_issued_invoice_keeps_the_address_it_was_issued_with(approved, invoice_owner):
    membership, invoice = approved
    browser = _signed_in(invoice_owner)
    before_html = browser.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "Mill Street" not in before_html

    assert _edit(browser, membership.organization, **ADDRESS).status_code == 302

    invoice.refresh_from_db()
    assert "Mill Street" not in invoice.bill_to_address
    assert "Mill Street" not in browser.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert "Mill Street" not in _pdf_text(browser, invoice)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"billing_state": ""}, "billing_state", "Required for a billing address."),
        ({"billing_city": ""}, "billing_city", "Required for a billing address."),
        ({"billing_postal_code": "8950"}, "billing_postal_code", "Enter a US ZIP code"),
        ({"billing_state": "ZZ"}, "billing_state", "Select a valid choice"),
        ({"billing_country": "Canada", "billing_postal_code": "V6B 1A1"}, "billing_state", "for US addresses"),
    ],
)
def test_an_incomplete_or_wrong_billing_address_is_refused_beside_the_field(
    approved, invoice_owner, change, field, message
):
    membership, _ = approved
    response = _edit(_signed_in(invoice_owner), membership.organization, **{**ADDRESS, **change})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Organization.objects.get(pk=membership.organization_id).billing_street


def test_a_foreign_billing_address_needs_no_state(approved, invoice_owner):
    membership, _ = approved
    address = {**ADDRESS, "billing_state": "", "billing_country": "Canada", "billing_postal_code": "V6B 1A1",
               "billing_city": "Vancouver BC"}  # fmt: skip
    assert _edit(_signed_in(invoice_owner), membership.organization, **address).status_code == 302
    organization = Organization.objects.get(pk=membership.organization_id)
    assert organization.billing_address == "1200 Mill Street, Suite 400\nVancouver BC V6B 1A1\nCanada"


def test_staff_may_set_it_and_a_billing_contact_may_not(approved, staff_client, billing_contact):
    membership, _ = approved
    refused = _edit(_signed_in(billing_contact), membership.organization, **ADDRESS)
    assert refused.status_code == 403
    assert not Organization.objects.get(pk=membership.organization_id).billing_street
    assert _edit(staff_client, membership.organization, **ADDRESS).status_code == 302
    assert Organization.objects.get(pk=membership.organization_id).billing_city == "Reno"


def test_a_representative_is_refused(approved):
    membership, _ = approved
    representative = factories.OrganizationMemberFactory(
        organization=membership.organization, role=OrganizationMember.Role.REPRESENTATIVE
    ).user
    assert _edit(_signed_in(representative), membership.organization, **ADDRESS).status_code == 403
