"""The staff Reports section: an index, each report as a page, each as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cma.access import staff_required
from cma.csv import stream_csv

from .forms import PeriodForm
from .selectors import BY_SLUG, REPORTS, Period, Report, build_page

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


@staff_required
@require_GET
def report_page(request, slug: str) -> HttpResponse:
    report = _report(slug)
    form = _period_form(request)
    context = {"report": report, "reports": REPORTS, "form": form, "table": None}
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    # ?fresh=1 (the page's "Refresh" link) computes the figures again.
    built = build_page(report, period, timezone.localdate(), PAGE_ROWS, fresh=request.GET.get("fresh") == "1")
    table = built.table
    context.update(table=table, as_of=built.as_of, cached=built.cached,
                   cache_minutes=max(settings.REPORTS_CACHE_SECONDS // 60, 1))  # fmt: skip
    # Each cell with its column's name (the phone layout's caption) and
    # whether it is a number, worked out here rather than in the template.
    context["cells"] = [
        [(table.columns[i], cell, i in table.numeric) for i, cell in enumerate(row)] for row in table.rows
    ]
    context["query"] = urlencode({"start": period.start, "end": period.end})
    return render(request, "reports/report.html", context)


@staff_required
@require_GET
def report_csv(request, slug: str) -> HttpResponse | StreamingHttpResponse:
    report = _report(slug)
    form = _period_form(request)
    if not form.is_valid():
        return render(
            request, "reports/report.html", {"report": report, "reports": REPORTS, "form": form, "table": None},
            status=400,
        )  # fmt: skip
    period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    table = report.build(period, timezone.localdate(), None)
    return stream_csv(f"{report.slug}-{period.start}-{period.end}.csv", table.columns, table.rows)
