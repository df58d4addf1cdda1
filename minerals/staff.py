from cma.staff import StaffLink, StaffSection


def _counts() -> dict[str, int]:
    from .models import DemandRound, Involvement

    return {
        "open demand rounds": DemandRound.objects.filter(status=DemandRound.Status.OPEN).count(),
        "entries to verify": Involvement.objects.filter(verified_at__isnull=True).count(),
    }


SECTIONS = [
    StaffSection(
        title="Critical minerals",
        description="The mineral reference and its cited facts, members' mineral × stage entries, pooled-demand rounds, "
        "the coverage matrix.",
        links=[
            StaffLink("Minerals and demand rounds", "staff:minerals:home"),
            StaffLink("Entries to verify", "staff:minerals:entries"),
            StaffLink("Coverage matrix", "minerals:coverage"),
        ],
        counts=_counts,
    )
]
