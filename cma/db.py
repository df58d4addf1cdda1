"""Database helpers every app uses."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _insert_parts(model: type[models.Model]) -> tuple[list[models.Field], str, str, str]:
    """(fields, "INSERT INTO table (columns)", "%s, %s, …", "RETURNING id") for
    a model, its id left to the database: the same for every row, so built
    once per process."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    return (
        fields,
        f"INSERT INTO {quote(model._meta.db_table)} ({columns})",
        ", ".join(["%s"] * len(fields)),
        f"RETURNING {quote(model._meta.pk.column)}",
    )


def insert_unless_conflicting(
    model: type[M], values: Mapping[str, Any], *, only_if: tuple[str, Sequence[Any]] | None = None
) -> M | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new row, or None when
    a unique constraint already holds one like it.

    One statement where `get_or_create()` takes a SELECT, a savepoint, an
    INSERT and a release: signing a petition and queuing its email are the
    portal's busiest writes. No IntegrityError can follow, so callers need no
    savepoint either. PostgreSQL and SQLite (3.35+) both speak it. Field
    defaults, auto_now(_add) and JSON adaptation go through Django's own
    `pre_save` / `get_db_prep_save`.

    `only_if` is an SQL condition and its parameters, checked by the same
    statement (`INSERT … SELECT … WHERE condition`): when it does not hold,
    nothing is inserted and None is returned too. A condition on another row
    (the petition is still open) is then decided at the moment of the write,
    not when the caller last read that row.
    """
    row = model(**values)
    fields, insert_into, placeholders, returning = _insert_parts(model)
    # The connection itself, not the `django.db.connection` proxy: every field
    # asks it for its operations, and each question through the proxy looks up
    # the thread's connections (4 % of a petition signature's instructions).
    database = connections[DEFAULT_DB_ALIAS]
    params = [f.get_db_prep_save(f.pre_save(row, add=True), database) for f in fields]
    # Only quoted identifiers from the model's metadata and the caller's
    # condition go into the text; every value is a parameter.
    if only_if is None:
        source = f"VALUES ({placeholders})"
    else:
        condition, condition_params = only_if
        source = f"SELECT {placeholders} WHERE {condition}"
        params += list(condition_params)
    with _values_cursor(database) as cursor:
        cursor.execute(f"{insert_into} {source} ON CONFLICT DO NOTHING {returning}", params)
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding = False
    row._state.db = connection.alias
    return row


def _values_cursor(database):
    """A cursor for a statement of many values: on PostgreSQL one that sends
    them apart from the statement (`server_binding_cursor` of
    cma.db_backends.postgresql); SQLite's binds them so anyway."""
    binding_on_server = getattr(database, "server_binding_cursor", None)
    return binding_on_server() if binding_on_server is not None else database.cursor()
