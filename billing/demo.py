"""Demo invoices: one for every membership term the members demo created
(paid where its dues are paid, so the reports have revenue and arrears to
show), numbered like real ones. Written in bulk: no emails, no PDFs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from cma.demo import DemoLogin
from members.models import Dues, MembershipTerm, OrganizationMember

from .models import DocumentCounter, Invoice, InvoiceLine, Payment
from .services import term_end

BATCH = 2000


def _numbers(year: int, count: int) -> range:
    """Take `count` numbers of the year's invoice series (under its lock)."""
    DocumentCounter.objects.bulk_create([DocumentCounter(series="INV", year=year)], ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(series="INV", year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return range(first, first + count)


def _contacts(org_ids: list[int]) -> dict[int, tuple[str, str]]:
    contacts: dict[int, tuple[str, str]] = {}
    rows = OrganizationMember.objects.filter(organization_id__in=org_ids, role__in=["billing", "primary"]).values_list(
        "organization_id", "role", "user__name", "user__email"
    )
    for org_id, role, name, email in rows:
        if org_id not in contacts or role == "billing":
            contacts[org_id] = (f"Attn: {name}" if name else "", email)
    return contacts


def _invoice_for(term: MembershipTerm, dues: Dues | None, number: int, contact: tuple[str, str]) -> Invoice:
    org = term.membership.organization
    paid = dues is not None and dues.paid_on is not None
    issued = term.starts_on
    amount = term.tier.annual_dues
    return Invoice(
        number=f"INV-{issued.year}-{number:05d}", year=issued.year, sequence=number, organization=org,
        membership=term.membership, term=term, tier=term.tier, kind=Invoice.Kind.NEW, period_start=term.starts_on,
        period_end=term_end(term.starts_on), issued_on=issued, due_on=issued + datetime.timedelta(days=30),
        subtotal=amount, total=amount, issuer_name=settings.BILLING_ISSUER_NAME,
        issuer_address=settings.BILLING_ISSUER_ADDRESS, bill_to_name=org.legal_name or org.name,
        bill_to_address=", ".join(p for p in (org.hq_city, org.hq_state) if p), bill_to_contact=contact[0],
        bill_to_email=contact[1], status=Invoice.Status.PAID if paid else Invoice.Status.OPEN,
        amount_paid=amount if paid else Decimal("0.00"), settled_on=dues.paid_on if paid and dues else None,
    )  # fmt: skip


def invoice_terms(terms: list[MembershipTerm]) -> int:
    """Invoices (with a line, and a payment when the dues are paid) for terms that have none."""
    invoiced = set(Invoice.objects.filter(term__in=terms).values_list("term_id", flat=True))
    terms = [t for t in terms if t.pk not in invoiced]
    dues = {d.term_id: d for d in Dues.objects.filter(term__in=terms)}
    contacts = _contacts([t.membership.organization_id for t in terms])
    by_year: dict[int, list[MembershipTerm]] = defaultdict(list)
    for term in terms:
        by_year[term.starts_on.year].append(term)
    invoices = []
    for year, group in sorted(by_year.items()):
        for term, number in zip(group, _numbers(year, len(group)), strict=True):
            invoices.append(
                _invoice_for(term, dues.get(term.pk), number, contacts.get(term.membership.organization_id, ("", "")))
            )
    Invoice.objects.bulk_create(invoices, batch_size=BATCH)
    saved = list(Invoice.objects.filter(term__in=terms))
    InvoiceLine.objects.bulk_create(
        [InvoiceLine(invoice=i, position=1, description=f"Annual membership dues, {i.tier.name} tier", amount=i.total)
         for i in saved], batch_size=BATCH,
    )  # fmt: skip
    Payment.objects.bulk_create(
        [Payment(invoice=i, amount=i.total, method=Payment.Method.CHECK if i.pk % 3 else Payment.Method.WIRE,
                 received_on=i.settled_on, reference=f"Demo {i.number}") for i in saved if i.settled_on],
        batch_size=BATCH,
    )  # fmt: skip
    for invoice in saved:  # the members' pages show the invoice's number
        if invoice.term_id in dues:
            dues[invoice.term_id].invoice_number = invoice.number
    Dues.objects.bulk_update(list(dues.values()), ["invoice_number"], batch_size=BATCH)
    return len(saved)


def _terms(q: Q) -> list[MembershipTerm]:
    return list(MembershipTerm.objects.filter(q).select_related("membership__organization", "tier"))


def seed() -> list[DemoLogin]:
    invoice_terms(_terms(~Q(membership__organization__slug__startswith="scale-org-")))
    return []


def seed_scale(n: int) -> str:
    count = invoice_terms(_terms(Q(membership__organization__slug__startswith="scale-org-")))
    return f"{count} invoices"
