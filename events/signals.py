"""Signals events sends for the apps above it, which it must not call."""

from django.dispatch import Signal

# Sent inside the transaction that schedules a group meeting, with `event`
# and `actor` (sender: Event). Receivers run in that transaction: one that
# fails rolls the meeting back. The working-groups app records it in the
# group's activity feed.
meeting_scheduled = Signal()
