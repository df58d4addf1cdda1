"""Journey: staff open a membership, see its invoice from billing, follow
"Record payment" to the invoice and record a check; the membership page then
shows the invoice paid. The primary contact sets the billing address; the
issued invoice keeps the address it was issued with. Screenshots at 1280 and
375 px wide of each page this touches."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from billing import services
from billing.models import Invoice
from members.models import OrganizationMember
from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import new_page, screenshot, sign_in

from .conftest import approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _both_widths(page, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_record_payment_from_the_membership_page_and_the_contact_sets_the_billing_address(
    browser, live_server, mailoutbox
):
    factories.CharterVersionFactory(number=1)
    staff = factories.StaffFactory(name="Morgan Avery")
    membership, invoice = approve(staff)
    services.credit_note_issue(actor=staff, invoice=invoice, amount=Decimal("500.00"), reason="Founding member rate")
    paid_elsewhere = approve(staff, org_name="Gulf Coast Refining")[1]
    services.payment_record(
        actor=staff,
        invoice=paid_elsewhere,
        amount=paid_elsewhere.total,
        method="wire",
        # The day before: the report's period ends today in the staff's zone, which may be behind the server's.
        received_on=invoice.issued_on - datetime.timedelta(days=1),
    )

    with new_page(browser, live_server.url, "staff-records-from-membership") as page:
        sign_in(page, staff.email, DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
        page.goto(f"/staff/members/memberships/{membership.pk}/")
        panel = page.get_by_role("region", name="Invoices and payments")
        assert panel.get_by_role("link", name=invoice.number, exact=True).is_visible()
        assert panel.get_by_text("$7,000.00").first.is_visible()  # the balance after the credit note
        _both_widths(page, "membership-page-open-invoice")
        panel.get_by_role("link", name=re.compile("Record payment")).click()
        page.locator("h1", has_text=invoice.number).wait_for()
        page.get_by_label("Amount (USD)").fill("7000.00")
        page.get_by_label("Method").select_option("check")
        page.get_by_label("Reference").fill("Check 2210")
        page.get_by_role("button", name="Record payment").click()
        page.get_by_text("Payment recorded").wait_for()
        _both_widths(page, "staff-invoice-paid-with-credit-note")
        page.goto(f"/staff/members/memberships/{membership.pk}/")
        assert page.get_by_role("region", name="Invoices and payments").get_by_text(re.compile(r"^Paid ")).is_visible()
        assert page.get_by_text(re.compile(r"^Settled ")).is_visible()
        _both_widths(page, "membership-page-paid")
        page.goto("/staff/reports/revenue/")
        assert page.get_by_text("$14,500.00").first.is_visible()  # the $7,000 check and the $7,500 wire
        _both_widths(page, "revenue-report")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID

    with new_page(browser, live_server.url, "contact-sets-billing-address") as page:
        contact = OrganizationMember.objects.get(organization=membership.organization, role="primary").user
        sign_in(page, contact.email, DEFAULT_PASSWORD)
        page.goto(f"/members/{membership.organization.slug}/edit/")
        page.get_by_label("Billing address: street").fill("1200 Mill Street, Suite 400")
        page.get_by_label("Billing address: city").fill("Reno")
        page.get_by_label("Billing address: state").select_option("NV")
        page.get_by_label("Billing address: ZIP code").fill("8950")
        page.get_by_role("button", name="Save profile").click()
        page.get_by_text("Enter a US ZIP code").first.wait_for()
        _both_widths(page, "billing-address-error")
        page.get_by_label("Billing address: ZIP code").fill("89502")
        page.get_by_role("button", name="Save profile").click()
        page.get_by_text("profile was saved").wait_for()
        page.goto(f"/invoices/{invoice.pk}/")
        assert not page.get_by_text("1200 Mill Street").count()  # issued before: keeps its address
        _both_widths(page, "member-invoice-with-credit-note")
