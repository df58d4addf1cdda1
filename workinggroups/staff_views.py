"""Staff pages for working groups, under /staff/groups/ (staff + two-factor)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.errors import NotFound, form_errors, service_errors

from . import selectors, services
from .forms import AppointChairForm, GroupForm
from .models import DEFAULT_ANTITRUST_NOTICE, WorkingGroup


def _group_or_404(slug: str) -> WorkingGroup:
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        raise NotFound("No such working group.")
    return group


@staff_required
def group_index(request):
    status = request.GET.get("status", "")
    if status not in WorkingGroup.Status.values:
        status = ""
    q = request.GET.get("q", "")[:100]
    groups = selectors.groups_for_staff(status=status, q=q)
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workinggroups/staff/index.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": WorkingGroup.Status.choices,
            "request_total": selectors.all_pending_requests().count(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
@service_errors
def group_new(request):
    form = GroupForm(request.POST or None, initial={"antitrust_notice": DEFAULT_ANTITRUST_NOTICE})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            group = services.group_create(actor=request.user, **form.cleaned_data)
            messages.success(request, f"{group.name} was created. Appoint its first chair below.")
            return redirect("staff:workinggroups:group_edit", slug=group.slug)
    return render(request, "workinggroups/staff/group_form.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
@service_errors
def group_edit(request, slug: str):
    group = _group_or_404(slug)
    form = GroupForm(request.POST if request.POST.get("form") == "group" else None, instance=group)
    chair_form = AppointChairForm(request.POST if request.POST.get("form") == "chair" else None)
    if request.method == "POST" and form.is_bound and form.is_valid():
        with form_errors(form):
            group = services.group_update(actor=request.user, group=_group_or_404(slug), **form.cleaned_data)
            messages.success(request, "The group was saved.")
            return redirect("staff:workinggroups:group_edit", slug=group.slug)
    if request.method == "POST" and chair_form.is_bound and chair_form.is_valid():
        with form_errors(chair_form):
            services.membership_appoint_chair(actor=request.user, group=group, user=chair_form.invitee)
            messages.success(request, f"{chair_form.invitee.display_name} now chairs {group.name}; they were told.")
            return redirect("staff:workinggroups:group_edit", slug=group.slug)
    return render(
        request,
        "workinggroups/staff/group_form.html",
        {
            "group": group,
            "form": form,
            "chair_form": chair_form,
            "chairs": list(selectors.group_chairs(group)),
            "history": list(history_of(group)[:20]),
        },
    )


@staff_required
@require_POST
@service_errors
def group_archive(request, slug: str):
    group = _group_or_404(slug)
    services.group_archive(actor=request.user, group=group)
    messages.success(request, f"{group.name} is archived: it is read-only until reactivated.")
    return redirect("staff:workinggroups:group_edit", slug=slug)


@staff_required
@require_POST
@service_errors
def group_reactivate(request, slug: str):
    group = _group_or_404(slug)
    services.group_reactivate(actor=request.user, group=group)
    messages.success(request, f"{group.name} is active again.")
    return redirect("staff:workinggroups:group_edit", slug=slug)


@staff_required
def request_queue(request):
    page = Paginator(selectors.all_pending_requests(), 50).get_page(request.GET.get("page"))
    return render(request, "workinggroups/staff/requests.html", {"page": page})
