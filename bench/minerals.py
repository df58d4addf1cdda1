"""The coverage matrix and a mineral page at 500 and at 5,000 organizations.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/minerals.py

Creates its own database next to DATABASE_URL's (name + "_bench_minerals"),
loads `seed_demo --scale 500`, measures, grows it to 5,000 organizations
(20,000 mineral × stage entries, 3,000 demand declarations), measures
again, and drops the database.

As bench/directory.py does: gunicorn in production settings, one client
signed in as a member, each page requested 200 times after 20 warm-up
requests on a kept-alive loopback connection, each request followed by one
of the bare 50-row Django listing (`_support.bare_listing`) so both are
timed at the same moments. Query counts come from Django's query log,
in-process, with the cache emptied before each request (the work of a
miss); the timed requests see the cache as visitors do (the matrix is kept
per viewer scope for a minute, or until an entry changes).

Targets at 5,000 organizations (the issue's): each page's p95 ≤ 2 × the
bare listing's p95 in the same run, and the same number of queries per page
at 500 and at 5,000.
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
    prepare_in_child,
    production_env,
    scratch_database,
    signed_in_session,
    vacuum_analyze,
)

REQUESTS = 200
WARMUP = 20
QUERY_SAMPLES = 10
WORKERS = 2
TARGET_RATIO_P95 = 2.0  # page p95 ÷ bare 50-row listing p95, same run
MINERAL_PAGES = ["lithium", "graphite", "cobalt", "copper", "neodymium", "gallium"]


def prepare() -> dict:
    """In a child process with the bench database: query counts per page, a
    member's session for the timed client, the paths to time."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import Membership, Organization, OrganizationMember
    from minerals.models import Declaration, Involvement

    member = (
        OrganizationMember.objects.filter(organization__membership__status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    paths = {
        "coverage matrix": ["/minerals/coverage/"] * (WARMUP + REQUESTS),
        "mineral page": [f"/minerals/{MINERAL_PAGES[i % len(MINERAL_PAGES)]}/" for i in range(WARMUP + REQUESTS)],
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member)
    queries = {}
    for label, page_paths in paths.items():
        seen = set()
        for path in page_paths[: 3 + QUERY_SAMPLES]:
            # Counted without the matrix cache: the work a cache miss does.
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
            seen.add(len(captured))
        queries[label] = sorted(seen)
    return {
        "organizations": Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING).count(),
        "entries": Involvement.objects.count(),
        "declarations": Declaration.objects.count(),
        "queries": queries,
        "paths": paths,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={signed_in_session(member)}",
    }


def measure(env: dict, prepared: dict) -> dict:
    """Each page, interleaved with the bare 50-row listing, through gunicorn."""
    pages, yardstick = pages_beside_bare_listing(
        env, prepared["paths"], headers={"Cookie": prepared["cookie"]}, warmup=WARMUP, workers=WORKERS
    )
    return {"pages": {label: p50_p95(t) for label, t in pages.items()}, "yardstick": p50_p95(yardstick)}


def main() -> None:
    production_env()  # refuses to run without PostgreSQL
    results = {}
    with scratch_database("minerals") as url:
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
        f"{'page':<18} {'orgs':>6} {'entries':>8} {'decl.':>6} {'p50 ms':>8} {'p95 ms':>8} {'÷ bare p95':>10} {'queries':>8}"
    )
    ok = True
    for data in (small, large):
        for label, row in data["pages"].items():
            ratio = row["p95"] / data["yardstick"]["p95"]
            queries = ",".join(map(str, data["queries"][label]))
            print(
                f"{label:<18} {data['organizations']:>6} {data['entries']:>8} {data['declarations']:>6} "
                f"{row['p50']:>8.1f} {row['p95']:>8.1f} {ratio:>10.2f} {queries:>8}"
            )
        bare = data["yardstick"]
        print(
            f"{'bare 50-row list':<18} {'':>6} {'':>8} {'':>6} {bare['p50']:>8.1f} {bare['p95']:>8.1f} {1.0:>10.2f} {1:>8}"
        )
    verdicts = []
    for label, row in large["pages"].items():
        versus, fast_enough = against_yardstick(
            row["p95"], large["yardstick"]["p95"], unit="ms", yardstick_name="bare p95", at_most=TARGET_RATIO_P95
        )
        ok = ok and fast_enough
        verdicts.append(f"{label} p95 {versus}")
    counts_equal = all(
        small["queries"][k] == large["queries"][k] and len(large["queries"][k]) == 1 for k in large["queries"]
    )
    ok = ok and counts_equal
    counts = ", ".join(f"{k} {','.join(map(str, large['queries'][k]))}" for k in large["queries"])
    finish(
        f"minerals at {large['organizations']:,} organizations: {'; '.join(verdicts)}; "
        f"queries ({counts}) equal at 500 and 5,000 (target: equal): {'yes' if counts_equal else 'no'}",
        ok,
    )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        print(json.dumps(prepare()))
    else:
        main()
