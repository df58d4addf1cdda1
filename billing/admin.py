"""Invoices in the admin: read-only (issued invoices are never edited; staff
record payments and credit notes on the staff invoice page)."""

from __future__ import annotations

from django.contrib import admin

from cma.admin import ReadOnlyAdmin

from .models import CreditNote, Invoice, InvoiceLine, Payment, StripeEvent


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LineInline(_ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "description", "amount"]


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = ["received_on", "amount", "method", "reference", "external_id", "recorded_by"]


class CreditNoteInline(_ReadOnlyInline):
    model = CreditNote
    fields = ["number", "issued_on", "amount", "reason", "created_by"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organization", "issued_on", "due_on", "total", "amount_paid", "status"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["number", "organization__name", "bill_to_name"]
    inlines = [LineInline, PaymentInline, CreditNoteInline]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "outcome", "received_at"]
    search_fields = ["event_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
