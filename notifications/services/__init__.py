"""Writes for notifications: the one way the portal sends mail.

- `outbox`: `notify()` and friends store an outbox row in the caller's
  transaction (or a digest item, or nothing, as the recipient prefers);
- `delivery`: tasks claim rows and send them, once, in batches;
- `preferences`, `unsubscribe`, `digests`, `bounces`: what people choose, what
  they stopped, what they get bundled, what the mail servers told us.
"""

from .bounces import Bounce, bounce_record, bounces_from_dsn, bounces_from_json
from .delivery import (
    Delivery,
    DeliveryOutcome,
    build_message,
    email_deliver,
    email_requeue,
    emails_deliver_batch,
    emails_drain,
    emails_requeue_stalled,
    stall_window,
)
from .digests import digests_send
from .outbox import (
    REMOVED_BODY,
    Attachment,
    SharedRecipient,
    email_body_create,
    email_enqueue,
    emails_enqueue_shared,
    emails_forget,
    notifications_mark_read,
    notify,
    notify_each,
    notify_merged,
    notify_staff,
    sensitive_emails_expire,
)
from .preferences import (
    group_mute,
    group_muted,
    muted_group_ids,
    preference_modes,
    preferences_of,
    preferences_set,
)
from .unsubscribe import (
    BadUnsubscribeLink,
    ExpiredUnsubscribeLink,
    read_token,
    suppressed_addresses,
    suppression_add,
    suppression_lift,
    token_for,
    unsubscribe,
    unsubscribe_path,
)

__all__ = [
    "REMOVED_BODY", "Attachment", "BadUnsubscribeLink", "Bounce", "Delivery", "DeliveryOutcome",
    "ExpiredUnsubscribeLink", "SharedRecipient", "bounce_record", "bounces_from_dsn", "bounces_from_json",
    "build_message", "digests_send", "email_body_create", "email_deliver", "email_enqueue", "email_requeue",
    "emails_deliver_batch", "emails_drain", "emails_enqueue_shared", "emails_forget", "emails_requeue_stalled",
    "group_mute", "group_muted", "muted_group_ids", "notifications_mark_read", "notify", "notify_each", "notify_merged",
    "notify_staff", "preference_modes", "preferences_of", "preferences_set", "read_token", "sensitive_emails_expire",
    "stall_window", "suppressed_addresses", "suppression_add", "suppression_lift", "token_for", "unsubscribe",
    "unsubscribe_path",
]  # fmt: skip
