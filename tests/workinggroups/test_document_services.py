"""Documents, versions, archive, comments, and who is emailed about them."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from cma.audit import history_of
from cma.errors import Conflict, Refused
from members.models import Membership
from notifications.models import OutgoingEmail
from tests import factories
from workinggroups import services, tasks
from workinggroups.models import Comment, Document, DocumentVersion, WorkingGroup

from . import files
from .conftest import checked

pytestmark = pytest.mark.django_db


def _to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_new_document_stores_first_version_under_a_random_name(document, group_member):
    version = document.latest_version
    content = files.pdf()
    assert document.version_count == 1 and version.number == 1
    assert version.original_name == "comments.pdf"
    assert version.content_type == "application/pdf"
    assert version.size == len(content)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.uploaded_by == group_member
    assert "comments" not in version.file.name and version.file.name.startswith("workinggroups/")
    with default_storage.open(version.file.name) as stored:
        assert stored.read() == content
    assert [t.name for t in document.tags.all()] == ["draft"]
    assert history_of(document).filter(action="workinggroups.document.create").exists()


def test_group_members_but_not_the_uploader_hear_of_a_new_document(
    group, chair, group_member, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = factories.MemberFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(actor=group_member, group=group, title="Fact sheet", upload=checked())
    assert "New in Trade Policy Working Group: Fact sheet" in _to(mailoutbox, chair)[0].subject
    assert not _to(mailoutbox, group_member)
    assert not _to(mailoutbox, outsider)


def test_announcement_task_run_twice_sends_once(document, chair, mailoutbox, django_capture_on_commit_callbacks):
    before = len(_to(mailoutbox, chair))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.announce_version.delay(document.latest_version_id)
        tasks.announce_version.delay(document.latest_version_id)
    assert len(_to(mailoutbox, chair)) == before == 1


def test_lapsed_members_are_not_emailed(group, chair, group_member, mailoutbox, django_capture_on_commit_callbacks):
    Membership.objects.filter(organization__people__user=chair).update(status=Membership.Status.LAPSED)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(actor=group_member, group=group, title="Fact sheet", upload=checked())
    assert not _to(mailoutbox, chair)


def test_double_submitted_document_is_stored_once(group, group_member):
    first = services.document_create(actor=group_member, group=group, title="Fact sheet", upload=checked())
    second = services.document_create(actor=group_member, group=group, title="Fact sheet", upload=checked())
    assert first.pk == second.pk
    assert Document.objects.count() == 1 and DocumentVersion.objects.count() == 1


def test_new_version_keeps_every_earlier_one(document, chair, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        v2 = services.version_add(
            actor=chair, document=document, upload=checked(files.pdf("v2")), change_note="Adds section 3."
        )
    document.refresh_from_db()
    assert v2.number == 2 and document.version_count == 2 and document.latest_version == v2
    assert list(document.versions.order_by("number").values_list("number", "uploaded_by")) == [
        (1, document.created_by_id),
        (2, chair.pk),
    ]
    assert v2.change_note == "Adds section 3."
    v1 = document.versions.get(number=1)
    assert v1.file.name != v2.file.name and default_storage.exists(v1.file.name)
    mail = _to(mailoutbox, document.created_by)[-1]
    assert "version 2" in mail.subject and "Adds section 3." in mail.body


def test_identical_new_version_is_refused(document, chair):
    with pytest.raises(Conflict, match="identical"):
        services.version_add(actor=chair, document=document, upload=checked(), change_note="again")
    assert document.versions.count() == 1


def test_outsiders_cannot_upload(document, other_group_member, user, staff_without_mfa):
    for outsider in (other_group_member, user, staff_without_mfa):
        with pytest.raises(Refused):
            services.version_add(actor=outsider, document=document, upload=checked(files.pdf("x")), change_note="x")
        with pytest.raises(Refused):
            services.document_create(actor=outsider, group=document.group, title="x", upload=checked())
    assert DocumentVersion.objects.count() == 1


def test_staff_can_upload(group, staff_user):
    document = services.document_create(actor=staff_user, group=group, title="Staff briefing", upload=checked())
    assert document.latest_version.uploaded_by == staff_user


def test_archived_group_is_read_only(document, group_member):
    WorkingGroup.objects.filter(pk=document.group_id).update(status=WorkingGroup.Status.ARCHIVED)
    document.group.refresh_from_db()
    with pytest.raises(Refused, match="archived"):
        services.version_add(actor=group_member, document=document, upload=checked(files.pdf("x")), change_note="x")
    with pytest.raises(Refused, match="archived"):
        services.comment_post(actor=group_member, document=document, body="Hello")
    with pytest.raises(Refused, match="archived"):
        services.document_create(actor=group_member, group=document.group, title="x", upload=checked(files.pdf("y")))
    assert DocumentVersion.objects.count() == 1 and not Comment.objects.exists()


def test_archive_and_restore_a_document(document, group_member, chair):
    services.document_archive(actor=chair, document=document)
    assert Document.objects.get(pk=document.pk).status == Document.Status.ARCHIVED
    with pytest.raises(Conflict, match="archived"):
        services.version_add(actor=group_member, document=document, upload=checked(files.pdf("z")), change_note="z")
    with pytest.raises(Conflict, match="already in the archive"):
        services.document_archive(actor=chair, document=document)
    services.document_restore(actor=group_member, document=document)  # the uploader may restore
    assert Document.objects.get(pk=document.pk).status == Document.Status.CURRENT


def test_other_members_cannot_archive_someone_elses_document(group, document):
    another = factories.group_member(group)
    with pytest.raises(Refused):
        services.document_archive(actor=another, document=document)


def test_document_update_changes_details_and_tags(document, group_member):
    services.document_update(
        actor=group_member,
        document=document,
        title="Comments, v2",
        description="Now *final*.",
        tags=["final", "USTR-2026-03868"],
    )
    document.refresh_from_db()
    assert document.title == "Comments, v2"
    assert sorted(t.slug for t in document.tags.all()) == ["final", "ustr-2026-03868"]


def test_file_is_removed_from_storage_if_the_row_cannot_be_saved(document, chair, monkeypatch):
    stored = []
    original = DocumentVersion.save

    def failing_save(self, *args, **kwargs):
        stored.append(self.file.name)
        raise RuntimeError("database went away")

    monkeypatch.setattr(DocumentVersion, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.version_add(actor=chair, document=document, upload=checked(files.pdf("lost")), change_note="x")
    monkeypatch.setattr(DocumentVersion, "save", original)
    assert stored and not default_storage.exists(stored[0])


# --- Comments ------------------------------------------------------------------------


def test_comment_notifies_uploaders_and_earlier_commenters_not_the_author(
    document, group, chair, group_member, mailoutbox, django_capture_on_commit_callbacks
):
    bystander = factories.group_member(group)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=chair, document=document, body="Section 2 needs sources.")
    assert "New comment on Draft comments" in _to(mailoutbox, group_member)[-1].subject  # uploader
    assert not [m for m in _to(mailoutbox, chair) if "New comment on" in m.subject]
    assert not [m for m in _to(mailoutbox, bystander) if "New comment on" in m.subject]
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=bystander, document=document, body="I can add the USGS figures.")
    assert "New comment" in _to(mailoutbox, chair)[-1].subject  # earlier commenter now hears


def test_replies_stay_one_level_deep(document, chair, group_member):
    top = services.comment_post(actor=chair, document=document, body="Top")
    reply = services.comment_post(actor=group_member, document=document, body="Reply", parent=top)
    nested = services.comment_post(actor=chair, document=document, body="Reply to reply", parent=reply)
    assert reply.parent == top and nested.parent == top


def test_reply_must_belong_to_the_same_document(document, group, group_member):
    other = services.document_create(actor=group_member, group=group, title="Other", upload=checked(files.pdf("o")))
    foreign = services.comment_post(actor=group_member, document=other, body="elsewhere")
    with pytest.raises(Conflict, match="another document"):
        services.comment_post(actor=group_member, document=document, body="x", parent=foreign)


def test_double_posted_comment_is_stored_once(document, group_member):
    first = services.comment_post(actor=group_member, document=document, body="Agreed.")
    second = services.comment_post(actor=group_member, document=document, body="Agreed.")
    assert first.pk == second.pk and Comment.objects.count() == 1


def test_author_edits_own_comment_only(document, chair, group_member):
    comment = services.comment_post(actor=group_member, document=document, body="Frist")
    services.comment_edit(actor=group_member, comment=comment, body="First")
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at
    with pytest.raises(Refused):
        services.comment_edit(actor=chair, comment=comment, body="Chair rewrite")


def test_chair_removes_any_comment_member_cannot(document, group, chair, group_member):
    comment = services.comment_post(actor=group_member, document=document, body="Off topic")
    another = factories.group_member(group)
    with pytest.raises(Refused):
        services.comment_remove(actor=another, comment=comment)
    services.comment_remove(actor=chair, comment=comment)
    comment.refresh_from_db()
    assert comment.is_removed and comment.removed_by == chair
    with pytest.raises(Conflict, match="already been removed"):
        services.comment_remove(actor=chair, comment=comment)
    with pytest.raises(Conflict, match="removed"):
        services.comment_post(actor=another, document=document, body="reply", parent=comment)


def test_non_member_cannot_comment(document, other_group_member, user):
    for outsider in (other_group_member, user):
        with pytest.raises(Refused):
            services.comment_post(actor=outsider, document=document, body="Let me in")
    assert not Comment.objects.exists()


def test_comments_closed_on_archived_documents(document, chair):
    services.document_archive(actor=chair, document=document)
    with pytest.raises(Conflict, match="comments are closed"):
        services.comment_post(actor=chair, document=document, body="late")


def test_every_email_has_a_unique_dedupe_key(document, chair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_post(actor=chair, document=document, body="One")
        services.comment_post(actor=chair, document=document, body="Two")
    keys = list(OutgoingEmail.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) and any(k.startswith("wg:comment:") for k in keys)
