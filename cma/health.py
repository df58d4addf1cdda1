"""What /readyz checks: each dependency, how long it took, whether the site
can work without it.

PostgreSQL (reachable, migrations applied) is required: without it the site
answers 503 and a load balancer should stop sending traffic. Redis (the
cache) and the broker are not: without them pages still render (the cache
fails soft) and work waits in the outbox — "degraded", still 200. A queued
email older than READYZ_OUTBOX_MAX_AGE_SECONDS means delivery is stuck:
degraded too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    required: bool
    detail: str
    ms: float


def _timed(name: str, required: bool, probe: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail, ok = probe(), True
    except Exception as exc:  # any failure of a probe is the answer, not an error
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    return Check(
        name=name, ok=ok, required=required, detail=detail, ms=round((time.perf_counter() - started) * 1000, 1)
    )


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _migrations() -> str:
    executor = MigrationExecutor(connection)
    missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if missing:
        raise RuntimeError(f"{len(missing)} migration(s) not applied")
    return "all applied"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used (no REDIS_URL)"
    import redis

    redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    return "ping ok"


def _broker() -> str:
    if not settings.REDIS_URL:
        return "not used (tasks run in-process)"
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    return "ping ok"


def _outbox() -> str:
    from django.apps import apps

    outgoing = apps.get_model("notifications", "OutgoingEmail")
    oldest = (
        outgoing.objects.filter(status="queued", attempts=0)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if oldest is None:
        return "nothing waiting"
    age = timezone.now() - oldest
    if age > timedelta(seconds=settings.READYZ_OUTBOX_MAX_AGE_SECONDS):
        raise RuntimeError(f"the oldest queued email has waited {int(age.total_seconds())} s")
    return f"oldest queued email due {int(age.total_seconds())} s ago"


def run_checks() -> list[Check]:
    checks = [_timed("database", True, _database)]
    database_up = checks[0].ok
    if database_up:
        checks.append(_timed("migrations", True, _migrations))
    else:
        checks.append(Check("migrations", False, True, "database unreachable", 0.0))
    checks.append(_timed("redis", False, _redis))
    checks.append(_timed("broker", False, _broker))
    if database_up:
        checks.append(_timed("outbox", False, _outbox))
    return checks


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether an exception means PostgreSQL is away (restarting, unreachable)."""
    return isinstance(exc, OperationalError | InterfaceError)
