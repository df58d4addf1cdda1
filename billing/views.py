"""The public Join page, members' invoices (page, PDF, card payment) and Stripe's webhook."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cma.errors import service_errors
from cma.http import absolute_url
from members.models import Organization

from . import permissions, selectors, services, stripe
from .pdf import credit_note_pdf, invoice_pdf

log = logging.getLogger(__name__)


@require_GET
def join(request) -> HttpResponse:
    return render(request, "billing/join.html", {**selectors.join_page(), "online": stripe.enabled()})


def _invoice(request, pk: int):
    invoice = selectors.invoice_for_user(request.user, pk)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


@login_required
@require_GET
def invoice_detail(request, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    if request.GET.get("paid") == "1":
        messages.info(request, "Thank you: your card payment is being confirmed. The receipt follows by email.")
    return render(
        request, "billing/invoice.html", {"invoice": invoice, "online": stripe.enabled(), "today": timezone.localdate()}
    )


@login_required
@require_GET
def invoice_download(request, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    return _pdf_attachment(invoice_pdf(invoice, list(invoice.lines.all())), invoice.number)


@login_required
@require_GET
def credit_note_download(request, pk: int) -> HttpResponse:
    note = selectors.credit_note_for_user(request.user, pk)
    if note is None:
        raise Http404("No such credit note.")
    return _pdf_attachment(credit_note_pdf(note), note.number)


def _pdf_attachment(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@service_errors(back="billing:invoice")
def invoice_pay(request, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    page = absolute_url(reverse("billing:invoice", args=[invoice.pk]))
    url = services.checkout_start(user=request.user, invoice=invoice, success_url=f"{page}?paid=1", cancel_url=page)
    return redirect(url)


@login_required
@require_GET
def organization_invoices(request, slug: str) -> HttpResponse:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not permissions.can_view_billing_of(request.user, organization.pk):
        raise Http404("No such organization.")
    return render(
        request,
        "billing/organization_invoices.html",
        {"organization": organization, "invoices": selectors.invoices_of_organization(organization.pk)},
    )


@csrf_exempt  # Stripe can't send a CSRF token; the signature is the check.
@require_POST
def stripe_webhook(request) -> HttpResponse:
    if not stripe.enabled():
        raise Http404("Online payment is off.")
    try:
        outcome = services.stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except stripe.BadSignature as exc:
        log.warning("stripe webhook refused: %s", exc)
        return HttpResponseBadRequest(f"Bad signature: {exc}", content_type="text/plain")
    except ValidationError:
        return HttpResponseBadRequest("Not a Stripe event.", content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
