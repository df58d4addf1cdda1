from cma.staff import StaffLink, StaffSection

from .models import GroupMembership, WorkingGroup


def _counts() -> dict[str, int]:
    return {
        "active groups": WorkingGroup.objects.filter(status=WorkingGroup.Status.ACTIVE).count(),
        "join requests waiting": GroupMembership.objects.filter(status=GroupMembership.Status.REQUESTED).count(),
    }


SECTIONS = [
    StaffSection(
        title="Working groups",
        description="Create groups, appoint chairs, answer join requests that wait, archive finished groups.",
        links=[
            StaffLink("All working groups", "staff:workinggroups:index"),
            StaffLink("Join requests", "staff:workinggroups:requests"),
            StaffLink("New working group", "staff:workinggroups:group_new"),
            StaffLink("Documents (admin)", "admin:workinggroups_document_changelist"),
        ],
        counts=_counts,
    )
]
