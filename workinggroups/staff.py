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
            StaffLink("All working groups", "workinggroups:staff_index"),
            StaffLink("Join requests", "workinggroups:staff_requests"),
            StaffLink("New working group", "workinggroups:staff_group_new"),
            StaffLink("Documents (admin)", "admin:workinggroups_document_changelist"),
        ],
        counts=_counts,
    )
]
