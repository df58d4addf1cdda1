"""Start and stop a real Celery worker process for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from cma.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def _database_url(db: dict) -> str:
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


def wait_for_worker(predicate, timeout: float = 30.0, *, describe=None):
    """`predicate()`'s first true value, polled while the worker works; fails
    the test after `timeout` seconds, with `describe()` (the worker's output,
    say) in the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    detail = f":\n{describe()}" if describe is not None else ""
    raise AssertionError(f"timed out waiting for the worker{detail}")


class CeleryWorker:
    def __init__(
        self, *, queue: str, database: dict, smtp, name: str = "", extra_env: dict | None = None, control=None
    ) -> None:
        # The Celery app that pings it: this process's, unless the worker
        # runs on another broker (a test's own Redis).
        self.control = control or celery_app.control
        self.queue = queue
        self.name = f"{name or queue}@localhost"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": _database_url(database),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}",
            "EMAIL_RETRY_BACKOFF_SECONDS": "1",
            **(extra_env or {}),
        }
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cma",
                "worker",
                "--queues",
                self.queue,
                "--hostname",
                self.name,
                "--pool",
                "solo",
                "--loglevel",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.output()}")
            if self.control.ping(destination=[self.name], timeout=0.5):
                return
        self.stop()
        raise RuntimeError(f"celery worker did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would: no clean-up at all."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
