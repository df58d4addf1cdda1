"""Benchmark: a long mixed load in production mode, with Redis stopped in the middle.

The portal runs as `make serve` runs it — gunicorn (4 workers), a Celery
worker (concurrency 2) and Celery beat — on a scratch PostgreSQL database
(`seed_demo --scale 200`) and a redis-server of this script's own (cache and
broker), delivering email to an SMTP server on loopback that records who got
what and when. Client threads, as fast as answers come back, mix:

- visitors browsing the home page, the directory, the events list and the petition;
- signing the petition (each signature with its own address);
- signed-in members browsing their dashboard, the events and the groups, and
  registering for an event (each member once);
- staff opening the application queue, the moderation queue and the staff home.

Halfway through, Redis is stopped for OUTAGE_SECONDS and started again.

Reported per phase (before, during, after the outage): requests/s, p50/p99,
5xx answers; then actions acknowledged vs stored, emails delivered vs
expected (and how long after Redis's return the last one came), and each
gunicorn and Celery process's resident memory at the start and the end.

Targets (issue 14): 0 × 5xx, 0 acknowledged-but-lost actions, every expected
email delivered within 2 minutes of Redis's return, memory growth under 10 MB
per process, and throughput after the outage within 10 % of before.

    DATABASE_URL=postgres://... .venv/bin/python bench/soak.py [seconds] [outage seconds]

(defaults 600 and 60; REDIS_URL is not used: the script runs its own Redis.)
"""

from __future__ import annotations

import collections
import datetime
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode

from _support import (
    PYTHON,
    ROOT,
    finish,
    free_port,
    gunicorn,
    manage,
    percentile,
    production_env,
    scratch_database,
    setup_django,
    signed_in_session,
)

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 600
OUTAGE_SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
CLIENTS = 10
WARMUP_SECONDS = 20
TARGET_MEMORY_GROWTH_MB = 10
TARGET_RECOVERY_S = 120
TARGET_THROUGHPUT_RATIO = 0.9


# --- Own Redis ----------------------------------------------------------------------


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="soak-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# --- SMTP sink --------------------------------------------------------------------------


class Sink:
    def __init__(self) -> None:
        self.delivered: dict[str, list[float]] = collections.defaultdict(list)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.delivered[rcpt.lower()].append(now)
        return "250 2.0.0 OK"


# --- Clients ------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.samples: list[tuple[float, int, float, str]] = []  # (t, status, ms, kind)
        self.lock = threading.Lock()

    def add(self, t: float, status: int, ms: float, kind: str) -> None:
        with self.lock:
            self.samples.append((t, status, ms, kind))


def call(port: int, method: str, path: str, *, cookie: str = "", body: dict | None = None, csrf: str = ""):
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        data = urlencode(body, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        if csrf:
            headers["X-CSRFToken"] = csrf
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        return response.status, (time.perf_counter() - started) * 1000, dict(response.getheaders()), content
    except OSError:
        return 599, (time.perf_counter() - started) * 1000, {}, b""
    finally:
        conn.close()


def csrf_cookie(port: int, path: str, cookie: str = "") -> str:
    _, _, headers, _ = call(port, "GET", path, cookie=cookie)
    match = re.search(r"csrftoken=([A-Za-z0-9]+)", headers.get("Set-Cookie", ""))
    return match.group(1) if match else ""


class World:
    """What the clients act on, and what they did."""

    def __init__(self, port, petition_slug, event_slug, members, staff_cookie, run) -> None:
        self.port, self.petition_slug, self.event_slug = port, petition_slug, event_slug
        self.members = members  # [(email, sessionid)]
        self.staff_cookie = staff_cookie
        self.run = run
        self.lock = threading.Lock()
        self.next_member = 0
        self.signatures_acknowledged: list[tuple[str, float]] = []
        self.registrations_acknowledged: list[tuple[str, float]] = []

    def take_member(self):
        with self.lock:
            if self.next_member >= len(self.members):
                return None
            member = self.members[self.next_member]
            self.next_member += 1
            return member


def client_loop(world: World, recorder: Recorder, stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    port = world.port
    anonymous_csrf = csrf_cookie(port, f"/petitions/{world.petition_slug}/")
    pages = ["/", "/members/", "/events/", f"/petitions/{world.petition_slug}/"]
    member_pages = ["/dashboard/", "/events/", "/groups/", "/members/all/"]
    staff_pages = ["/staff/", "/staff/members/applications/", "/staff/petitions/moderation/"]
    while time.monotonic() < stop_at:
        roll = rng.random()
        now = time.monotonic()
        if roll < 0.45:
            status, ms, _, _ = call(port, "GET", rng.choice(pages), cookie=f"csrftoken={anonymous_csrf}")
            recorder.add(now, status, ms, "browse")
        elif roll < 0.60:
            email = f"soak-{world.run}-{uuid.uuid4().hex[:10]}@signers.example"
            status, ms, headers, _ = call(
                port, "POST", f"/petitions/{world.petition_slug}/sign/", cookie=f"csrftoken={anonymous_csrf}",
                csrf=anonymous_csrf,
                body={"name": "Soak Signer", "email": email, "zip_code": "48201", "state": "MI"},
            )  # fmt: skip
            recorder.add(now, status, ms, "sign")
            if status == 302 and "check-your-email" in headers.get("Location", ""):
                with world.lock:
                    world.signatures_acknowledged.append((email, now))
        elif roll < 0.88:
            member = world.members[rng.randrange(len(world.members))]
            status, ms, _, _ = call(port, "GET", rng.choice(member_pages), cookie=f"sessionid={member[1]}")
            recorder.add(now, status, ms, "member")
        elif roll < 0.93:
            member = world.take_member()
            if member is None:
                continue
            email, session = member
            token = csrf_cookie(port, f"/events/{world.event_slug}/", f"sessionid={session}")
            status, ms, headers, _ = call(
                port, "POST", f"/events/{world.event_slug}/register/", cookie=f"sessionid={session}; csrftoken={token}",
                csrf=token, body={"seats": "1"},
            )  # fmt: skip
            recorder.add(now, status, ms, "register")
            if status == 302:
                with world.lock:
                    world.registrations_acknowledged.append((email, now))
        else:
            status, ms, _, _ = call(port, "GET", rng.choice(staff_pages), cookie=f"sessionid={world.staff_cookie}")
            recorder.add(now, status, ms, "staff")


# --- Setting up -------------------------------------------------------------------------------


def prepare(run: str):
    """Sessions for the scale people and staff, and a big public event: (members, staff session, event slug)."""
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from events.models import Event
    from members.models import Membership, User

    members = list(
        User.objects.filter(
            organization_roles__organization__membership__status__in=Membership.IN_GOOD_STANDING, is_active=True
        ).distinct()[:1500]
    )
    staff = User.objects.filter(is_staff=True, pk__in=Authenticator.objects.values("user_id")).first()
    start = (timezone.now() + datetime.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        kind=Event.Kind.WEBINAR, title=f"Soak webinar {run}", slug=f"soak-webinar-{run}",
        summary="A large webinar for the soak benchmark.", starts_at=start, ends_at=start + datetime.timedelta(hours=1),
        time_zone="America/New_York", online_url="https://meet.example.org/soak", visibility=Event.Visibility.PUBLIC,
        capacity=None, status=Event.Status.PUBLISHED, published_at=timezone.now(), created_by=staff,
    )  # fmt: skip
    return [(m.email, signed_in_session(m)) for m in members], signed_in_session(staff, second_factor=True), event.slug


def descendants(pid: int) -> list[int]:
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children[parent].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


# --- The run ----------------------------------------------------------------------------------


def main() -> None:
    from aiosmtpd.controller import Controller

    run = uuid.uuid4().hex[:6]
    redis = Redis()
    redis.start()
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    processes: dict[str, subprocess.Popen] = {}
    try:
        with scratch_database("soak") as database_url:
            env = production_env(
                DATABASE_URL=database_url, REDIS_URL=redis.url, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
                CELERY_TASK_DEFAULT_QUEUE=f"soak-{run}", PETITIONS_SIGN_RATE_LIMIT_PER_IP="1000000/m",
                PETITIONS_RATE_LIMIT_PER_EMAIL="1000000/m", LOG_LEVEL="ERROR",
            )  # fmt: skip
            manage("migrate", "--noinput", env=env)
            manage("seed_demo", "--scale", "200", env=env)
            setup_django(env)
            members, staff_cookie, event_slug = prepare(run)
            from petitions.models import Petition

            petition_slug = Petition.objects.filter(status="open").order_by("pk").values_list("slug", flat=True).first()
            logs = tempfile.mkdtemp(prefix="soak-logs-")
            schedule = os.path.join(logs, "beat-schedule")
            print(f"Celery logs in {logs}")
            for name, command in {
                "celery worker": ["worker", "--concurrency", "2", "--loglevel", "warning", "--without-gossip", "--without-mingle"],
                "celery beat": ["beat", "--loglevel", "error", "--schedule", schedule],
            }.items():  # fmt: skip
                log = open(os.path.join(logs, f"{name.replace(' ', '-')}.log"), "wb")  # noqa: SIM115 - kept open while it runs
                processes[name] = subprocess.Popen(
                    [PYTHON, "-m", "celery", "-A", "cma", *command],
                    cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip
            with gunicorn(env, workers=4) as (web, port):
                world = World(port, petition_slug, event_slug, members, staff_cookie, run)
                results = load(world, redis, {**processes, "gunicorn": web})
            report(results, world, sink)
    finally:
        for process in processes.values():  # the Celery worker and beat, in their own process groups
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        controller.stop()
        redis.stop()


def load(world: World, redis: Redis, processes: dict[str, subprocess.Popen]) -> dict:
    recorder = Recorder()
    warm_until = time.monotonic() + WARMUP_SECONDS
    threads = [threading.Thread(target=client_loop, args=(world, Recorder(), warm_until, i)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    memory_start = {pid: (name, rss_mb(pid)) for name, p in processes.items() for pid in descendants(p.pid)}
    started = time.monotonic()
    outage_from = started + (SECONDS - OUTAGE_SECONDS) / 2
    outage_to = outage_from + OUTAGE_SECONDS
    stop_at = started + SECONDS
    threads = [threading.Thread(target=client_loop, args=(world, recorder, stop_at, 100 + i)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(max(outage_from - time.monotonic(), 0))
    redis.stop()
    print(f"Redis stopped at {time.monotonic() - started:.0f} s")
    time.sleep(max(outage_to - time.monotonic(), 0))
    redis.start()
    print(f"Redis started again at {time.monotonic() - started:.0f} s")
    for thread in threads:
        thread.join()
    memory_end = {pid: rss_mb(pid) for pid in memory_start}
    return {
        "recorder": recorder, "started": started, "outage": (outage_from, outage_to), "stop_at": stop_at,
        "memory": {pid: (name, before, memory_end[pid]) for pid, (name, before) in memory_start.items()},
    }  # fmt: skip


def report(results: dict, world: World, sink: Sink) -> None:
    from events.models import Registration
    from petitions.models import Signature

    outage_from, outage_to = results["outage"]
    phases = {
        "before": (results["started"], outage_from),
        "during": (outage_from, outage_to),
        "after": (outage_to, results["stop_at"]),
    }
    rates, fives = {}, 0
    print(f"{'phase':<8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'5xx':>6}")
    for phase, (start, end) in phases.items():
        rows = [s for s in results["recorder"].samples if start <= s[0] < end]
        latencies = [ms for _, _, ms, _ in rows]
        errors = sum(1 for _, status, _, _ in rows if status >= 500)
        fives += errors
        rates[phase] = len(rows) / max(end - start, 1)
        print(
            f"{phase:<8}{rates[phase]:>8.1f}{percentile(latencies, 50):>9.0f}{percentile(latencies, 99):>9.0f}{errors:>6}"
        )

    # Where the time goes: the median answer per kind of request and phase,
    # and the request rate every 30 s (a slow slide shows growth, a dip after
    # the outage shows catch-up).
    kinds = sorted({kind for *_, kind in results["recorder"].samples})
    print(f"{'p50 ms':<8}" + "".join(f"{kind:>9}" for kind in kinds))
    for phase, (start, end) in phases.items():
        cells = []
        for kind in kinds:
            latencies = [ms for t, _, ms, k in results["recorder"].samples if k == kind and start <= t < end]
            cells.append(f"{percentile(latencies, 50):>9.0f}" if latencies else f"{'-':>9}")
        print(f"{phase:<8}" + "".join(cells))
    buckets = collections.Counter(int((t - results["started"]) // 30) for t, *_ in results["recorder"].samples)
    print("req/s per 30 s: " + " ".join(f"{buckets[i] / 30:.0f}" for i in range(max(buckets, default=-1) + 1)))

    signed = {email for email, _ in world.signatures_acknowledged}
    registered = {email for email, _ in world.registrations_acknowledged}
    stored_signatures = set(Signature.objects.filter(email__in=signed).values_list("email", flat=True))
    stored_registrations = set(
        Registration.objects.filter(event__slug=world.event_slug).values_list("user__email", flat=True)
    )
    lost = len(signed - stored_signatures) + len(registered - stored_registrations)
    print(f"actions acknowledged: {len(signed)} signatures, {len(registered)} registrations; lost: {lost}")

    # Wait (bounded) for the last emails: up to TARGET_RECOVERY_S after Redis came back.
    expected = {e.lower() for e in signed | registered}
    deadline = outage_to + TARGET_RECOVERY_S + 30
    while time.monotonic() < deadline and expected - set(sink.delivered):
        time.sleep(1)
    delivered = expected & set(sink.delivered)
    during = {
        e.lower()
        for e, t in world.signatures_acknowledged + world.registrations_acknowledged
        if outage_from <= t < outage_to
    }
    last_after_return = max((sink.delivered[e][0] - outage_to for e in during if e in sink.delivered), default=0.0)
    duplicates = sum(len(sink.delivered[e]) - 1 for e in delivered)
    print(
        f"emails: {len(delivered)} of {len(expected)} delivered, {duplicates} duplicates; the last of those "
        f"acknowledged during the outage arrived {last_after_return:.0f} s after Redis was back"
    )

    growth = {}
    for pid, (name, before, after) in sorted(results["memory"].items()):
        growth[pid] = after - before
        print(f"  {name:<14} pid {pid:<7} RSS {before:6.1f} MB → {after:6.1f} MB ({after - before:+.1f})")
    worst_growth = max(growth.values(), default=0.0)
    ratio = rates["after"] / rates["before"] if rates["before"] else 0.0
    ok = (
        fives == 0
        and lost == 0
        and len(delivered) == len(expected)
        and last_after_return <= TARGET_RECOVERY_S
        and worst_growth < TARGET_MEMORY_GROWTH_MB
        and ratio >= TARGET_THROUGHPUT_RATIO
    )
    finish(
        f"soak {SECONDS} s with Redis down {OUTAGE_SECONDS} s: {fives} × 5xx (target 0), {lost} lost (target 0), "
        f"{len(expected) - len(delivered)} emails missing (target 0), last outage email {last_after_return:.0f} s "
        f"after Redis's return (target ≤ {TARGET_RECOVERY_S}), worst memory growth {worst_growth:+.1f} MB "
        f"(target < {TARGET_MEMORY_GROWTH_MB}), throughput after/before {ratio:.2f} (target ≥ {TARGET_THROUGHPUT_RATIO})",
        ok,
    )


if __name__ == "__main__":
    main()
