"""Member directory and organization profile at 500 and at 5,000 organizations.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/directory.py

Creates its own database next to DATABASE_URL's (name + "_bench_directory"),
loads `seed_demo --scale 500`, measures, grows it to 5,000 organizations
(20,000 people), measures again, and drops the database.

Each measurement serves the portal with gunicorn (production settings) and,
beside it, the bare 50-row listing (`_support.bare_listing`: a minimal
Django view and template, one query of 50 rows, no portal code). One client,
signed in as a member, requests each page 200 times after 20 warm-up
requests, one request at a time on a kept-alive loopback connection, and
after each page request requests the bare listing once: the two are timed
at the same moments, so the ratio of their p95s holds still while this
shared machine's speed swings. Query counts come from Django's own query
log, in-process (a child process with the bench database configured).

Targets at 5,000 organizations: every page's p95 ≤ 12 × the bare listing's
p95 in the same run (BENCHMARKS.md says why 12); at both sizes, no more
queries per page than today's (8 a directory page, 7 a profile) and the
same number at 500 as at 5,000.
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
    vacuum_analyze,
)

REQUESTS = 200
WARMUP = 20
QUERY_SAMPLES = 10
WORKERS = 2
TARGET_RATIO_P95 = 12.0  # page p95 ÷ bare 50-row listing p95, same run
# Queries per page, at either size: what the pages run today. A query per row
# (24 cards) adds ~0.35 ms a query, too little for a latency target on this
# machine to see reliably (BENCHMARKS.md), so the count is checked itself.
QUERY_BUDGET = {
    "directory, first page": 8,
    "directory, filtered": 8,
    "directory, deep page": 8,
    "organization profile": 7,
}


def prepare() -> dict:
    """Runs in a child process with the bench database configured: query
    counts per page (in-process), a signed-in member's session for the
    timed client, and the paths each page is timed on."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
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
    count = Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING).count()
    last_page = max(1, -(-count // 24))
    slugs = list(
        Organization.objects.filter(membership__status__in=Membership.IN_GOOD_STANDING)
        .order_by("?")
        .values_list("slug", flat=True)[:REQUESTS]
    )
    paths = {
        "directory, first page": ["/members/all/"] * (WARMUP + REQUESTS),
        "directory, filtered": ["/members/all/?segment=recycling&state=TX&sort=newest"] * (WARMUP + REQUESTS),
        "directory, deep page": [f"/members/all/?page={last_page - (i % 3)}" for i in range(WARMUP + REQUESTS)],
        "organization profile": [f"/members/{slugs[i % len(slugs)]}/" for i in range(WARMUP + REQUESTS)],
    }

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member)
    queries = {}
    for label, page_paths in paths.items():
        seen = set()
        for path in page_paths[: 3 + QUERY_SAMPLES]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
            seen.add(len(captured))
        queries[label] = sorted(seen)

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    return {
        "organizations": count,
        "queries": queries,
        "paths": paths,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
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
    with scratch_database("directory") as url:
        env = production_env(DATABASE_URL=url)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)  # the in-process requests need the manifest
        for scale, label in ((500, "500"), (4500, "5,000")):
            started = time.monotonic()
            manage("seed_demo", "--scale", str(scale), env=env)
            print(f"seeded to {label} organizations in {time.monotonic() - started:.1f}s")
            vacuum_analyze(url)
            prepared = prepare_in_child(__file__, env)
            results[label] = {**measure(env, prepared), **prepared}

    small, large = results["500"], results["5,000"]
    print()
    print(f"{'page':<24} {'orgs':>6} {'p50 ms':>8} {'p95 ms':>8} {'÷ bare p95':>10} {'queries':>8}")
    ok = True
    worst = ("", 0.0)
    for data in (small, large):
        for label, row in data["pages"].items():
            ratio = row["p95"] / data["yardstick"]["p95"]
            queries = ",".join(map(str, data["queries"][label]))
            print(
                f"{label:<24} {data['organizations']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {ratio:>10.1f} {queries:>8}"
            )
        bare = data["yardstick"]
        print(f"{'bare 50-row listing':<24} {'':>6} {bare['p50']:>8.1f} {bare['p95']:>8.1f} {1.0:>10.1f} {1:>8}")
    for label, row in large["pages"].items():
        if row["p95"] > worst[1]:
            worst = (label, row["p95"])
        if small["queries"][label] != large["queries"][label] or len(large["queries"][label]) != 1:
            ok = False
            print(f"  MISSED: queries {small['queries'][label]} at 500 vs {large['queries'][label]} at 5,000")
        if max(small["queries"][label] + large["queries"][label]) > QUERY_BUDGET[label]:
            ok = False
            print(f"  MISSED: {label} ran more than its {QUERY_BUDGET[label]} queries")
    versus, fast_enough = against_yardstick(
        worst[1],
        large["yardstick"]["p95"],
        unit="ms",
        yardstick_name="the bare 50-row listing's p95",
        at_most=TARGET_RATIO_P95,
    )
    counts_equal = all(small["queries"][k] == large["queries"][k] for k in large["queries"])
    within = all(max(small["queries"][k] + large["queries"][k]) <= QUERY_BUDGET[k] for k in QUERY_BUDGET)
    finish(
        f"directory at {large['organizations']:,} organizations: worst page p95 ({worst[0]}) {versus}; "
        f"queries within budget (8 a directory page, 7 a profile): {'yes' if within else 'no'}, "
        f"equal at 500 and 5,000: {'yes' if counts_equal else 'no'}",
        ok and fast_enough,
    )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        print(json.dumps(prepare()))
    else:
        main()
