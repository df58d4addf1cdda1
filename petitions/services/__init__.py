"""Writes for petitions: signing, confirming, withdrawing, endorsing, moderating,
and the life of a petition itself.

Every function is keyword-only and atomic. State changes are conditional
updates from named states, refused with a `PetitionError` (whose message is fit
to show the person) from any other state, and each writes an audit row. Mail
goes through `notifications.services.notify()` inside the transaction, so it
leaves after commit and once per dedupe key.

Signers and endorsers have no accounts. Submitting an address that is already
on file never creates a second row (a database constraint) and never tells the
submitter so: the owner of the address is emailed again — a confirmation link
if they have not confirmed yet, a reminder that they signed if they have — at
most once per resend window.

The functions live in one module per subject; import them from here.
"""

from ._common import (
    AlreadyDone,
    Gone,
    NotAccepting,
    PetitionError,
    Submission,
    WrongState,
    gone_message,
    normalize_email,
    not_accepting_message,
    sort_name,
)
from .endorsements import (
    endorsement_approve,
    endorsement_confirm,
    endorsement_reject,
    endorsement_set_featured,
    endorsement_submit,
    endorsement_update,
    endorsement_withdraw,
)
from .lifecycle import (
    PETITION_FIELDS,
    petition_close,
    petition_create,
    petition_publish,
    petition_reopen,
    petition_update,
    petitions_close_expired,
)
from .signatures import signature_confirm, signature_sign, signature_withdraw
from .upkeep import moderation_digest_send, retention_purge

__all__ = [
    "PETITION_FIELDS",
    "AlreadyDone",
    "Gone",
    "NotAccepting",
    "PetitionError",
    "Submission",
    "WrongState",
    "endorsement_approve",
    "endorsement_confirm",
    "endorsement_reject",
    "endorsement_set_featured",
    "endorsement_submit",
    "endorsement_update",
    "endorsement_withdraw",
    "gone_message",
    "moderation_digest_send",
    "normalize_email",
    "not_accepting_message",
    "petition_close",
    "petition_create",
    "petition_publish",
    "petition_reopen",
    "petition_update",
    "petitions_close_expired",
    "retention_purge",
    "signature_confirm",
    "signature_sign",
    "signature_withdraw",
    "sort_name",
]
