"""Insights: the index, a post page and a search at 2,000 posts.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/insights.py

Creates its own database next to DATABASE_URL's (name + "_bench_insights"),
loads `seed_demo --scale 20` (the demo's organizations and 20 bulk posts),
counts each page's queries, grows it to 2,000 posts, counts again, measures,
and drops the database.

Each page is served by gunicorn (production settings) and, beside it, the
bare 50-row listing (`_support.bare_listing`: a minimal Django view and
template, one query of 50 rows, no portal code). One client, signed in as a
member (who reads members-only bodies, so the search covers every body),
requests each page 200 times after 20 warm-up requests, one at a time on a
kept-alive loopback connection, the pages in turn, and after each page
request requests the bare listing once: both are timed at the same moments,
so their ratio holds still while this shared machine's speed swings.

The pages keep rendered pieces in Redis (insights/fragments.py), so each
page is timed in the steady state people read it in: every path of the run
(3 index pages, 200 posts, 5 searches) is viewed once before the timing.
What a view costs with nothing stored is timed too, as "post page, first
view" (220 other posts, each viewed once: reported beside the target, not
held to it), and every page's queries are counted both ways, cold and warm.

Targets (issue 15): each page's p95 ≤ 2 × the bare listing's p95 in the
same run, search included; the same number of queries per page at 20 and
at 2,000 posts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from http.client import HTTPConnection

from _support import (
    ROOT,
    against_yardstick,
    bare_listing,
    finish,
    gunicorn,
    manage,
    p50_p95,
    prepare_in_child,
    production_env,
    scratch_database,
    timed_get,
    vacuum_analyze,
)

REQUESTS = 200
WARMUP = 20
WORKERS = 2
TARGET_RATIO_P95 = 2.0  # page p95 ÷ bare 50-row listing p95, same run (the target)
# Each time a different post, never viewed before in the run: what a post
# page costs when nothing is stored for it (reported; the target is for the
# pages as read, above).
COLD = "post page, first view"
SEARCHES = ["domestic processing", "cobalt imports", "recycling", "rare earth minerals", "permitting process"]


def prepare() -> dict:
    """In a child process with the bench database configured: query counts
    per page (in-process), a member's session, the paths to time."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    django.setup()
    from _support import signed_in_session
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from insights.models import Post
    from members.models import Membership, OrganizationMember

    member = (
        OrganizationMember.objects.filter(organization__membership__status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    slugs = list(Post.objects.filter(status="published").order_by("?").values_list("slug", flat=True)[:REQUESTS])
    cold_slugs = list(
        Post.objects.filter(status="published")
        .exclude(slug__in=slugs)
        .order_by("?")
        .values_list("slug", flat=True)[: WARMUP + REQUESTS]
    )
    cold_slugs = cold_slugs or slugs  # at 20 posts: only counted, not timed
    paths = {
        "index": [f"/insights/?page={1 + i % 3}" for i in range(WARMUP + REQUESTS)],
        "post page": [f"/insights/{slugs[i % len(slugs)]}/" for i in range(WARMUP + REQUESTS)],
        COLD: [f"/insights/{slug}/" for slug in cold_slugs],
        "search": [f"/insights/?q={SEARCHES[i % len(SEARCHES)].replace(' ', '+')}" for i in range(WARMUP + REQUESTS)],
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(member)
    queries = {}
    for label, page_paths in paths.items():
        # Each page counted twice: with nothing stored ("cold": what the
        # first view after a change costs) and again at once ("warm").
        seen: dict[str, set[int]] = {"cold": set(), "warm": set()}
        for path in page_paths[:8]:
            cache.clear()
            for state in ("cold", "warm"):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code} for {path}")
                seen[state].add(len(captured))
        queries[label] = [sorted(seen["cold"]), sorted(seen["warm"])]
    cache.clear()
    cookie = f"{settings.SESSION_COOKIE_NAME}={signed_in_session(member)}"
    return {
        "posts": Post.objects.filter(status="published").count(),
        "queries": queries,
        "paths": paths,
        "cookie": cookie,
    }


def _get(conn: HTTPConnection, path: str, headers: dict | None, label: str) -> float:
    status, ms, _ = timed_get(conn, path, headers or {})
    if status != 200:
        sys.exit(f"{label}: HTTP {status} for {path}")
    return ms


def measure(env: dict, prepared: dict) -> dict:
    """The pages in turn (index, post, first view, search, index, …), each
    request followed by one to the bare 50-row listing, through gunicorn:
    every page is timed across the whole run, so a busy minute on this
    shared machine weighs on them all alike."""
    paths = prepared["paths"]
    pages: dict[str, list[float]] = {label: [] for label in paths}
    yardstick: list[float] = []
    headers = {"Cookie": prepared["cookie"]}
    with gunicorn(env, workers=WORKERS) as (_portal, port), bare_listing(env, workers=WORKERS) as (bare_port, bare):
        portal_conn = HTTPConnection("127.0.0.1", port, timeout=30)
        bare_conn = HTTPConnection("127.0.0.1", bare_port, timeout=30)
        # Steady state: every page of the run viewed once before the timing,
        # as the pages people read are (the first view after a change
        # renders and stores; "post page, first view" times that).
        for label, page_paths in paths.items():
            if label != COLD:
                for path in dict.fromkeys(page_paths):
                    _get(portal_conn, path, headers, label)
        for i in range(WARMUP + REQUESTS):
            for label, page_paths in paths.items():
                ms = _get(portal_conn, page_paths[i], headers, label)
                bare_ms = _get(bare_conn, bare, None, "bare listing")
                if i >= WARMUP:
                    pages[label].append(ms)
                    yardstick.append(bare_ms)
        portal_conn.close()
        bare_conn.close()
    return {"pages": {label: p50_p95(t) for label, t in pages.items()}, "yardstick": p50_p95(yardstick)}


def _counts(counts: list[list[int]]) -> str:
    """Cold/warm query counts, e.g. "10/5"."""
    return "/".join(",".join(map(str, c)) for c in counts)


def main() -> None:
    production_env()  # refuses to run without PostgreSQL
    with scratch_database("insights") as url:
        env = production_env(DATABASE_URL=url)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        manage("seed_demo", "--scale", "20", env=env)
        small = prepare_in_child(__file__, env)
        started = time.monotonic()
        manage("seed_demo", "--scale", "1980", env=env)
        print(f"grew to 2,000 bulk posts in {time.monotonic() - started:.1f}s")
        vacuum_analyze(url)
        large = prepare_in_child(__file__, env)
        large.update(measure(env, large))

    print()
    print(f"{'page':<22} {'posts':>6} {'p50 ms':>8} {'p95 ms':>8} {'÷ bare p95':>10} {'queries cold/warm':>18}")
    bare = large["yardstick"]
    ok = True
    figures = []
    for label, row in large["pages"].items():
        ratio = row["p95"] / bare["p95"]
        queries = f"{_counts(small['queries'][label])}→{_counts(large['queries'][label])}"
        print(f"{label:<22} {large['posts']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {ratio:>10.2f} {queries:>18}")
        versus, fast_enough = against_yardstick(
            row["p95"], bare["p95"], unit="ms", yardstick_name="bare", at_most=TARGET_RATIO_P95
        )
        if label == COLD:
            figures.append(f"{label} p95 {row['p95']:.1f} ms = {ratio:.2f}× bare (reported, no target)")
            fast_enough = True
        else:
            figures.append(f"{label} p95 {versus}")
        same = small["queries"][label] == large["queries"][label] and all(len(c) == 1 for c in large["queries"][label])
        if not same:
            print(f"  MISSED: {label} queries {small['queries'][label]} at 20 posts vs {large['queries'][label]}")
        ok = ok and fast_enough and same
    print(f"{'bare 50-row listing':<22} {'':>6} {bare['p50']:>8.1f} {bare['p95']:>8.1f} {1.0:>10.2f} {1:>18}")
    counts_equal = all(small["queries"][k] == large["queries"][k] for k in large["queries"])
    finish(
        f"insights at {large['posts']:,} published posts: {'; '.join(figures)}; "
        f"queries equal at 20 and 2,000 posts (target: yes): {'yes' if counts_equal else 'no'}",
        ok,
    )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        sys.path.insert(0, str(ROOT / "bench"))
        print(json.dumps(prepare()))
    else:
        main()
