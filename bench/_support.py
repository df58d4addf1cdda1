"""What every benchmark needs: production-mode settings, gunicorn on loopback, timing.

Benchmarks import this as `from _support import ...` (they run as scripts from
the bench/ directory). They take DATABASE_URL and REDIS_URL from the
environment, start what they serve, and stop it again.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def production_env(**extra: str) -> dict[str, str]:
    """Environment for manage.py and gunicorn in production mode on loopback."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("This benchmark needs DATABASE_URL pointing at PostgreSQL (and REDIS_URL at Redis).")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
    }
    env.update(extra)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Set up Django in this process (to prepare data and check results) with `env`."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run_clients(count: int, client, *, longest: float) -> float:
    """Run `client(index)` in `count` threads at once; return the seconds they took.

    `longest` bounds the wait for each thread (a client stuck past its
    deadline must not hang the benchmark).
    """
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=longest)
    return time.perf_counter() - started


def manage(*args: str, env: dict[str, str]) -> str:
    """Run a manage.py command; return its output, exit if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORTAL = "cma.wsgi:application"


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 4, threads: int = 1, timeout: float = 60, app: str = PORTAL):
    """Serve the project (or another WSGI `app` importable from bench/) with
    gunicorn on a free loopback port; yield (process, port).

    For the project, collectstatic runs first (whitenoise's manifest storage
    needs it). The app must answer GET /healthz.
    """
    if app == PORTAL:
        manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            app,
            *([] if app == PORTAL else ["--pythonpath", str(ROOT / "bench")]),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _, _ = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None, conn=None):
    """One HTTP request on loopback; returns (status, headers, body)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        if own:
            conn.close()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_kb(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def finish(headline: str, ok: bool) -> None:
    """Print the headline as the last line and exit non-zero when a target was missed.

    The load average goes just before it: other work on the machine slows
    the yardstick and the portal alike, but not always in proportion."""
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{headline} — {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


# --- Same-run yardsticks ----------------------------------------------------------
#
# This shared machine's speed swings 2x from one day to the next, so a target
# in absolute units (ms, req/s) says more about the day than about the code.
# Each benchmark measures, in the same run, a bare Django view doing the same
# kind of work without the portal's code (`_bare.py`: startproject's apps and
# middleware, production settings, gunicorn), prints it beside its own
# figure, and states its target as a ratio to it.

BARE_APP = "_bare:application"
INSERT_TABLE = "bench_bare_insert"
LISTING_TABLE = "bench_bare_listing"
LISTING_ROWS = 50  # rows the bare listing shows
LISTING_TABLE_ROWS = 5000  # rows in its table


def against_yardstick(
    figure: float,
    yardstick: float,
    *,
    unit: str,
    yardstick_name: str,
    at_most: float | None = None,
    at_least: float | None = None,
) -> tuple[str, bool]:
    """'31.0 ms = 7.9× <yardstick_name> 3.9 ms (target ≤ 12×)' and whether the ratio meets its target."""
    ratio = figure / yardstick if yardstick else math.inf
    if at_most is not None:
        target, ok = f"≤ {at_most:g}×", ratio <= at_most
    elif at_least is not None:
        target, ok = f"≥ {at_least:g}×", ratio >= at_least
    else:
        raise ValueError("a target: at_most or at_least")
    return f"{figure:.1f} {unit} = {ratio:.2f}× {yardstick_name} {yardstick:.1f} {unit} (target {target})", ok


def _psycopg_connect(env: dict[str, str]):
    import psycopg

    return psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True)


def timed_get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> tuple[int, float, bytes]:
    """GET on a kept-alive connection: (status, milliseconds, body)."""
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, body


def bare_insert_rate(env: dict[str, str], *, clients: int = 32, seconds: float = 10, workers: int = 4) -> float:
    """Requests per second of the bare one-INSERT view (POST /insert of
    `_bare.py`), `clients` client threads on kept-alive connections for
    `seconds`, against gunicorn with `workers` workers: the yardstick for write
    and throughput benchmarks. Creates and drops its own table."""
    with _psycopg_connect(env) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {INSERT_TABLE} (id bigserial PRIMARY KEY, note text NOT NULL)")
    try:
        with gunicorn(env, workers=workers, app=BARE_APP) as (_process, port):
            counts = [0] * clients
            stop = time.perf_counter() + seconds

            def client(index: int) -> None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                while time.perf_counter() < stop:
                    conn.request("POST", f"/insert?n={index}")
                    response = conn.getresponse()
                    response.read()
                    counts[index] += response.status == 200
                conn.close()

            elapsed = run_clients(clients, client, longest=seconds + 35)
            return sum(counts) / elapsed
    finally:
        with _psycopg_connect(env) as db:
            db.execute(f"DROP TABLE IF EXISTS {INSERT_TABLE}")


@contextmanager
def bare_listing(env: dict[str, str], *, workers: int = 2):
    """Serve the bare 50-row listing (GET /listing of `_bare.py`: one query of
    50 rows, ordered by an index, from a table of 5,000 organizations-like rows,
    rendered by a minimal template) with gunicorn in production settings;
    yield (port, path). The table is created here and dropped afterwards.
    For benchmarks that interleave their own page requests with the
    yardstick's; `bare_listing_latencies` measures it alone."""
    with _psycopg_connect(env) as db:
        db.execute(f"DROP TABLE IF EXISTS {LISTING_TABLE}")
        db.execute(
            f"CREATE TABLE {LISTING_TABLE} (id bigserial PRIMARY KEY, name text NOT NULL, city text NOT NULL, "
            "state char(2) NOT NULL, joined_on date NOT NULL)"
        )
        db.execute(
            f"INSERT INTO {LISTING_TABLE} (name, city, state, joined_on) "  # noqa: S608 — constants
            "SELECT 'Organization ' || lpad(g::text, 5, '0') || ' Minerals', 'City ' || mod(g, 300), "
            "(ARRAY['CA','MI','NY','PA','TX','NV','MN','AZ','WA','NC'])[1 + mod(g, 10)], "
            "date '2015-01-01' + mod(g, 3650) FROM generate_series(1, %s) AS g",
            [LISTING_TABLE_ROWS],
        )
        db.execute(f"CREATE INDEX ON {LISTING_TABLE} (name, id)")
        db.execute(f"VACUUM ANALYZE {LISTING_TABLE}")
    try:
        with gunicorn(env, workers=workers, app=BARE_APP) as (_process, port):
            yield port, "/listing"
    finally:
        with _psycopg_connect(env) as db:
            db.execute(f"DROP TABLE IF EXISTS {LISTING_TABLE}")


def bare_listing_latencies(env: dict[str, str], *, requests: int = 200, warmup: int = 20) -> list[float]:
    """Client-side latencies (ms) of the bare 50-row listing: one client,
    one request at a time on a kept-alive loopback connection, after a
    warm-up. `percentile(..., 95)` of it is the yardstick page benchmarks
    state their p95 target against ("page p95 ≤ 2× the yardstick's")."""
    with bare_listing(env) as (port, path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            timings = []
            for i in range(warmup + requests):
                status, ms, _ = timed_get(conn, path)
                if status != 200:
                    sys.exit(f"the bare listing answered {status}")
                if i >= warmup:
                    timings.append(ms)
            return timings
        finally:
            conn.close()


def bare_file_rate(
    env: dict[str, str], *, file: str, size: int, downloads: int, concurrency: int, workers: int = 4
) -> float:
    """MB/s of a bare Django view streaming `file` (GET /file of `_bare.py`,
    a FileResponse as attachment, no access check), `downloads` downloads
    `concurrency` at once: the yardstick for file download benchmarks."""
    from concurrent.futures import ThreadPoolExecutor

    with gunicorn({**env, "BENCH_BARE_FILE": file}, workers=workers, app=BARE_APP) as (_process, port):

        def one(_):
            status, _, body = request(port, "GET", "/file")
            if status != 200 or len(body) != size:
                sys.exit(f"the bare file view answered {status} with {len(body)} bytes")

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(one, range(concurrency)))  # warm-up
            started = time.perf_counter()
            list(pool.map(one, range(downloads)))
            elapsed = time.perf_counter() - started
    return downloads * size / 1_048_576 / elapsed


@contextmanager
def scratch_database(suffix: str):
    """A fresh PostgreSQL database beside DATABASE_URL's, dropped afterwards.

    Yields its URL. Benchmarks that load thousands of rows use one so that
    the database named in DATABASE_URL is left as it was.
    """
    import psycopg

    parts = urlsplit(os.environ.get("DATABASE_URL", ""))
    name = f"{parts.path.lstrip('/')}_bench_{suffix}"

    def admin():
        return psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            autocommit=True,
        )

    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def signed_in_session(user, *, second_factor: bool = False) -> str:
    """A session key for `user`, as the login page would leave it (with the
    second factor recorded the way allauth records it, for staff pages)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_factor:
        now = time.time()
        store["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        store["account_authentication_methods_user"] = str(user.pk)
    store.create()
    return store.session_key


# --- Page benchmarks: one script prepares, another process measures --------------------


def prepare_in_child(script: str, env: dict[str, str]) -> dict:
    """Run `script --prepare` (Django set up in a child process with `env`) and
    return the JSON its last line prints: seeding and query counting stay out
    of the measuring process."""
    out = subprocess.run([PYTHON, script, "--prepare"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        sys.exit(f"preparation failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def vacuum_analyze(database_url: str) -> None:
    """VACUUM ANALYZE after a bulk load, so autovacuum does not run (and take
    CPU) in the middle of the measurements, and the planner knows the sizes."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def pages_beside_bare_listing(
    env: dict[str, str], paths: dict[str, list[str]], *, headers: dict, warmup: int, workers: int
) -> tuple[dict[str, list[float]], list[float]]:
    """Each page's paths in turn through gunicorn, every request followed by
    one to the bare 50-row listing (the same-run yardstick). Returns the
    portal's timings per label and the yardstick's, warm-up requests left out."""
    pages: dict[str, list[float]] = {}
    yardstick: list[float] = []
    with gunicorn(env, workers=workers) as (_portal, port), bare_listing(env, workers=workers) as (bare_port, bare):
        portal_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        bare_conn = http.client.HTTPConnection("127.0.0.1", bare_port, timeout=30)
        for label, label_paths in paths.items():
            timings = pages.setdefault(label, [])
            for i, path in enumerate(label_paths):
                status, ms, _ = timed_get(portal_conn, path, headers)
                if status != 200:
                    sys.exit(f"{label}: HTTP {status} for {path}")
                bare_status, bare_ms, _ = timed_get(bare_conn, bare)
                if bare_status != 200:
                    sys.exit(f"bare listing: HTTP {bare_status}")
                if i >= warmup:
                    timings.append(ms)
                    yardstick.append(bare_ms)
        portal_conn.close()
        bare_conn.close()
    return pages, yardstick


def p50_p95(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95)}
