"""Streamed, spreadsheet-safe CSV exports for staff."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: Any) -> str:
    """The cell as text, with a leading apostrophe if it could start a formula.

    A number (a Decimal amount, a count) is written plainly, minus sign and
    all: it can't carry a formula, and an apostrophe would turn "-250.00"
    into text a spreadsheet no longer adds up. Only text is guarded."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A download that writes rows as they are read, never the whole file in memory.

    Pass rows from `queryset.values_list(...).iterator(chunk_size=...)` so the
    database is read in chunks too.
    """
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: Excel then reads the file as UTF-8
        yield writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
