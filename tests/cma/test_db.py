"""`cma.db.insert_unless_conflicting` on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest

from cma.db import insert_unless_conflicting
from notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def email(**changes) -> dict:
    return {
        "dedupe_key": "test:one",
        "recipient": "someone@example.org",
        "category": "test",
        "subject": "Hello",
        "body_text": "Hello there.",
        "attachments": [{"filename": "a.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar"}],
        **changes,
    }


def test_inserts_a_new_row_with_defaults_and_json_and_returns_it():
    row = insert_unless_conflicting(OutgoingEmail, email())

    stored = OutgoingEmail.objects.get()
    assert row.pk == stored.pk and not row._state.adding
    assert stored.status == OutgoingEmail.Status.QUEUED  # the model's default
    assert stored.attachments[0]["filename"] == "a.ics"


def test_a_conflicting_row_is_skipped_and_none_returned():
    insert_unless_conflicting(OutgoingEmail, email())

    assert insert_unless_conflicting(OutgoingEmail, email(subject="Second")) is None
    assert list(OutgoingEmail.objects.values_list("subject", flat=True)) == ["Hello"]


@pytest.mark.parametrize("holds", [True, False])
def test_only_if_decides_in_the_same_statement(holds):
    row = insert_unless_conflicting(OutgoingEmail, email(), only_if=("%s = %s", [1, 1 if holds else 2]))

    assert (row is not None) is holds
    assert OutgoingEmail.objects.count() == (1 if holds else 0)


def test_only_if_can_look_at_other_rows():
    insert_unless_conflicting(OutgoingEmail, email())
    table = OutgoingEmail._meta.db_table
    guard = (f"NOT EXISTS (SELECT 1 FROM {table} WHERE recipient = %s)", ["someone@example.org"])  # noqa: S608

    assert insert_unless_conflicting(OutgoingEmail, email(dedupe_key="test:two"), only_if=guard) is None
    assert OutgoingEmail.objects.count() == 1


def test_values_that_need_care_arrive_as_given():
    """NULLs, quotes, backslashes and JSON through INSERT … SELECT (the
    PostgreSQL backend sends them apart from the statement: their types come
    from the columns)."""
    row = insert_unless_conflicting(
        OutgoingEmail,
        email(subject="It's \\ 'quoted' -- ; DROP", body_html="", last_error="", sent_at=None),
        only_if=("%s = %s", ["same", "same"]),
    )

    stored = OutgoingEmail.objects.get(pk=row.pk)
    assert stored.subject == "It's \\ 'quoted' -- ; DROP"
    assert stored.sent_at is None
    assert stored.attachments == email()["attachments"]
