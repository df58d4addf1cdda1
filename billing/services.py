"""Writes for billing: issue invoices, record payments, credit notes, Stripe,
renewal invoices and dunning.

Every function is keyword-only and atomic; refusals raise `cma.errors` kinds
(ValidationError for a wrong value) and change nothing. Amounts are Decimals
to the cent, never floats. Emails go through the outbox inside the
transaction, once per dedupe key.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cma.audit import audit
from cma.errors import Conflict, NotFound
from cma.formatting import money
from members import services as member_services
from members.models import Membership, MembershipTerm, MembershipTier, Organization, OrganizationMember, User
from notifications.services import Attachment, notify_each

from . import permissions, stripe
from .models import ZERO, CreditNote, DocumentCounter, Invoice, InvoiceLine, Payment, StripeEvent
from .pdf import credit_note_pdf, invoice_pdf

CENT = Decimal("0.01")
Role = OrganizationMember.Role


def _take_number(series: str, year: int) -> int:
    """The next number of a series in a year, under the counter's row lock.
    Call inside the transaction that stores the document: a rollback gives
    the number back, so numbers have no gaps."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(series=series, year=year, last=0)], ignore_conflicts=True
    )  # the year's first document creates its counter; a concurrent one finds it
    counter = DocumentCounter.objects.select_for_update().get(series=series, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def term_end(start: datetime.date) -> datetime.date:
    try:
        next_year = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        next_year = start.replace(year=start.year + 1, day=28)
    return next_year - datetime.timedelta(days=1)


def prorated_dues(annual: Decimal, start: datetime.date) -> Decimal:
    """Dues for the months left in the calendar year, the start month counted:
    a member from July 15 pays 6/12 of the year's dues, to the cent."""
    months = 13 - start.month
    return (annual * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_lines(
    *, tier: MembershipTier, kind: str, period_start: datetime.date, discounts: Sequence[tuple[str, Decimal]] = ()
) -> list[tuple[str, Decimal]]:
    """The lines of a dues invoice: the tier's dues, the pro-rating for a new
    member's mid-year start (when BILLING_PRORATE_FIRST_YEAR is on), then the
    discounts, as negative amounts. Raises ValidationError when the discounts
    come to more than the dues."""
    lines = [(f"Annual membership dues, {tier.name} tier", tier.annual_dues)]
    if kind == Invoice.Kind.NEW and settings.BILLING_PRORATE_FIRST_YEAR and period_start.month > 1:
        due = prorated_dues(tier.annual_dues, period_start)
        lines.append(
            (
                f"Pro-rated for a start in {period_start:%B}: {13 - period_start.month} of 12 months",
                due - tier.annual_dues,
            )
        )
    for description, amount in discounts:
        if amount <= 0:
            raise ValidationError("A discount is a positive amount.", code="invalid")
        lines.append((description, -amount.quantize(CENT, rounding=ROUND_HALF_UP)))
    if sum((a for _, a in lines), ZERO) < 0:
        raise ValidationError("The discounts come to more than the dues.", code="invalid")
    return lines


def billing_contacts(organization_id: int) -> list[User]:
    """Who invoices, receipts and reminders go to: the billing and primary contacts."""
    return [
        m.user
        for m in OrganizationMember.objects.filter(
            organization_id=organization_id, role__in=[Role.BILLING_CONTACT, Role.PRIMARY_CONTACT], user__is_active=True
        )
        .select_related("user")
        .order_by("-role", "user__email")  # "primary" sorts after "billing": billing first
    ]


def _bill_to(organization: Organization) -> dict[str, str]:
    contacts = billing_contacts(organization.pk)
    contact = contacts[0] if contacts else None
    return {
        "bill_to_name": organization.legal_name or organization.name,
        "bill_to_address": organization.billing_address,
        "bill_to_contact": f"Attn: {contact.display_name}" if contact else "",
        "bill_to_email": contact.email if contact else "",
    }


def invoice_issue(
    *,
    actor: User | None,
    organization: Organization,
    membership: Membership | None,
    tier: MembershipTier,
    kind: str,
    period_start: datetime.date,
    term: MembershipTerm | None = None,
    discounts: Sequence[tuple[str, Decimal]] = (),
    today: datetime.date | None = None,
) -> Invoice:
    """Issue a dues invoice: next number of the year, lines, the addresses
    copied on, and an email with the PDF to the billing and primary contacts.

    Idempotent per (membership, period start): asking again returns the
    invoice already issued. Raises ValidationError for discounts larger than
    the dues."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if membership is not None:
            existing = Invoice.objects.filter(membership=membership, period_start=period_start).first()
            if existing is not None:
                return existing
        lines = invoice_lines(tier=tier, kind=kind, period_start=period_start, discounts=discounts)
        charged = lines[: len(lines) - len(discounts)]  # the dues (pro-rated), before discounts
        subtotal = sum((a for _, a in charged), ZERO)
        total = sum((a for _, a in lines), ZERO)
        sequence = _take_number("INV", today.year)
        invoice = Invoice.objects.create(
            number=f"INV-{today.year}-{sequence:05d}", year=today.year, sequence=sequence,
            organization=organization, membership=membership, term=term, tier=tier, kind=kind,
            period_start=period_start, period_end=term_end(period_start), issued_on=today,
            due_on=today + datetime.timedelta(days=settings.BILLING_PAYMENT_TERMS_DAYS),
            subtotal=subtotal, discount_total=subtotal - total, total=total,
            issuer_name=settings.BILLING_ISSUER_NAME, issuer_address=settings.BILLING_ISSUER_ADDRESS,
            status=Invoice.Status.OPEN if total > 0 else Invoice.Status.PAID,
            settled_on=None if total > 0 else today, **_bill_to(organization),
        )  # fmt: skip
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, position=i, description=d[:255], amount=a) for i, (d, a) in enumerate(lines, 1)
        )
        if term is not None:
            member_services.dues_link_invoice(term=term, invoice_number=invoice.number, amount=total)
            if invoice.status == Invoice.Status.PAID:  # discounted to nothing: nothing to pay
                _mark_term_settled(invoice, actor=actor, on=today)
        audit(actor=actor, action="invoice.issue", target=invoice, to_state=invoice.status, data={"total": str(total)})
        _send_invoice(invoice)
    return invoice


def _send_invoice(invoice: Invoice) -> None:
    pdf = invoice_pdf(invoice, list(invoice.lines.all()))
    path = reverse("billing:invoice", args=[invoice.pk])
    notify_each(
        users=billing_contacts(invoice.organization_id),
        template="billing/invoice_issued",
        dedupe_key=f"invoice:{invoice.pk}:issued",
        context={"invoice": invoice, "lines": list(invoice.lines.all()), "online": stripe.enabled()},
        url=path,
        attachments=[_pdf(invoice.number, pdf)],
    )


def _pdf(number: str, content: bytes) -> Attachment:
    return Attachment(
        filename=f"{number}.pdf", content=base64.b64encode(content).decode(),
        mimetype="application/pdf", encoding="base64",
    )  # fmt: skip


def _locked(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organization", "membership", "term")
        .get(pk=invoice.pk)
    )


def payment_record(
    *,
    actor: User | None,
    invoice: Invoice,
    amount: Decimal,
    method: str,
    received_on: datetime.date,
    reference: str = "",
    external_id: str | None = None,
) -> Payment:
    """Record a payment against an invoice (partial payments allowed) and
    email a receipt. Settles the invoice when its balance reaches zero: the
    term's dues are marked paid (a renewal's term is started) and a
    membership in grace or lapsed through dunning is restored.

    Raises ValidationError for a zero or negative amount, Conflict for an
    invoice that is not open or an amount larger than its balance."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than zero."})
    amount = amount.quantize(CENT)
    with transaction.atomic():
        invoice = _locked(invoice)
        if not invoice.is_open:
            raise Conflict(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: nothing is due.")
        if amount > invoice.balance:
            raise Conflict(
                f"{money(amount)} is more than the {money(invoice.balance)} still due on {invoice.number}.",
                field="amount",
            )
        payment = Payment.objects.create(
            invoice=invoice, amount=amount, method=method, received_on=received_on,
            reference=reference[:120], external_id=external_id, recorded_by=actor,
        )  # fmt: skip
        invoice.amount_paid += amount
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid)
        audit(actor=actor, action="invoice.payment", target=invoice, data={"amount": str(amount), "method": method})
        if invoice.balance == 0:
            _settle(invoice, actor=actor, on=received_on, status=Invoice.Status.PAID)
        notify_each(
            users=billing_contacts(invoice.organization_id),
            template="billing/payment_receipt",
            dedupe_key=f"payment:{payment.pk}:receipt",
            context={"invoice": invoice, "payment": payment},
            url=reverse("billing:invoice", args=[invoice.pk]),
        )
    return payment


def _settle(invoice: Invoice, *, actor: User | None, on: datetime.date, status: str) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=status, settled_on=on)
    invoice.status, invoice.settled_on = status, on
    audit(actor=actor, action="invoice.settle", target=invoice, from_state=Invoice.Status.OPEN, to_state=status)
    if invoice.membership is None:
        return
    if status == Invoice.Status.PAID and invoice.term is None and invoice.kind == Invoice.Kind.RENEWAL:
        # The renewal term starts once paid; its term_started signal links
        # the term back to this invoice (receivers.invoice_for_new_term).
        member_services.membership_renew(actor=actor, membership=invoice.membership)
        invoice.refresh_from_db(fields=["term"])
    # Paid or cancelled, nothing more is owed for the term: members' pages
    # read that from the term's dues mark, which only this keeps.
    _mark_term_settled(invoice, actor=actor, on=on)
    if status == Invoice.Status.PAID:
        _restore(invoice.membership, actor=actor)


def _mark_term_settled(invoice: Invoice, *, actor: User | None, on: datetime.date) -> None:
    if invoice.term is not None:
        member_services.dues_settle(
            actor=actor,
            term=invoice.term,
            on=on,
            note=f"Invoice {invoice.number} {invoice.get_status_display().lower()}",
        )


def _restore(membership: Membership, *, actor: User | None) -> None:
    membership.refresh_from_db(fields=["status"])
    if membership.status in (Membership.Status.GRACE, Membership.Status.LAPSED):
        member_services.membership_change_status(
            actor=actor, membership=membership, action="restore", note="Invoice settled or deadline extended."
        )


def credit_note_issue(*, actor: User, invoice: Invoice, amount: Decimal, reason: str) -> CreditNote:
    """Correct an issued invoice: a numbered credit note reducing what is due.
    An invoice credited in full is cancelled; one whose rest was paid is paid.

    Raises ValidationError for a zero or negative amount or no reason,
    Conflict for more than the invoice's unpaid balance or a settled invoice."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than zero."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why; the member reads it."})
    amount = amount.quantize(CENT)
    today = timezone.localdate()
    with transaction.atomic():
        invoice = _locked(invoice)
        if not invoice.is_open:
            raise Conflict(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; it can't be credited.")
        if amount > invoice.balance:
            raise Conflict(
                f"A credit note can't be larger than what is still due on {invoice.number} ({money(invoice.balance)}).",
                field="amount",
            )
        sequence = _take_number("CN", today.year)
        note = CreditNote.objects.create(
            number=f"CN-{today.year}-{sequence:05d}", year=today.year, sequence=sequence, invoice=invoice,
            amount=amount, reason=reason.strip()[:500], issued_on=today, created_by=actor,
        )  # fmt: skip
        invoice.amount_credited += amount
        Invoice.objects.filter(pk=invoice.pk).update(amount_credited=invoice.amount_credited)
        audit(actor=actor, action="invoice.credit", target=invoice, note=reason, data={"amount": str(amount)})
        if invoice.balance == 0:
            paid = invoice.amount_paid > 0
            _settle(invoice, actor=actor, on=today, status=Invoice.Status.PAID if paid else Invoice.Status.CREDITED)
        notify_each(
            users=billing_contacts(invoice.organization_id),
            template="billing/credit_note",
            dedupe_key=f"credit:{note.pk}:issued",
            context={"invoice": invoice, "credit_note": note},
            url=reverse("billing:invoice", args=[invoice.pk]),
            attachments=[_pdf(note.number, credit_note_pdf(note))],
        )
    return note


def invoice_extend_dunning(*, actor: User, invoice: Invoice, until: datetime.date) -> Invoice:
    """Give the member until `until` before reminders, grace and lapse
    resume; a membership in grace or lapsed through this invoice is restored.
    Raises ValidationError for a date not after today and the due date,
    Conflict for a settled invoice."""
    with transaction.atomic():
        invoice = _locked(invoice)
        if not invoice.is_open:
            raise Conflict(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}; nothing to extend.")
        if until <= max(timezone.localdate(), invoice.due_on):
            raise ValidationError({"until": "Choose a date after today and after the due date."})
        Invoice.objects.filter(pk=invoice.pk).update(dunning_extended_to=until)
        invoice.dunning_extended_to = until
        audit(actor=actor, action="invoice.extend", target=invoice, note=f"until {until}")
        if invoice.membership is not None:
            _restore(invoice.membership, actor=actor)
    return invoice


def invoices_issue_renewals(*, today: datetime.date | None = None) -> int:
    """Issue the renewal invoice of every membership whose term ends within
    BILLING_RENEWAL_LEAD_DAYS. Once per term, however often it runs."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.BILLING_RENEWAL_LEAD_DAYS)
    due = Membership.objects.filter(
        status__in=Membership.IN_GOOD_STANDING, ends_on__gte=today, ends_on__lte=horizon
    ).select_related("organization", "tier")
    issued = 0
    for membership in due.iterator(chunk_size=200):
        start = membership.ends_on + datetime.timedelta(days=1)
        if Invoice.objects.filter(membership=membership, period_start=start).exists():
            continue
        try:
            invoice_issue(
                actor=None, organization=membership.organization, membership=membership,
                tier=membership.tier, kind=Invoice.Kind.RENEWAL, period_start=start, today=today,
            )  # fmt: skip
            issued += 1
        except IntegrityError:  # another run issued it meanwhile
            continue
    return issued


def _dunning_step(invoice: Invoice, today: datetime.date) -> tuple[str, datetime.date] | None:
    """Which step an unpaid invoice has reached today, and the date counted from."""
    start = max(invoice.due_on, invoice.dunning_extended_to or invoice.due_on)
    overdue = (today - start).days
    if overdue >= settings.BILLING_DUNNING_LAPSE_DAYS:
        return "lapse", start
    if overdue >= settings.BILLING_DUNNING_GRACE_DAYS:
        return "grace", start
    reached = [d for d in settings.BILLING_DUNNING_REMINDER_DAYS if d <= overdue]
    return (f"reminder-{max(reached)}", start) if reached else None


def _dun_one(invoice: Invoice, today: datetime.date) -> bool:
    step = _dunning_step(invoice, today)
    if step is None:
        return False
    name, start = step
    if name in ("grace", "lapse") and invoice.membership is not None:
        membership = Membership.objects.select_for_update().get(pk=invoice.membership.pk)
        target = Membership.Status.GRACE if name == "grace" else Membership.Status.LAPSED
        if membership.status != target:
            try:
                member_services.membership_change_status(
                    actor=None, membership=membership, action=name, note=f"Invoice {invoice.number} unpaid."
                )
            except Conflict:  # suspended or ended: dunning has nothing to say
                return False
    sent = notify_each(
        users=billing_contacts(invoice.organization_id),
        template="billing/dunning",
        dedupe_key=f"invoice:{invoice.pk}:dunning:{name}:{start}",
        context={"invoice": invoice, "step": name.partition("-")[0], "days": (today - invoice.due_on).days},
        url=reverse("billing:invoice", args=[invoice.pk]),
    )
    return bool(sent)


def invoices_dun(*, today: datetime.date | None = None) -> int:
    """Walk unpaid invoices past their due date: a reminder at each of
    BILLING_DUNNING_REMINDER_DAYS, then grace at BILLING_DUNNING_GRACE_DAYS,
    then lapse at BILLING_DUNNING_LAPSE_DAYS (counted from the due date, or
    from the date staff extended it to). The member is told at each step,
    once (dedupe keys), however often this runs. Returns emails queued."""
    today = today or timezone.localdate()
    count = 0
    for invoice in Invoice.objects.filter(status=Invoice.Status.OPEN, due_on__lt=today).select_related("membership"):
        with transaction.atomic():
            count += _dun_one(invoice, today)
    return count


def checkout_start(*, user: Any, invoice: Invoice, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout session for the invoice's balance; returns its URL.
    Raises NotFound when the person may not see this invoice, Conflict when
    online payment is off or nothing is due."""
    if not stripe.enabled():
        raise Conflict("Online card payment is not available; please pay by check, wire or ACH.")
    if not permissions.can_view_invoice(user, invoice):
        raise NotFound("No such invoice.")
    if not invoice.is_open or invoice.balance <= 0:
        raise Conflict(f"Invoice {invoice.number} has nothing left to pay.")
    session = stripe.checkout_client().create_session(
        amount_cents=int(invoice.balance * 100), currency=invoice.currency,
        description=f"{invoice.issuer_name} invoice {invoice.number}",
        metadata={"invoice_id": str(invoice.pk), "invoice_number": invoice.number},
        success_url=success_url, cancel_url=cancel_url, customer_email=getattr(user, "email", ""),
    )  # fmt: skip
    audit(actor=user, action="invoice.checkout", target=invoice, data={"session": session.id})
    return session.url


PAID_SESSION_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}


def stripe_event_receive(*, payload: bytes, signature: str, now: float | None = None) -> str:
    """Handle one webhook delivery from Stripe; returns what was done.

    Raises stripe.BadSignature (nothing changed) for a payload the endpoint's
    secret did not sign, ValidationError for one that is not an event. An
    event id seen before is a no-op; a paid Checkout session records one card
    payment per session (keyed by its id), whichever of its events comes
    first; events about a settled invoice change nothing."""
    stripe.verify(payload, signature, settings.STRIPE_WEBHOOK_SECRET, now=now)
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        session = event["data"]["object"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError("Not a Stripe event.") from exc
    with transaction.atomic():
        record, created = StripeEvent.objects.get_or_create(event_id=event_id, defaults={"type": event_type})
        if not created:
            return "duplicate event"
        outcome = _apply_event(event_type, session)
        StripeEvent.objects.filter(pk=record.pk).update(outcome=outcome[:255])
    return outcome


def _apply_event(event_type: str, session: Any) -> str:
    if event_type not in PAID_SESSION_EVENTS or session.get("payment_status") != "paid":
        return "ignored"
    invoice_id = str((session.get("metadata") or {}).get("invoice_id") or "")
    invoice = Invoice.objects.filter(pk=int(invoice_id)).first() if invoice_id.isdigit() else None
    if invoice is None:
        return "no such invoice"
    if Payment.objects.filter(external_id=session["id"]).exists():
        return "payment already recorded"
    amount = (Decimal(int(session.get("amount_total") or 0)) / 100).quantize(CENT)
    try:
        payment_record(
            actor=None, invoice=invoice, amount=amount, method=Payment.Method.CARD,
            received_on=timezone.localdate(), reference=f"Stripe {session.get('payment_intent') or session['id']}",
            external_id=session["id"],
        )  # fmt: skip
    except (Conflict, ValidationError) as error:
        # Settled meanwhile (a check arrived first): staff refund by hand.
        return f"not applied: {error}"
    return "payment recorded"
