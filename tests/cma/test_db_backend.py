"""The PostgreSQL health check: no round trip for a quiet idle connection,
Django's full check for anything else, and a terminated backend is found."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql
from django.test.utils import CaptureQueriesContext

from cma.db_backends.postgresql import base as portal_backend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the health check is PostgreSQL's (CI runs it)")


@pytest.fixture
def select_one_calls(monkeypatch):
    """How often Django's round-trip check (SELECT 1) ran."""
    calls = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return calls


def _terminate_from_outside() -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or None,
        port=settings["PORT"] or None, password=settings["PASSWORD"] or None, autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    # The server's notice and the closed socket arrive a moment later.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if connection.is_usable() is False:
            return
        time.sleep(0.02)


def test_the_settings_choose_the_portals_backend():
    assert isinstance(connections["default"], portal_backend.DatabaseWrapper)


def test_a_quiet_idle_connection_is_usable_without_a_round_trip(select_one_calls):
    connection.ensure_connection()
    assert connection.is_usable() is True
    assert select_one_calls == []


def test_a_connection_inside_a_transaction_gets_the_full_check(select_one_calls):
    connection.ensure_connection()
    connection.connection.execute("BEGIN")
    try:
        assert connection.is_usable() is True
    finally:
        connection.connection.execute("ROLLBACK")
    assert len(select_one_calls) == 1


def test_a_terminated_backend_is_not_usable_and_the_next_request_reconnects(select_one_calls):
    connection.ensure_connection()
    _terminate_from_outside()
    assert connection.is_usable() is False
    # What Django does at the start of a request with health checks on.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_no_connection_is_not_usable():
    connection.close()
    assert connection.is_usable() is False


_OWN_QUERY_TEXT = "SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid() AND %s <> ''"


def test_the_server_binding_cursor_sends_values_apart_from_the_statement():
    with connection.server_binding_cursor() as cursor:
        cursor.execute(_OWN_QUERY_TEXT, ["it's a value"])
        (as_received,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(_OWN_QUERY_TEXT, ["it's a value"])
        (as_django_sends,) = cursor.fetchone()

    assert "$1" in as_received and "a value" not in as_received
    assert "it''s a value" in as_django_sends  # Django's cursors quote it into the text


def test_the_server_binding_cursor_is_logged_and_counted():
    with CaptureQueriesContext(connection) as queries, connection.server_binding_cursor() as cursor:
        cursor.execute("SELECT %s + %s", [40, 2])
        assert cursor.fetchone() == (42,)

    assert len(queries) == 1
    assert "SELECT" in queries[0]["sql"]
