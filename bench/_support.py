"""What every benchmark needs: production-mode settings, gunicorn on loopback, timing.

Benchmarks import this as `from _support import ...` (they run as scripts from
the bench/ directory). They take DATABASE_URL and REDIS_URL from the
environment, start what they serve, and stop it again.
"""

from __future__ import annotations

import http.client
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
    """Print the headline as the last line and exit non-zero when a target was missed."""
    print(f"{headline} — {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


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
