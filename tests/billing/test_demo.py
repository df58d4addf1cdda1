"""seed_demo's invoices: every demo term invoiced once, numbered, paid where its dues are."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from billing.models import Invoice, Payment
from members.models import Dues, MembershipTerm

pytestmark = pytest.mark.django_db


def test_seed_demo_invoices_every_term_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo", scale=5)
    call_command("seed_demo")
    assert Invoice.objects.count() == MembershipTerm.objects.count() > 5
    numbers = sorted(Invoice.objects.values_list("year", "sequence"))
    for year in {y for y, _ in numbers}:
        assert [s for y, s in numbers if y == year] == list(range(1, 1 + sum(1 for y2, _ in numbers if y2 == year)))
    assert (
        Payment.objects.count()
        == Invoice.objects.filter(status="paid").count()
        == Dues.objects.filter(paid_on__isnull=False).count()
    )
    assert set(Dues.objects.values_list("invoice_number", flat=True)) == set(
        Invoice.objects.values_list("number", flat=True)
    )
