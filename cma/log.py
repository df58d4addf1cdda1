"""Logging helpers: a refused request is one line, not a traceback."""

from __future__ import annotations

import logging
from http import HTTPStatus

# Django logs "Forbidden (%s): %s" on this logger when the CSRF check fails;
# the first argument is the reason.
CSRF_LOGGER = "django.security.csrf"


def _one_line(text: object) -> str:
    # As Django escapes what it logs from a request: a path with %0A in it
    # must not start a line of its own.
    return str(text).encode("unicode_escape").decode("ascii")


def _who(request) -> str:
    try:
        user = request.user
        return str(user.pk) if user.is_authenticated else "anonymous"
    except Exception:  # no user middleware yet, or the database is down: still log the refusal
        return "unknown"


class RefusalOnOneLine(logging.Filter):
    """Rewrites Django's record of a 4xx answer (a PermissionDenied, a 403
    page, a CSRF failure, a 404…) into one line: method, path, status, who
    asked and why, without the traceback Django attaches to PermissionDenied.
    A refusal is the portal working as intended; a traceback per refusal
    buries the errors. 5xx records pass untouched, traceback and all.

    Attached to the `django.request` and `django.security.csrf` loggers in
    settings.LOGGING (a filter on a logger sees that logger's records
    whatever handlers are configured)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500 or request is None:
            return True
        exception = record.exc_info[1] if record.exc_info else None
        if exception is not None:
            reason = str(exception) or type(exception).__name__
        elif record.name == CSRF_LOGGER and isinstance(record.args, tuple) and record.args:
            reason = f"CSRF: {record.args[0]}"
        else:
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "refused"
        record.msg = "refused %s %s %s user=%s: %s"
        record.args = (
            _one_line(request.method),
            _one_line(request.path),
            status,
            _who(request),
            _one_line(reason),
        )
        record.exc_info = None
        record.exc_text = None
        return True
