"""Invoice numbers under concurrency, settled by PostgreSQL (CI runs these)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition below)

from billing import services
from billing.models import Invoice
from tests import factories
from tests.support.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def test_fifty_invoices_issued_at_once_are_numbered_without_gaps_or_duplicates():
    memberships = [factories.MembershipFactory() for _ in range(50)]
    start = datetime.date.today() + datetime.timedelta(days=400)

    def issue(membership):
        return lambda: services.invoice_issue(
            actor=None, organization=membership.organization, membership=membership, tier=membership.tier,
            kind=Invoice.Kind.RENEWAL, period_start=start,
        )  # fmt: skip

    results = race(*[issue(m) for m in memberships])
    assert not [r for r in results if isinstance(r, Exception)], results
    year = datetime.date.today().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{year}-{n:05d}" for n in range(1, 51)]


def test_the_same_renewal_asked_for_twice_at_once_is_issued_once():
    membership = factories.MembershipFactory()
    start = membership.ends_on + datetime.timedelta(days=1)

    def issue():
        return services.invoice_issue(
            actor=None, organization=membership.organization, membership=membership, tier=membership.tier,
            kind=Invoice.Kind.RENEWAL, period_start=start,
        )  # fmt: skip

    results = race(issue, issue)
    assert Invoice.objects.count() == 1
    # One issued it; the other either found it or was refused by the unique constraint.
    assert any(isinstance(r, Invoice) for r in results)
