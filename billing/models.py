"""Invoices, their lines, credit notes, payments, and Stripe's events.

An invoice is immutable once issued: its number, dates, lines, totals and the
two addresses are copied onto it when it is issued and never edited; what
changes afterwards is only what was paid or credited against it (and the
dunning deadline staff may extend). Corrections are credit notes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models import Membership, MembershipTerm, MembershipTier, Organization

ZERO = Decimal("0.00")


class DocumentCounter(models.Model):
    """The last number used in one series (invoices, credit notes) and year.

    Numbers are taken under this row's lock in the transaction that creates
    the document, so a rolled-back document gives its number back: no gaps,
    no duplicates (the unique constraints on the documents are the backstop).
    """

    series = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="billing_one_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", "New membership"
        RENEWAL = "renewal", "Renewal"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting payment"
        PAID = "paid", "Paid"
        CREDITED = "credited", "Cancelled by credit note"

    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invoices")
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(MembershipTerm, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    issued_on = models.DateField()
    due_on = models.DateField()
    currency = models.CharField(max_length=3, default="USD")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # Copied when issued: what the document says, whatever changes later.
    issuer_name = models.CharField(max_length=200)
    issuer_address = models.TextField()
    bill_to_name = models.CharField(max_length=255)
    bill_to_address = models.TextField(blank=True)
    bill_to_contact = models.CharField(max_length=255, blank=True)
    bill_to_email = models.EmailField(max_length=254, blank=True)
    # What happened since: the only columns that change.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    amount_credited = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    settled_on = models.DateField(null=True, blank=True)
    dunning_extended_to = models.DateField(
        null=True, blank=True, help_text="Staff gave until this date before reminders and grace resume."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="billing_invoice_number_unique_per_year"),
            models.UniqueConstraint(
                fields=["membership", "period_start"], name="billing_one_invoice_per_membership_period"
            ),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="billing_invoice_sequence_positive"),
            models.CheckConstraint(condition=Q(total__gte=0), name="billing_invoice_total_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, amount_credited__gte=0)
                & Q(amount_paid__lte=F("total") - F("amount_credited")),
                name="billing_invoice_not_overpaid",
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="billing_invoice_due_after_issue"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="billing_invoice_due_idx")]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid - self.amount_credited

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="billing_line_position_unique")]

    def __str__(self) -> str:
        return self.description


class CreditNote(models.Model):
    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=500)
    issued_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="billing_credit_number_unique_per_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_credit_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Credit note {self.number}"


class Payment(models.Model):
    class Method(models.TextChoices):
        CHECK = "check", "Check"
        WIRE = "wire", "Wire transfer"
        ACH = "ach", "ACH"
        CARD = "card", "Card"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=8, choices=Method.choices)
    received_on = models.DateField()
    reference = models.CharField(max_length=120, blank=True, help_text="Check number, wire reference…")
    # A Stripe Checkout session's id: one payment per session, whatever
    # events announce it and in whatever order.
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} payment of {self.amount} on {self.invoice.number}"


class StripeEvent(models.Model):
    """Each Stripe event handled: the unique id makes redelivery a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    outcome = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
