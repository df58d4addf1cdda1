"""The bulk path: one announcement's email serialized once, then filled in
for each recipient.

Python's email package spends most of a delivery worker's time per bulk
email folding and encoding the eighteen or so headers of each message (about
1.5 ms of a quiet machine's CPU, twice that under load: more than the SMTP
exchange and the outbox update together). Every row of a shared body differs
only in its address, its date, its Message-ID, its unsubscribe link and its
merge values, so the message is built once with placeholders, as
`build_message()` would build it, and each row's bytes are the skeleton with
its own values put in.

Only what the skeleton represents exactly goes this way: body parts sent as
8bit (the placeholders then stand in the bytes as written), no attachments,
an ASCII address, merge values without line breaks. Anything else is built
by `build_message()`; tests check that both paths make the same email.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from ..models import EmailBody, OutgoingEmail

PLACEHOLDER_RECIPIENT = "recipient@cma-skeleton.invalid"
# Headers each row writes itself; the skeleton's own are dropped.
ROW_HEADERS = frozenset({b"to", b"date", b"message-id", b"list-unsubscribe"})
# Longer merge values go the slow way: a line over SMTP's 998 octets would
# need a different transfer encoding than the skeleton's.
LONGEST_VALUE = 200


@dataclass(frozen=True)
class Skeleton:
    head: bytes  # the headers every row shares, folded, each ending in CRLF
    body: bytes  # the MIME parts after the blank line, with placeholders
    fields: frozenset[str]


def _text_mark(field: str) -> str:
    return f"%%CMA-TEXT:{field}%%"


def _html_mark(field: str) -> str:
    return f"%%CMA-HTML:{field}%%"


def skeleton_for(
    shared: EmailBody, *, subject: str, fields: frozenset[str], headers: dict[str, str]
) -> Skeleton | None:
    """The serialized message of a shared body with a placeholder for every
    merge field, or None when its parts are not sent as 8bit."""
    from .delivery import merge_values

    text = merge_values(shared.body_text, {f: _text_mark(f) for f in fields}, escape=False)
    body_html = merge_values(shared.body_html, {f: _html_mark(f) for f in fields}, escape=False)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[PLACEHOLDER_RECIPIENT],
        headers={k: v for k, v in headers.items() if k.lower().encode() not in ROW_HEADERS},
    )  # fmt: skip
    if body_html:
        message.attach_alternative(body_html, "text/html")
    raw = message.message().as_bytes(linesep="\r\n")
    head, separator, body = raw.partition(b"\r\n\r\n")
    if (
        not separator
        or b"Content-Transfer-Encoding: quoted-printable" in raw
        or b"Content-Transfer-Encoding: base64" in raw
    ):
        return None
    return Skeleton(head=_without_row_headers(head), body=body, fields=fields)


def _without_row_headers(head: bytes) -> bytes:
    """The header block without the headers each row writes itself (a folded
    header's continuation lines go with it)."""
    kept: list[bytes] = []
    dropping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.partition(b":")[0].strip().lower() in ROW_HEADERS
        if not dropping:
            kept.append(line)
    return b"".join(line + b"\r\n" for line in kept)


def fits(outgoing: OutgoingEmail, values: dict[str, str]) -> bool:
    """Whether this row's email can be made from a skeleton."""
    if outgoing.shared_body_id is None or outgoing.attachments or not outgoing.recipient.isascii():
        return False
    return all(len(v) <= LONGEST_VALUE and "\r" not in v and "\n" not in v for v in values.values())


def fill(skeleton: Skeleton, *, recipient: str, values: dict[str, str], headers: dict[str, str]) -> bytes | None:
    """The row's email as it goes over the wire (None: a header value that
    is not ASCII, left to build_message() to encode)."""
    row_headers = {
        "To": recipient,
        "Date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
        "Message-ID": headers["Message-ID"],
    }
    if "List-Unsubscribe" in headers:
        row_headers["List-Unsubscribe"] = headers["List-Unsubscribe"]
    try:
        head = "".join(f"{name}: {value}\r\n" for name, value in row_headers.items()).encode("ascii")
    except UnicodeEncodeError:
        return None
    body = skeleton.body
    for field in skeleton.fields:
        value = values[field]
        body = body.replace(_text_mark(field).encode(), value.encode()).replace(
            _html_mark(field).encode(), html.escape(value).encode()
        )
    return skeleton.head + head + b"\r\n" + body


def envelope_sender() -> str:
    return sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
