"""Upload validation with real files of every allowed and refused type."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from workinggroups import services, sniffing
from workinggroups.uploads import OversizeUpload

from . import files

ALLOWED = [
    (files.pdf(), "comments.pdf", "application/pdf"),
    (files.docx(), "comments.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.xlsx(), "reliance.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.pptx(), "briefing.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (files.odt(), "notes.odt", "application/vnd.oasis.opendocument.text"),
    (files.CSV, "reliance.csv", "text/csv; charset=utf-8"),
    (files.TXT, "notes.txt", "text/plain; charset=utf-8"),
    (files.MARKDOWN, "position.md", "text/markdown; charset=utf-8"),
    (files.MARKDOWN, "position.markdown", "text/markdown; charset=utf-8"),
    (files.png(), "map.png", "image/png"),
    (files.jpeg(), "site.jpg", "image/jpeg"),
    (files.jpeg(), "site.JPEG", "image/jpeg"),
]


@pytest.mark.parametrize(("content", "name", "content_type"), ALLOWED, ids=[a[1] for a in ALLOWED])
def test_allowed_types_are_recognised_from_their_content(content, name, content_type):
    kind = sniffing.sniff(io.BytesIO(content), name)
    assert kind.content_type == content_type


REFUSED = [
    (files.ELF, "report.pdf", "Linux program"),
    (files.PE, "report.pdf", "Windows program"),
    (files.SHELL, "report.pdf", "script"),
    (files.SHELL, "notes.txt", "script"),
    (files.PE, "setup.exe", "Windows program"),
    (files.pdf(), "report.exe", "Files with .exe"),
    (files.pdf(), "report", "no extension"),
    (files.pdf(), "report.html", "Files with .html"),
    (files.TXT, "report.pdf", "it is a plain text"),
    (files.png(), "report.pdf", "it is a PNG image"),
    (files.pdf(), "photo.png", "it is a PDF"),
    (files.jpeg(), "photo.png", "it is a JPEG image"),
    (files.docx(), "comments.xlsx", "it is a Word document"),
    (files.xlsx(), "comments.docx", "it is an Excel workbook"),
    (files.docx(macros=True), "comments.docx", "not a valid Word"),
    (files.plain_zip(), "comments.docx", "not a valid Word"),
    (files.odt(), "notes.docx", "it is an OpenDocument"),
    (files.pdf()[:200], "truncated.pdf", "not a valid PDF"),
    (b"%PDF-1.4\nnot really", "fake.pdf", "not a valid PDF"),
    (files.png()[:20], "broken.png", "not a valid PNG"),
    (files.BINARY_NUL, "notes.txt", "not a valid plain text"),
    (files.LATIN1, "notes.csv", "not a valid CSV"),
    (b"", "empty.pdf", "empty"),
]


@pytest.mark.parametrize(("content", "name", "message"), REFUSED, ids=[f"{r[1]}-{i}" for i, r in enumerate(REFUSED)])
def test_refused_files_say_why(content, name, message):
    with pytest.raises(sniffing.UnsupportedFile) as caught:
        sniffing.sniff(io.BytesIO(content), name)
    assert message in str(caught.value)


def test_sniffing_leaves_the_stream_rewound():
    stream = io.BytesIO(files.docx())
    sniffing.sniff(stream, "a.docx")
    assert stream.tell() == 0


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.pdf",
        "dir/report.pdf",
        "report\x00.pdf",
        "report\x07.pdf",
        "report\u202efdp.exe",
        "new\nline.pdf",
        "",
        "   ",
        "...",
    ],
)
def test_names_with_separators_or_control_characters_are_refused(name):
    with pytest.raises(sniffing.UnsupportedFile):
        sniffing.check_name(name)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Comments – draft 2 (final).pdf", "Comments – draft 2 (final).pdf"),
        ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),  # decomposed accents normalised to NFC
        ("  padded .pdf ", "padded .pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_clean_name_for_display_and_downloads(raw, shown):
    assert sniffing.clean_name(raw) == shown


def test_check_upload_refuses_over_the_cap(settings):
    settings.WORKINGGROUP_DOCUMENT_MAX_BYTES = 1024
    big = files.pdf() + b"%" + b"x" * 2000 + b"\n%%EOF\n"
    with pytest.raises(sniffing.UnsupportedFile, match=r"the limit is 0 MB|limit"):
        services.check_upload(SimpleUploadedFile("big.pdf", big))


def test_check_upload_refuses_an_oversize_placeholder_from_the_upload_handler():
    placeholder = OversizeUpload("big.pdf", 30 * 1024 * 1024)
    with pytest.raises(sniffing.UnsupportedFile, match="30.0 MB; the limit is 25 MB"):
        services.check_upload(placeholder)


def test_check_upload_uses_the_raw_name_from_the_browser():
    upload = SimpleUploadedFile("passwd.pdf", files.pdf())
    upload.raw_name = "../../etc/passwd.pdf"
    with pytest.raises(sniffing.UnsupportedFile, match="path separator"):
        services.check_upload(upload)


def test_check_upload_returns_a_clean_name_and_kind():
    result = services.check_upload(SimpleUploadedFile("Draft\u200b comments.PDF", files.pdf()))
    assert result.name == "Draft comments.PDF"
    assert result.kind is sniffing.PDF
