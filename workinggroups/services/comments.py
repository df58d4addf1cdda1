"""Comments on documents: post, reply, edit, remove, announce."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cma.errors import Conflict, Refused
from cma.http import absolute_url
from cma.publish import publish_on_commit
from notifications.services import notify_each
from notifications.topics import Topic

from .. import selectors
from ..models import Activity, Comment, Document
from ..permissions import access_for
from ._common import (
    DUPLICATE_WINDOW_SECONDS,
    _record,
    _require_contributor,
)

if TYPE_CHECKING:
    from members.models import User


def comment_post(*, actor: User, document: Document, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a document, or reply to a comment (replies stay one level
    deep: a reply to a reply joins its thread). The document's uploaders and
    earlier commenters are emailed (task on commit). An identical comment
    from the same person within two minutes is returned instead of stored
    twice. Raises Refused, Conflict (archived document,
    removed or foreign parent, empty text)."""
    group = document.group
    _require_contributor(actor, group)
    body = body.strip()
    if not body:
        raise Conflict("The comment is empty.")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_archived:
            raise Conflict("This document is archived: comments are closed.")
        if parent is not None:
            if parent.document_id != document.pk:
                raise Conflict("That comment belongs to another document.")
            if parent.parent is not None:  # a reply to a reply joins its thread
                parent = parent.parent
            if parent.is_removed:
                raise Conflict("That comment was removed; it can't be replied to.")
        recent = (
            Comment.objects.filter(document=document, author=actor, parent=parent, body=body, removed_at__isnull=True)
            .filter(created_at__gte=timezone.now() - datetime.timedelta(seconds=DUPLICATE_WINDOW_SECONDS))
            .first()
        )
        if recent is not None:
            return recent
        comment = Comment.objects.create(document=document, parent=parent, author=actor, body=body)
        _record(
            actor=actor,
            action="comment.post",
            target=comment,
            activity=(Activity.Kind.COMMENT, document, document.title),
            group=group,
        )
        from .. import tasks

        publish_on_commit(tasks.announce_comment, comment.pk)
    return comment


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author changes their comment's text. Raises Refused,
    Conflict (removed, archived document, empty)."""
    group = comment.document.group
    _require_contributor(actor, group)
    locked = Comment.objects.select_for_update().select_related("document").get(pk=comment.pk)
    if locked.author_id != actor.pk:
        raise Refused("You can only edit your own comments.")
    if locked.is_removed:
        raise Conflict("This comment was removed.")
    if locked.document.is_archived:
        raise Conflict("This document is archived: comments are closed.")
    body = body.strip()
    if not body:
        raise Conflict("The comment is empty.")
    if body != locked.body:
        locked.body, locked.edited_at = body, timezone.now()
        locked.save(update_fields=["body", "edited_at"])
        _record(actor=actor, action="comment.edit", target=locked)
    return locked


@transaction.atomic
def comment_remove(*, actor: User, comment: Comment) -> Comment:
    """Hide a comment (its author, the chairs or staff). Replies stay. Raises
    Refused, Conflict (already removed)."""
    group = comment.document.group
    access = _require_contributor(actor, group)
    if not (access.can_manage or comment.author_id == actor.pk):
        raise Refused("Only the comment's author, the chairs and staff can remove it.")
    now = timezone.now()
    if not Comment.objects.filter(pk=comment.pk, removed_at__isnull=True).update(removed_at=now, removed_by=actor):
        raise Conflict("This comment has already been removed.")
    comment.refresh_from_db()
    _record(actor=actor, action="comment.remove", target=comment, from_state="visible", to_state="removed")
    return comment


def comment_announce(*, comment_id: int) -> int:
    """Email the document's uploaders and earlier commenters (not the author,
    and only those who can still see the group). Safe to run twice. Returns
    how many were told."""
    comment = Comment.objects.select_related("document__group", "author").filter(pk=comment_id).first()
    if comment is None or comment.is_removed:
        return 0
    document, group = comment.document, comment.document.group
    members = {u.pk for u in selectors.member_users(group)}
    recipients = [
        u
        for u in selectors.document_discussants(document)
        if u.pk != comment.author_id and (u.pk in members or access_for(u, group).is_staff)
    ]
    path = reverse("workinggroups:document", kwargs={"slug": group.slug, "pk": document.pk}) + f"#comment-{comment.pk}"
    with transaction.atomic():
        notify_each(
            users=recipients,
            template="workinggroups/comment",
            topic=Topic.WORKING_GROUPS,
            scope=str(group.pk),
            dedupe_key=f"wg:comment:{comment.pk}",
            context={"group": group, "document": document, "comment": comment, "comment_url": absolute_url(path)},
            url=path,
        )
    return len(recipients)
