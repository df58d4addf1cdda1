from typing import Any

from django.apps import AppConfig


class WorkingGroupsConfig(AppConfig):
    name = "workinggroups"
    verbose_name = "Working groups"

    def ready(self) -> None:
        # Events sits below working groups and never imports them: it asks
        # its questions of the directory registered here, and announces a new
        # group meeting with a signal this app turns into an activity entry.
        from events import groups, signals

        from .directory import WorkingGroupDirectory

        groups.register(WorkingGroupDirectory())
        signals.meeting_scheduled.connect(_record_meeting, dispatch_uid="workinggroups.record_meeting")


def _record_meeting(sender: type, *, event: Any, actor: Any, **kwargs: Any) -> None:
    from .services import meeting_record

    meeting_record(actor=actor, group_id=event.working_group_id, title=event.title)
