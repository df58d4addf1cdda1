"""Staff pages under /staff/petitions/: petitions, their stats and exports, and the moderation queue.

Every view runs the staff gate (staff + second factor) and then asks
`permissions.py` for the row it works on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.csv import stream_csv
from cma.errors import form_errors, service_errors

from . import selectors, services
from .forms import BulkModerationForm, FAQFormSet, PetitionForm, RejectForm, ResourceFormSet, ordered_rows
from .models import Endorsement, Petition
from .permissions import check_can_moderate, endorsement_for_staff, petition_for_staff

# After a bulk decision, at most this many of the endorsements left as they
# were are named one by one; the summary counts them all.
REFUSALS_NAMED = 20


@staff_required
def petition_list(request):
    page = Paginator(selectors.staff_petitions(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "petitions/staff/list.html",
        {"page": page, "pending_total": selectors.pending_endorsement_count()},
    )


@staff_required
@service_errors
def petition_create(request):
    return _petition_form(request, None)


@staff_required
@service_errors
def petition_edit(request, pk: int):
    return _petition_form(request, petition_for_staff(request.user, pk))


def _petition_form(request, petition: Petition | None):
    if petition is None:
        faq_initial, resource_initial = [], []
    else:
        faq_initial = [
            {"question": f.question, "answer": f.answer, "ORDER": i}
            for i, f in enumerate(selectors.faq_items(petition), 1)
        ]
        resource_initial = [
            {"title": r.title, "publisher": r.publisher, "published_on": r.published_on, "url": r.url, "ORDER": i}
            for i, r in enumerate(selectors.resources(petition), 1)
        ]
    data = request.POST if request.method == "POST" else None
    if data is not None and not data.get("slug") and data.get("title"):
        data = data.copy()
        data["slug"] = slugify(data["title"])[:200]
    # The form writes into its own copy: the service compares against the stored row.
    form = PetitionForm(data, instance=Petition.objects.get(pk=petition.pk) if petition else Petition())
    faq = FAQFormSet(data, initial=faq_initial, prefix="faq")
    resources = ResourceFormSet(data, initial=resource_initial, prefix="resources")
    if data is not None and form.is_valid() and faq.is_valid() and resources.is_valid():
        with form_errors(form):
            saved = _save_petition(request, petition, form, faq, resources)
            return redirect("staff:petitions:detail", pk=saved.pk)
    return render(
        request,
        "petitions/staff/form.html",
        {"form": form, "faq": faq, "resources": resources, "petition": petition},
    )


def _save_petition(request, petition: Petition | None, form, faq, resources) -> Petition:
    fields = {name: form.cleaned_data[name] for name in services.PETITION_FIELDS}
    if petition is None:
        petition = services.petition_create(
            actor=request.user, fields=fields, faq_items=ordered_rows(faq), resources=ordered_rows(resources)
        )
        messages.success(request, f"“{petition}” was saved as a draft. Publish it when it's ready.")
        return petition
    services.petition_update(
        actor=request.user,
        petition=petition,
        fields=fields,
        faq_items=ordered_rows(faq),
        resources=ordered_rows(resources),
    )
    messages.success(request, f"“{petition}” was saved.")
    return petition


@staff_required
def petition_detail(request, pk: int):
    petition = petition_for_staff(request.user, pk)
    return render(
        request,
        "petitions/staff/detail.html",
        {
            "petition": petition,
            "stats": selectors.petition_stats(petition),
            "history": history_of(petition)[:20],
        },
    )


_TRANSITIONS: dict[str, tuple[Callable[..., Petition], str]] = {
    "publish": (services.petition_publish, "“{}” is published."),
    "close": (services.petition_close, "“{}” is closed. Its page shows the final count."),
    "reopen": (services.petition_reopen, "“{}” is open again."),
}


def _petition_page_url(request, *, pk: int, **_) -> str:
    return reverse("staff:petitions:detail", args=[pk])


@staff_required
@require_POST
@service_errors(back=_petition_page_url)
def petition_transition(request, pk: int, action: str):
    petition = petition_for_staff(request.user, pk)
    transition, done = _TRANSITIONS[action]
    transition(actor=request.user, petition=petition)
    messages.success(request, done.format(petition))
    return redirect("staff:petitions:detail", pk=petition.pk)


@staff_required
def export_signatures(request, pk: int):
    petition = petition_for_staff(request.user, pk)
    zone = timezone.get_current_timezone()
    return stream_csv(
        f"{petition.slug}-signatures-{timezone.localdate():%Y-%m-%d}.csv",
        [
            "Name",
            "Email",
            "ZIP code",
            "State",
            "Comment",
            "Name shown publicly",
            "Wants updates",
            f"Signed ({zone})",
            f"Confirmed ({zone})",
        ],  # fmt: skip
        selectors.signature_export_rows(petition, zone),
    )


@staff_required
def export_endorsements(request, pk: int):
    petition = petition_for_staff(request.user, pk)
    zone = timezone.get_current_timezone()
    return stream_csv(
        f"{petition.slug}-endorsements-{timezone.localdate():%Y-%m-%d}.csv",
        [
            "Organization",
            "Scope",
            "State",
            "Website",
            "Contact name",
            "Contact title",
            "Contact email",
            "Status",
            "Featured",
            f"Submitted ({zone})",
            f"Confirmed ({zone})",
            f"Moderated ({zone})",
            "Rejection reason",
        ],  # fmt: skip
        selectors.endorsement_export_rows(petition, zone),
    )


# --- Moderation -----------------------------------------------------------------------


@staff_required
@service_errors
def moderation_queue(request):
    """The queue, filtered by status and petition; its POST is the bulk
    decision on the endorsements selected on the page."""
    status, petition_id = _queue_filters(request)
    bulk = BulkModerationForm(request.POST if request.method == "POST" else None)
    if bulk.is_bound:
        check_can_moderate(request.user)
    if bulk.is_bound and bulk.is_valid():
        with form_errors(bulk):
            result = services.endorsements_moderate(
                actor=request.user,
                endorsement_ids=bulk.selected_ids(),
                decision=bulk.cleaned_data["action"],
                reason=bulk.cleaned_data["reason"],
                petition_id=petition_id,
            )
            _report_bulk(request, result)
            return HttpResponseRedirect(request.get_full_path())
    page = Paginator(selectors.moderation_queue(status=status, petition_id=petition_id), 20).get_page(
        request.GET.get("page")
    )
    pending_on_page = [e.pk for e in page if e.status == Endorsement.Status.PENDING]
    return render(
        request,
        "petitions/staff/moderation.html",
        {
            "page": page,
            "status": status,
            "statuses": Endorsement.Status.choices,
            "petition_id": petition_id,
            "petitions": selectors.petition_choices(),
            "reject_form": RejectForm(),
            "bulk": bulk,
            "pending_on_page": pending_on_page,
            "selected": set(bulk.selected_ids()),  # kept ticked when the form comes back with an error
        },
        status=400 if bulk.is_bound else 200,
    )


def _queue_filters(request) -> tuple[str, int | None]:
    status = request.GET.get("status") or Endorsement.Status.PENDING
    if status not in Endorsement.Status.values:
        status = Endorsement.Status.PENDING
    try:
        petition_id = int(request.GET.get("petition") or 0) or None
    except ValueError:
        petition_id = None
    return status, petition_id


def _report_bulk(request, result: services.BulkModeration) -> None:
    messages.add_message(request, messages.WARNING if result.refused else messages.SUCCESS, result.summary())
    for refusal in result.refused[:REFUSALS_NAMED]:
        messages.warning(request, refusal.message)
    if len(result.refused) > REFUSALS_NAMED:
        messages.warning(request, f"…and {len(result.refused) - REFUSALS_NAMED} more left as they were.")


@staff_required
def endorsement_detail(request, pk: int):
    endorsement = endorsement_for_staff(request.user, pk)
    return render(
        request,
        "petitions/staff/endorsement.html",
        {"endorsement": endorsement, "history": history_of(endorsement), "reject_form": RejectForm()},
    )


def _back_to_queue(request, **_) -> str:
    """Where a moderation button was pressed (the queue, or the endorsement's page), if on this site."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back
    return reverse("staff:petitions:moderation")


@staff_required
@require_POST
@service_errors(back=_back_to_queue)
def moderate(request, pk: int, action: str):
    endorsement = endorsement_for_staff(request.user, pk)
    if action == "approve":
        services.endorsement_approve(actor=request.user, endorsement=endorsement)
        messages.success(request, f"“{endorsement}” is approved and listed; its contact was told.")
    elif action == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "petitions/staff/endorsement.html",
                {"endorsement": endorsement, "history": history_of(endorsement), "reject_form": form},
                status=400,
            )
        services.endorsement_reject(actor=request.user, endorsement=endorsement, reason=form.cleaned_data["reason"])
        messages.success(request, f"“{endorsement}” is rejected; its contact was sent the reason.")
    else:
        featured = action == "feature"
        services.endorsement_set_featured(actor=request.user, endorsement=endorsement, featured=featured)
        messages.success(request, f"“{endorsement}” is {'now' if featured else 'no longer'} featured.")
    return redirect(_back_to_queue(request))
