"""Reads for billing, with their joins applied."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from . import permissions
from .models import ZERO, CreditNote, Invoice, Payment


def invoice_for_user(user: Any, pk: int) -> Invoice | None:
    """The invoice if `user` may see it; None otherwise (so another
    organization's invoice is a 404, not a hint that it exists)."""
    invoice = (
        Invoice.objects.select_related("organization")
        .prefetch_related("lines", "payments", "credit_notes")
        .filter(pk=pk)
        .first()
    )
    if invoice is None or not permissions.can_view_invoice(user, invoice):
        return None
    return invoice


def invoices_of_organization(organization_id: int) -> QuerySet[Invoice]:
    return Invoice.objects.filter(organization_id=organization_id).order_by("-issued_on", "-sequence")


def credit_note_for_user(user: Any, pk: int) -> CreditNote | None:
    """The credit note if `user` may see the invoice it credits; None otherwise."""
    note = CreditNote.objects.select_related("invoice").filter(pk=pk).first()
    if note is None or not permissions.can_view_invoice(user, note.invoice):
        return None
    return note


def invoices_of_membership(membership_id: int) -> list[Invoice]:
    """A membership's invoices, the latest period first (one query)."""
    return list(Invoice.objects.filter(membership_id=membership_id).order_by("-period_start", "-sequence"))


def invoice_by_number(number: str) -> Invoice | None:
    return Invoice.objects.filter(number=number).only("pk").first()


def invoices_for_staff(*, status: str = "") -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("organization").order_by("-issued_on", "-sequence")
    if status == "overdue":
        return invoices.filter(status=Invoice.Status.OPEN, due_on__lt=datetime.date.today())
    if status in Invoice.Status.values:
        return invoices.filter(status=status)
    return invoices


def _money(expression: Any) -> Any:
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def _issued_between(start: datetime.date | None, end: datetime.date | None) -> Q:
    q = Q(status=Invoice.Status.OPEN)
    if start is not None:
        q &= Q(issued_on__gte=start)
    if end is not None:
        q &= Q(issued_on__lte=end)
    return q


def outstanding_summary(
    *, today: datetime.date, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, Any]:
    """Open invoices (issued between start and end when given): how many and
    how much, and how many and how much overdue (one query)."""
    balance = F("total") - F("amount_paid") - F("amount_credited")
    overdue = Q(due_on__lt=today)
    return Invoice.objects.filter(_issued_between(start, end)).aggregate(
        open_count=Count("pk"),
        open_total=_money(Sum(balance)),
        overdue_count=Count("pk", filter=overdue),
        overdue_total=_money(Sum(balance, filter=overdue)),
    )


def open_invoices(
    *,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    limit: int | None = 500,
) -> list[Invoice]:
    """Open invoices, the longest overdue first (one query)."""
    return list(
        Invoice.objects.filter(_issued_between(start, end))
        .select_related("organization")
        .order_by("due_on", "sequence")[:limit]
    )


def revenue_by_month(*, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Payments received per month and the tier invoiced (one query)."""
    rows = (
        Payment.objects.filter(received_on__gte=start, received_on__lte=end)
        .annotate(month=TruncMonth("received_on"))
        .values("month", tier=F("invoice__tier__name"))
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by("month", "tier")
    )
    return list(rows)


def revenue_total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((r["total"] for r in rows), ZERO)


def join_page() -> dict[str, Any]:
    """What the public Join page shows: open tiers, the segments, the current charter."""
    from cma.markdown import render_markdown
    from members import selectors as member_selectors
    from members.models import MembershipTier

    charter = member_selectors.current_charter()
    return {
        "tiers": list(MembershipTier.objects.filter(is_open=True).order_by("position", "annual_dues")),
        "segments": list(member_selectors.segments_for_home()),
        "charter": charter,
        "charter_html": render_markdown(charter.body) if charter else "",
    }


def invoice_for_staff(pk: int) -> Invoice | None:
    return (
        Invoice.objects.select_related("organization", "membership")
        .prefetch_related("lines", "payments__recorded_by", "credit_notes")
        .filter(pk=pk)
        .first()
    )
