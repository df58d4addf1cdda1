"""The staff Reports section: an index, each report as a page, each as CSV."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cma.access import staff_required
from cma.csv import stream_csv
from cma.formatting import day, money

from .forms import PeriodForm
from .selectors import BY_SLUG, REPORTS, Period, Report, Table, keep, page_key

# Rows a report page shows: the page stays as fast at 5,000 members as at 50;
# the CSV export has every row.
PAGE_ROWS = 50


@staff_required
@require_GET
def report_index(request) -> HttpResponse:
    return render(request, "reports/index.html", {"reports": REPORTS})


def _report(slug: str) -> Report:
    report = BY_SLUG.get(slug)
    if report is None:
        raise Http404("No such report.")
    return report


def _period_form(request) -> PeriodForm:
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET)
    return PeriodForm(PeriodForm.default_initial())


def _results(report: Report, table: Table) -> str:
    # Each cell with its column's name (the phone layout's caption) and
    # whether it is a number, worked out here rather than in the template;
    # dollars as "$12,500.00" and counts with thousands separators (the CSV
    # writes the plain numbers).
    cells = [
        [(table.columns[i], _shown(cell, i, table), i in table.numeric) for i, cell in enumerate(row)]
        for row in table.rows
    ]
    return render_to_string("reports/_results.html", {"report": report, "table": table, "cells": cells})


def _shown(cell: Any, column: int, table: Table) -> Any:
    if column in table.money:
        return money(cell)
    if column in table.numeric and isinstance(cell, int) and not isinstance(cell, bool):
        return f"{cell:,}"
    if isinstance(cell, datetime.date):
        # Written here, not by the template's date filter: a page of 50 rows
        # would otherwise look up `.year` on every cell to tell dates apart.
        if isinstance(cell, datetime.datetime) and timezone.is_aware(cell):
            cell = timezone.localtime(cell)
        return day(cell)
    return cell


@staff_required
@require_GET
def report_page(request, slug: str) -> HttpResponse:
    report = _report(slug)
    form = _period_form(request)
    context = {"report": report, "reports": REPORTS, "form": form, "results": None}
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    today = timezone.localdate()
    # The figures are rendered once and kept a few minutes (reports/selectors.keep);
    # ?fresh=1 (the page's "Refresh the figures" link) computes them again.
    kept = keep(
        page_key(report, period, today, PAGE_ROWS),
        lambda: _results(report, report.build(period, today, PAGE_ROWS).first(PAGE_ROWS)),
        fresh=request.GET.get("fresh") == "1",
    )
    context.update(
        results=kept.value, as_of=kept.as_of, cached=kept.cached,
        cache_minutes=max(settings.REPORTS_CACHE_SECONDS // 60, 1),
        query=urlencode({"start": period.start, "end": period.end}),
    )  # fmt: skip
    return render(request, "reports/report.html", context)


@staff_required
@require_GET
def report_csv(request, slug: str) -> HttpResponse | StreamingHttpResponse:
    report = _report(slug)
    form = _period_form(request)
    if not form.is_valid():
        return render(
            request, "reports/report.html", {"report": report, "reports": REPORTS, "form": form, "results": None},
            status=400,
        )  # fmt: skip
    period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    table = report.build(period, timezone.localdate(), None)
    return stream_csv(f"{report.slug}-{period.start}-{period.end}.csv", table.columns, table.rows)
