"""Reads for billing, with their joins applied."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from . import permissions
from .models import ZERO, Invoice, Payment


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


def invoices_for_staff(*, status: str = "") -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("organization").order_by("-issued_on", "-sequence")
    if status == "overdue":
        return invoices.filter(status=Invoice.Status.OPEN, due_on__lt=datetime.date.today())
    if status in Invoice.Status.values:
        return invoices.filter(status=status)
    return invoices


def _money(expression: Any) -> Any:
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def outstanding_summary(*, today: datetime.date) -> dict[str, Any]:
    """Open invoices: how many and how much, split into not yet due and overdue (one query)."""
    balance = F("total") - F("amount_paid") - F("amount_credited")
    overdue = Q(due_on__lt=today)
    return Invoice.objects.filter(status=Invoice.Status.OPEN).aggregate(
        open_count=Count("pk"),
        open_total=_money(Sum(balance)),
        overdue_count=Count("pk", filter=overdue),
        overdue_total=_money(Sum(balance, filter=overdue)),
    )


def open_invoices(*, today: datetime.date, limit: int = 200) -> list[Invoice]:
    return list(
        Invoice.objects.filter(status=Invoice.Status.OPEN).select_related("organization").order_by("due_on")[:limit]
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
