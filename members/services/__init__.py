"""Writes for membership: applications, terms and renewals, the charter,
organizations and their people; and the accessibility problem reports of
the site's accessibility statement.

Every function is keyword-only and a transaction. State changes go through
explicit transitions (a conditional UPDATE from the allowed states), are
refused from any other state with a `cma.errors` kind whose message is fit to
show the person (`Conflict` for the wrong state, `Refused` for someone who may
not, `NotFound` for what is not there for them), and write an audit row. Mail
goes through `notifications.services.notify()` inside the transaction, so it
leaves after commit and once per dedupe key.

The functions live in one module per subject; import them from here:
`from members import services; services.application_approve(...)`.
"""

from __future__ import annotations

from .accessibility import accessibility_report_send
from .applications import (
    APPLICATION_FIELDS,
    application_approve,
    application_reject,
    application_request_info,
    application_save_draft,
    application_start_review,
    application_submit,
    application_withdraw,
)
from .charter import charter_accept, charter_notify_members, charter_publish, charter_version_create
from .organizations import (
    InvitationForAnotherAddress,
    InvitationLookup,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    organization_member_change_role,
    organization_member_remove,
    organization_update,
)
from .terms import (
    RENEWAL_REMINDER_DAYS,
    dues_link_invoice,
    dues_settle,
    membership_change_status,
    membership_renew,
    memberships_lapse_expired,
    memberships_send_renewal_reminders,
)

__all__ = [
    "APPLICATION_FIELDS", "RENEWAL_REMINDER_DAYS", "InvitationForAnotherAddress", "InvitationLookup",
    "accessibility_report_send", "application_approve", "application_reject", "application_request_info", "application_save_draft",
    "application_start_review", "application_submit", "application_withdraw", "charter_accept",
    "charter_notify_members", "charter_publish", "charter_version_create", "dues_link_invoice", "dues_settle",
    "invitation_accept", "invitation_create", "invitation_from_token", "invitation_revoke", "invitation_token",
    "membership_change_status", "membership_renew", "memberships_lapse_expired",
    "memberships_send_renewal_reminders", "organization_member_change_role", "organization_member_remove",
    "organization_update",
]  # fmt: skip
