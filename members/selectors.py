from __future__ import annotations

from django.db.models import QuerySet

from .models import Segment


def segments_for_home() -> QuerySet[Segment]:
    return Segment.objects.order_by("position", "name")
