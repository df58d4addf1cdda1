"""Journey: a visitor reads the Join page and applies; staff approve; the
invoice email arrives with its PDF; staff record a payment; the receipt
arrives; the dashboard shows the member as paid; the revenue report counts it."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests import factories
from tests.factories import DEFAULT_PASSWORD
from tests.support.browser import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "alex@helios-recycling.example"
PASSWORD = "Gallium-recovery-2026!"


def _apply(page) -> None:
    page.get_by_label(re.compile(r"^Organization name")).fill("Helios Materials Recycling")
    page.get_by_label("What the organization does").fill("Recovering gallium and germanium from fab waste.")
    page.get_by_label("Headquarters city").fill("Phoenix")
    page.get_by_label("Headquarters state").select_option("AZ")
    page.get_by_label("Recycling").check()
    page.get_by_label(re.compile("Associate —")).check()
    page.get_by_label("Statement of interest").fill("The U.S. is 100% import-reliant for gallium.")
    page.get_by_label(re.compile("I have read the CMA USA Charter")).check()
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("Your application was submitted. We").wait_for()


def test_join_apply_approve_invoice_pay_receipt_dashboard_and_revenue(browser, live_server, mailoutbox):
    factories.CharterVersionFactory(number=1, body="## 1. Purpose\n\nUnify the critical minerals supply chain.")
    staff = factories.StaffFactory(name="Morgan Avery")

    with new_page(browser, live_server.url, "visitor-joins") as page:
        page.goto("/join/")
        assert page.get_by_role("heading", name="Associate").is_visible()
        assert page.get_by_text("Unify the critical minerals supply chain.").is_visible()
        screenshot(page, "billing-join")
        page.get_by_role("link", name="Apply for membership").first.click()
        assert "next=%2Fapply%2F" in page.url
        page.get_by_label("Full name").fill("Alex Morgan")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label(re.compile(r"^Password\W*$")).fill(PASSWORD)
        page.get_by_label("Password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Sign Up").click()
        page.get_by_role("heading", name="Verify Your Email Address").wait_for()
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
        page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
        # Confirming in the browser that signed up signs the newcomer in.
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        page.goto("/apply/")
        _apply(page)

    with new_page(browser, live_server.url, "staff-approves-and-records") as page:
        sign_in(page, staff.email, DEFAULT_PASSWORD, totp_secret=staff.totp_secret)
        page.goto("/staff/members/applications/")
        page.get_by_role("link", name="Helios Materials Recycling").click()
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("Approved: the organization is now a member").wait_for()

        invoice_mail = next(m for m in mailoutbox if m.to == [EMAIL] and "Invoice INV-" in m.subject)
        number = re.search(r"INV-\d{4}-\d{5}", invoice_mail.subject).group(0)
        [(filename, content, mimetype)] = invoice_mail.attachments
        assert (filename, mimetype) == (f"{number}.pdf", "application/pdf")
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert number in text and "$1,500.00" in text and "Helios Materials Recycling" in text

        page.goto("/staff/billing/")
        page.get_by_role("link", name=number).click()
        screenshot(page, "billing-staff-invoice")
        page.get_by_label("Amount (USD)").first.fill("1500.00")
        page.get_by_label("Method").select_option("check")
        page.get_by_label("Reference").fill("Check 1042")
        page.get_by_role("button", name="Record payment").click()
        page.get_by_text("Payment recorded").wait_for()
        assert page.get_by_text(re.compile(r"Paid \w{3} \d")).first.is_visible()

        receipt = next(m for m in mailoutbox if m.to == [EMAIL] and "Receipt" in m.subject)
        assert "$1,500.00" in receipt.subject and "paid in full" in receipt.body

        with new_page(browser, live_server.url, "member-sees-paid") as member_page:
            sign_in(member_page, EMAIL, PASSWORD)
            member_page.goto("/dashboard/")
            dues = member_page.locator("dt", has_text="Dues").locator("xpath=following-sibling::dd[1]")
            assert dues.inner_text().startswith("Paid")
            screenshot(member_page, "billing-dashboard-paid")
            member_page.get_by_role("link", name="Invoices").first.click()
            member_page.get_by_role("link", name=number).click()
            member_page.locator("h1", has_text=number).wait_for()
            assert member_page.get_by_text("Balance due").is_visible()
            screenshot(member_page, "billing-member-invoice")

        # The same staff session (a code is good once) reads the revenue report.
        page.goto("/staff/reports/revenue/")
        assert page.get_by_text("$1,500.00").first.is_visible()
        assert page.locator("svg.chart").is_visible()
        screenshot(page, "billing-revenue-report")
