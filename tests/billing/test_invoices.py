"""Invoices issued on approval and renewal: numbers, lines, PDF, email."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from billing import services
from billing.models import Invoice, InvoiceLine
from billing.pdf import invoice_pdf
from members import services as member_services
from members.models import Dues
from tests import factories

from .conftest import approve

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_approval_issues_an_invoice_emailed_with_its_pdf(approved, mailoutbox):
    membership, invoice = approved
    year = datetime.date.today().year
    assert invoice.number == f"INV-{year}-00001"
    assert invoice.total == Decimal("7500.00")  # the Corporate tier's dues, seeded by the migration
    assert invoice.bill_to_name == membership.organization.legal_name
    assert invoice.issuer_name == "Critical Minerals Association USA"
    assert (invoice.due_on - invoice.issued_on).days == 30
    # The term's dues record carries the invoice's number.
    assert Dues.objects.get(term__membership=membership).invoice_number == invoice.number
    [mail] = [m for m in mailoutbox if invoice.number in m.subject]
    assert mail.to == [membership.organization.people.get().user.email]
    [(filename, content, mimetype)] = mail.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    text = _pdf_text(content)
    assert invoice.number in text
    assert "$7,500.00" in text
    assert membership.organization.legal_name in text


def test_the_approval_email_says_the_invoice_follows_and_it_does(approved, mailoutbox):
    membership, invoice = approved
    approval = next(m for m in mailoutbox if "is a member" in m.subject)
    assert "invoice for the first year's dues comes in its own email" in approval.body
    assert any(invoice.number in m.subject and m.attachments for m in mailoutbox)


def test_numbers_run_on_without_gaps_within_a_year(charter, staff_user):
    numbers = [approve(staff_user)[1].number for _ in range(3)]
    year = datetime.date.today().year
    assert numbers == [f"INV-{year}-00001", f"INV-{year}-00002", f"INV-{year}-00003"]


def test_a_rolled_back_invoice_gives_its_number_back(charter, staff_user, monkeypatch):
    approve(staff_user)

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broke")

    monkeypatch.setattr(services, "_send_invoice", broken)
    with pytest.raises(RuntimeError):
        approve(staff_user)
    monkeypatch.undo()
    assert approve(staff_user)[1].number.endswith("-00002")
    assert Invoice.objects.count() == 2


def test_each_year_starts_again_at_one(approved):
    membership, invoice = approved
    other = factories.MembershipFactory()
    next_year = datetime.date(invoice.year + 1, 1, 10)
    renewal = services.invoice_issue(
        actor=None, organization=other.organization, membership=other, tier=other.tier,
        kind=Invoice.Kind.RENEWAL, period_start=next_year, today=next_year,
    )  # fmt: skip
    assert renewal.number == f"INV-{invoice.year + 1}-00001"


def test_issuing_twice_for_the_same_period_returns_the_first(approved):
    membership, invoice = approved
    again = services.invoice_issue(
        actor=None, organization=membership.organization, membership=membership, tier=membership.tier,
        kind=Invoice.Kind.NEW, period_start=invoice.period_start,
    )  # fmt: skip
    assert again.pk == invoice.pk
    assert Invoice.objects.count() == 1


def test_prorating_charges_the_months_left_in_exact_cents(settings):
    settings.BILLING_PRORATE_FIRST_YEAR = True
    tier = factories.tier("associate")  # $1,500.00
    lines = services.invoice_lines(tier=tier, kind=Invoice.Kind.NEW, period_start=datetime.date(2026, 8, 20))
    # August to December: 5 of 12 months of $1,500 = $625.00.
    assert sum(a for _, a in lines) == Decimal("625.00")
    assert lines[1] == ("Pro-rated for a start in August: 5 of 12 months", Decimal("-875.00"))
    odd = services.prorated_dues(Decimal("1000.00"), datetime.date(2026, 6, 1))  # 7/12 of 1000 = 583.333…
    assert odd == Decimal("583.33")
    # Renewals and January starts are never pro-rated.
    assert (
        len(services.invoice_lines(tier=tier, kind=Invoice.Kind.RENEWAL, period_start=datetime.date(2026, 8, 1))) == 1
    )
    assert len(services.invoice_lines(tier=tier, kind=Invoice.Kind.NEW, period_start=datetime.date(2026, 1, 5))) == 1


def test_discounts_are_lines_and_never_exceed_the_dues():
    tier = factories.tier("associate")
    lines = services.invoice_lines(
        tier=tier, kind=Invoice.Kind.RENEWAL, period_start=datetime.date(2026, 3, 1),
        discounts=[("Early renewal", Decimal("150.005"))],
    )  # fmt: skip
    assert sum(a for _, a in lines) == Decimal("1349.99")
    with pytest.raises(ValidationError):
        services.invoice_lines(
            tier=tier, kind=Invoice.Kind.RENEWAL, period_start=datetime.date(2026, 3, 1),
            discounts=[("Too much", Decimal("1500.01"))],
        )  # fmt: skip


def test_renewal_invoices_go_out_at_the_lead_time_once(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.BILLING_RENEWAL_LEAD_DAYS = 45
    today = datetime.date(2026, 5, 1)
    soon = factories.MembershipFactory(starts_on=datetime.date(2025, 6, 10), ends_on=datetime.date(2026, 6, 9))
    later = factories.MembershipFactory(starts_on=datetime.date(2025, 8, 1), ends_on=datetime.date(2026, 7, 31))
    factories.PrimaryContactFactory(organization=soon.organization)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.invoices_issue_renewals(today=today) == 1
        assert services.invoices_issue_renewals(today=today) == 0
    invoice = Invoice.objects.get()
    assert (invoice.membership, invoice.kind) == (soon, Invoice.Kind.RENEWAL)
    assert (invoice.period_start, invoice.period_end) == (datetime.date(2026, 6, 10), datetime.date(2027, 6, 9))
    assert not Invoice.objects.filter(membership=later).exists()
    assert len([m for m in mailoutbox if invoice.number in m.subject]) == 1


def test_staff_renewal_links_the_invoice_already_issued(settings, staff_user):
    membership = factories.MembershipFactory(
        starts_on=datetime.date.today() - datetime.timedelta(days=340),
        ends_on=datetime.date.today() + datetime.timedelta(days=24),
    )
    services.invoices_issue_renewals()
    invoice = Invoice.objects.get()
    member_services.membership_renew(actor=staff_user, membership=membership)
    invoice.refresh_from_db()
    assert Invoice.objects.count() == 1
    assert invoice.term is not None and invoice.term.starts_on == invoice.period_start
    assert Dues.objects.get(term=invoice.term).invoice_number == invoice.number


def test_pdf_survives_names_outside_latin1(approved):
    _, invoice = approved
    invoice.bill_to_name = "Zhōngguó 中国 Minerals – Ltd"
    text = _pdf_text(invoice_pdf(invoice, list(InvoiceLine.objects.filter(invoice=invoice))))
    assert "Zhongguo" in text and invoice.number in text
