"""Payments, receipts, settling the term; credit notes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from billing import services
from billing.models import CreditNote, Invoice, Payment
from cma.errors import Conflict
from members.models import Dues, Membership

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _pay(staff_user, invoice, amount, method="check"):
    return services.payment_record(
        actor=staff_user, invoice=invoice, amount=Decimal(amount), method=method, received_on=TODAY, reference="1042"
    )


def test_partial_payments_then_settled_marks_the_term_paid(
    approved, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    membership, invoice = approved
    with django_capture_on_commit_callbacks(execute=True):
        _pay(staff_user, invoice, "2500.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == (Invoice.Status.OPEN, Decimal("5000.00"))
    assert Dues.objects.get(term__membership=membership).paid_on is None
    receipt = [m for m in mailoutbox if m.subject.startswith("[CMA USA] Receipt") or "Receipt" in m.subject]
    assert (
        len(receipt) == 1
        and "$2,500.00" in receipt[0].subject
        and "Still due on the invoice: $5,000.00" in receipt[0].body
    )

    with django_capture_on_commit_callbacks(execute=True):
        _pay(staff_user, invoice, "5000.00", method="wire")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance, invoice.settled_on) == (Invoice.Status.PAID, Decimal("0.00"), TODAY)
    assert Dues.objects.get(term__membership=membership).paid_on == TODAY
    assert "paid in full" in [m for m in mailoutbox if "Receipt" in m.subject][-1].body


@pytest.mark.parametrize("amount", ["0", "-10.00"])
def test_zero_or_negative_payments_are_refused(invoice, staff_user, amount):
    with pytest.raises(ValidationError):
        _pay(staff_user, invoice, amount)
    assert not Payment.objects.exists()


def test_a_payment_larger_than_the_balance_is_refused(invoice, staff_user):
    with pytest.raises(Conflict, match=r"more than the \$7,500.00 still due"):
        _pay(staff_user, invoice, "7500.01")
    assert not Payment.objects.exists()


def test_a_paid_invoice_takes_no_more_payments(invoice, staff_user):
    _pay(staff_user, invoice, "7500.00")
    with pytest.raises(Conflict, match="is paid: nothing is due"):
        _pay(staff_user, invoice, "1.00")
    assert Payment.objects.count() == 1


def test_credit_note_arithmetic_is_exact_and_numbered(invoice, staff_user):
    note = services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("0.10"), reason="Rounding")
    services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("0.20"), reason="Rounding")
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("7499.70")  # 7500 − 0.1 − 0.2, exactly
    assert note.number == f"CN-{TODAY.year}-00001"
    assert CreditNote.objects.order_by("sequence").last().number == f"CN-{TODAY.year}-00002"


def test_a_credit_note_larger_than_what_is_due_is_refused(invoice, staff_user):
    _pay(staff_user, invoice, "7000.00")
    with pytest.raises(Conflict, match="can't be larger"):
        services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("500.01"), reason="Too much")
    assert not CreditNote.objects.exists()


def test_crediting_the_rest_after_a_payment_settles_the_invoice(approved, staff_user):
    membership, invoice = approved
    _pay(staff_user, invoice, "7000.00")
    services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("500.00"), reason="Discount agreed")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert Dues.objects.get(term__membership=membership).paid_on == TODAY


def test_crediting_in_full_cancels_the_invoice(invoice, staff_user):
    services.credit_note_issue(actor=staff_user, invoice=invoice, amount=Decimal("7500.00"), reason="Issued in error")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED


def test_the_database_refuses_an_overpaid_invoice(invoice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("7500.01"))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_edit_an_issued_invoice(invoice):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1.00"))
    assert connection.vendor == "postgresql"


def test_paying_a_lapsed_membership_restores_it(approved, staff_user):
    membership, invoice = approved
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LAPSED)
    _pay(staff_user, invoice, "7500.00")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
