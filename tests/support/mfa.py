from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

TOTP_PERIOD = 30
# A code typed in the last seconds of its period may reach the server in the
# next one, where (with no tolerance configured) it is refused: browser tests
# that sign staff in would fail now and then. Wait for a fresh period instead.
SAFETY_SECONDS = 5


def current_totp_code(secret: str) -> str:
    """The authenticator code for now, from a period with time left to use it."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < SAFETY_SECONDS:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))
