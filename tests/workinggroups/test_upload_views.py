"""Uploading through the pages: the checks happen on real multipart requests,
bad files get an error beside the field, and nothing is stored."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from workinggroups.models import Document, DocumentVersion

from . import files

pytestmark = pytest.mark.django_db


def _post_document(client, group, content: bytes, name: str, **extra):
    data = {"title": "Fact sheet", "description": "", "tags": "facts", "change_note": "", **extra}
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(reverse("workinggroups:document_new", kwargs={"slug": group.slug}), data)


def _nothing_stored(settings):
    media = settings.MEDIA_ROOT
    stored = list(media.rglob("*")) if media.exists() else []
    return (
        not DocumentVersion.objects.exists()
        and not Document.objects.exists()
        and not [p for p in stored if p.is_file()]
    )


@pytest.fixture
def member_client(client, group_member):
    client.force_login(group_member)
    return client


def test_upload_page_shows_the_allowed_types_and_cap(member_client, group):
    response = member_client.get(reverse("workinggroups:document_new", kwargs={"slug": group.slug}))
    assert b"up to 25 MB" in response.content
    assert b'accept=".pdf,.docx' in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_valid_upload_creates_the_document(member_client, group):
    response = _post_document(member_client, group, files.docx(), "Comments.docx")
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    assert document.latest_version.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (files.ELF, "report.pdf", "Linux program"),
        (files.PE, "report.pdf", "Windows program"),
        (files.SHELL, "report.pdf", "script"),
        (b"", "empty.pdf", "empty"),
        (files.png(), "scan.pdf", "PNG image"),
        (files.pdf(), "..\\..\\windows\\boot.pdf", "path separator"),
        (files.pdf(), "report\x07.pdf", "control characters"),
        (files.pdf(), "report\u202efdp.exe", "control characters"),
    ],
)
def test_bad_files_get_an_error_beside_the_field_and_nothing_is_stored(
    member_client, group, settings, content, name, message
):
    response = _post_document(member_client, group, content, name)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors["file"]), form.errors
    assert message.encode() in response.content
    assert _nothing_stored(settings)


def test_over_the_cap_is_refused_and_never_written_to_disk(member_client, group, settings, monkeypatch):
    settings.WORKINGGROUP_DOCUMENT_MAX_BYTES = 200 * 1024  # keep the test fast
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django's temporary-file handler takes the rest
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    big = files.pdf() + b"%" + b"x" * (600 * 1024) + b"\n%%EOF\n"
    response = _post_document(member_client, group, big, "big.pdf")
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error == "The file is 0.6 MB; the limit is 0 MB."
    assert _nothing_stored(settings)
    assert 0 < sum(written) <= 200 * 1024  # the bytes past the cap went nowhere


def _raw_multipart(client, url, filename: str, content: bytes):
    """A multipart body written by hand, so the file name reaches the server
    exactly as given (the test client's own encoder drops directories)."""
    boundary = "----cma-boundary"
    token = client.get(url).context["csrf_token"]
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nStolen\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + content
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return client.post(url, data=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("filename", ["../../etc/passwd.pdf", "/home/user/evil.pdf", "dir/sub/report.pdf"])
def test_name_with_path_separators_as_sent_by_a_client_is_refused(member_client, group, settings, filename):
    url = reverse("workinggroups:document_new", kwargs={"slug": group.slug})
    response = _raw_multipart(member_client, url, filename, files.pdf())
    assert response.status_code == 200
    assert "path separator" in response.context["form"].errors["file"][0]
    assert _nothing_stored(settings)


def test_too_many_tags_is_a_field_error(member_client, group, settings):
    response = _post_document(member_client, group, files.pdf(), "a.pdf", tags=",".join(f"t{i}" for i in range(12)))
    assert "at most 8 tags" in response.context["form"].errors["tags"][0]
    assert _nothing_stored(settings)


def test_missing_file_and_title_are_field_errors(member_client, group):
    response = member_client.post(reverse("workinggroups:document_new", kwargs={"slug": group.slug}), {"title": ""})
    errors = response.context["form"].errors
    assert "title" in errors and "file" in errors


def test_upload_page_requires_csrf(client, group, group_member):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(group_member)
    response = csrf_client.post(
        reverse("workinggroups:document_new", kwargs={"slug": group.slug}),
        {"title": "x", "file": SimpleUploadedFile("a.pdf", files.pdf())},
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_new_version_page(member_client, group, document):
    url = reverse("workinggroups:version_new", kwargs={"slug": group.slug, "pk": document.pk})
    response = member_client.post(
        url, {"file": SimpleUploadedFile("v2.pdf", files.pdf("v2")), "change_note": "Section 3"}
    )
    assert response.status_code == 302
    assert document.versions.count() == 2


def test_identical_version_is_a_field_error(member_client, group, document):
    url = reverse("workinggroups:version_new", kwargs={"slug": group.slug, "pk": document.pk})
    response = member_client.post(url, {"file": SimpleUploadedFile("same.pdf", files.pdf()), "change_note": "again"})
    assert response.status_code == 200
    assert "identical to the current version" in response.context["form"].errors["file"][0]
    assert document.versions.count() == 1


def test_version_needs_a_change_note(member_client, group, document):
    url = reverse("workinggroups:version_new", kwargs={"slug": group.slug, "pk": document.pk})
    response = member_client.post(url, {"file": SimpleUploadedFile("v2.pdf", files.pdf("v2"))})
    assert "change_note" in response.context["form"].errors


def test_upload_to_archived_group_is_refused(member_client, group, settings):
    group.status = group.Status.ARCHIVED
    group.save()
    response = _post_document(member_client, group, files.pdf(), "a.pdf")
    assert response.status_code == 403
    assert b"archived and read-only" in response.content
    assert _nothing_stored(settings)


# --- Downloads --------------------------------------------------------------------------


def test_download_streams_an_attachment_with_safe_headers(member_client, group, document):
    url = reverse("workinggroups:download", kwargs={"slug": group.slug, "pk": document.pk, "number": 1})
    response = member_client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response.streaming
    assert body == files.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(body))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "attachment; filename=\"comments.pdf\"; filename*=UTF-8''comments.pdf"
    assert "no-store" in response["Cache-Control"]


def test_download_header_is_safe_for_any_name(member_client, group, group_member):
    from workinggroups import services

    upload = SimpleUploadedFile('Résumé "final"; v2 – 汉字.md', files.MARKDOWN)
    document = services.document_create(
        actor=group_member, group=group, title="x", upload=services.check_upload(upload)
    )
    response = member_client.get(
        reverse("workinggroups:download_latest", kwargs={"slug": group.slug, "pk": document.pk})
    )
    b"".join(response.streaming_content)
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="Resume _final_ v2.md"; ')
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%3B%20v2%20%E2%80%93%20%E6%B1%89%E5%AD%97.md" in header
    assert '"final"' not in header.split(";")[1]
    assert response["Content-Type"] == "text/markdown; charset=utf-8"


def test_unknown_version_is_404(member_client, group, document):
    response = member_client.get(
        reverse("workinggroups:download", kwargs={"slug": group.slug, "pk": document.pk, "number": 9})
    )
    assert response.status_code == 404


def test_missing_file_in_storage_is_404_not_500(member_client, group, document):
    from django.core.files.storage import default_storage

    default_storage.delete(document.latest_version.file.name)
    response = member_client.get(
        reverse("workinggroups:download_latest", kwargs={"slug": group.slug, "pk": document.pk})
    )
    assert response.status_code == 404


def test_media_url_serves_nothing(member_client, document):
    response = member_client.get(f"/media-not-served/{document.latest_version.file.name}")
    assert response.status_code == 404


def test_archived_documents_still_download(member_client, group, document, chair):
    from workinggroups import services

    services.document_archive(actor=chair, document=document)
    response = member_client.get(
        reverse("workinggroups:download_latest", kwargs={"slug": group.slug, "pk": document.pk})
    )
    assert response.status_code == 200
    assert io.BytesIO(b"".join(response.streaming_content)).getvalue() == files.pdf()


def test_a_full_disk_is_a_readable_message_and_leaves_no_partial_file(member_client, group, settings, monkeypatch):
    def full_disk(storage, name, content):
        # Write the first part, then fail as a full disk does.
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)

    response = _post_document(member_client, group, files.pdf(), "comments.pdf")

    assert response.status_code == 200
    assert "storage is full or unavailable" in response.content.decode()
    assert _nothing_stored(settings)
