"""Signed, expiring links for people without accounts.

A confirmation or withdrawal link carries the row's id, signed with the site's
secret and a salt per purpose, so a confirmation token can never be used to
withdraw (or the reverse) and nobody can forge one for another row. The
timestamp inside makes links expire.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

CONFIRM_SIGNATURE = "petitions.signature.confirm"
WITHDRAW_SIGNATURE = "petitions.signature.withdraw"
CONFIRM_ENDORSEMENT = "petitions.endorsement.confirm"
WITHDRAW_ENDORSEMENT = "petitions.endorsement.withdraw"

# Confirmation links are short-lived (a signer who waits longer can sign
# again for a new one); withdrawal links must still work long after signing.
MAX_AGE = {
    CONFIRM_SIGNATURE: timedelta(days=7),
    CONFIRM_ENDORSEMENT: timedelta(days=7),
    WITHDRAW_SIGNATURE: timedelta(days=730),
    WITHDRAW_ENDORSEMENT: timedelta(days=730),
}


class TokenInvalid(Exception):
    """The link was altered, truncated, or made for another purpose."""


class TokenExpired(TokenInvalid):
    """The link was genuine but is too old."""


def make_token(purpose: str, pk: int) -> str:
    return signing.TimestampSigner(salt=purpose).sign(str(pk))


def read_token(purpose: str, token: str) -> int:
    """The row id inside a token. Raises TokenExpired or TokenInvalid."""
    try:
        value = signing.TimestampSigner(salt=purpose).unsign(token, max_age=MAX_AGE[purpose])
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except (signing.BadSignature, ValueError) as exc:
        raise TokenInvalid from exc
    if not value.isdigit():
        raise TokenInvalid
    return int(value)
