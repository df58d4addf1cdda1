from cma.staff import StaffLink, StaffSection

from . import selectors


def _counts() -> dict[str, int]:
    return selectors.review_counts()


SECTIONS = [
    StaffSection(
        title="Membership applications",
        description="Review applications, ask for more information, approve or reject.",
        links=[StaffLink("Review queue", "members_staff:applications")],
        counts=_counts,
    ),
    StaffSection(
        title="Members",
        description="Terms, dues, renewals and charter acceptance for every member organization.",
        links=[
            StaffLink("Memberships", "members_staff:memberships"),
            StaffLink("Charter versions", "members_staff:charter"),
            StaffLink("Export the directory (CSV)", "members_staff:export"),
            StaffLink("Organizations (admin)", "admin:members_organization_changelist"),
        ],
    ),
]
