from cma.staff import StaffLink, StaffSection


def _counts() -> dict[str, int]:
    from .models import Message

    return {
        "scheduled": Message.objects.filter(status=Message.Status.SCHEDULED).count(),
        "sending now": Message.objects.filter(status__in=Message.IN_FLIGHT).count(),
    }


SECTIONS = [
    StaffSection(
        title="Announcements and newsletters",
        description="Write to all members, primary contacts, segments, tiers, states, working groups, an event's "
        "registrants or a petition's signers; test, schedule, and follow delivery.",
        links=[
            StaffLink("Messages", "staff:communications:list"),
            StaffLink("New message", "staff:communications:new"),
            StaffLink("Suppression list (admin)", "admin:notifications_suppression_changelist"),
        ],
        counts=_counts,
    )
]
