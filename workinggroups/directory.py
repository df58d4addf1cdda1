"""What events may ask about working groups (`events.groups.GroupDirectory`),
answered by this app's selectors and permissions. Registered in `apps.py`,
so events never imports this app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from . import selectors
from .models import WorkingGroup
from .permissions import access_for

if TYPE_CHECKING:
    from members.models import User


class WorkingGroupDirectory:
    def member_groups(self, user: User) -> QuerySet[WorkingGroup]:
        return selectors.groups_of(user)

    def is_member(self, user: User, group_id: int) -> bool:
        return selectors.is_group_member(user, group_id)

    def meeting_refusal(self, user: User, group_id: int) -> str | None:
        group = WorkingGroup.objects.filter(pk=group_id).first()
        if group is None:
            return "No such working group."
        return access_for(user, group).meeting_refusal

    def meeting_audience(self, group_id: int) -> list[User]:
        return selectors.member_users(group_id)

    def groups_for_events(self) -> QuerySet[WorkingGroup]:
        return selectors.groups_for_events()

    def groups_among(self, group_ids: QuerySet[Any, Any]) -> QuerySet[WorkingGroup]:
        return selectors.groups_among(group_ids)
