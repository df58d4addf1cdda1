"""Serving a document version: streamed from storage, as an attachment.

The view that calls this has already checked access (permissions.py). The
file is opened through the storage API and streamed in chunks (gunicorn
hands a local file to sendfile), so a worker's memory does not grow with
the file's size.
"""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404

from .models import DocumentVersion

CHUNK_SIZE = 256 * 1024
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()\- ]+")


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback `filename` for old clients and
    the exact UTF-8 name in `filename*` (RFC 6266 / RFC 5987)."""
    stem, extension = os.path.splitext(name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = _UNSAFE_ASCII.sub("_", ascii_stem).strip(" ._") or "document"
    ascii_extension = _UNSAFE_ASCII.sub("", extension.encode("ascii", "ignore").decode("ascii"))
    fallback = f"{ascii_stem}{ascii_extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def version_response(version: DocumentVersion) -> FileResponse:
    try:
        stream = version.file.storage.open(version.file.name, "rb")
    except FileNotFoundError as exc:
        # The row exists but the storage lost the file: say so plainly (and
        # the server log records it) rather than answering 500.
        raise Http404("The file of this version is missing from storage.") from exc
    response = FileResponse(stream, content_type=version.content_type)
    response.block_size = CHUNK_SIZE
    response["Content-Length"] = str(version.size)
    response["Content-Disposition"] = content_disposition(version.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["ETag"] = f'"{version.sha256}"'
    return response
