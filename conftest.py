"""Shared fixtures: personas, mail, a real SMTP server, a real Celery worker, a browser.

Tasks run eagerly in tests (the same code path as `make run`), except in tests
marked `worker`, which send them through Redis to a real `celery worker`
process started here.
"""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from cma.celery import app as celery_app
from tests import factories
from tests.support.smtp import SMTPServer
from tests.support.worker import CeleryWorker

TEST_QUEUE = f"cma-test-{uuid.uuid4().hex[:8]}"


def pytest_configure(config):
    # A queue of this run's own: a developer's `make worker` on the same Redis
    # never picks up test tasks.
    celery_app.conf.task_default_queue = TEST_QUEUE


def pytest_collection_modifyitems(config, items):
    """Browser tests are named one way: `test_browser_<journey>.py`, in the
    app folder whose journey it is (tests/browser/ for journeys across apps),
    and marked `browser`."""
    misnamed = sorted(
        {
            item.path.name
            for item in items
            if {"page", "browser"} & set(getattr(item, "fixturenames", ()))
            and not (item.path.name.startswith("test_browser_") and item.get_closest_marker("browser"))
        }
    )
    if misnamed:
        raise pytest.UsageError(
            f"Browser tests must live in test_browser_<journey>.py files marked `browser`: {', '.join(misnamed)}"
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and cached pages live in the cache, open petitions in each
    # process's short-lived copies: each test starts clean.
    from cma.publish import broker_resumed, forget_published
    from petitions.permissions import forget_recent_petitions

    cache.clear()
    forget_recent_petitions()
    broker_resumed()  # a test that took the broker away leaves no pause behind
    forget_published()  # nor a window in which its tasks were published
    yield
    cache.clear()
    forget_recent_petitions()
    broker_resumed()
    forget_published()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the rows data migrations create (segments, membership tiers)
    before each transactional test.

    Transactional tests (browser journeys, concurrency, the real worker) end
    by flushing every table, which also removes those rows for the
    transactional tests after them. Re-running the migrations' own functions
    (idempotent) restores them; serialized_rollback can't, once another
    flush has recreated content types under new ids.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in (
        ("members.migrations.0002_seed_segments", "create_segments"),
        ("members.migrations.0004_seed_tiers_and_protect_acceptances", "create_tiers"),
        ("minerals.migrations.0002_reference_from_seeds", "load_reference"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite's run time; the
    # production hasher stays second so hashes made with it still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _eager_celery(request):
    uses_worker = request.node.get_closest_marker("worker") is not None
    celery_app.conf.task_always_eager = not uses_worker
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = True


# --- Personas ---------------------------------------------------------------


@pytest.fixture
def password() -> str:
    return factories.DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    """A signed-up person with a verified email, in no organization."""
    return factories.UserFactory()


@pytest.fixture
def staff_user(db):
    """Association staff with an authenticator app set up, as `request.user`
    is in a session that passed it: tests may pass it straight to services
    and permissions as the acting user. A client signed in with
    `force_login(staff_user)` has no such session (use `staff_client`)."""
    from tests.support.mfa import as_in_session_that_passed_mfa

    return as_in_session_that_passed_mfa(factories.StaffFactory())


@pytest.fixture
def member(db):
    """A representative of an organization whose membership is active."""
    return factories.MemberFactory().user


@pytest.fixture
def primary_contact(db):
    """The primary contact of an organization whose membership is active."""
    return factories.PrimaryContactFactory().user


@pytest.fixture
def applicant(db):
    """Someone whose membership application for a new organization is submitted."""
    application = factories.ApplicationFactory(status="submitted")
    return application.applicant


@pytest.fixture
def staff_without_mfa(db):
    return factories.UserFactory(is_staff=True)


def _signed_in(user) -> Client:
    """A browser of its own, signed in as `user`: a test may hold several
    personas at once (and the plain `client` stays anonymous)."""
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def user_client(user):
    return _signed_in(user)


@pytest.fixture
def member_client(member):
    return _signed_in(member)


@pytest.fixture
def primary_contact_client(primary_contact):
    return _signed_in(primary_contact)


@pytest.fixture
def staff_client(staff_user):
    """Staff signed in the way the login page signs them in: password, then
    a code from their authenticator, both recorded in the session."""
    from tests.support.mfa import sign_in_with_second_factor

    browser = Client()
    sign_in_with_second_factor(browser, staff_user)
    return browser


# --- Real services on loopback ------------------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def eager_retries():
    """Let eager tasks retry as a worker would (Celery re-raises Retry when
    eager exceptions propagate, which the rest of the suite wants)."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def smtp_settings(settings, smtp_server, eager_retries):
    """Send this process's email over SMTP to the local test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0
    return settings


@pytest.fixture(scope="session")
def smtp_server_for_worker():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_server_for_worker):
    """A real `celery -A cma worker` on Redis, using the test database.

    Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both): the worker
    is another process and must see what the tests commit.
    """
    from django.db import connection

    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("a real worker needs REDIS_URL and PostgreSQL (CI runs these tests)")
    worker = CeleryWorker(
        queue=TEST_QUEUE,
        database=connection.settings_dict,
        smtp=smtp_server_for_worker,
    )
    worker.start()
    yield worker
    worker.stop()


# --- Browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from tests.support.browser import launch_chromium

    # Playwright's sync API keeps an event loop running in the test thread;
    # Django's guard against ORM calls from async code would trip on it even
    # though the test code itself is synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, live_server, request):
    from tests.support.browser import new_page

    with new_page(browser, live_server.url, request.node.name) as page:
        yield page
