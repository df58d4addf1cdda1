from cma.staff import StaffLink, StaffSection


def _counts() -> dict[str, int]:
    from .selectors import pending_endorsement_count

    return {"endorsements awaiting moderation": pending_endorsement_count()}


SECTIONS = [
    StaffSection(
        title="Petitions and sign-ons",
        description="Create and close petitions, follow signatures by day and state, moderate organizational "
        "endorsements and export them.",
        links=[
            StaffLink("Petitions", "staff:petitions:list"),
            StaffLink("Endorsement moderation queue", "staff:petitions:moderation"),
            StaffLink("New petition", "staff:petitions:create"),
        ],
        counts=_counts,
    )
]
