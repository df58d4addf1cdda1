from __future__ import annotations

import hashlib
import uuid

from allauth.account.adapter import DefaultAccountAdapter

from notifications.rendering import RenderedEmail
from notifications.services import email_enqueue


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's emails (verification, password reset…) through the outbox."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        category = "account/" + template_prefix.rsplit("/", 1)[-1]
        # Each request for a link is its own email (a resend must go out), so
        # the key is unique per call; the hash keeps addresses out of keys.
        address_hash = hashlib.sha256(email.lower().encode()).hexdigest()[:16]
        email_enqueue(
            recipient=email,
            rendered=RenderedEmail(subject=message.subject, body_text=message.body, body_html=html),
            category=category,
            dedupe_key=f"{category}:{address_hash}:{uuid.uuid4().hex}",
            user=context.get("user") if getattr(context.get("user"), "pk", None) else None,
            sensitive=True,
        )
