"""Billing's periodic work: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def billing_daily() -> dict[str, int]:
    """Renewal invoices, then dunning; both keyed, so a rerun changes nothing."""
    return {"renewals": services.invoices_issue_renewals(), "dunning": services.invoices_dun()}
