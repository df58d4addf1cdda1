"""Staff pages under /staff/billing/: invoices, payments, credit notes, dunning extensions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cma.access import staff_required
from cma.errors import form_errors, service_errors

from . import selectors, services, stripe
from .forms import CreditNoteForm, ExtendForm, PaymentForm
from .models import Invoice

STATUS_FILTERS = [("", "All"), ("open", "Awaiting payment"), ("overdue", "Overdue"), ("paid", "Paid"),
                  ("credited", "Cancelled by credit note")]  # fmt: skip


@staff_required
@require_GET
def invoice_list(request) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.invoices_for_staff(status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/staff/list.html",
        {
            "page": page, "status": status, "statuses": STATUS_FILTERS,
            "summary": selectors.outstanding_summary(today=timezone.localdate()),
        },
    )  # fmt: skip


def _invoice(pk: int) -> Invoice:
    invoice = selectors.invoice_for_staff(pk)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def _detail(request, invoice: Invoice, **forms) -> HttpResponse:
    context = {
        "invoice": invoice, "online": stripe.enabled(), "today": timezone.localdate(),
        "payment_form": PaymentForm(), "credit_form": CreditNoteForm(), "extend_form": ExtendForm(), **forms,
    }  # fmt: skip
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "billing/staff/detail.html", context, status=status)


@staff_required
@require_GET
def invoice_detail(request, pk: int) -> HttpResponse:
    return _detail(request, _invoice(pk))


@staff_required
@require_GET
def invoice_by_number(request, number: str) -> HttpResponse:
    """An invoice by its number: how pages that know only the number (the
    membership page's terms, from the dues mark) link to it."""
    invoice = selectors.invoice_by_number(number)
    if invoice is None:
        raise Http404("No such invoice.")
    return redirect("staff:billing:detail", pk=invoice.pk)


@staff_required
@require_POST
@service_errors(back="staff:billing:detail")
def payment_new(request, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.payment_record(actor=request.user, invoice=invoice, **form.cleaned_data)
            messages.success(request, "Payment recorded; the receipt is on its way.")
            return redirect("staff:billing:detail", pk=pk)
    return _detail(request, invoice, payment_form=form)


@staff_required
@require_POST
@service_errors(back="staff:billing:detail")
def credit_new(request, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            note = services.credit_note_issue(actor=request.user, invoice=invoice, **form.cleaned_data)
            messages.success(request, f"Credit note {note.number} issued.")
            return redirect("staff:billing:detail", pk=pk)
    return _detail(request, invoice, credit_form=form)


@staff_required
@require_POST
@service_errors(back="staff:billing:detail")
def extend(request, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.invoice_extend_dunning(actor=request.user, invoice=invoice, until=form.cleaned_data["until"])
            messages.success(request, f"Dunning paused until {form.cleaned_data['until']:%B %-d, %Y}.")
            return redirect("staff:billing:detail", pk=pk)
    return _detail(request, invoice, extend_form=form)
