from cma.staff import StaffLink, StaffSection


def _counts() -> dict[str, int]:
    from . import selectors

    return selectors.status_counts()


SECTIONS = [
    StaffSection(
        title="Insights",
        description="Articles, news and policy positions: write, send for review, schedule or publish, archive; "
        "tag by mineral, segment, working group and event.",
        links=[StaffLink("Posts", "staff:insights:list"), StaffLink("New post", "staff:insights:new")],
        counts=_counts,
    )
]
