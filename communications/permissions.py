"""Who may read the archive of announcements: members in good standing, and staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cma.access import is_staff_with_mfa
from members.selectors import user_is_member

if TYPE_CHECKING:
    from members.models import User


def can_read_archive(user: User) -> bool:
    return user.is_authenticated and (is_staff_with_mfa(user) or user_is_member(user))
