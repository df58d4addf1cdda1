"""Pages: the Join page, invoices per persona, staff's payment and credit forms."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import CreditNote, Invoice, Payment
from members.models import MembershipTier
from tests import factories

from .conftest import approve

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_join_page_shows_tiers_segments_charter_and_apply_for_anyone(client, charter):
    page = client.get(reverse("billing:join"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Leadership Council" in html and "$25,000" in html and "A seat on the Leadership Council" in html
    assert "Recycling" in html  # one of the ten segments
    assert "Members act responsibly." in html  # the charter in full
    assert f"{reverse('account_signup')}?next=%2Fapply%2F" in html


def test_join_page_follows_staff_edits_to_tiers(client, charter):
    MembershipTier.objects.filter(slug="associate").update(
        annual_dues=Decimal("1750.00"), includes="A brand-new benefit"
    )
    MembershipTier.objects.filter(slug="academic-non-profit").update(is_open=False)
    html = client.get(reverse("billing:join")).content.decode()
    assert "$1,750" in html and "A brand-new benefit" in html and "Academic and Non-profit" not in html


def test_join_page_sends_signed_in_people_straight_to_the_application(user_client, charter):
    html = user_client.get(reverse("billing:join")).content.decode()
    assert f'href="{reverse("members:apply")}"' in html


def test_join_page_query_count_is_fixed(client, charter, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get(reverse("billing:join"))
    MembershipTier.objects.create(name="Extra", slug="extra", annual_dues=Decimal("1.00"), includes="x")
    with django_assert_num_queries(3):
        client.get(reverse("billing:join"))


def test_primary_and_billing_contacts_and_staff_see_the_invoice(invoice, invoice_owner, billing_contact, staff_client):
    for browser in (_client(invoice_owner), _client(billing_contact), staff_client):
        assert browser.get(reverse("billing:invoice", args=[invoice.pk])).status_code == 200
        pdf = browser.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    listing = _client(billing_contact).get(reverse("billing:organization_invoices", args=[invoice.organization.slug]))
    assert invoice.number in listing.content.decode()


def test_everyone_else_is_refused_the_invoice(client, invoice, member, primary_contact, applicant, staff_without_mfa):
    representative = factories.OrganizationMemberFactory(organization=invoice.organization).user
    urls = [
        reverse("billing:invoice", args=[invoice.pk]),
        reverse("billing:invoice_pdf", args=[invoice.pk]),
        reverse("billing:organization_invoices", args=[invoice.organization.slug]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
        # A representative of the same organization, a member and a primary
        # contact of another, an applicant, staff without the second factor.
        for person in (representative, member, primary_contact, applicant, staff_without_mfa):
            assert _client(person).get(url).status_code == 404, (url, person)


def test_another_organizations_invoice_by_id_is_not_found(invoice, primary_contact):
    assert _client(primary_contact).get(reverse("billing:invoice", args=[invoice.pk])).status_code == 404
    assert _client(primary_contact).post(reverse("billing:invoice_pay", args=[invoice.pk])).status_code == 404


def test_staff_pages_are_refused_to_everyone_but_staff(client, invoice, invoice_owner, member, staff_without_mfa):
    for url in (reverse("staff:billing:list"), reverse("staff:billing:detail", args=[invoice.pk])):
        assert client.get(url).status_code == 302
        for person in (invoice_owner, member):
            assert _client(person).get(url).status_code == 403
        assert _client(staff_without_mfa).get(url).status_code == 302  # to set up a second factor
    response = _client(invoice_owner).post(
        reverse("staff:billing:payment", args=[invoice.pk]),
        {"amount": "7500", "method": "check", "received_on": "2026-01-02"},
    )
    assert response.status_code == 403 and not Payment.objects.exists()


def test_staff_record_a_payment_from_the_invoice_page(staff_client, invoice):
    response = staff_client.post(
        reverse("staff:billing:payment", args=[invoice.pk]),
        {"amount": "7500.00", "method": "wire", "received_on": str(invoice.issued_on), "reference": "FED 99"},
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "greater than zero"), ("-5", "greater than zero"), ("9000", "more than the"), ("abc", "Enter a number")],
)
def test_bad_payment_amounts_are_shown_beside_the_field(staff_client, invoice, amount, message):
    response = staff_client.post(
        reverse("staff:billing:payment", args=[invoice.pk]),
        {"amount": amount, "method": "check", "received_on": str(invoice.issued_on)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_an_oversized_credit_note_is_refused_in_the_form(staff_client, invoice):
    response = staff_client.post(
        reverse("staff:billing:credit", args=[invoice.pk]), {"amount": "7500.01", "reason": "Too much"}
    )
    assert response.status_code == 400 and "can&#x27;t be larger" in response.content.decode()
    assert not CreditNote.objects.exists()


def test_staff_list_query_count_is_fixed(staff_client, charter, staff_user, django_assert_max_num_queries):
    approve(staff_user)
    staff_client.get(reverse("staff:billing:list"))
    with django_assert_max_num_queries(12) as small:
        staff_client.get(reverse("staff:billing:list"))
    for _ in range(5):
        approve(staff_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        staff_client.get(reverse("staff:billing:list"))


def test_invoice_page_query_count_is_fixed(charter, staff_user, django_assert_num_queries):
    membership, invoice = approve(staff_user)
    owner = _client(membership.organization.people.get().user)
    owner.get(reverse("billing:invoice", args=[invoice.pk]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        owner.get(reverse("billing:invoice", args=[invoice.pk]))
    for n in range(4):
        from billing import services

        services.payment_record(
            actor=staff_user,
            invoice=invoice,
            amount=Decimal("10"),
            method="check",
            received_on=invoice.issued_on,
            reference=str(n),
        )
    with django_assert_num_queries(len(first.captured_queries)):
        owner.get(reverse("billing:invoice", args=[invoice.pk]))


def test_the_dashboard_shows_dues_awaiting_payment_then_paid(invoice, invoice_owner, staff_user):
    from billing import services

    owner = _client(invoice_owner)
    assert "Awaiting payment" in owner.get(reverse("dashboard")).content.decode()
    services.payment_record(
        actor=staff_user, invoice=invoice, amount=invoice.total, method="check", received_on=invoice.issued_on
    )
    html = owner.get(reverse("dashboard")).content.decode()
    assert "Awaiting payment" not in html and '<span class="badge success">Paid</span>' in html


def test_invoice_pages_write_money_with_separators_and_the_sign_before_the_dollar(
    approved, invoice_owner, staff_client
):
    from billing import services

    membership, _ = approved
    discounted = services.invoice_issue(
        actor=None, organization=membership.organization, membership=membership, tier=membership.tier,
        kind="renewal", period_start=membership.ends_on + datetime.timedelta(days=1),
        discounts=[("Founding member discount", Decimal("1250.00"))],
    )  # fmt: skip
    for browser, url in (
        (_client(invoice_owner), reverse("billing:invoice", args=[discounted.pk])),
        (staff_client, reverse("staff:billing:detail", args=[discounted.pk])),
    ):
        html = browser.get(url).content.decode()
        assert '<td class="num">-$1,250.00</td>' in html and "$-" not in html
        assert "<strong>$6,250.00</strong>" in html
    listing = staff_client.get(reverse("staff:billing:list")).content.decode()
    assert "$6,250.00" in listing and "$13,750.00" in listing  # one row, and the outstanding total
