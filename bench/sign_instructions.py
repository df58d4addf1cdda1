"""Diagnostic: CPU instructions the web process spends on one petition signature,
beside the bare one-INSERT view's — counted, not timed.

`petition_sign.py` judges throughput, which on this shared machine swings by
a third from one run to the next (its yardstick with it), so a change worth
5 % cannot be told from noise there. Instructions can: valgrind's callgrind
counts the same total for the same code and data whatever else the machine
is doing. This script runs the portal's WSGI application in-process under
callgrind, POSTs the real sign form (with its CSRF token, through every
middleware, the rate limit on Redis and the INSERT on PostgreSQL) WARM times
and then REQUESTS times, and counts only the second stretch (callgrind dumps
its counters when the script calls getppid() around it). Then the same for
`_bare.py`'s POST /insert. It prints instructions per request for both and
their ratio, and which parts of the signature cost what when each is left
out is in BENCHMARKS.md.

It only measures the Python process (PostgreSQL's and Redis's work is not
counted) and sets no target: run it before and after a change to the sign
path. About two minutes; needs valgrind (Debian's package).

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/sign_instructions.py
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from _support import INSERT_TABLE, PYTHON, ROOT, _psycopg_connect, manage, production_env, setup_django
from petition_sign import clean_up, csrf_pair, prepare_petition, signature_form

WARM = 30
RUN_VARIABLE = "BENCH_RUN"  # how the counted child learns the run's id, for its signers' addresses
REQUESTS = 150


def _environ(method: str, path: str, *, query: str = "", body: bytes = b"", cookie: str = "") -> dict:
    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": cookie,
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }  # fmt: skip


def _call(application, environ: dict) -> tuple[str, list, bytes]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], body


def _counted(request, count: int) -> None:
    """`request(i)` WARM times, then `count` times between two getppid() calls
    (where callgrind dumps its counters)."""
    for i in range(WARM):
        request(i)
    os.getppid()
    for i in range(WARM, WARM + count):
        request(i)
    os.getppid()


def child_sign(count: int) -> None:
    setup_django(dict(os.environ))  # the parent's settings, its queue and run included
    from cma.wsgi import application
    from petitions import demo
    from petitions.models import Petition
    from petitions.services import signatures

    # Under callgrind a request runs some 50 times slower, so the confirmation
    # task published once a second would land on every few counted requests
    # instead of about one in a hundred: the warm-up publishes it, the counted
    # stretch rides along, as nearly every real request does.
    signatures.CONFIRMATIONS_WINDOW_SECONDS = 3600.0
    path = Petition.objects.get(slug=demo.SLUG).get_absolute_url()
    _, headers, page = _call(application, _environ("GET", path))
    cookie, token = csrf_pair(headers, page.decode())
    run = os.environ[RUN_VARIABLE]

    def sign(i: int) -> None:
        form = signature_form(token, run, 0, i)
        status, _, _ = _call(application, _environ("POST", f"{path}sign/", body=form, cookie=f"csrftoken={cookie}"))
        if not status.startswith("302"):
            sys.exit(f"the sign form answered {status}")

    _counted(sign, count)


def child_bare(count: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import _bare

    def insert(i: int) -> None:
        status, _, _ = _call(_bare.application, _environ("POST", "/insert", query=f"n={i}"))
        if not status.startswith("200"):
            sys.exit(f"the bare view answered {status}")

    _counted(insert, count)


def _sign_env(run: str) -> dict[str, str]:
    # One client address signs every time: lift the per-address limits (they are still counted on Redis).
    return production_env(
        PETITIONS_SIGN_RATE_LIMIT_PER_IP="100000000/m",
        PETITIONS_RATE_LIMIT_PER_EMAIL="100000000/m",
        CELERY_TASK_DEFAULT_QUEUE=_queue(run),
        **{RUN_VARIABLE: run},
    )


def _queue(run: str) -> str:
    return f"bench-sign-instructions-{run}"


def instructions_per_request(kind: str, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.%p"
        child = subprocess.run(
            ["valgrind", "--tool=callgrind", "--dump-before=getppid", f"--callgrind-out-file={out}",
             PYTHON, __file__, "--child", kind, str(REQUESTS)],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if child.returncode != 0:
            sys.exit(f"the {kind} run failed:\n{child.stderr[-3000:]}")
        # Part 1 is start-up and warm-up, part 2 the counted requests.
        (counted,) = Path(scratch).glob("callgrind.*.2")
        totals = re.search(r"^(?:summary|totals): (\d+)", counted.read_text(), re.MULTILINE)
        if totals is None:
            sys.exit(f"no totals in {counted.name}")
        return int(totals.group(1)) / REQUESTS


def main() -> None:
    if "--child" in sys.argv:
        kind, count = sys.argv[-2], int(sys.argv[-1])
        (child_sign if kind == "sign" else child_bare)(count)
        return
    run = uuid.uuid4().hex[:8]
    env = _sign_env(run)
    setup_django(env)
    prepare_petition()
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)  # the pages' static manifest
    with _psycopg_connect(env) as db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {INSERT_TABLE} (id bigserial PRIMARY KEY, note text NOT NULL)")
    try:
        bare = instructions_per_request("bare", env)
        sign = instructions_per_request("sign", env)
    finally:
        with _psycopg_connect(env) as db:
            db.execute(f"DROP TABLE IF EXISTS {INSERT_TABLE}")
        clean_up(run, _queue(run))  # the signatures, their emails, the delivery tasks they published
    print(f"instructions per request in the web process ({REQUESTS} requests after {WARM} to warm up):")
    print(f"  bare one-INSERT view: {bare / 1e6:.2f} M")
    print(f"  petition signature:   {sign / 1e6:.2f} M = {sign / bare:.2f}× the bare view")


if __name__ == "__main__":
    main()
