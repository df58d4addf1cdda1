"""Who may read and write insights — one place, used by every view, feed and search.

Anyone reads a public post. A members-only post shows its title and
standfirst to everyone; its body only to people of member organizations in
good standing, and staff. Only staff (with their second factor) write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cma.access import is_staff_with_mfa
from members.selectors import user_is_member

if TYPE_CHECKING:
    from members.models import User

    from .models import Post


def can_write(user: User) -> bool:
    return is_staff_with_mfa(user)


def reads_members_only(user: User) -> bool:
    """Whether the person may read members-only bodies. One query for a
    signed-in non-staff person (call once per request)."""
    if not user.is_authenticated:
        return False
    return is_staff_with_mfa(user) or user_is_member(user)


def viewer_class(user: User, *, full: bool) -> str:
    """Who a stored piece of a post's page was rendered for: "full" only when
    the permissions let this reader read the body; otherwise what the
    members' prompt says differs for a signed-in person and a visitor."""
    if full:
        return "full"
    return "signed-in" if user.is_authenticated else "visitor"


def can_read_full(post: Post, *, member_reader: bool) -> bool:
    return post.visibility == post.Visibility.PUBLIC or member_reader


def can_see(user: User, post: Post) -> bool:
    """Whether the post's page exists for this person: published and archived
    posts for everyone, the rest only for staff."""
    return post.status in (post.Status.PUBLISHED, post.Status.ARCHIVED) or can_write(user)
