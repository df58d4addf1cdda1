"""Rendered pieces of the insights pages, kept in the portal's fail-soft
cache (cma/cache.py) so that a page view mostly reads HTML instead of running
the queries and template work behind it.

Every key carries the insights *generation*, a token replaced whenever a
post, its tags, segments, working groups or authors change (`signals`
below, and the services' transitions, which write with UPDATE and so send
no signal): a change makes every stored piece unreachable at once, and the
next view renders afresh. A post's own pieces also carry its id, status,
visibility and `updated_at`, read live with the post on every view, so an
edit to the post itself never shows stale even if a generation bump were
lost (Redis down: cma/cache.py then keeps per-process copies, for `TTL` at
most).

What a piece shows depends on who reads it; the caller names the *viewer
class* in the key ("full" only for a reader the permissions let read the
body, otherwise "signed-in" or "visitor"), so a members-only body stored for
a member is never the piece a visitor's key finds.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

GENERATION_KEY = "insights:generation"
# Bounds how long a piece can outlive a bump that did not reach every
# process (a Redis outage), and how long unused pieces occupy memory.
TTL = 600


def generation() -> str:
    """The current token (one cache read; a new token if Redis lost it, which
    only costs fresh renders)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = cache.get(GENERATION_KEY) or ""
    return str(token)


def bump() -> None:
    """Make every stored piece unreachable: now, and again once the change
    commits (a view that ran between the two read the old rows and stored
    them under the first new token; the second makes that unreachable too)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def key(token: str, *parts: Any) -> str:
    digest = hashlib.sha256(repr((token, *parts)).encode()).hexdigest()[:40]
    return f"insights:piece:{digest}"


def pieces(token: str, wanted: Mapping[str, Sequence[Any]], render: Callable[[str], str]) -> dict[str, SafeString]:
    """The pieces named in `wanted` (name → key parts): those stored, in one
    cache read, and the rest rendered by `render(name)` and stored."""
    keys = {name: key(token, name, *parts) for name, parts in wanted.items()}
    found = cache.get_many(list(keys.values()))
    out: dict[str, SafeString] = {}
    missing: dict[str, str] = {}
    for name, k in keys.items():
        html = found.get(k)
        if html is None:
            html = render(name)
            missing[k] = html
        out[name] = mark_safe(html)  # our own rendered templates (autoescaped when rendered)
    if missing:
        cache.set_many(missing, TTL)
    return out


def value(token: str, name: str, compute: Callable[[], Any], *parts: Any) -> Any:
    """A computed value (the filter lists, a post's event ids) stored like a piece."""
    k = key(token, name, *parts)
    found = cache.get(k)
    if found is None:
        found = compute()
        cache.set(k, found, TTL)
    return found


def _bump_on_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or str(kwargs.get("action", "post_")).startswith("pre_"):
        return  # fixtures loading; the "pre_" half of a relation change
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in changes nothing a page shows
    bump()


def connect_signals() -> None:
    """What the stored pieces show: posts and their relations, tags,
    segments, working groups, authors' names and organizations."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from members.models import Organization, OrganizationMember, Segment, User
    from minerals.models import Mineral
    from workinggroups.models import WorkingGroup

    from .models import Post

    for model in (Post, Mineral, Segment, WorkingGroup, User, Organization, OrganizationMember):
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=f"insights-bump-save-{model.__name__}")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=f"insights-bump-delete-{model.__name__}")
    for field in ("authors", "minerals", "segments", "working_groups", "events"):
        through = getattr(Post, field).through
        m2m_changed.connect(_bump_on_change, sender=through, dispatch_uid=f"insights-bump-m2m-{field}")
