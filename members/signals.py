"""Signals members sends for the apps above it.

Billing sits above members (import-linter's layers), so members may not call
it. Yet approving an application or renewing must produce an invoice in the
same transaction. members therefore announces the new term with
`term_started`, sent synchronously inside the transaction that created the
term; billing connects its receiver in `BillingConfig.ready()`. The receiver
must be idempotent: it is keyed on (membership, term start).
"""

from __future__ import annotations

from django.dispatch import Signal

from cma.hooks import fragments

# Sent with: term (MembershipTerm), membership (Membership), first (bool: a
# new membership rather than a renewal), actor (User | None).
term_started = Signal()

# Sent by the staff membership page with: membership (Membership).
# Each receiver returns an HTML fragment (a SafeString) shown on the page, or
# None; billing uses it to show the membership's invoices and where to
# record a payment, since members can't read invoices itself (the way
# pretix's control pages take panels from plugins).
membership_staff_panels = Signal()


def panels_for(membership: object) -> list[str]:
    """The panels the connected apps answer for this membership's staff page."""
    return fragments(membership_staff_panels, type(membership), membership=membership)
