"""The staff reports: figures against data made here, query counts that hold
as the data grows, bad periods, spreadsheet-safe CSV, access per persona."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing import services as billing
from billing.models import Invoice
from events.models import Registration
from members.models import Membership
from petitions.models import Signature
from reports.selectors import BY_SLUG
from tests import factories
from workinggroups.models import Comment, Document, DocumentVersion

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW = timezone.now()
YEAR = {"start": str(TODAY - datetime.timedelta(days=365)), "end": str(TODAY)}


def _page(client, slug, params=YEAR):
    return client.get(reverse("staff:reports:report", args=[slug]), params)


def _csv(client, slug, params=YEAR):
    response = client.get(reverse("staff:reports:csv", args=[slug]), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _invoice(membership, *, days_ago=0, total_paid=None, staff=None):
    invoice = billing.invoice_issue(
        actor=None, organization=membership.organization, membership=membership, tier=membership.tier,
        kind=Invoice.Kind.RENEWAL, period_start=membership.ends_on + datetime.timedelta(days=1),
        today=TODAY - datetime.timedelta(days=days_ago),
    )  # fmt: skip
    if total_paid is not None:
        billing.payment_record(
            actor=staff, invoice=invoice, amount=Decimal(total_paid), method="check", received_on=TODAY
        )
    return invoice


def _application(status, *, days_to_decision=None):
    submitted = NOW - datetime.timedelta(days=20)
    decided = submitted + datetime.timedelta(days=days_to_decision) if days_to_decision is not None else None
    return factories.ApplicationFactory(status=status, submitted_at=submitted, decided_at=decided)


def test_pipeline_counts_states_and_median_days(staff_client):
    _application("submitted")
    _application("under_review")
    _application("approved", days_to_decision=2)
    _application("approved", days_to_decision=4)
    _application("rejected", days_to_decision=9)
    rows = {r[0]: r[1] for r in _csv(staff_client, "pipeline")[1:]}
    assert (rows["Submitted"], rows["Under review"], rows["Approved"], rows["Rejected"]) == ("1", "1", "2", "1")
    html = _page(staff_client, "pipeline").content.decode()
    assert "4.0" in html  # median of 2, 4 and 9 days
    assert "<svg" in html


def test_renewals_due_in_30_60_90_days(staff_client):
    for days in (10, 45, 80, 120):
        factories.MembershipFactory(
            ends_on=TODAY + datetime.timedelta(days=days), starts_on=TODAY - datetime.timedelta(days=300)
        )
    table = BY_SLUG["renewals"].build(None, TODAY, None)
    assert [v for _, v in table.summary] == [1, 2, 3]
    assert [r[4] for r in table.rows] == [10, 45, 80]


def test_report_pages_write_dates_as_the_site_does(staff_client):
    ends_on = TODAY + datetime.timedelta(days=20)
    membership = factories.MembershipFactory(ends_on=ends_on, starts_on=TODAY - datetime.timedelta(days=300))

    html = _page(staff_client, "renewals").content.decode()

    written = f"{ends_on:%b} {ends_on.day}, {ends_on.year}"  # "Dec 23, 2026"
    assert f'<td data-label="Term ends">{written}</td>' in html
    assert membership.organization.name in html


def test_outstanding_and_overdue_totals(staff_client, staff_user):
    overdue = _invoice(factories.MembershipFactory(), days_ago=40)  # $7,500, due 10 days ago
    _invoice(factories.MembershipFactory(), days_ago=1, total_paid="500.00", staff=staff_user)  # $7,000 left, not due
    _invoice(factories.MembershipFactory(), days_ago=2, total_paid="7500.00", staff=staff_user)  # paid
    rows = _csv(staff_client, "invoices")[1:]
    assert sorted(r[4] for r in rows) == ["7000.00", "7500.00"]
    html = _page(staff_client, "invoices").content.decode()
    assert "$14,500.00 on 2" in html and "$7,500.00 on 1" in html
    assert overdue.number in html


def test_revenue_by_month_and_tier(staff_client, staff_user):
    _invoice(factories.MembershipFactory(), total_paid="7500.00", staff=staff_user)
    _invoice(factories.MembershipFactory(tier=factories.tier("associate")), total_paid="1000.00", staff=staff_user)
    rows = _csv(staff_client, "revenue")[1:]
    month = TODAY.strftime("%Y-%m")
    assert sorted(rows) == [[month, "Associate", "1", "1000.00"], [month, "Corporate", "1", "7500.00"]]
    assert "$8,500.00" in _page(staff_client, "revenue").content.decode()


def test_money_in_report_tables_is_dollars_with_separators_and_plain_in_the_csv(staff_client, staff_user):
    for _ in range(2):
        _invoice(factories.MembershipFactory(), total_paid="7500.00", staff=staff_user)
    _invoice(factories.MembershipFactory(), days_ago=40)  # $7,500 open and overdue
    html = _page(staff_client, "revenue").content.decode()
    assert '<td data-label="Received (USD)" class="num">$15,000.00</td>' in html
    assert "15000.00" not in html  # not in the table, the summary, nor the chart's tooltips
    assert f"<title>{TODAY:%Y-%m}: $15,000.00</title>" in html
    assert _csv(staff_client, "revenue")[1][3] == "15000.00"
    html = _page(staff_client, "invoices").content.decode()
    assert '<td data-label="Balance (USD)" class="num">$7,500.00</td>' in html
    assert _csv(staff_client, "invoices")[1][4] == "7500.00"


def test_csv_writes_numbers_plainly_and_guards_only_text():
    from cma.csv import safe_cell

    assert safe_cell(Decimal("-250.00")) == "-250.00"  # a number, not a formula: stays summable
    assert safe_cell(-3) == "-3"
    assert safe_cell("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert safe_cell("=1+1") == "'=1+1"


def test_members_by_segment_and_state(staff_client):
    recycling = factories.OrganizationFactory(segments=[factories.members.Segment.objects.get(slug="recycling")])
    factories.MembershipFactory(organization=recycling)
    factories.MembershipFactory(status=Membership.Status.LAPSED, organization=factories.OrganizationFactory(
        segments=[factories.members.Segment.objects.get(slug="recycling")]))  # fmt: skip
    rows = {r[0]: r for r in _csv(staff_client, "members")[1:]}
    header = _csv(staff_client, "members")[0]
    assert rows["Recycling"][header.index("Active")] == "1"
    assert rows["Recycling"][header.index("Lapsed")] == "1"


def test_attendance_registered_checked_in_and_no_shows(staff_client):
    event = factories.EventFactory(
        starts_at=NOW - datetime.timedelta(days=3),
        ends_at=NOW - datetime.timedelta(days=3) + datetime.timedelta(hours=2),
    )
    for attended in (True, True, False, False):
        factories.RegistrationFactory(
            event=event, status=Registration.Status.CONFIRMED, attended_at=NOW if attended else None
        )
    factories.RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    [row] = _csv(staff_client, "attendance")[1:]
    assert row[0] == event.title and row[3:] == ["4", "2", "50%"]
    assert "2 of 4 checked in, no-show 50%" in _page(staff_client, "attendance").content.decode()


def test_working_group_activity_per_month(staff_client):
    group = factories.WorkingGroupFactory()
    chair = factories.group_member(group, role="chair")
    document = Document.objects.create(group=group, title="Comments on the rule", created_by=chair)
    DocumentVersion.objects.create(document=document, number=1, file="x.pdf", original_name="x.pdf",
                                   content_type="application/pdf", size=1, sha256="0" * 64)  # fmt: skip
    Comment.objects.create(document=document, author=chair, body="Agreed.")
    Comment.objects.create(document=document, author=chair, body="Removed.", removed_at=NOW)
    factories.EventFactory(
        working_group=group, starts_at=NOW - datetime.timedelta(hours=5), ends_at=NOW - datetime.timedelta(hours=4)
    )
    [row] = _csv(staff_client, "groups")[1:]
    assert row == [group.name, TODAY.strftime("%Y-%m"), "1", "1", "1", "1"]


def test_signatures_per_day_are_confirmed_ones(staff_client):
    petition = factories.PetitionFactory()
    yesterday = NOW - datetime.timedelta(days=1)
    for when in (yesterday, yesterday, NOW):
        factories.SignatureFactory(petition=petition, status=Signature.Status.CONFIRMED, confirmed_at=when)
    factories.SignatureFactory(petition=petition, status=Signature.Status.UNCONFIRMED)
    rows = _csv(staff_client, "signatures")[1:]
    assert [(r[0], r[2]) for r in rows] == [(str(yesterday.date()), "2"), (str(NOW.date()), "1")]


def test_csv_cells_cannot_start_a_formula(staff_client):
    factories.ApplicationFactory(status="submitted", submitted_at=NOW)
    petition = factories.PetitionFactory(title='=HYPERLINK("http://evil.example")')
    factories.SignatureFactory(petition=petition, status=Signature.Status.CONFIRMED, confirmed_at=NOW)
    rows = _csv(staff_client, "signatures")
    assert rows[1][1].startswith("'=")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": str(TODAY), "end": str(TODAY - datetime.timedelta(days=1))}, "before the start"),
        ({"start": "1926-01-01", "end": str(TODAY)}, "at most five years"),
        ({"start": "not a date", "end": str(TODAY)}, "Enter a valid date"),
    ],
)
def test_bad_periods_are_refused_beside_the_field(staff_client, params, message):
    for url in (reverse("staff:reports:report", args=["revenue"]), reverse("staff:reports:csv", args=["revenue"])):
        response = staff_client.get(url, params)
        assert response.status_code == 400 and message in response.content.decode()


def test_an_unknown_report_is_not_found(staff_client):
    assert staff_client.get(reverse("staff:reports:report", args=["nope"])).status_code == 404


def test_reports_are_for_staff_only(client, member, primary_contact, applicant, staff_without_mfa):
    urls = [reverse("staff:reports:index"), reverse("staff:reports:report", args=["revenue"]),
            reverse("staff:reports:csv", args=["revenue"])]  # fmt: skip
    for url in urls:
        assert client.get(url).status_code == 302
        for person in (member, primary_contact, applicant):
            browser = Client()
            browser.force_login(person)
            assert browser.get(url).status_code == 403
        browser = Client()
        browser.force_login(staff_without_mfa)
        assert browser.get(url).status_code == 302


def _world(n, staff_user):
    """n of everything each report reads."""
    for i in range(n):
        membership = factories.MembershipFactory(ends_on=TODAY + datetime.timedelta(days=20 + i))
        _invoice(membership, days_ago=i, total_paid="100.00" if i % 2 else None, staff=staff_user)
        _application("approved", days_to_decision=i)
        event = factories.EventFactory(
            starts_at=NOW - datetime.timedelta(days=i + 1),
            ends_at=NOW - datetime.timedelta(days=i + 1) + datetime.timedelta(hours=1),
        )
        factories.RegistrationFactory(event=event, status=Registration.Status.CONFIRMED, attended_at=NOW)
        group = factories.WorkingGroupFactory()
        document = Document.objects.create(group=group, title=f"Doc {i}")
        Comment.objects.create(document=document, body="Yes.")
        petition = factories.PetitionFactory()
        factories.SignatureFactory(petition=petition, status=Signature.Status.CONFIRMED, confirmed_at=NOW)


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_each_report_runs_the_same_queries_at_small_and_large_sizes(
    slug, staff_client, staff_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fresh = {**YEAR, "fresh": "1"}  # computed, not read from the cache
    _world(2, staff_user)
    _page(staff_client, slug, fresh)
    with CaptureQueriesContext(connection) as small:
        assert _page(staff_client, slug, fresh).status_code == 200
    with CaptureQueriesContext(connection) as cached:
        assert _page(staff_client, slug).status_code == 200
    assert len(cached.captured_queries) < len(small.captured_queries)
    _world(12, staff_user)
    with django_assert_num_queries(len(small.captured_queries)):
        assert _page(staff_client, slug, fresh).status_code == 200
    with django_assert_num_queries(len(cached.captured_queries)):
        assert _page(staff_client, slug).status_code == 200


def test_a_page_shows_the_first_50_rows_and_the_csv_has_them_all(staff_client):
    for days in range(55):
        factories.MembershipFactory(
            ends_on=TODAY + datetime.timedelta(days=days + 1), starts_on=TODAY - datetime.timedelta(days=300)
        )
    html = _page(staff_client, "renewals").content.decode()
    assert html.count('data-label="Days left"') == 50 and "the CSV has them all" in html
    assert len(_csv(staff_client, "renewals")) == 56


def test_a_chart_of_a_year_of_days_draws_at_most_60_bars_and_keeps_the_total():
    from reports.charts import bar_chart

    svg = str(bar_chart("Signatures per day", [(f"day {n}", 2) for n in range(365)]))
    assert 0 < svg.count("<rect") <= 60
    assert "day 0: 14" in svg  # the first bar sums seven days of 2


def _received(html):
    return html.split("Received in the period")[1].split("</dd>")[0]


def _display_time(settings):
    """The site's one time style ("9:05 PM"), in the display zone."""
    now = timezone.localtime(timezone=ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return f"{now:%I}".lstrip("0") + f":{now:%M} {now:%p}"


def test_a_page_is_kept_a_few_minutes_says_as_of_when_and_can_be_refreshed(staff_client, staff_user, settings):
    settings.REPORTS_CACHE_SECONDS = 300
    before = _display_time(settings)
    membership = factories.MembershipFactory()
    _invoice(membership, total_paid="100.00", staff=staff_user)
    first = _page(staff_client, "revenue").content.decode()
    assert "$100.00" in _received(first) and "Refresh the figures" not in first
    _invoice(factories.MembershipFactory(), total_paid="250.00", staff=staff_user)
    kept = _page(staff_client, "revenue").content.decode()
    as_of = {before, _display_time(settings)}  # computed between the two
    assert "$100.00" in _received(kept)  # the payment just recorded is not counted yet...
    assert "Refresh the figures" in kept
    assert any(f"Figures as of {t}" in kept for t in as_of)
    assert [r[3] for r in _csv(staff_client, "revenue")[1:]] == ["350.00"]  # ...the CSV has it
    refreshed = _page(staff_client, "revenue", {**YEAR, "fresh": "1"}).content.decode()
    assert "$350.00" in _received(refreshed)
    assert "$350.00" in _received(_page(staff_client, "revenue").content.decode())  # and keeps it


def test_each_period_is_kept_on_its_own(staff_client, staff_user):
    _invoice(factories.MembershipFactory(), total_paid="100.00", staff=staff_user)
    assert "$100.00" in _received(_page(staff_client, "revenue").content.decode())
    last_week = {"start": str(TODAY - datetime.timedelta(days=7)), "end": str(TODAY - datetime.timedelta(days=1))}
    assert "$0.00" in _received(_page(staff_client, "revenue", last_week).content.decode())


def test_with_no_time_to_keep_every_page_is_computed(staff_client, staff_user, settings):
    settings.REPORTS_CACHE_SECONDS = 0
    _invoice(factories.MembershipFactory(), total_paid="100.00", staff=staff_user)
    _page(staff_client, "revenue")
    _invoice(factories.MembershipFactory(), total_paid="250.00", staff=staff_user)
    assert "$350.00" in _received(_page(staff_client, "revenue").content.decode())
