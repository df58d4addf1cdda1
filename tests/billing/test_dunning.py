"""Dunning on a fixed clock: reminders once each, grace, lapse, staff extension."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from billing import services
from cma.errors import Conflict
from members.models import Membership
from notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.BILLING_DUNNING_REMINDER_DAYS = [7, 21]
    settings.BILLING_DUNNING_GRACE_DAYS = 30
    settings.BILLING_DUNNING_LAPSE_DAYS = 60


def _subjects():
    return list(
        OutgoingEmail.objects.filter(category="billing/dunning").order_by("id").values_list("subject", flat=True)
    )


def _day(invoice, n):
    return invoice.due_on + datetime.timedelta(days=n)


def test_the_timeline_runs_once_per_step_however_often_it_runs(approved):
    membership, invoice = approved
    for n in (0, 6):
        services.invoices_dun(today=_day(invoice, n))
    assert _subjects() == []
    for n in (7, 7, 8, 20):
        services.invoices_dun(today=_day(invoice, n))
    assert len(_subjects()) == 1 and "overdue" in _subjects()[0]
    for n in (21, 22, 29):
        services.invoices_dun(today=_day(invoice, n))
    assert len(_subjects()) == 2
    services.invoices_dun(today=_day(invoice, 30))
    services.invoices_dun(today=_day(invoice, 31))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE
    assert "grace period" in _subjects()[-1] and len(_subjects()) == 3
    services.invoices_dun(today=_day(invoice, 60))
    services.invoices_dun(today=_day(invoice, 61))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED
    assert "lapsed" in _subjects()[-1] and len(_subjects()) == 4


def test_staff_extension_restores_and_restarts_the_clock(approved, staff_user):
    membership, invoice = approved
    services.invoices_dun(today=_day(invoice, 35))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE
    until = datetime.date.today() + datetime.timedelta(days=40)
    services.invoice_extend_dunning(actor=staff_user, invoice=invoice, until=until)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    sent = len(_subjects())
    services.invoices_dun(today=until + datetime.timedelta(days=6))
    assert len(_subjects()) == sent
    services.invoices_dun(today=until + datetime.timedelta(days=7))
    assert len(_subjects()) == sent + 1


def test_an_extension_must_be_in_the_future(invoice, staff_user):
    with pytest.raises(ValidationError):
        services.invoice_extend_dunning(actor=staff_user, invoice=invoice, until=invoice.due_on)


def test_a_paid_invoice_is_not_dunned_nor_extended(invoice, staff_user):
    services.payment_record(
        actor=staff_user, invoice=invoice, amount=invoice.total, method="ach", received_on=invoice.issued_on
    )
    services.invoices_dun(today=_day(invoice, 90))
    assert _subjects() == []
    with pytest.raises(Conflict):
        services.invoice_extend_dunning(
            actor=staff_user, invoice=invoice, until=datetime.date.today() + datetime.timedelta(days=9)
        )
