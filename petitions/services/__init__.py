"""Writes for petitions: signing, confirming, withdrawing, endorsing, moderating,
and the life of a petition itself.

Every function is keyword-only and atomic (but for the bulk and periodic ones,
which call one of those per row). State changes are conditional updates from
named states, refused from any other state with a `cma.errors.ServiceError`
(a `Conflict`, mostly; its message is fit to show the person) or, for a
field's bad value, a `ValidationError`; each change writes an audit row. Some
conflicts have classes of their own because their page differs: `NotAccepting`
(the petition page as it is now), `AlreadyDone` (nothing wrong: said as news)
and, on the emailed links' page, `WrongState` and `Gone`. Mail goes through
`notifications.services.notify()` inside the transaction, so it leaves after
commit and once per dedupe key.

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
    Submission,
    WrongState,
    gone_message,
    normalize_email,
    not_accepting_message,
    sort_name,
)
from .endorsements import (
    endorsement_confirm,
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
from .moderation import (
    MAX_BULK_MODERATION,
    BulkModeration,
    endorsement_approve,
    endorsement_reject,
    endorsement_set_featured,
    endorsements_moderate,
)
from .signatures import (
    signature_confirm,
    signature_confirmations_queue,
    signature_days_rebuild,
    signature_sign,
    signature_withdraw,
)
from .upkeep import moderation_digest_send, retention_purge

__all__ = [
    "MAX_BULK_MODERATION",
    "PETITION_FIELDS",
    "AlreadyDone",
    "BulkModeration",
    "Gone",
    "NotAccepting",
    "Submission",
    "WrongState",
    "endorsement_approve",
    "endorsement_confirm",
    "endorsement_reject",
    "endorsement_set_featured",
    "endorsement_submit",
    "endorsement_update",
    "endorsement_withdraw",
    "endorsements_moderate",
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
    "signature_confirmations_queue",
    "signature_days_rebuild",
    "signature_sign",
    "signature_withdraw",
    "sort_name",
]
