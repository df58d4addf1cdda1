"""Receiving document uploads: the size cap while the body streams in, and
file names as the browser sent them.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count file data, and its
multipart parser quietly strips path components and control characters from
file names. For documents we want both refused with a message instead, so
views that accept documents are wrapped in `@accepts_documents`, which puts
`DocumentUploadHandler` first in the request's upload handlers:

- bytes of a file beyond the cap are not stored anywhere; the form receives
  an `OversizeUpload` carrying the real size and says how large it was;
- each UploadedFile gets `raw_name`, the name before Django's clean-up, so
  the form can refuse "../../etc/passwd.pdf" rather than accept "passwd.pdf".

Changing upload handlers must happen before anything reads request.POST,
and the CSRF middleware reads it: hence Django's documented pattern of
csrf_exempt outside and csrf_protect inside (the view stays CSRF-protected).
"""

from __future__ import annotations

import io
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, load_handler
from django.http.multipartparser import MultiPartParser
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class OversizeUpload(UploadedFile):
    """Stands in for a file that was larger than the cap; holds no content."""

    def __init__(self, name: str, size: int, raw_name: str = "") -> None:
        super().__init__(file=io.BytesIO(), name=name, content_type="application/octet-stream", size=size)
        self.raw_name = raw_name or name
        self.oversize = True


class _SizeCap(FileUploadHandler):
    """Counts each file's bytes; past the cap, swallows the rest so the
    handlers after it (memory or temporary file) never store them."""

    def __init__(self, request, cap: int) -> None:
        super().__init__(request)
        self.cap = cap
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > self.cap else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > self.cap:
            return OversizeUpload(self.file_name or "", self.received)
        return None


class _RawNameParser(MultiPartParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raw_names: dict[str, str] = {}

    def sanitize_file_name(self, file_name: str) -> str | None:
        clean = super().sanitize_file_name(file_name)
        if clean:
            self.raw_names.setdefault(clean, file_name)
        return clean


class DocumentUploadHandler(FileUploadHandler):
    """Parses the multipart body itself (the documented `handle_raw_input`
    hook), with the size cap in front of Django's usual handlers."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        handlers = [_SizeCap(self.request, settings.WORKINGGROUP_DOCUMENT_MAX_BYTES)]
        handlers += [load_handler(path, self.request) for path in settings.FILE_UPLOAD_HANDLERS]
        parser = _RawNameParser(META, input_data, handlers, encoding)
        post, files = parser.parse()
        for _field, uploads in files.lists():
            for upload in uploads:
                raw = parser.raw_names.get(upload.name, upload.name)
                upload.raw_name = raw
        return post, files

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # never reached: handle_raw_input did the parsing

    def file_complete(self, file_size: int) -> None:
        return None


def accepts_documents(view):
    """Decorator for views that receive document uploads (see module docstring)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            request.upload_handlers = [DocumentUploadHandler(request)]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)
