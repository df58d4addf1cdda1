"""The staff reports at 500 and at 5,000 organizations.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/reports.py

Creates its own database next to DATABASE_URL's (name + "_bench_reports"),
loads `seed_demo --scale 500` (invoices and payments included), measures,
grows it to 5,000 organizations, measures again, and drops the database.

Each measurement serves the portal with gunicorn (production settings) and,
beside it, the bare 50-row listing (`_support.bare_listing`). One client,
signed in as the demo staff member with the second factor in its session,
requests each report page (default period: the last year) 100 times after
10 warm-up requests, one at a time on a kept-alive loopback connection, and
requests the bare listing once after each: the ratio of their p95s holds
still while this shared machine's speed swings. Query counts come from
Django's query log, in-process.

A report page is kept in the cache for REPORTS_CACHE_SECONDS (reports/
selectors.build_page), so the page as served is mostly a cache read: that is
what is judged. Each report is also requested 100 times with ?fresh=1
(computed every time, as the first request of each cache window is), and that
p95 is printed beside it, so the cost of computing stays in view.

Targets at 5,000 organizations: every report's p95 ≤ 3 × the bare listing's
p95 in the same run (the issue's target), and each report runs the same
number of queries at 500 as at 5,000.
"""

from __future__ import annotations

import json
import os
import sys
import time

from _support import (
    ROOT,
    against_yardstick,
    finish,
    manage,
    p50_p95,
    pages_beside_bare_listing,
    percentile,
    prepare_in_child,
    production_env,
    scratch_database,
    signed_in_session,
    vacuum_analyze,
)

REQUESTS = 100
WARMUP = 10
WORKERS = 2
TARGET_RATIO_P95 = 3.0  # report p95 ÷ bare 50-row listing p95, same run


def prepare() -> dict:
    """In a child process with the bench database: query counts per report
    (in-process) and a staff session for the timed client."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Organization, User
    from reports.selectors import REPORTS

    # No figures kept from before this size (or an earlier run) are served.
    cache.clear()
    staff = User.objects.get(email="staff@cma-usa.localhost")
    cookie = f"{settings.SESSION_COOKIE_NAME}={signed_in_session(staff, second_factor=True)}"
    paths = {r.title: f"/staff/reports/{r.slug}/" for r in REPORTS}
    client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
    client.cookies.load(cookie)
    queries = {}
    for label, path in paths.items():
        seen = set()
        # Computed (?fresh=1), then as served from the cache.
        for query in ("?fresh=1",) * 3 + ("",) * 3:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path + query)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
            seen.add((query, len(captured)))
        queries[label] = sorted(n for _, n in seen)
    return {"organizations": Organization.objects.count(), "queries": queries, "paths": paths, "cookie": cookie}


def measure(env: dict, prepared: dict) -> dict:
    """Each report as served (from its cache) and computed (?fresh=1),
    interleaved with the bare 50-row listing, through gunicorn."""
    count = WARMUP + REQUESTS
    paths = {}
    for label, path in prepared["paths"].items():
        paths[f"{label}\tserved"] = [path] * count
        paths[f"{label}\tcomputed"] = [path + "?fresh=1"] * count
    timings, yardstick = pages_beside_bare_listing(
        env, paths, headers={"Cookie": prepared["cookie"]}, warmup=WARMUP, workers=WORKERS
    )
    pages = {
        label: {**p50_p95(timings[f"{label}\tserved"]), "computed_p95": percentile(timings[f"{label}\tcomputed"], 95)}
        for label in prepared["paths"]
    }
    return {"pages": pages, "yardstick": p50_p95(yardstick)}


def main() -> None:
    production_env()  # refuses to run without PostgreSQL
    results = {}
    with scratch_database("reports") as url:
        env = production_env(DATABASE_URL=url)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        for scale, label in ((500, "500"), (4500, "5,000")):
            started = time.monotonic()
            manage("seed_demo", "--scale", str(scale), env=env)
            print(f"seeded to {label} organizations in {time.monotonic() - started:.1f}s")
            vacuum_analyze(url)
            prepared = prepare_in_child(__file__, env)
            results[label] = {**measure(env, prepared), **prepared}

    small, large = results["500"], results["5,000"]
    print()
    print(
        f"{'report':<30} {'orgs':>6} {'p50 ms':>8} {'p95 ms':>8} {'÷ bare p95':>10} "
        f"{'computed p95':>13} {'÷ bare':>7} {'queries':>8}"
    )
    for data in (small, large):
        bare = data["yardstick"]
        for label, row in data["pages"].items():
            queries = ",".join(map(str, data["queries"][label]))
            print(
                f"{label:<30} {data['organizations']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                f"{row['p95'] / bare['p95']:>10.1f} {row['computed_p95']:>13.1f} "
                f"{row['computed_p95'] / bare['p95']:>7.1f} {queries:>8}"
            )
        print(
            f"{'bare 50-row listing':<30} {'':>6} {bare['p50']:>8.1f} {bare['p95']:>8.1f} {1.0:>10.1f} {'':>13} {'':>7} {1:>8}"
        )
    worst = max(large["pages"].items(), key=lambda item: item[1]["p95"])
    counts_equal = True
    for label in large["queries"]:
        # One count computed and one served from the cache, each the same at both sizes.
        if small["queries"][label] != large["queries"][label] or len(large["queries"][label]) != 2:
            counts_equal = False
            print(f"  MISSED: {label}: queries {small['queries'][label]} at 500 vs {large['queries'][label]} at 5,000")
    versus, fast_enough = against_yardstick(
        worst[1]["p95"], large["yardstick"]["p95"], unit="ms",
        yardstick_name="the bare 50-row listing's p95", at_most=TARGET_RATIO_P95,
    )  # fmt: skip
    slowest = max(large["pages"].items(), key=lambda item: item[1]["computed_p95"])
    finish(
        f"reports at {large['organizations']:,} organizations: worst report p95 as served ({worst[0]}) {versus}; "
        f"computed afresh, worst p95 ({slowest[0]}) {slowest[1]['computed_p95']:.1f} ms = "
        f"{slowest[1]['computed_p95'] / large['yardstick']['p95']:.2f}× (shown, not judged); "
        f"query counts equal at 500 and 5,000 (target: yes): {'yes' if counts_equal else 'no'}",
        counts_equal and fast_enough,
    )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        print(json.dumps(prepare()))
    else:
        main()
