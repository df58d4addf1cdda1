"""Benchmark: one announcement to 10,000 members, delivered by two Celery
workers while one of them is killed.

In a scratch PostgreSQL database: 10,000 people of 1,000 member organizations
in good standing, a staff member (second factor in the session) and a draft
announcement to all members. gunicorn serves the portal in production
settings; two `celery worker` processes (prefork, concurrency 2 each) on
Redis deliver to an SMTP server on loopback (aiosmtpd, in this process,
counting each recipient). The staff member presses "Send now" (a real POST,
timed). When a third of the emails have arrived, worker A and its children
are killed with SIGKILL and a replacement worker is started.

Reported: seconds from "send" to the last delivery, emails per second,
duplicates and missing recipients at the SMTP server, the send request's
time, and what the outbox says at the end. Same-run yardstick: one process
sending plain messages over one SMTP connection to the same server, as fast
as it can (the machine's speed today).

Targets (issue 10): all 10,000 delivered in under 60 s, 0 duplicates,
0 missing, the send request under 300 ms.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/fanout.py
"""

from __future__ import annotations

import collections
import os
import re
import signal
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from email.message import EmailMessage

from _support import (
    PYTHON,
    ROOT,
    finish,
    free_port,
    gunicorn,
    manage,
    production_env,
    request,
    scratch_database,
    setup_django,
    signed_in_session,
)

PEOPLE = 10_000
PEOPLE_PER_ORGANIZATION = 10
KILL_AT = PEOPLE // 3
TARGET_SECONDS = 60.0
TARGET_SEND_MS = 300.0
GIVE_UP_AFTER_S = 240.0


# --- The SMTP server -------------------------------------------------------------------


class Sink:
    """Counts every recipient the SMTP server accepts (and nothing more: the
    messages themselves are not parsed, to keep the server fast)."""

    def __init__(self) -> None:
        self.received: collections.Counter[str] = collections.Counter()
        self.last_at = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                if rcpt.startswith("member-"):  # the announcement's, not the staff's test sends
                    self.received[rcpt.lower()] += 1
            self.last_at = time.monotonic()
        return "250 2.0.0 OK"

    def totals(self) -> tuple[int, int]:
        with self.lock:
            return len(self.received), sum(self.received.values())


def start_smtp(sink: Sink):
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def smtp_yardstick(port: int, count: int = 2000) -> float:
    """Plain messages per second from one process over one connection."""
    message = EmailMessage()
    message["From"], message["Subject"] = "bench@cma-usa.example", "Yardstick"
    message.set_content("A plain message of about the same size.\n" * 30)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for i in range(count):
            smtp.send_message(message, to_addrs=[f"yardstick-{i}@bench.example"])
    return count / (time.perf_counter() - started)


# --- Data ----------------------------------------------------------------------------------


def seed(run: str):
    """10,000 members, a staff member with a second factor, and the draft: (message, session_key)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from communications import services
    from communications.audiences import Audience
    from members.models import Membership, MembershipTier, Organization, OrganizationMember, User

    tier = MembershipTier.objects.order_by("position").first()
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Fan-out {run} Org {i:04d}", slug=f"fan-out-{run}-{i:04d}") for i in range(PEOPLE // PEOPLE_PER_ORGANIZATION)],
        batch_size=1000,
    )  # fmt: skip
    today = timezone.localdate()
    Membership.objects.bulk_create(
        [Membership(organization=o, tier=tier, status=Membership.Status.ACTIVE, member_since=today, starts_on=today,
                    ends_on=today.replace(year=today.year + 1)) for o in organizations],
        batch_size=1000,
    )  # fmt: skip
    password = make_password("bench-fanout")
    users = User.objects.bulk_create(
        [User(email=f"member-{run}-{i:05d}@bench.example", name=f"Member {i:05d}", password=password) for i in range(PEOPLE)],
        batch_size=2000,
    )  # fmt: skip
    OrganizationMember.objects.bulk_create(
        [OrganizationMember(organization=organizations[i // PEOPLE_PER_ORGANIZATION], user=u) for i, u in enumerate(users)],
        batch_size=2000,
    )  # fmt: skip
    staff = User.objects.create_user(email=f"staff-{run}@bench.example", password=None, name="Bench Staff")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    TOTP.activate(staff, generate_totp_secret())
    message = services.message_create(
        actor=staff, audience=Audience(kind="members"), kind="announcement",
        subject="Critical minerals policy update",
        body="## What changed\n\nThe **pooled demand** mechanism moves forward.\n\n- Lithium\n- Graphite\n- Cobalt",
        cta_label="Read the position", cta_url="https://portal.cma-usa.example/announcements/",
    )  # fmt: skip
    return message, signed_in_session(staff, second_factor=True)


# --- Workers -------------------------------------------------------------------------------


def start_worker(env: dict[str, str], name: str, queue: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "cma", "worker", "--queues", queue, "--hostname", f"{name}@bench",
         "--concurrency", "2", "--loglevel", "warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True,  # its own process group: killed with its children
    )  # fmt: skip
    from cma.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"worker {name} exited early")
        if app.control.ping(destination=[f"{name}@bench"], timeout=0.5):
            return process
    sys.exit(f"worker {name} did not answer")


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children, as a crash or the OOM killer would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- The run -------------------------------------------------------------------------------


def press_send(port: int, message_id: int, session_key: str) -> tuple[float, int]:
    """As staff do: GET the message's page (for the CSRF token), send a test
    to themselves, then POST "Send now", timed: (ms, status). The test sends
    also load the email's templates in the web workers, as a running site has."""
    cookie = f"sessionid={session_key}"
    path = f"/staff/communications/{message_id}/"
    status, headers, body = request(port, "GET", path, headers={"Cookie": cookie})
    if status != 200:
        sys.exit(f"the staff page answered {status}")
    csrf = re.search(r"csrftoken=([A-Za-z0-9]+)", headers.get("Set-Cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not (csrf and token):
        sys.exit("no CSRF token on the staff page")
    headers = {"Cookie": f"{cookie}; csrftoken={csrf.group(1)}", "Content-Type": "application/x-www-form-urlencoded",
               "Referer": f"http://127.0.0.1:{port}{path}", "Host": f"127.0.0.1:{port}"}  # fmt: skip
    for attempt in range(4):  # reaches each gunicorn worker
        test = f"csrfmiddlewaretoken={token.group(1).decode()}&nonce=warm-{attempt}".encode()
        request(port, "POST", f"{path}test/", body=test, headers=headers)
    form = f"csrfmiddlewaretoken={token.group(1).decode()}&when=now".encode()
    started = time.perf_counter()
    status, _, _ = request(port, "POST", f"{path}send/", body=form, headers=headers)
    return (time.perf_counter() - started) * 1000, status


def main() -> None:
    run = uuid.uuid4().hex[:6]
    queue = f"bench-fanout-{run}"
    sink = Sink()
    controller, smtp_port = start_smtp(sink)
    try:
        yardstick = smtp_yardstick(smtp_port)
        sink.received.clear()  # the yardstick's messages are not the run's
        with scratch_database("fanout") as database_url:
            env = production_env(
                DATABASE_URL=database_url,
                EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
                CELERY_TASK_DEFAULT_QUEUE=queue,
                SITE_URL="https://portal.cma-usa.example",
            )
            manage("migrate", "--noinput", env=env)
            setup_django(env)
            message, session_key = seed(run)
            print(f"seeded {PEOPLE:,} members in {PEOPLE // PEOPLE_PER_ORGANIZATION:,} organizations")
            workers = {
                "a": start_worker(env, f"fanout-a-{run}", queue),
                "b": start_worker(env, f"fanout-b-{run}", queue),
            }
            try:
                with gunicorn(env, workers=2) as (_, web_port):
                    results = deliver(web_port, message, session_key, sink, env, queue, workers, run)
            finally:
                for process in workers.values():
                    stop(process)
            report(results, yardstick, message)
    finally:
        controller.stop()


def deliver(web_port, message, session_key, sink, env, queue, workers, run) -> dict:
    started = time.monotonic()
    send_ms, status = press_send(web_port, message.pk, session_key)
    if status != 302:
        sys.exit(f'"Send now" answered {status}')
    killed_at = None
    while time.monotonic() - started < GIVE_UP_AFTER_S:
        unique, total = sink.totals()
        if killed_at is None and unique >= KILL_AT:
            kill_group(workers["a"])
            killed_at = time.monotonic() - started
            print(f"worker A killed (SIGKILL) at {killed_at:.1f} s with {unique:,} delivered; replacement started")
            workers["c"] = start_worker(env, f"fanout-c-{run}", queue)
        if unique >= PEOPLE:
            break
        time.sleep(0.05)
    time.sleep(3)  # late duplicates would arrive now
    unique, total = sink.totals()
    return {
        "send_ms": send_ms,
        "seconds": (sink.last_at - started) if sink.last_at else float("inf"),
        "unique": unique,
        "duplicates": total - unique,
        "killed_at": killed_at,
    }


def report(results: dict, yardstick: float, message) -> None:
    from django.db.models import Count

    from notifications.models import OutgoingEmail

    message.refresh_from_db()
    statuses = dict(
        OutgoingEmail.objects.filter(shared_body_id=message.email_body_id)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    retried = OutgoingEmail.objects.filter(shared_body_id=message.email_body_id, attempts__gt=1).count()
    seconds, missing = results["seconds"], PEOPLE - results["unique"]
    rate = results["unique"] / seconds if seconds else 0.0
    print(f"yardstick: one process, one SMTP connection, plain messages: {yardstick:,.0f} messages/s")
    print(f"send request: {results['send_ms']:.0f} ms")
    print(f"delivered: {results['unique']:,} of {PEOPLE:,} in {seconds:.1f} s ({rate:,.0f} emails/s)")
    print(f"duplicates at the SMTP server: {results['duplicates']}; missing: {missing}")
    print(f"outbox: {statuses}; rows sent again after the kill: {retried}")
    ok = (
        seconds < TARGET_SECONDS and results["duplicates"] == 0 and missing == 0 and results["send_ms"] < TARGET_SEND_MS
    )
    finish(
        f"fan-out: {results['unique']:,} emails in {seconds:.1f} s (target < {TARGET_SECONDS:.0f} s), "
        f"{results['duplicates']} duplicates and {missing} missing (targets 0), send request "
        f"{results['send_ms']:.0f} ms (target < {TARGET_SEND_MS:.0f} ms), {rate:,.0f} emails/s beside a "
        f"{yardstick:,.0f} messages/s one-connection yardstick",
        ok,
    )


if __name__ == "__main__":
    main()
