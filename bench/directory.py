"""Member directory and organization profile at 500 and at 5,000 organizations.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/directory.py

Creates its own database next to DATABASE_URL's (name + "_bench_directory"),
loads `seed_demo --scale 500`, measures, grows it to 5,000 organizations
(20,000 people), measures again, and drops the database. Each page is
requested 200 times (after 20 warm-up requests) through Django's full
request cycle in-process, as a signed-in member, in production mode: the
time is server-side time. Query counts come from Django's own query log.

Targets: p95 under 50 ms at 5,000 organizations, and the same number of
queries per page at 500 as at 5,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from _support import ROOT, finish, manage, percentile, production_env, scratch_database

REQUESTS = 200
WARMUP = 20
TARGET_P95_MS = 50.0


def measure() -> dict:
    """Runs in a child process with the bench database configured."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Membership, Organization, OrganizationMember

    member = (
        OrganizationMember.objects.filter(organization__membership__status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member)
    count = Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING).count()
    last_page = max(1, -(-count // 24))
    slugs = list(
        Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING)
        .order_by("?")
        .values_list("slug", flat=True)[:REQUESTS]
    )
    pages = {
        "directory, first page": lambda i: "/members/all/",
        "directory, filtered": lambda i: "/members/all/?segment=recycling&state=TX&sort=newest",
        "directory, deep page": lambda i: f"/members/all/?page={last_page - (i % 3)}",
        "organization profile": lambda i: f"/members/{slugs[i % len(slugs)]}/",
    }
    results = {"organizations": count}
    for label, path_for in pages.items():
        for i in range(WARMUP):
            assert client.get(path_for(i)).status_code == 200
        timings, queries = [], set()
        for i in range(REQUESTS):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path_for(i))
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
            timings.append(elapsed)
            queries.add(len(captured))
        results[label] = {
            "p50": percentile(timings, 50),
            "p95": percentile(timings, 95),
            "queries": sorted(queries),
        }
    return results


def _settle(url: str) -> None:
    """VACUUM ANALYZE after a bulk load, so autovacuum does not run (and take
    CPU) in the middle of the measurements, and the planner knows the sizes."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _measure_in_child(env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    if out.returncode != 0:
        sys.exit(f"measurement failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    production_env()  # refuses to run without PostgreSQL
    with scratch_database("directory") as url:
        env = production_env(DATABASE_URL=url)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        started = time.monotonic()
        manage("seed_demo", "--scale", "500", env=env)
        print(f"seeded 500 organizations in {time.monotonic() - started:.1f}s")
        _settle(url)
        small = _measure_in_child(env)
        started = time.monotonic()
        manage("seed_demo", "--scale", "4500", env=env)
        print(f"grew to 5,000 organizations (20,000 people) in {time.monotonic() - started:.1f}s")
        _settle(url)
        large = _measure_in_child(env)

    print()
    print(f"{'page':<24} {'orgs':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    ok = True
    worst_p95 = 0.0
    for label in [k for k in large if k != "organizations"]:
        for data, orgs in ((small, small["organizations"]), (large, large["organizations"])):
            row = data[label]
            print(
                f"{label:<24} {orgs:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {','.join(map(str, row['queries'])):>8}"
            )
        worst_p95 = max(worst_p95, large[label]["p95"])
        if large[label]["p95"] >= TARGET_P95_MS:
            ok = False
            print(f"  MISSED: p95 {large[label]['p95']:.1f} ms ≥ {TARGET_P95_MS} ms")
        if small[label]["queries"] != large[label]["queries"] or len(large[label]["queries"]) != 1:
            ok = False
            print(f"  MISSED: queries {small[label]['queries']} at 500 vs {large[label]['queries']} at 5,000")
    finish(
        f"worst p95 {worst_p95:.1f} ms at {large['organizations']:,} organizations (target < {TARGET_P95_MS:.0f} ms); "
        f"query counts equal at 500 and 5,000: {'yes' if ok else 'no'}",
        ok,
    )


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()
