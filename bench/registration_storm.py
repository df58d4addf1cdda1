"""Benchmark: 200 distinct signed-in people register for a 50-seat event at the same instant.

Serves the project with gunicorn (4 workers, production settings) on PostgreSQL
and Redis, then releases 200 client threads together, each POSTing the real
registration form. Reports wall time, requests per second and latency
percentiles, then checks the outcome in the database: exactly 50 seats
confirmed, the other 150 waitlisted in one definite order, one registration
per person, no 5xx.

People are created with bulk inserts (one shared password hash) and signed
in by creating their sessions through Django's session engine (the same
database engine gunicorn reads); each then fetches the event page once,
untimed, to get its CSRF cookie the way a browser would.

As the yardstick of the machine's speed in the same run, 32 clients POST
to a bare one-INSERT Django view (`_bare.py`, through
`_support.bare_insert_rate`) for 10 seconds before the storm and again
after it; the yardstick is the mean of the two. Target: registrations per second
(200 ÷ the wall time) ≥ 0.03 × the bare view's requests per second
(BENCHMARKS.md says why 0.03), the outcome correct, no 5xx.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/registration_storm.py
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import urlencode

from _support import (
    against_yardstick,
    bare_insert_rate,
    finish,
    gunicorn,
    manage,
    percentile,
    production_env,
    setup_django,
)

PEOPLE = 200
SEATS = 50
WORKERS = 4
# Registrations for one event are serialized by its row lock, so the last
# answer comes at about the wall time, and registrations/s is the figure.
# It is judged against the bare one-INSERT view's rate in the same run.
TARGET_RATIO_TO_BARE_INSERT = 0.03
REQUEST_TIMEOUT_S = 30


def create_people_and_event(run: str):
    """The event (published, 50 seats) and 200 signed-in people: (event, [(user_id, session_key)])."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from events import services
    from members.models import User

    password = make_password("bench-registration-storm")  # hashed once, shared
    User.objects.bulk_create(
        [
            User(email=f"storm-{run}-{i:03d}@bench.example", name=f"Storm Person {i:03d}", password=password)
            for i in range(PEOPLE)
        ],
        batch_size=500,
    )
    users = list(User.objects.filter(email__startswith=f"storm-{run}-").order_by("email"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=500
    )
    start = (timezone.now() + datetime.timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    event = services.event_create(
        actor=None,
        kind="webinar",
        title=f"Registration storm {run}",
        summary="Benchmark event.",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        time_zone="America/New_York",
        online_url="https://meet.example.org/storm",
        visibility="public",
        capacity=SEATS,
    )
    services.event_publish(actor=None, event=event)

    from importlib import import_module

    from django.conf import settings

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append((user.pk, store.session_key))
    return event, sessions


def fetch_csrf(port: int, path: str, session_key: str) -> str:
    """GET the event page as this person; return the CSRF cookie it sets."""
    conn = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={session_key}"})
        response = conn.getresponse()
        body = response.read().decode()
        if response.status != 200 or "Register" not in body:
            raise RuntimeError(f"event page for a signed-in person answered {response.status}")
        cookies = " ".join(v for k, v in response.getheaders() if k.lower() == "set-cookie")
        match = re.search(r"csrftoken=([A-Za-z0-9]+)", cookies)
        if not match:
            raise RuntimeError("no CSRF cookie on the event page")
        return match.group(1)
    finally:
        conn.close()


def storm(port: int, path: str, people: list[tuple[str, str]]):
    """Release every registration at once; return (wall seconds, [(status, ms)])."""
    barrier = threading.Barrier(len(people) + 1)
    results: list[tuple[int, float]] = [(0, 0.0)] * len(people)

    def register(index: int, session_key: str, csrf: str) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        body = urlencode({"csrfmiddlewaretoken": csrf}).encode()
        headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        conn.connect()  # connected before the start, so the storm is the requests themselves
        barrier.wait()
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            results[index] = (response.status, (time.perf_counter() - started) * 1000)
        except OSError:
            results[index] = (-1, (time.perf_counter() - started) * 1000)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=register, args=(i, session_key, csrf)) for i, (session_key, csrf) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S + 5)
    return time.perf_counter() - started, results


def check_outcome(event_id: int, user_ids: list[int]) -> list[str]:
    """What is wrong with the registrations in the database (empty when all is right)."""
    from django.db.models import Count, Sum

    from events.models import Registration

    problems = []
    registrations = list(Registration.objects.filter(event_id=event_id).order_by("registered_at", "pk"))
    confirmed_seats = sum(r.seats for r in registrations if r.status == "confirmed")
    if confirmed_seats != SEATS:
        problems.append(f"{confirmed_seats} seats confirmed, expected {SEATS}")
    if len(registrations) != PEOPLE:
        problems.append(f"{len(registrations)} registrations, expected {PEOPLE}")
    if {r.user_id for r in registrations} != set(user_ids):
        problems.append("the registrations are not exactly one per person")
    duplicates = (
        Registration.objects.filter(event_id=event_id).values("user_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    if duplicates:
        problems.append(f"{duplicates} people registered twice")
    statuses = [r.status for r in registrations]
    if statuses != ["confirmed"] * SEATS + ["waitlisted"] * (PEOPLE - SEATS):
        problems.append("the queue order (registered_at, id) does not put the confirmed first")
    keys = [(r.registered_at, r.pk) for r in registrations]
    if len(set(keys)) != len(keys):
        problems.append("the waitlist order is not definite")
    total = Registration.objects.filter(event_id=event_id, status="confirmed").aggregate(n=Sum("seats"))["n"]
    if total != SEATS:
        problems.append(f"aggregate confirmed seats {total}")
    return problems


def clean_up(run: str, event_id: int, queue: str, session_keys: list[str]) -> None:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from cma.models import AuditEntry
    from events.models import Event, Registration
    from members.models import User
    from notifications.models import OutgoingEmail

    users = User.objects.filter(email__startswith=f"storm-{run}-")
    registration_ids = [str(pk) for pk in Registration.objects.filter(event_id=event_id).values_list("pk", flat=True)]
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Registration), object_id__in=registration_ids
    ).delete()
    AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Event), object_id=str(event_id)).delete()
    OutgoingEmail.objects.filter(user__in=users).delete()
    Event.objects.filter(pk=event_id).delete()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in session_keys:
        store_class(session_key=key).delete()  # the database row and the cached copy
    users.delete()
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        import redis

        # Delivery tasks queued for the benchmark's own queue (no worker runs here).
        redis.Redis.from_url(redis_url).delete(queue)


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        sys.exit("This benchmark needs REDIS_URL (and DATABASE_URL pointing at PostgreSQL).")
    run = uuid.uuid4().hex[:8]
    queue = f"bench-registration-storm-{run}"
    env = production_env(CELERY_TASK_DEFAULT_QUEUE=queue)
    manage("migrate", "--noinput", env=env)
    setup_django(env)

    from django.urls import reverse

    prepared = time.perf_counter()
    event, sessions = create_people_and_event(run)
    print(f"setup: {PEOPLE} people with sessions and a {SEATS}-seat event in {time.perf_counter() - prepared:.1f}s")
    page = reverse("events:detail", args=[event.slug])
    register_path = reverse("events:register", args=[event.slug])
    before = bare_insert_rate(env)
    try:
        with gunicorn(env, workers=WORKERS) as (_process, port):
            with ThreadPoolExecutor(max_workers=8) as pool:
                csrf = list(pool.map(lambda s: fetch_csrf(port, page, s[1]), sessions))
            wall, results = storm(port, register_path, [(s[1], c) for s, c in zip(sessions, csrf, strict=True)])
        problems = check_outcome(event.pk, [s[0] for s in sessions])
    finally:
        clean_up(run, event.pk, queue, [key for _, key in sessions])

    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [ms for _, ms in results]
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status < 0)
    unexpected = sum(n for status, n in statuses.items() if status != 302)
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    rate = PEOPLE / wall if wall else float("inf")
    print(f"requests: {PEOPLE} POSTs released together against gunicorn ({WORKERS} workers)")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"wall time: {wall:.2f} s   throughput: {rate:.0f} req/s   ({1000 * wall / PEOPLE:.1f} ms per registration)")
    print(f"latency ms: p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  max {max(latencies):.0f}")
    print(
        "outcome: "
        + (
            "; ".join(problems)
            if problems
            else f"{SEATS} seats confirmed, {PEOPLE - SEATS} waitlisted in order, no duplicates"
        )
    )
    after = bare_insert_rate(env)
    reference = (before + after) / 2
    print(f"yardstick: a bare one-INSERT Django view (startproject middleware), 32 clients, 4 workers, 10s before "
          f"and after: {before:.0f} and {after:.0f} req/s, mean {reference:.0f} — how fast this machine is right now")  # fmt: skip
    versus, fast_enough = against_yardstick(
        rate, reference, unit="/s", yardstick_name="the bare one-INSERT view's", at_least=TARGET_RATIO_TO_BARE_INSERT
    )
    ok = not problems and server_errors == 0 and unexpected == 0 and fast_enough
    finish(
        f"registration storm: {PEOPLE} registrations for {SEATS} seats in {wall:.2f} s, registrations {versus}; "
        f"p99 {p99:.0f} ms; confirmed {SEATS if not problems else 'WRONG'}/{SEATS}, {server_errors} 5xx",
        ok,
    )


if __name__ == "__main__":
    main()
