from cma.staff import StaffLink, StaffSection

SECTIONS = [
    StaffSection(
        title="Reports",
        description="Applications, renewals, unpaid invoices, revenue, members by segment, event attendance, "
        "working-group activity and petition signatures: tables, charts and CSV for any period.",
        links=[StaffLink("All reports", "staff:reports:index")],
    )
]
