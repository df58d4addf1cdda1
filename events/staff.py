from __future__ import annotations

from django.utils import timezone

from cma.staff import StaffLink, StaffSection

from .models import Event


def _counts() -> dict[str, int]:
    now = timezone.now()
    return {
        "upcoming": Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gte=now).count(),
        "drafts": Event.objects.filter(status=Event.Status.DRAFT, ends_at__gte=now).count(),
    }


SECTIONS = [
    StaffSection(
        title="Events",
        description="Schedule roundtables, workshops, webinars, conferences and trade delegations; "
        "registrants, waitlists, check-in and exports.",
        links=[
            StaffLink("All events", "staff:events:list"),
            StaffLink("Schedule an event", "staff:events:create"),
            StaffLink("Registrations (admin)", "admin:events_registration_changelist"),
        ],
        counts=_counts,
    )
]
