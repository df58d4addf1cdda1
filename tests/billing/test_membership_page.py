"""Staff's membership page: the invoices come from billing, and a payment is
recorded on the invoice only, so the term, the dashboard and dunning agree."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import Invoice
from members import services as member_services
from members.models import Dues, Membership, MembershipTerm
from notifications.models import OutgoingEmail
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.BILLING_DUNNING_REMINDER_DAYS = [7, 21]
    settings.BILLING_DUNNING_GRACE_DAYS = 30
    settings.BILLING_DUNNING_LAPSE_DAYS = 60


def _membership_page(staff_client, membership) -> str:
    page = staff_client.get(reverse("staff:members:membership", args=[membership.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_the_membership_page_shows_the_terms_invoice_from_billing(approved, staff_client):
    membership, invoice = approved
    html = _membership_page(staff_client, membership)
    # The panel billing provides: number, total and balance as money, status.
    panel = html[html.index("Invoices and payments") :]
    assert invoice.number in panel and "$7,500.00" in panel and "Awaiting payment" in panel
    assert f'href="{reverse("staff:billing:detail", args=[invoice.pk])}#record-payment"' in panel
    # No form on the page marks dues paid any more.
    assert reverse("staff:members:dues_paid", args=[Dues.objects.get().pk]) not in html
    assert 'name="paid_on"' not in html


def test_recording_payment_from_the_membership_page_settles_the_invoice_and_stops_dunning(
    approved, staff_client, invoice_owner, django_capture_on_commit_callbacks
):
    membership, invoice = approved
    html = _membership_page(staff_client, membership)
    # Follow the page's "Record payment" link to the form it leads to.
    link = re.search(r'href="([^"#]+)#record-payment"', html).group(1)
    form_page = staff_client.get(link).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" class="card" id="record-payment"', form_page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            action, {"amount": "7500.00", "method": "check", "received_on": str(invoice.issued_on), "reference": "1042"}
        )
    assert response.status_code == 302

    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (Invoice.Status.PAID, Decimal("0.00"))
    assert Dues.objects.get(term=invoice.term).paid_on == invoice.issued_on
    html = _membership_page(staff_client, membership)
    assert "Awaiting payment" not in html and f"Settled {invoice.issued_on:%b} {invoice.issued_on.day}" in html
    owner = Client()
    owner.force_login(invoice_owner)
    assert '<span class="badge success">Paid</span>' in owner.get(reverse("dashboard")).content.decode()

    # Dunning on a fixed clock well past the due date: nothing to remind, no lapse.
    for days in (8, 22, 31, 61):
        assert services.invoices_dun(today=invoice.due_on + datetime.timedelta(days=days)) == 0
    assert not OutgoingEmail.objects.filter(category="billing/dunning").exists()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_the_old_record_payment_address_leaves_the_invoice_open_and_dunning_on(
    approved, staff_client, django_capture_on_commit_callbacks
):
    membership, invoice = approved
    dues = Dues.objects.get(term=invoice.term)
    response = staff_client.post(reverse("staff:members:dues_paid", args=[dues.pk]), {"paid_on": "2026-01-15"})
    assert response["Location"] == reverse("staff:billing:by_number", args=[invoice.number])
    assert staff_client.get(response["Location"])["Location"] == reverse("staff:billing:detail", args=[invoice.pk])

    dues.refresh_from_db()
    invoice.refresh_from_db()
    assert dues.paid_on is None and invoice.is_open
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invoices_dun(today=invoice.due_on + datetime.timedelta(days=8)) == 1


def test_an_invoice_cancelled_by_credit_note_settles_the_terms_dues(approved, staff_user, invoice_owner):
    membership, invoice = approved
    services.credit_note_issue(actor=staff_user, invoice=invoice, amount=invoice.total, reason="Waived for 2026")
    assert Dues.objects.get(term=invoice.term).paid_on is not None
    browser = Client()
    browser.force_login(invoice_owner)
    assert "Awaiting payment" not in browser.get(reverse("dashboard")).content.decode()


def test_an_unknown_invoice_number_is_a_404(staff_client, approved):
    assert staff_client.get(reverse("staff:billing:by_number", args=["INV-1999-00001"])).status_code == 404


def test_the_membership_page_runs_a_fixed_number_of_queries(approved, staff_client, staff_user):
    membership, _ = approved
    with CaptureQueriesContext(connection) as first:
        _membership_page(staff_client, membership)
    for _ in range(3):
        member_services.membership_renew(actor=staff_user, membership=membership)
    assert Invoice.objects.filter(membership=membership).count() == 4
    with CaptureQueriesContext(connection) as later:
        _membership_page(staff_client, membership)
    assert len(later.captured_queries) == len(first.captured_queries)


def test_a_renewal_paid_before_its_term_marks_the_new_terms_dues_settled(staff_user):
    membership = factories.MembershipFactory(
        starts_on=datetime.date.today() - datetime.timedelta(days=340),
        ends_on=datetime.date.today() + datetime.timedelta(days=24),
    )
    services.invoices_issue_renewals()
    renewal = Invoice.objects.get(membership=membership)
    services.payment_record(
        actor=staff_user, invoice=renewal, amount=renewal.total, method="wire", received_on=datetime.date.today()
    )
    renewal.refresh_from_db()
    assert renewal.term is not None
    assert Dues.objects.get(term=renewal.term).paid_on == datetime.date.today()


def test_an_invoice_discounted_to_nothing_settles_the_terms_dues(staff_user):
    membership = factories.MembershipFactory()
    term = MembershipTerm.objects.create(
        membership=membership, tier=membership.tier, starts_on=membership.starts_on, ends_on=membership.ends_on
    )
    Dues.objects.create(term=term, invoice_number="CMA-2026-00042", amount=membership.tier.annual_dues,
                        issued_on=membership.starts_on)  # fmt: skip
    invoice = services.invoice_issue(
        actor=staff_user, organization=membership.organization, membership=membership, tier=membership.tier,
        kind=Invoice.Kind.NEW, period_start=membership.starts_on, term=term,
        discounts=[("Founding sponsor", membership.tier.annual_dues)],
    )  # fmt: skip
    assert invoice.status == Invoice.Status.PAID
    assert Dues.objects.get(term=term).paid_on == invoice.issued_on


def test_the_migration_settles_dues_of_invoices_settled_before_it(approved, staff_user):
    from django.apps import apps

    membership, invoice = approved
    services.credit_note_issue(actor=staff_user, invoice=invoice, amount=invoice.total, reason="Waived")
    Dues.objects.filter(term=invoice.term).update(paid_on=None)  # as it was left before the change
    open_one = member_services.membership_renew(actor=staff_user, membership=membership)
    migration = importlib.import_module("billing.migrations.0003_settle_dues_of_settled_invoices")

    migration.mark_settled(apps, None)

    invoice.refresh_from_db()
    assert Dues.objects.get(term=invoice.term).paid_on == invoice.settled_on
    assert Dues.objects.filter(term__membership=open_one, paid_on__isnull=True).count() == 1  # the renewal's: open
