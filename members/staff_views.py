"""Staff pages for membership: the review queue, memberships, the charter, exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.csv import stream_csv
from cma.errors import service_errors

from . import selectors, services
from .forms import CharterVersionForm, MembershipStatusForm, NoteForm, ReviewFilterForm
from .models import Application, CharterVersion, Dues, Membership
from .signals import panels_for

QUEUE_PAGE_SIZE = 25


@staff_required
def application_queue(request):
    form = ReviewFilterForm(request.GET or None)
    page = Paginator(selectors.review_queue(**form.filters()), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/staff/queue.html",
        {"form": form, "page": page, "counts": selectors.review_counts(), "now": timezone.now()},
    )


@staff_required
def application_review(request, pk: int):
    application = selectors.application_for_review(pk)
    if application is None:
        raise Http404
    organization = application.organization
    return render(
        request,
        "members/staff/application.html",
        {
            "application": application,
            "history": history_of(application),
            "earlier": selectors.earlier_applications(application),
            "organization_history": history_of(organization) if organization else [],
            "charter": selectors.charter_status(organization) if organization else None,
            "note_form": NoteForm(),
        },
    )


# action name in the URL: (service, needs a note, success message)
_REVIEW_ACTIONS = {
    "start-review": (
        lambda actor, app, note: services.application_start_review(actor=actor, application=app),
        False,
        "Marked as under review.",
    ),
    "request-info": (
        lambda actor, app, note: services.application_request_info(actor=actor, application=app, note=note),
        True,
        "Sent back to the applicant with your question.",
    ),
    "approve": (
        lambda actor, app, note: services.application_approve(actor=actor, application=app, note=note),
        False,
        "Approved: the organization is now a member and the applicant its primary contact.",
    ),
    "reject": (
        lambda actor, app, note: services.application_reject(actor=actor, application=app, reason=note),
        True,
        "Rejected; the applicant was told why.",
    ),
}


def _application_page(request: HttpRequest, *, pk: int, **_: object) -> str:
    return reverse("staff:members:application", args=[pk])


@staff_required
@require_POST
@service_errors(back=_application_page)
def application_action(request, pk: int, action: str):
    if action not in _REVIEW_ACTIONS:
        raise Http404
    application = get_object_or_404(Application.objects.exclude(status=Application.Status.DRAFT), pk=pk)
    run, _, success = _REVIEW_ACTIONS[action]
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run(request.user, application, note)
    messages.success(request, f"{application.org_name}: {success}")
    return redirect("staff:members:application", pk=application.pk)


@staff_required
def membership_list(request):
    status = request.GET.get("status", "")
    flag = request.GET.get("flag", "")
    q = request.GET.get("q", "")[:100]
    memberships = selectors.memberships_for_staff(
        status=status if status in Membership.Status.values else "", flag=flag, q=q
    )
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    current = selectors.current_charter()
    organizations = selectors.with_charter_status([m.organization for m in page.object_list], current=current)
    for membership, organization in zip(page.object_list, organizations, strict=True):
        membership.organization = organization
    return render(
        request,
        "members/staff/memberships.html",
        {
            "page": page,
            "status": status,
            "flag": flag,
            "q": q,
            "statuses": Membership.Status.choices,
            "today": timezone.localdate(),
        },
    )


@staff_required
def membership_detail(request, pk: int):
    membership = selectors.membership_detail(pk)
    if membership is None:
        raise Http404
    return render(
        request,
        "members/staff/membership.html",
        {
            "membership": membership,
            "charter": selectors.charter_status(membership.organization),
            "people": selectors.organization_people(membership.organization),
            "history": history_of(membership),
            "panels": panels_for(membership),
            "status_form": MembershipStatusForm(),
        },
    )


@staff_required
@require_POST
@service_errors(back="staff:members:membership")
def membership_renew(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk)
    membership = services.membership_renew(actor=request.user, membership=membership)
    messages.success(request, f"Renewed until {membership.ends_on:%B %-d, %Y}; an invoice was issued.")
    return redirect("staff:members:membership", pk=pk)


@staff_required
@require_POST
@service_errors(back="staff:members:membership")
def membership_status(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk)
    form = MembershipStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the membership.")
        return redirect("staff:members:membership", pk=pk)
    membership = services.membership_change_status(
        actor=request.user,
        membership=membership,
        action=form.cleaned_data["action"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, f"The membership is now {membership.get_status_display().lower()}.")
    return redirect("staff:members:membership", pk=pk)


@staff_required
def dues_paid(request, pk: int):
    """Where the old "Record payment" form on the membership page posted.
    It marked the dues paid without the invoice, so dunning carried on; now
    it records nothing and sends staff to the term's invoice, where payments
    are recorded (a form left open in a tab lands there too)."""
    dues = get_object_or_404(Dues, pk=pk)
    messages.info(request, f"Payments are recorded on invoice {dues.invoice_number}.")
    return redirect("staff:billing:by_number", number=dues.invoice_number)


@staff_required
def directory_export(request):
    filename = f"cma-members-{timezone.localdate():%Y-%m-%d}.csv"
    return stream_csv(filename, selectors.DIRECTORY_EXPORT_HEADER, selectors.directory_export_rows())


@staff_required
def charter_admin(request):
    form = CharterVersionForm(
        request.POST or None, initial={"body": (selectors.current_charter() or CharterVersion(body="")).body}
    )
    if request.method == "POST" and form.is_valid():
        version = services.charter_version_create(
            actor=request.user,
            body=form.cleaned_data["body"],
            summary_of_changes=form.cleaned_data["summary_of_changes"],
        )
        messages.success(request, f"Version {version.number} saved as a draft. Publish it when it is final.")
        return redirect("staff:members:charter")
    versions = CharterVersion.objects.select_related("published_by").order_by("-number")
    return render(request, "members/staff/charter.html", {"form": form, "versions": versions})


def _charter_page(request: HttpRequest, **_: object) -> str:
    return reverse("staff:members:charter")


@staff_required
@require_POST
@service_errors(back=_charter_page)
def charter_publish(request, pk: int):
    version = get_object_or_404(CharterVersion, pk=pk)
    services.charter_publish(actor=request.user, version=version)
    messages.success(request, f"Version {version.number} is published; primary contacts are being told to accept it.")
    return redirect("staff:members:charter")
