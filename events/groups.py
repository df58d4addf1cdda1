"""What events needs to know about working groups, and nothing more.

Working groups sit above events: a group meeting is an event, so the
working-groups app calls into events, never the other way round. Events
still has to ask a few questions about groups (who is in one, who may call
its meetings, whom to tell about one); it asks them of a `GroupDirectory`
that the working-groups app registers when Django starts
(`workinggroups.apps`), answered by that app's own selectors and permissions.

Groups are named by their primary key; querysets of groups come back as
plain `Model` querysets (the model is `Event.working_group`'s, which events
declares by string and never imports). Without a registered directory,
events behaves as if there were no working groups at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from members.models import User


class GroupDirectory(Protocol):
    def member_groups(self, user: User) -> QuerySet[Model]:
        """The groups the user counts as an active member of now; events use
        it as a subquery (`working_group__in=….values("pk")`), so it must not
        be evaluated here."""
        ...

    def is_member(self, user: User, group_id: int) -> bool:
        """Whether the user counts as an active member of the group now."""
        ...

    def meeting_refusal(self, user: User, group_id: int) -> str | None:
        """Why the user may not call a meeting of the group, fit to show them;
        None when they may (its chairs and staff, while the group is active)."""
        ...

    def meeting_audience(self, group_id: int) -> list[User]:
        """Whom to tell about a new meeting of the group: its active members."""
        ...

    def groups_for_events(self) -> QuerySet[Model]:
        """Every group an event may be attached to, by name (the staff form's choices)."""
        ...

    def groups_among(self, group_ids: QuerySet[Model, Any]) -> QuerySet[Model]:
        """The groups whose pks the subquery yields, by name."""
        ...


def group_model() -> type[Model]:
    """The working-group model, found through `Event.working_group`."""
    from .models import Event

    model = Event._meta.get_field("working_group").related_model
    assert isinstance(model, type) and issubclass(model, Model), model
    return model


class NoGroups:
    """The directory when no working-groups app registered one: no groups, no members."""

    def member_groups(self, user: User) -> QuerySet[Model]:
        return group_model()._default_manager.none()

    def is_member(self, user: User, group_id: int) -> bool:
        return False

    def meeting_refusal(self, user: User, group_id: int) -> str | None:
        return "Working groups are not available."

    def meeting_audience(self, group_id: int) -> list[User]:
        return []

    def groups_for_events(self) -> QuerySet[Model]:
        return group_model()._default_manager.none()

    def groups_among(self, group_ids: QuerySet[Model, Any]) -> QuerySet[Model]:
        return group_model()._default_manager.none()


_registered: GroupDirectory | None = None


def register(directory: GroupDirectory | None) -> None:
    """Make `directory` the one events asks (None: forget it). Called once
    from the working-groups app's `ready()`."""
    global _registered
    _registered = directory


def directory() -> GroupDirectory:
    """The registered directory, or one that knows no groups."""
    return _registered if _registered is not None else NoGroups()
