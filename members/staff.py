from cma.staff import StaffLink, StaffSection

from . import selectors


def _counts() -> dict[str, int]:
    return selectors.review_counts()


SECTIONS = [
    StaffSection(
        title="Membership applications",
        description="Review applications, ask for more information, approve or reject.",
        links=[StaffLink("Review queue", "staff:members:applications")],
        counts=_counts,
    ),
    StaffSection(
        title="Members",
        description="Terms, dues, renewals and charter acceptance for every member organization.",
        links=[
            StaffLink("Memberships", "staff:members:memberships"),
            StaffLink("Charter versions", "staff:members:charter"),
            StaffLink("Export the directory (CSV)", "staff:members:export"),
            StaffLink("Organizations (admin)", "admin:members_organization_changelist"),
        ],
    ),
]
