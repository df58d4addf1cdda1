"""The document library: checked uploads, documents, versions, archive,
announcements to the group.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, cast

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cma.errors import Conflict, Refused, Unavailable
from cma.http import absolute_url
from cma.publish import publish_on_commit
from notifications.services import notify_each
from notifications.topics import Topic

from .. import selectors, sniffing
from ..models import Activity, Document, DocumentTag, DocumentVersion, WorkingGroup
from ._common import (
    DUPLICATE_WINDOW_SECONDS,
    MAX_TAGS,
    _record,
    _require_contributor,
)

if TYPE_CHECKING:
    from members.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_upload`: only these reach storage."""

    file: UploadedFile
    name: str
    kind: sniffing.FileKind

    @property
    def size(self) -> int:
        return self.file.size or 0


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Size cap, name, and content sniffing for one uploaded file.

    Raises sniffing.UnsupportedFile with a message for the form field.
    `upload.raw_name` (set by uploads.DocumentUploadHandler) is the name as
    the browser sent it, before Django's clean-up.
    """
    cap = settings.WORKINGGROUP_DOCUMENT_MAX_BYTES
    raw_name = getattr(upload, "raw_name", upload.name) or ""
    sniffing.check_name(raw_name)
    size = upload.size or 0
    if getattr(upload, "oversize", False) or size > cap:
        raise sniffing.UnsupportedFile(f"The file is {size / 1_048_576:.1f} MB; the limit is {cap / 1_048_576:.0f} MB.")
    if size == 0:
        raise sniffing.UnsupportedFile("The file is empty.")
    # An uploaded file reads like the binary stream the sniffer expects.
    kind = sniffing.sniff(cast(BinaryIO, upload), raw_name)
    return CheckedUpload(file=upload, name=sniffing.clean_name(raw_name), kind=kind)


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _store_version(
    *, document: Document, number: int, upload: CheckedUpload, sha256: str, actor: User, change_note: str
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=upload.name,
        content_type=upload.kind.content_type,
        size=upload.size,
        sha256=sha256,
        change_note=change_note.strip()[:500],
        uploaded_by=actor,
    )
    # The storage name comes from upload_to (random); the file is written
    # through the storage API, so S3 is a setting. If the row cannot be
    # saved the file is deleted again rather than left orphaned.
    storage = version.file.storage
    name = version.file.field.generate_filename(version, "upload")
    try:
        version.file.name = storage.save(name, upload.file)
    except OSError as exc:
        # A full disk (or an unreachable bucket) fails mid-write and leaves
        # whatever part was written: remove it, change nothing.
        _discard(storage, name)
        raise Unavailable(
            "The file couldn't be stored just now: the portal's storage is full or unavailable. "
            "Nothing was saved. Please try again later, or tell the association's staff.",
            field="file",
        ) from exc
    try:
        with transaction.atomic():
            version.save()
    except Exception:
        version.file.storage.delete(version.file.name)
        raise
    return version


def _discard(storage: Storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.warning("Could not remove the partial upload %s", name, exc_info=True)


def _tags_from(names: Sequence[str]) -> list[DocumentTag]:
    tags = []
    for name in list(dict.fromkeys(n.strip() for n in names if n.strip()))[:MAX_TAGS]:
        slug = slugify(name)[:50]
        if not slug:
            continue
        tag, _ = DocumentTag.objects.get_or_create(slug=slug, defaults={"name": name[:40]})
        tags.append(tag)
    return tags


def _announce_version(version: DocumentVersion) -> None:
    from .. import tasks

    publish_on_commit(tasks.announce_version, version.pk)


def document_create(
    *,
    actor: User,
    group: WorkingGroup,
    title: str,
    upload: CheckedUpload,
    description: str = "",
    tags: Sequence[str] = (),
    change_note: str = "",
) -> Document:
    """Add a document with its first version to a group's library. The
    group's members are emailed (task on commit). The same file with the
    same title from the same person within two minutes returns the first
    document (a double-submitted form). Raises Refused (not a
    member, archived group)."""
    _require_contributor(actor, group)
    sha256 = _digest(upload.file)
    title = title.strip()[:200]
    with transaction.atomic():
        duplicate = Document.objects.filter(
            group=group,
            created_by=actor,
            title=title,
            latest_version__sha256=sha256,
            created_at__gte=timezone.now() - datetime.timedelta(seconds=DUPLICATE_WINDOW_SECONDS),
        ).first()
        if duplicate is not None:
            return duplicate
        document = Document.objects.create(group=group, title=title, description=description.strip(), created_by=actor)
        document.tags.set(_tags_from(tags))
        version = _store_version(
            document=document,
            number=1,
            upload=upload,
            sha256=sha256,
            actor=actor,
            change_note=change_note or "First version.",
        )
        document.latest_version, document.version_count = version, 1
        document.save(update_fields=["latest_version", "version_count", "updated_at"])
        _record(
            actor=actor,
            action="document.create",
            target=document,
            to_state=document.status,
            activity=(Activity.Kind.DOCUMENT, document, document.title),
            group=group,
        )
        _announce_version(version)
    return document


def version_add(*, actor: User, document: Document, upload: CheckedUpload, change_note: str = "") -> DocumentVersion:
    """Upload a new version; every earlier one is kept. Members are emailed
    (task on commit). Raises Refused, Conflict (document
    archived, or the file is identical to the latest version — which also
    makes a double-submitted form harmless)."""
    group = document.group
    _require_contributor(actor, group)
    sha256 = _digest(upload.file)
    with transaction.atomic():
        # The row lock serialises uploads to one document: version numbers
        # are handed out one at a time (and the unique constraint backs it).
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_archived:
            raise Conflict("This document is archived: restore it before uploading a new version.", field="file")
        latest = DocumentVersion.objects.filter(document=locked, pk=locked.latest_version_id or 0)
        current = latest.values_list("number", "sha256").first()
        if current is not None and current[1] == sha256:
            raise Conflict(
                f"This file is identical to the current version (v{current[0]}); nothing was added.", field="file"
            )
        version = _store_version(
            document=locked,
            number=locked.version_count + 1,
            upload=upload,
            sha256=sha256,
            actor=actor,
            change_note=change_note,
        )
        locked.latest_version, locked.version_count = version, version.number
        locked.save(update_fields=["latest_version", "version_count", "updated_at"])
        _record(
            actor=actor,
            action="document.version",
            target=locked,
            note=f"v{version.number}: {change_note}",
            activity=(Activity.Kind.VERSION, locked, f"{locked.title} v{version.number}"),
            group=group,
        )
        _announce_version(version)
    document.refresh_from_db()
    return version


@transaction.atomic
def document_update(
    *, actor: User, document: Document, title: str, description: str = "", tags: Sequence[str] = ()
) -> Document:
    """Change title, description and tags (whoever created it, chairs, staff).
    Raises Refused, Conflict (archived)."""
    access = _require_contributor(actor, document.group)
    if not access.can_edit_document(document):
        raise Refused("Only the person who added this document, the chairs and staff can edit it.")
    if document.is_archived:
        raise Conflict("This document is archived: restore it before editing it.")
    document.title, document.description = title.strip()[:200], description.strip()
    document.save(update_fields=["title", "description", "updated_at"])
    document.tags.set(_tags_from(tags))
    _record(actor=actor, action="document.update", target=document)
    return document


def _set_document_status(*, actor: User, document: Document, to: str) -> Document:
    group = document.group
    access = _require_contributor(actor, group)
    if not (access.can_manage or document.created_by_id == actor.pk):
        raise Refused("Only the person who added this document, the chairs and staff can do this.")
    origin = Document.Status.CURRENT if to == Document.Status.ARCHIVED else Document.Status.ARCHIVED
    now = timezone.now()
    changed = Document.objects.filter(pk=document.pk, status=origin).update(
        status=to, archived_at=now if to == Document.Status.ARCHIVED else None, updated_at=now
    )
    if not changed:
        raise Conflict(
            "This document is already in the archive."
            if to == Document.Status.ARCHIVED
            else "This document is not archived."
        )
    document.refresh_from_db()
    kind = Activity.Kind.ARCHIVED if to == Document.Status.ARCHIVED else Activity.Kind.RESTORED
    _record(
        actor=actor,
        action=f"document.{'archive' if to == Document.Status.ARCHIVED else 'restore'}",
        target=document,
        from_state=origin,
        to_state=to,
        activity=(kind, document, document.title),
        group=group,
    )
    return document


@transaction.atomic
def document_archive(*, actor: User, document: Document) -> Document:
    """current → archived: moved to the group's archive, read-only, still
    downloadable. Raises Refused, Conflict."""
    return _set_document_status(actor=actor, document=document, to=Document.Status.ARCHIVED)


@transaction.atomic
def document_restore(*, actor: User, document: Document) -> Document:
    """archived → current. Raises Refused, Conflict."""
    return _set_document_status(actor=actor, document=document, to=Document.Status.CURRENT)


def version_announce(*, version_id: int) -> int:
    """Email the group's members (all but the uploader) about a new document
    or version. Safe to run twice: one email per member per version.
    Returns how many members were told."""
    version = DocumentVersion.objects.select_related("document__group", "uploaded_by").filter(pk=version_id).first()
    if version is None:
        return 0
    document, group = version.document, version.document.group
    recipients = [u for u in selectors.member_users(group) if u.pk != version.uploaded_by_id]
    path = reverse("workinggroups:document", kwargs={"slug": group.slug, "pk": document.pk})
    template = "workinggroups/new_document" if version.number == 1 else "workinggroups/new_version"
    with transaction.atomic():
        notify_each(
            users=recipients,
            template=template,
            topic=Topic.WORKING_GROUPS,
            scope=str(group.pk),
            dedupe_key=f"wg:version:{version.pk}",
            context={"group": group, "document": document, "version": version, "document_url": absolute_url(path)},
            url=path,
        )
    return len(recipients)
