from __future__ import annotations

from django.shortcuts import render

from .access import staff_required
from .staff import staff_sections


@staff_required
def staff_index(request):
    return render(request, "staff/index.html", {"sections": staff_sections()})
