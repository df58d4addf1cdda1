"""What an uploaded document really is, decided from its bytes.

The browser's content type and the file name are claims; this module reads
the content (magic numbers, the member list of ZIP-based Office/ODF files,
a strict UTF-8 decode for text) and accepts a file only when the content is
one of the allowed types AND the name's extension belongs to that type.

    kind = sniff(upload, name)        # raises UnsupportedFile with a message
    kind.content_type                 # what the download is served as
"""

from __future__ import annotations

import codecs
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError


class UnsupportedFile(ValueError):
    """The file is refused; str(exc) is a message for the person uploading."""


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
DOCX = FileKind("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind(
    "PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
ODT = FileKind("OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
CSV = FileKind("CSV", "text/csv; charset=utf-8", (".csv",))
TXT = FileKind("plain text", "text/plain; charset=utf-8", (".txt",))
MARKDOWN = FileKind("Markdown", "text/markdown; charset=utf-8", (".md", ".markdown"))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))

ALLOWED = (PDF, DOCX, XLSX, PPTX, ODT, CSV, TXT, MARKDOWN, PNG, JPEG)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED for ext in kind.extensions)
_BY_EXTENSION = {ext: kind for kind in ALLOWED for ext in kind.extensions}
_TEXT_KINDS = (CSV, TXT, MARKDOWN)
ALLOWED_DESCRIPTION = (
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text (.odt), CSV, text, Markdown, PNG or JPEG"
)

# Programs, whatever they are named: refused with a message that says so.
_EXECUTABLE_MAGIC = (
    (b"\x7fELF", "a Linux program"),
    (b"MZ", "a Windows program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"#!", "a script"),
)
# The main part of each OOXML type, and the content type it must declare
# (macro-enabled variants declare another one and are refused).
_OOXML_MAIN = {
    "word/document.xml": (DOCX, b"wordprocessingml.document.main+xml"),
    "xl/workbook.xml": (XLSX, b"spreadsheetml.sheet.main+xml"),
    "ppt/presentation.xml": (PPTX, b"presentationml.presentation.main+xml"),
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_CHUNK = 64 * 1024
_IMAGE_MAX_PIXELS = 100_000_000  # refuse decompression bombs before decoding


def sniff(stream: BinaryIO, name: str) -> FileKind:
    """The kind of the file in `stream` (named `name`), or UnsupportedFile.

    Reads from the start of `stream` and leaves it rewound. Checks, in
    order: not empty, an allowed extension, not a program, then that the
    content really is a file of the kind the extension claims.
    """
    extension = os.path.splitext(name)[1].lower()
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if not head:
        raise UnsupportedFile("The file is empty.")
    for magic, what in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFile(f"This file is {what}, not a document, so it can't be shared here.")
    claimed = _BY_EXTENSION.get(extension)
    if claimed is None:
        shown = extension or "no extension"
        raise UnsupportedFile(f"Files with {shown} can't be shared here. Allowed: {ALLOWED_DESCRIPTION}.")
    try:
        actual = _detect(stream, head, claimed)
    finally:
        stream.seek(0)
    if actual is None:
        raise UnsupportedFile(
            f"The file is named {extension} but its content is not a valid {claimed.label} file. "
            f"Allowed: {ALLOWED_DESCRIPTION}."
        )
    if actual is not claimed and not (actual in _TEXT_KINDS and claimed in _TEXT_KINDS):
        raise UnsupportedFile(
            f"The file is named {extension} but it is {_a(actual.label)}. "
            f"Rename it to {actual.extensions[0]} (or upload the right file)."
        )
    return claimed


def _a(label: str) -> str:
    return f"{'an' if label[0].lower() in 'aeiou' else 'a'} {label}"


def _detect(stream: BinaryIO, head: bytes, claimed: FileKind) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF if _pdf_complete(stream) else None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG if _image_ok(stream, "PNG") else None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG if _image_ok(stream, "JPEG") else None
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(stream)
    if claimed in _TEXT_KINDS:
        return claimed if _is_utf8_text(stream) else None
    if _is_utf8_text(stream):
        return TXT
    return None


def _pdf_complete(stream: BinaryIO) -> bool:
    # A PDF ends with %%EOF (a little trailing whitespace or junk is common);
    # its absence means a truncated or fake file.
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - 1024))
    return b"%%EOF" in stream.read()


def _image_ok(stream: BinaryIO, expected: str) -> bool:
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            if image.format != expected:
                return False
            width, height = image.size
            if width * height > _IMAGE_MAX_PIXELS:
                raise UnsupportedFile("The image's dimensions are too large.")
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def _zip_kind(stream: BinaryIO) -> FileKind | None:
    """DOCX/XLSX/PPTX by their main part and declared content type; ODT by
    its `mimetype` member. Only the central directory and two tiny members
    are read: nothing is extracted."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 200:
                    return None
                return ODT if archive.read("mimetype").strip() == _ODT_MIMETYPE else None
            if "[Content_Types].xml" not in names:
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1_000_000:
                return None
            declared = archive.read(info)
            for part, (kind, content_type) in _OOXML_MAIN.items():
                if part in names:
                    return kind if content_type in declared and b"macroEnabled" not in declared else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def _is_utf8_text(stream: BinaryIO) -> bool:
    """Decodes the whole file as UTF-8, in chunks; NUL bytes mean binary."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(_TEXT_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# --- Names ----------------------------------------------------------------------

_MAX_NAME = 150
# Bidirectional overrides make "report\u202efdp.exe" (a right-to-left override
# before "fdp.exe") display as "reportexe.pdf".
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def check_name(name: str) -> None:
    """Refuse names a person could not have meant: path separators, control
    characters, bidirectional overrides, or no name at all."""
    if not name or not name.strip():
        raise UnsupportedFile("The file has no name.")
    if "/" in name or "\\" in name:
        raise UnsupportedFile("The file name contains a path separator (/ or \\). Rename the file and try again.")
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in _INVISIBLE for ch in name):
        raise UnsupportedFile("The file name contains control characters. Rename the file and try again.")
    if name.strip(" .") == "":
        raise UnsupportedFile("The file has no name.")


def clean_name(name: str) -> str:
    """The name as shown on pages and offered in the download header:
    NFC-normalised, without invisible or control characters, shortened to
    150 characters keeping the extension."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.replace("/", "_").replace("\\", "_").strip().strip(".") or "document"
    stem, extension = os.path.splitext(name)
    if len(name) > _MAX_NAME:
        name = stem[: _MAX_NAME - len(extension)].rstrip() + extension
    return name
