"""Credit notes as PDF: what the document says, who may download it, and the email it rides on."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from billing import services
from members.models import Organization, OrganizationMember
from tests import factories

pytestmark = pytest.mark.django_db

REASON = "Associate rate agreed for the first year – board minute 2026/14"


def _client(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def note(invoice, staff_user, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("1250.00"), reason=REASON)


def test_the_credit_note_pdf_names_the_invoice_amount_reason_member_and_association(
    note, invoice, invoice_owner, settings
):
    response = _client(invoice_owner).get(reverse("billing:credit_note_pdf", args=[note.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{note.number}.pdf"'
    text = _text(response.content)
    organization = Organization.objects.get(pk=invoice.organization_id)
    assert f"Credit note {note.number}" in text
    assert f"Credits invoice {invoice.number}" in text
    assert "$1,250.00" in text
    assert "Associate rate agreed for the first year - board minute 2026/14" in text  # the dash folded to Latin-1
    assert (organization.legal_name or organization.name) in text
    assert settings.BILLING_ISSUER_NAME in text
    assert settings.BILLING_ISSUER_ADDRESS.splitlines()[0] in text


def test_the_invoice_page_links_to_the_credit_note_pdf(note, invoice, invoice_owner):
    html = _client(invoice_owner).get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert f'href="{reverse("billing:credit_note_pdf", args=[note.pk])}"' in html


def test_primary_and_billing_contacts_and_staff_download_the_credit_note(
    note, invoice_owner, billing_contact, staff_client
):
    for browser in (_client(invoice_owner), _client(billing_contact), staff_client):
        response = browser.get(reverse("billing:credit_note_pdf", args=[note.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_everyone_else_is_refused_the_credit_note(client, note, member, primary_contact, applicant, staff_without_mfa):
    url = reverse("billing:credit_note_pdf", args=[note.pk])
    assert client.get(url).status_code == 302  # to sign in
    representative = factories.OrganizationMemberFactory(
        organization=note.invoice.organization, role=OrganizationMember.Role.REPRESENTATIVE
    ).user
    for person in (representative, member, primary_contact, applicant, staff_without_mfa):
        assert _client(person).get(url).status_code == 404, person
    assert _client(primary_contact).get(reverse("billing:credit_note_pdf", args=[note.pk + 999])).status_code == 404


def test_the_credit_note_email_carries_its_pdf(note, invoice, mailoutbox):
    [mail] = [m for m in mailoutbox if note.number in m.subject]
    assert "attached as a PDF" in mail.body
    [(filename, content, mimetype)] = mail.attachments
    assert (filename, mimetype) == (f"{note.number}.pdf", "application/pdf")
    assert invoice.number in _text(content) and "$1,250.00" in _text(content)


def test_a_long_reason_wraps_and_the_total_is_printed_below_it(invoice, staff_user):
    from billing.pdf import credit_note_pdf

    reason = " ".join(f"clause{n}" for n in range(45))  # several lines at 140 mm, under the 500 kept
    note = services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("10.00"), reason=reason)
    heights: dict[str, float] = {}  # where each piece of text sits (PDF y: larger is higher on the page)

    def visit(text, cm, tm, font, size):
        if text.strip():
            heights.setdefault(text.strip(), tm[5])

    PdfReader(io.BytesIO(credit_note_pdf(note))).pages[0].extract_text(visitor_text=visit)
    reason_lines = [y for text, y in heights.items() if text.startswith("clause")]
    total = next(y for text, y in heights.items() if text.startswith("Credited against"))
    assert len(reason_lines) > 1  # wrapped, not cut off
    assert any("clause44" in text for text in heights)
    assert total < min(reason_lines)  # below the last line of the reason, not over it
