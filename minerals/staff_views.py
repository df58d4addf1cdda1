"""Staff pages under /staff/minerals/: edit the reference (audited), verify
entries, open and close pooled-demand rounds, publish the public matrix,
export aggregates (never declarations)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cma.access import staff_required
from cma.audit import history_of
from cma.csv import stream_csv
from cma.errors import form_errors, service_errors

from . import selectors, services
from .forms import FactForm, MineralForm, RoundForm
from .models import Involvement, Mineral


def _mineral(slug: str) -> Mineral:
    mineral = selectors.mineral_by_slug(slug)
    if mineral is None:
        raise Http404("No such mineral.")
    return mineral


@staff_required
@require_GET
def home(request) -> HttpResponse:
    context = {
        "minerals": selectors.mineral_list(),
        "rounds": selectors.rounds_for_staff(),
        "matrix_public": selectors.matrix_is_public(),
        "round_form": RoundForm(),
    }
    return render(request, "minerals/staff/home.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
@service_errors
def mineral_edit(request, slug: str) -> HttpResponse:
    mineral = _mineral(slug)
    form = MineralForm(request.POST or None, instance=mineral, prefix="m")
    fact_form = FactForm(prefix="f")
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
            tags = {
                name: [obj.pk for obj in form.cleaned_data[name]] for name in ("working_groups", "events", "petitions")
            }
            services.mineral_update(
                actor=request.user, mineral=Mineral.objects.get(pk=mineral.pk), data=data, tags=tags
            )
            messages.success(request, f"{mineral.name} saved.")
            return redirect("staff:minerals:edit", slug=slug)
    return _edit_page(request, mineral, form, fact_form)


def _edit_page(request, mineral: Mineral, form: MineralForm, fact_form: FactForm) -> HttpResponse:
    context = {
        "mineral": mineral, "form": form, "fact_form": fact_form, "facts": mineral.facts.all(),
        "history": history_of(mineral)[:50],
    }  # fmt: skip
    return render(request, "minerals/staff/edit.html", context, status=400 if form.errors or fact_form.errors else 200)


@staff_required
@require_POST
@service_errors
def fact_add(request, slug: str) -> HttpResponse:
    mineral = _mineral(slug)
    fact_form = FactForm(request.POST, prefix="f")
    if fact_form.is_valid():
        with form_errors(fact_form):
            services.fact_add(actor=request.user, mineral=mineral, **fact_form.cleaned_data)
            messages.success(request, "Fact added with its source.")
            return redirect("staff:minerals:edit", slug=slug)
    return _edit_page(request, mineral, MineralForm(instance=mineral, prefix="m"), fact_form)


@staff_required
@require_POST
@service_errors(back="staff:minerals:edit")
def fact_remove(request, slug: str, pk: int) -> HttpResponse:
    services.fact_remove(actor=request.user, mineral=_mineral(slug), fact_id=pk)
    messages.success(request, "Fact removed; the history keeps what it said.")
    return redirect("staff:minerals:edit", slug=slug)


@staff_required
@require_GET
def entries(request) -> HttpResponse:
    rows = Involvement.objects.select_related("organization", "mineral", "verified_by").order_by(
        "verified_at", "-updated_at", "pk"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "minerals/staff/entries.html", {"page": page})


@staff_required
@require_POST
@service_errors(back="staff:minerals:entries")
def entry_verify(request, pk: int) -> HttpResponse:
    services.involvement_verify(actor=request.user, involvement_id=pk)
    messages.success(request, "Entry verified.")
    return redirect("staff:minerals:entries")


@staff_required
@require_POST
@service_errors
def round_new(request) -> HttpResponse:
    form = RoundForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            round_ = services.round_open(actor=request.user, **form.cleaned_data)
            messages.success(request, f"Round “{round_.title}” is open.")
            return redirect("staff:minerals:home")
    context = {
        "minerals": selectors.mineral_list(),
        "rounds": selectors.rounds_for_staff(),
        "matrix_public": selectors.matrix_is_public(),
        "round_form": form,
    }
    return render(request, "minerals/staff/home.html", context, status=400)


@staff_required
@require_POST
@service_errors(back="staff:minerals:home")
def round_close(request, pk: int) -> HttpResponse:
    services.round_close(actor=request.user, round_id=pk)
    messages.success(request, "Round closed; its breakdown by form is published where the rules allow.")
    return redirect("staff:minerals:home")


@staff_required
@require_POST
@service_errors(back="staff:minerals:home")
def matrix_publish(request) -> HttpResponse:
    public = request.POST.get("public") == "1"
    services.matrix_publish(actor=request.user, public=public)
    messages.success(
        request, "The aggregate matrix is public." if public else "The matrix is for members and staff only."
    )
    return redirect("staff:minerals:home")


@staff_required
@require_GET
def demand_export(request) -> StreamingHttpResponse:
    return stream_csv(
        "pooled-demand-aggregates.csv", selectors.AGGREGATE_EXPORT_HEADER, selectors.aggregate_export_rows()
    )
