"""Capacity and uniqueness under concurrency, on PostgreSQL (CI runs these).

Each thread has its own database connection and really runs at the same time
as the others; the row lock on the event is what keeps the count right.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from events import selectors, services
from events.models import Event, Registration
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL row locks (CI runs them)")


def _run_at_once(jobs) -> list[BaseException]:
    """Run the callables in threads released together; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # collected and asserted on by the test
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registration hung"
    return errors


def _register(user_id: int, event_id: int, seats: int = 1):
    def job():
        services.event_register(
            actor=factories.UserFactory._meta.model.objects.get(pk=user_id),
            event=Event.objects.get(pk=event_id),
            seats=seats,
        )

    return job


def test_many_people_registering_at_once_confirm_exactly_the_capacity():
    event = factories.EventFactory(capacity=10)
    people = [factories.UserFactory() for _ in range(32)]

    errors = _run_at_once([_register(p.pk, event.pk) for p in people])

    assert errors == []
    registrations = list(
        selectors.with_positions(Registration.objects.filter(event=event)).order_by("registered_at", "pk")
    )
    assert len(registrations) == 32
    assert len({r.user_id for r in registrations}) == 32
    # Whoever got the lock first got a seat: the queue order is the confirmation order.
    assert [r.status for r in registrations] == ["confirmed"] * 10 + ["waitlisted"] * 22
    assert [r.waitlist_position for r in registrations if r.is_waitlisted] == list(range(1, 23))


def test_parties_of_several_seats_never_overfill():
    event = factories.EventFactory(capacity=10, max_seats_per_registration=3)
    people = [factories.UserFactory() for _ in range(16)]

    errors = _run_at_once([_register(p.pk, event.pk, seats=1 + i % 3) for i, p in enumerate(people)])

    assert errors == []
    confirmed = Registration.objects.filter(event=event, status="confirmed").aggregate(n=Sum("seats"))["n"]
    assert confirmed <= 10
    assert Registration.objects.filter(event=event).count() == 16


def test_double_submissions_by_one_person_make_one_registration():
    event = factories.EventFactory(capacity=10)
    person = factories.UserFactory()

    errors = _run_at_once([_register(person.pk, event.pk) for _ in range(8)])

    assert Registration.objects.filter(event=event, user=person).count() == 1
    assert len(errors) == 7
    assert all(isinstance(e, services.AlreadyRegistered) for e in errors)


def test_cancellations_and_registrations_at_once_keep_the_count_right():
    event = factories.EventFactory(capacity=6)
    holders = [factories.UserFactory() for _ in range(6)]
    waiting = [factories.UserFactory() for _ in range(6)]
    newcomers = [factories.UserFactory() for _ in range(6)]
    for person in holders + waiting:
        services.event_register(actor=person, event=event)
    held = list(Registration.objects.filter(event=event, status="confirmed"))

    def cancel(registration_id, user_id):
        def job():
            services.registration_cancel(
                actor=factories.UserFactory._meta.model.objects.get(pk=user_id),
                registration=Registration.objects.select_related("event").get(pk=registration_id),
            )

        return job

    jobs = [cancel(r.pk, r.user_id) for r in held[:3]] + [_register(p.pk, event.pk) for p in newcomers]
    errors = _run_at_once(jobs)

    assert errors == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 6
    # The three freed seats went to the first three who were already waiting.
    promoted = set(
        Registration.objects.filter(event=event, user__in=waiting, status="confirmed").values_list("user", flat=True)
    )
    assert promoted == {p.pk for p in waiting[:3]}


def test_a_create_form_submitted_twice_at_once_makes_one_event(staff_user):
    start = factories.EventFactory.starts_at.function()
    key = "5d41402a-bc4b-4a76-b971-9d911017c592"

    def create():
        services.event_create(
            actor=factories.UserFactory._meta.model.objects.get(pk=staff_user.pk),
            creation_key=key,
            kind="webinar",
            title="Webinar: Gallium",
            summary="Twice at once.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            time_zone="America/New_York",
            online_url="https://meet.example.org/gallium",
        )

    assert _run_at_once([create] * 6) == []
    assert Event.objects.filter(creation_key=key).count() == 1
