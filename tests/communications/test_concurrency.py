"""Two fan-outs of the same message at once (a retried task beside the first,
two workers) still queue one email per person: PostgreSQL's unique key decides."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from communications import services
from notifications.models import OutgoingEmail

from .conftest import member_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_two_fan_outs_at_once_queue_each_person_once(draft, staff_user):
    people = [member_in() for _ in range(60)]
    with mock.patch("communications.services.publish_on_commit"):  # the two fan-outs below are the only ones
        services.message_send(actor=staff_user, message=draft)
    draft.refresh_from_db()
    services.message_pause(actor=staff_user, message=draft)  # rows stay put for counting
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def fan_out() -> None:
        try:
            barrier.wait(timeout=10)
            services.message_fan_out(message_id=draft.pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fan_out) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    rows = OutgoingEmail.objects.filter(shared_body_id=draft.email_body_id)
    assert rows.count() == len(people)
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(p.email for p in people)
    assert connection.vendor == "postgresql"
