"""Public and member pages for minerals. Access is decided in
`permissions` (viewer scope, own organizations) before any read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cma.csv import stream_csv
from cma.errors import form_errors, service_errors
from members.permissions import get_organization_to_manage
from members.selectors import member_organizations_of

from . import charts, permissions, selectors, services, signals
from .forms import DeclarationForm, DirectoryFilterForm, IndexFilterForm, InvolvementForm
from .models import DemandRound, Mineral, Stage

MEMBERS_ON_PAGE = 40


def _mineral(slug: str) -> Mineral:
    mineral = selectors.mineral_by_slug(slug)
    if mineral is None:
        raise Http404("No such mineral.")
    return mineral


@require_GET
def mineral_index(request) -> HttpResponse:
    form = IndexFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    minerals = list(selectors.mineral_index(**{k: v for k, v in filters.items() if v}))
    chart = charts.bar_chart(
        "U.S. net import reliance by mineral (%)",
        [(m.name, m.import_reliance, reverse("minerals:detail", args=[m.slug])) for m in minerals if m.import_reliance is not None],
        maximum=100, suffix="%",
    )  # fmt: skip
    return render(
        request, "minerals/index.html", {"form": form, "minerals": minerals, "chart": chart, "section": "minerals"}
    )


@require_GET
def mineral_detail(request, slug: str) -> HttpResponse:
    mineral = _mineral(slug)
    scope, own = permissions.viewer(request.user)
    context = {
        "mineral": mineral,
        # The template keeps the rendered facts and member list ({% cache %}):
        # both are read only when it renders them anew.
        "facts": lambda: selectors.fact_sheet(mineral),
        # The first organizations; the directory by mineral lists them all.
        "members": selectors.MineralMembers(scope=scope, own=own, mineral=mineral, limit=MEMBERS_ON_PAGE),
        "cache_seconds": selectors.PAGE_CACHE_SECONDS,
        "related": selectors.related_for(mineral),
        "rounds": selectors.open_round_links(mineral) if scope != "public" else [],
        "following": selectors.is_following(request.user, mineral),
        # What the apps above minerals add (insights: "Related insights").
        "sections": signals.sections_for(mineral=mineral, request=request, member_or_staff=scope != "public"),
        "scope": scope,
        "section": "minerals",
    }
    return render(request, "minerals/detail.html", context)


@login_required
@require_POST
@service_errors
def mineral_follow(request, slug: str) -> HttpResponse:
    mineral = _mineral(slug)
    follow = request.POST.get("follow") == "1"
    services.follow_set(user=request.user, mineral=mineral, follow=follow)
    messages.success(request, f"You follow {mineral.name}." if follow else f"You no longer follow {mineral.name}.")
    return redirect("minerals:detail", slug=slug)


@require_GET
def member_directory(request) -> HttpResponse:
    """The directory by mineral and stage (the members directory links here:
    members sits below minerals and does not import it)."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.members_by_mineral(
        scope=permissions.viewer_scope(request.user), own=permissions.own_organization_ids(request.user),
        mineral=filters.get("mineral"), stage=filters.get("stage", ""),
    )  # fmt: skip
    return render(request, "minerals/directory.html", {"form": form, "rows": rows, "section": "members"})


def _matrix_scope(request) -> permissions.Scope:
    scope = permissions.viewer_scope(request.user)
    if not permissions.can_see_matrix(request.user, published=scope != "public" or selectors.matrix_is_public()):
        raise PermissionDenied("The coverage matrix is for members and staff.")
    return scope


def _matrix_html(scope: permissions.Scope) -> str:
    """The matrix table and chart, rendered once per scope and kept as long
    as the matrix itself (selectors.forget_matrix drops both)."""
    key = selectors.matrix_html_key(scope)
    html = cache.get(key)
    if html is None:
        matrix = selectors.coverage_matrix(scope=scope)
        totals = zip(matrix.stages, matrix.stage_totals, strict=True)
        stage_chart = charts.bar_chart("Organizations per stage", [(label, total, "") for (_, label), total in totals])
        html = render_to_string("minerals/_matrix.html", {"matrix": matrix, "scope": scope, "stage_chart": stage_chart})
        cache.set(key, html, selectors.MATRIX_CACHE_SECONDS)
    return str(html)


@require_GET
def coverage(request) -> HttpResponse:
    scope = _matrix_scope(request)
    # Rendered from our own template, with autoescaping, then kept as a string.
    table = mark_safe(_matrix_html(scope))
    return render(request, "minerals/coverage.html", {"table": table, "scope": scope, "section": "minerals"})


@require_GET
def coverage_csv(request) -> StreamingHttpResponse:
    scope = _matrix_scope(request)
    matrix = selectors.coverage_matrix(scope=scope)
    header = ["Mineral", "Import reliance (%)", *[label for _, label in matrix.stages]]
    rows = (
        [
            row.mineral.name,
            row.mineral.import_reliance if row.mineral.import_reliance is not None else "",
            *[c.count for c in row.cells],
        ]
        for row in matrix.rows
    )
    return stream_csv("mineral-coverage.csv", header, rows)


@require_GET
def coverage_cell(request, slug: str, stage: str) -> HttpResponse:
    """A cell's organizations, as far as the viewer may see them named. The
    aggregate-only public version has no drill-down; staff-only entries are
    never listed to anyone but staff and their own organization."""
    scope = _matrix_scope(request)
    if scope == "public":
        raise PermissionDenied("The public matrix shows counts only. Members and staff can see who is in each cell.")
    if stage not in Stage.values:
        raise Http404("No such stage.")
    mineral = _mineral(slug)
    entries = selectors.visible_involvements(
        scope=scope, own=permissions.own_organization_ids(request.user), mineral=mineral, stage=stage
    )
    context = {"mineral": mineral, "stage_label": Stage(stage).label, "entries": entries, "section": "minerals"}
    return render(request, "minerals/cell.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def organization_minerals(request, slug: str) -> HttpResponse:
    organization = get_organization_to_manage(request.user, slug)
    form = InvolvementForm(request.POST or None)
    if request.method == "POST" and request.POST.get("remove"):
        services.involvement_remove(
            actor=request.user,
            organization=organization,
            involvement_id=int(request.POST["remove"]) if request.POST["remove"].isdigit() else 0,
        )
        messages.success(request, "Entry removed.")
        return redirect("minerals:organization", slug=slug)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            data = form.cleaned_data
            services.involvement_save(
                actor=request.user, organization=organization, mineral=data["mineral"], stages=data["stages"],
                visibility=data["visibility"], capacity=data["capacity"], unit=data["unit"],
            )  # fmt: skip
            messages.success(request, f"Saved: {data['mineral'].name}.")
            return redirect("minerals:organization", slug=slug)
    context = {
        "organization": organization,
        "form": form,
        "entries": selectors.involvements_of(organization),
        "section": "members",
    }
    return render(request, "minerals/organization.html", context, status=400 if form.errors else 200)


def _require_member(request) -> None:
    if permissions.viewer_scope(request.user) == "public":
        raise PermissionDenied("Pooled demand is for people of member organizations.")


@login_required
@require_GET
def demand_list(request) -> HttpResponse:
    _require_member(request)
    rounds = list(selectors.rounds_for_member(request.user))
    own = permissions.own_organization_ids(request.user)
    joined = set(selectors.joined_rounds(own))
    chart = charts.bar_chart(
        "Pooled demand totals",
        [
            (r.title, r.published_total, reverse("minerals:round", args=[r.pk]))
            for r in rounds
            if r.pk in joined and r.published_total is not None
        ],
    )
    return render(
        request,
        "minerals/demand_list.html",
        {"rounds": rounds, "joined": joined, "chart": chart, "section": "minerals"},
    )


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def demand_round(request, pk: int) -> HttpResponse:
    _require_member(request)
    round_ = DemandRound.objects.select_related("mineral").filter(pk=pk).first()
    if round_ is None:
        raise Http404("No such round.")
    organizations = list(member_organizations_of(request.user))
    form = DeclarationForm(
        request.POST or None,
        initial={"unit": round_.mineral.unit, "organization": organizations[0].pk if organizations else None},
    )
    if request.method == "POST" and request.POST.get("withdraw"):
        organization = permissions.demand_organization(request.user, request.POST.get("organization"))
        services.demand_withdraw(actor=request.user, round_id=round_.pk, organization=organization)
        messages.success(request, "Your declaration was withdrawn.")
        return redirect("minerals:round", pk=pk)
    if request.method == "POST" and form.is_valid():
        organization = permissions.demand_organization(request.user, form.cleaned_data["organization"])
        with form_errors(form):
            data = form.cleaned_data
            services.demand_declare(
                actor=request.user,
                round_id=round_.pk,
                organization=organization,
                quantity=data["quantity"],
                unit=data["unit"],
                form=data["form"],
            )
            messages.success(request, "Your declaration is saved. Only pooled totals are ever shown.")
            return redirect("minerals:round", pk=pk)
    own = {o.pk for o in organizations}
    joined = selectors.round_joined_by(round_, own) or permissions.viewer_scope(request.user) == "staff"
    context = {
        "round": round_, "form": form, "organizations": organizations,
        "mine": selectors.declarations_of(round_, own), "joined": joined,
        "figures": selectors.pooled_figures(round_) if joined else None, "section": "minerals",
    }  # fmt: skip
    return render(request, "minerals/round.html", context, status=400 if form.errors else 200)
