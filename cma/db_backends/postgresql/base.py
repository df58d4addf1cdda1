"""Django's PostgreSQL backend with a health check that costs no round trip.

Persistent connections are health-checked at the start of every request
(`CONN_HEALTH_CHECKS`), so that the first requests after a database restart
succeed instead of failing on a dead connection. Django checks with a
`SELECT 1`: a round trip to the server on every request, a tenth of the time
of the busiest write (signing a petition).

An idle connection receives nothing unprompted: a server that shuts down,
restarts or terminates the backend sends its notice and closes the socket,
and either makes the socket readable. So an idle connection whose socket has
nothing to read is healthy as far as any `SELECT 1` could tell; only one with
something waiting (or not idle) gets Django's full check.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
