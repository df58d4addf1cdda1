"""Working-group document downloads through the checked view, from gunicorn.

    DATABASE_URL=postgres://…/cma REDIS_URL=redis://… python bench/document_download.py

Creates its own database next to DATABASE_URL's (name + "_bench_download")
and a temporary MEDIA_ROOT, adds a member, a working group and two documents
(a 20 MB file and a 20 KB one) through the storage API, and serves the
project with gunicorn (4 sync workers, production mode) on loopback. A
signed-in member then downloads each file 20 times, 4 at once, through
/groups/<slug>/documents/<pk>/download/ (the access check, the streamed
FileResponse). Every body is checked against its SHA-256 and the headers
against what the view promises.

Memory: the workers' peak resident set (VmHWM) is read after a warm-up, after
the small-file round and after the large-file round. A streamed download adds
nothing that grows with the file; reading it into memory would add ~20 MB
per worker.

Yardstick, in the same run: the same 20 MB file streamed by a bare Django
view (`_bare.py` GET /file: a FileResponse, no access check, startproject's
middleware) from gunicorn with the same workers, the same 20 downloads 4 at
once (`_support.bare_file_rate`), before the portal's rounds and after them;
the yardstick is the mean of the two.

Targets: the 20 MB file at ≥ 0.15 × the bare view's MB/s (BENCHMARKS.md
says why 0.15), and the workers' peak RSS growing by less than 5 MB between the
20 KB and the 20 MB rounds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _support import (
    ROOT,
    against_yardstick,
    bare_file_rate,
    finish,
    gunicorn,
    manage,
    production_env,
    request,
    scratch_database,
)

DOWNLOADS = 20
CONCURRENCY = 4
LARGE = 20 * 1024 * 1024
SMALL = 20 * 1024
TARGET_RATIO_TO_BARE_FILE = 0.15  # portal MB/s ÷ bare FileResponse MB/s, same run
TARGET_RSS_GROWTH_KB = 5 * 1024

SETUP = r"""
import hashlib, json, os
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.files.base import ContentFile
from django.utils import timezone
from importlib import import_module
from django.conf import settings
from members.models import Membership, MembershipTier, Organization, OrganizationMember, User
from workinggroups.models import Document, DocumentVersion, GroupMembership, WorkingGroup

user, _ = User.objects.get_or_create(email="bench.reader@bench.example", defaults={"name": "Bench Reader"})
org, _ = Organization.objects.get_or_create(slug="bench-download-org", defaults={"name": "Bench Download Org"})
today = timezone.localdate()
Membership.objects.get_or_create(organization=org, defaults={
    "tier": MembershipTier.objects.order_by("pk").first(), "status": "active",
    "member_since": today, "starts_on": today, "ends_on": today.replace(year=today.year + 1)})
OrganizationMember.objects.get_or_create(organization=org, user=user)
group, _ = WorkingGroup.objects.get_or_create(slug="bench-download", defaults={"name": "Bench Download Group"})
GroupMembership.objects.get_or_create(group=group, user=user, defaults={"status": "active", "joined_at": timezone.now()})

out = {}
for label, size in (("small", SMALL), ("large", LARGE)):
    body = b"%PDF-1.7\n%" + os.urandom(size - 20) + b"\n%%EOF\n"
    document = Document.objects.create(group=group, title=f"Bench {label}", created_by=user)
    version = DocumentVersion(document=document, number=1, original_name=f"bench-{label}.pdf",
                              content_type="application/pdf", size=len(body),
                              sha256=hashlib.sha256(body).hexdigest(), uploaded_by=user)
    version.file.save("upload", ContentFile(body), save=False)
    version.save()
    Document.objects.filter(pk=document.pk).update(latest_version=version, version_count=1)
    out[label] = {"url": f"/groups/{group.slug}/documents/{document.pk}/download/",
                  "size": len(body), "sha256": version.sha256, "file": version.file.path}

engine = import_module(settings.SESSION_ENGINE)
session = engine.SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
out["cookie"] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
print("BENCH" + json.dumps(out))
"""


def _workers(master: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def _peak_rss_kb(pids: list[int]) -> int:
    """The largest peak resident set (VmHWM) among the workers."""
    peak = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def _round(port: int, target: dict, cookie: str, count: int) -> tuple[float, list[str]]:
    """`count` downloads, CONCURRENCY at once; returns (seconds, problems)."""

    def one(_):
        status, headers, body = request(port, "GET", target["url"], headers={"Cookie": cookie})
        problems = []
        if status != 200:
            problems.append(f"status {status}")
        elif len(body) != target["size"] or hashlib.sha256(body).hexdigest() != target["sha256"]:
            problems.append("body differs from the stored file")
        else:
            lower = {k.lower(): v for k, v in headers.items()}
            if not lower.get("content-disposition", "").startswith("attachment;"):
                problems.append("not served as an attachment")
            if lower.get("x-content-type-options") != "nosniff":
                problems.append("no nosniff header")
        return problems

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        problems = [p for result in pool.map(one, range(count)) for p in result]
    return time.perf_counter() - started, problems


def main() -> None:
    production_env()  # refuses to run without PostgreSQL
    media = tempfile.mkdtemp(prefix="cma-bench-media-")
    with scratch_database("download") as database_url:
        env = production_env(DATABASE_URL=database_url, MEDIA_ROOT=media, WEB_CONCURRENCY=str(CONCURRENCY))
        manage("migrate", "--noinput", "--verbosity", "0", env=env)
        output = manage("shell", "-c", SETUP.replace("SMALL", str(SMALL)).replace("LARGE", str(LARGE)), env=env)
        setup = json.loads(output.split("BENCH", 1)[1])
        cookie = setup["cookie"]

        def bare_rate() -> float:
            large = setup["large"]
            return bare_file_rate(
                env, file=large["file"], size=large["size"], downloads=DOWNLOADS, concurrency=CONCURRENCY
            )

        before = bare_rate()
        with gunicorn(env, workers=4) as (process, port):
            workers = _workers(process.pid)
            # Warm-up: every worker imports, connects and renders once.
            _, problems = _round(port, setup["small"], cookie, 4 * CONCURRENCY)
            status, _, _ = request(port, "GET", setup["large"]["url"])  # anonymous: sent to sign in
            if status != 302:
                problems.append(f"anonymous download answered {status}, not a redirect to sign in")
            warm = _peak_rss_kb(workers)
            small_s, small_problems = _round(port, setup["small"], cookie, DOWNLOADS)
            after_small = _peak_rss_kb(workers)
            large_s, large_problems = _round(port, setup["large"], cookie, DOWNLOADS)
            after_large = _peak_rss_kb(workers)
        problems += small_problems + large_problems
        after = bare_rate()
        bare = (before + after) / 2
    shutil.rmtree(media, ignore_errors=True)

    mb = DOWNLOADS * LARGE / 1_048_576
    rate = mb / large_s
    growth = after_large - after_small
    print(f"workers: {len(workers)} (gunicorn sync), {DOWNLOADS} downloads per file, {CONCURRENCY} at once")
    print(f"20 KB file: {DOWNLOADS / small_s:.0f} downloads/s")
    print(f"20 MB file: {DOWNLOADS / large_s:.1f} downloads/s, {rate:.0f} MB/s ({mb:.0f} MB in {large_s:.2f} s)")
    print(
        f"worker peak RSS: {warm / 1024:.1f} MB after warm-up, {after_small / 1024:.1f} MB after the 20 KB round, "
        f"{after_large / 1024:.1f} MB after the 20 MB round (growth {growth / 1024:.1f} MB)"
    )
    print(f"yardstick: the same 20 MB file from a bare FileResponse view, same workers and clients, before and "
          f"after: {before:.0f} and {after:.0f} MB/s, mean {bare:.0f} MB/s")  # fmt: skip
    for problem in sorted(set(problems)):
        print(f"CHECK FAILED: {problem}")
    versus, fast_enough = against_yardstick(
        rate, bare, unit="MB/s", yardstick_name="the bare FileResponse view's", at_least=TARGET_RATIO_TO_BARE_FILE
    )
    ok = not problems and fast_enough and growth < TARGET_RSS_GROWTH_KB
    finish(
        f"20 MB document download: {versus}; worker peak RSS growth "
        f"{growth / 1024:.1f} MB vs a 20 KB file (target < {TARGET_RSS_GROWTH_KB / 1024:.0f} MB)",
        ok,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    main()
