from cma.staff import StaffLink, StaffSection

from .models import OutgoingEmail


def _counts() -> dict[str, int]:
    return {"failed emails": OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()}


SECTIONS = [
    StaffSection(
        title="Email delivery",
        description="Every email the portal sends goes through the outbox; failed ones can be retried.",
        links=[StaffLink("Outbox (admin)", "admin:notifications_outgoingemail_changelist")],
        counts=_counts,
    )
]
