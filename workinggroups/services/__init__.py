"""Writes for working groups: membership, documents, comments.

Every function is keyword-only, atomic, takes the acting user, checks the
actor's rights through permissions.access_for (so admin actions, commands
and views are held to the same rules), refuses with `cma.errors.Refused`
(may not) or `Conflict` (wrong state), and writes an audit row
(cma.audit) and, where members
should see it, an activity-feed entry. Mail goes through
notifications.services.notify inside the same transaction (sent after
commit, once per dedupe key); fan-out to a whole group runs in a Celery task
enqueued on commit.

Group meetings are events: scheduling and announcing them are events'
services; `meeting_record` notes one in the group's feed.

The functions live in small modules by subject (membership, documents,
comments, groups, meetings); import them from here:
`from workinggroups import services; services.membership_join(...)`.
"""

from __future__ import annotations

from ._common import MAX_TAGS
from .comments import comment_announce, comment_edit, comment_post, comment_remove
from .documents import (
    CheckedUpload,
    check_upload,
    document_archive,
    document_create,
    document_restore,
    document_update,
    version_add,
    version_announce,
)
from .groups import group_archive, group_create, group_reactivate, group_update
from .meetings import meeting_record
from .membership import (
    membership_accept_invitation,
    membership_appoint_chair,
    membership_approve,
    membership_decline,
    membership_decline_invitation,
    membership_invite,
    membership_join,
    membership_leave,
    membership_remove,
    membership_request,
    membership_set_role,
    membership_withdraw,
)

__all__ = [
    "MAX_TAGS", "CheckedUpload", "check_upload", "comment_announce", "comment_edit",
    "comment_post", "comment_remove", "document_archive", "document_create", "document_restore",
    "document_update", "group_archive", "group_create", "group_reactivate", "group_update", "meeting_record",
    "membership_accept_invitation", "membership_appoint_chair", "membership_approve",
    "membership_decline", "membership_decline_invitation", "membership_invite", "membership_join",
    "membership_leave", "membership_remove", "membership_request", "membership_set_role", "membership_withdraw",
    "version_add", "version_announce",
]  # fmt: skip
