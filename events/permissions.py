"""Who may see and register for which event: the one place events decide access.

- Drafts exist only for staff (and whoever created them): 404 for everyone else.
- Working-group-only events exist only for the group's members and staff: 404.
- Public and members-only events are listed for everyone, signed in or not;
  members-only events refuse non-members' registrations with a 403 that says
  how to become a member.
- Staff (with two-factor authentication on) may attend anything (they are not members unless they belong to an
  organization, so they are let in explicitly).
- The join link is for confirmed registrants, and staff.

Who is in a working group is asked of `groups.directory()` (registered by the
working-groups app, which events never imports).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from cma.access import is_staff_with_mfa
from members.selectors import user_is_member

from .groups import directory
from .models import Event, Registration

if TYPE_CHECKING:
    from members.models import User


class Refusal(enum.Enum):
    """Why someone may not register, before any question of seats or dates."""

    SIGN_IN = "sign in"
    MEMBERSHIP = "membership"
    GROUP = "group"


def is_event_staff(user: User) -> bool:
    """Staff powers (drafts, group events, attending anything) need the same
    second factor as the staff pages; checked once per request object."""
    return is_staff_with_mfa(user)


def _in_group(user: User, event: Event) -> bool:
    return event.working_group_id is not None and directory().is_member(user, event.working_group_id)


def visible_events_q(user: User) -> Q:
    """A filter for Event querysets: published or cancelled events the user may
    know exist. Drafts are never listed (staff see them in the staff pages)."""
    listed = Q(status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED))
    if is_event_staff(user):
        return listed
    open_to_see = Q(visibility__in=(Event.Visibility.PUBLIC, Event.Visibility.MEMBERS))
    if user.is_authenticated:
        # A subquery, not a list: the listing stays one query.
        open_to_see |= Q(
            visibility=Event.Visibility.GROUP, working_group__in=directory().member_groups(user).values("pk")
        )
    return listed & open_to_see


def can_view(user: User, event: Event) -> bool:
    if event.is_draft:
        return is_event_staff(user) or (user.is_authenticated and event.created_by_id == user.pk)
    if event.visibility == Event.Visibility.GROUP:
        return is_event_staff(user) or _in_group(user, event)
    return True


def get_event_for_user(user: User, event: Event | None) -> Event:
    """The event, if the user may know it exists; else Http404 (drafts, other groups' events)."""
    if event is None or not can_view(user, event):
        raise Http404("No such event.")
    return event


def registration_refusal(user: User, event: Event) -> Refusal | None:
    """Whether this person may register at all (dates, seats and status aside)."""
    if not user.is_authenticated or not user.is_active:
        return Refusal.SIGN_IN
    if is_event_staff(user):
        return None
    if event.visibility == Event.Visibility.MEMBERS and not user_is_member(user):
        return Refusal.MEMBERSHIP
    if event.visibility == Event.Visibility.GROUP and not _in_group(user, event):
        return Refusal.GROUP
    return None


@dataclass(frozen=True)
class RegistrationCheck:
    """`registration_refusal` for one person and one event, computed once per
    request: the view shows it and hands it to `services.event_register`,
    which trusts it only for the same person and event."""

    user_id: int | None
    event_id: int
    refusal: Refusal | None

    def holds_for(self, user: User, event: Event) -> bool:
        return self.user_id is not None and self.user_id == user.pk and self.event_id == event.pk


def registration_check(user: User, event: Event) -> RegistrationCheck:
    return RegistrationCheck(user_id=user.pk, event_id=event.pk, refusal=registration_refusal(user, event))


def can_see_join_link(user: User, event: Event, registration: Registration | None) -> bool:
    if not event.online_url or event.is_cancelled:
        return False
    if is_event_staff(user):
        return True
    return registration is not None and registration.user_id == user.pk and registration.is_confirmed


def can_cancel_registration(user: User, registration: Registration) -> bool:
    """The registrant, or staff."""
    return is_event_staff(user) or (user.is_authenticated and registration.user_id == user.pk)
