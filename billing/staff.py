from cma.staff import StaffLink, StaffSection


def _counts() -> dict[str, int]:
    from django.utils import timezone

    from .selectors import outstanding_summary

    summary = outstanding_summary(today=timezone.localdate())
    return {"awaiting payment": summary["open_count"], "overdue": summary["overdue_count"]}


SECTIONS = [
    StaffSection(
        title="Invoices and payments",
        description="Dues invoices, payments by check, wire, ACH or card, credit notes, and overdue reminders.",
        links=[StaffLink("Invoices", "staff:billing:list")],
        counts=_counts,
    )
]
