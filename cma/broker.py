"""The Celery broker transport: kombu's Redis transport, surviving a Redis
that goes away while a task is in flight.

When the connection to Redis drops, Celery closes the kombu connection,
which detaches the transport from it (`transport.client = None`) while
channels still point at the transport. Anything a channel does next that
needs a fresh Redis client — closing itself and giving the unacknowledged
messages back, or acknowledging a task that finished during the outage —
asks the missing connection for its host name and raises AttributeError
("'NoneType' object has no attribute 'hostname'"), which Celery treats as
unrecoverable: the worker exits, and stays down once Redis is back. (An old
kombu bug in new clothes, kombu 5.x: celery/kombu#582, #970.)

Here a channel whose transport was detached says so as what it is, a
connection error: Celery logs the ack it could not make (the message stays
in Redis's unacked set, restored and redelivered later; the portal's tasks
are idempotent) and reconnects. A close that fails that way is logged too.
The worker lives on.
"""

from __future__ import annotations

import logging
from typing import Any

import redis as redis_py
from kombu.transport import redis

logger = logging.getLogger(__name__)


class BrokerConnectionClosed(redis_py.exceptions.ConnectionError):
    """The channel's transport was detached from its connection."""


class Channel(redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            raise BrokerConnectionClosed("The connection to the broker was closed; reconnecting.")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params

    def close(self) -> None:
        try:
            super().close()
        except (AttributeError, redis_py.exceptions.ConnectionError):
            logger.warning("Closed a broker channel whose connection was already gone; reconnecting.", exc_info=True)


class Transport(redis.Transport):
    Channel = Channel
