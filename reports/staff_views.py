from __future__ import annotations

from django.http import HttpResponse

from cma.access import staff_required


@staff_required
def report_index(request) -> HttpResponse:
    return HttpResponse("")


@staff_required
def report_page(request, slug: str) -> HttpResponse:
    return HttpResponse("")


@staff_required
def report_csv(request, slug: str) -> HttpResponse:
    return HttpResponse("")
