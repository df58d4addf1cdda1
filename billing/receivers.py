"""Receivers of members' signals (connected in BillingConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from members import services as member_services
from members.models import Membership, MembershipTerm

from . import selectors, services
from .models import Invoice


def invoice_for_new_term(*, term: MembershipTerm, membership: Membership, first: bool, actor: Any, **_: Any) -> None:
    """Each new membership term gets its invoice, in the transaction that
    started the term (approval or renewal).

    Idempotent: a renewal invoice issued ahead of the term (or one for the
    same period) is linked to the term instead of a second one being issued;
    a renewal paid after the old term ended starts today, so the paid renewal
    invoice still waiting for its term is the one linked.
    """
    invoice = Invoice.objects.filter(membership=membership, period_start=term.starts_on).first()
    if invoice is None and not first:
        invoice = Invoice.objects.filter(
            membership=membership, kind=Invoice.Kind.RENEWAL, term__isnull=True, status=Invoice.Status.PAID
        ).first()
    if invoice is not None:
        if invoice.term_id is None:
            Invoice.objects.filter(pk=invoice.pk).update(term=term)
            member_services.dues_link_invoice(term=term, invoice_number=invoice.number, amount=invoice.total)
            if not invoice.is_open:  # the renewal was paid before its term began
                member_services.dues_settle(
                    actor=actor, term=term, on=invoice.settled_on or term.starts_on, note=f"Invoice {invoice.number}"
                )
        return
    services.invoice_issue(
        actor=actor, organization=membership.organization, membership=membership, tier=term.tier,
        kind=Invoice.Kind.NEW if first else Invoice.Kind.RENEWAL, period_start=term.starts_on, term=term,
    )  # fmt: skip


def invoices_panel(*, membership: Membership, **_: Any) -> SafeString:
    """The membership's invoices on staff's membership page (members'
    membership_staff_panels signal): what each says is owed and a way to
    the invoice's page, the one place payments are recorded."""
    invoices = selectors.invoices_of_membership(membership.pk)
    return render_to_string(
        "billing/staff/_membership_invoices.html", {"invoices": invoices, "today": timezone.localdate()}
    )
