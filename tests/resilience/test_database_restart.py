"""PostgreSQL restarted under a running portal (gunicorn, production
settings, persistent connections): requests during the restart get the
readable 503 page with Retry-After, never a traceback; /readyz says the
database is missing; the first requests after it succeed, with no restart of
the portal's processes.

The database is a cluster of this test's own (initdb, pg_ctl).
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.postgres_cluster import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    cluster.init()
    yield cluster
    cluster.destroy()


@pytest.fixture
def portal(cluster):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": cluster.url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "CRITICAL",
        "EMAIL_URL": "dummymail://",
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
        )
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cma.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "critical"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield port
    process.terminate()
    process.wait(timeout=20)


def test_a_database_restart_is_a_503_page_then_service_resumes(cluster, portal):
    for _ in range(4):  # every worker holds a persistent connection now
        assert get(portal, "/")[0] == 200

    cluster.stop()
    answers = [get(portal, path) for path in ("/", "/members/", "/events/", "/", "/readyz")]
    cluster.start()
    cluster.wait_until_up()
    after = [get(portal, path)[0] for path in ("/", "/members/", "/events/", "/petitions/", "/")]

    pages, readyz = answers[:-1], answers[-1]
    assert [status for status, _, _ in pages] == [503] * 4
    assert all(headers.get("Retry-After") == "10" for _, headers, _ in pages)
    assert all("Back in a moment" in body and "Traceback" not in body for _, _, body in pages)
    assert readyz[0] == 503 and '"database": {"ok": false' in readyz[2]
    assert after == [200] * 5
    assert get(portal, "/healthz")[0] == 200
