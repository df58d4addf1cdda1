"""The Celery broker transport: kombu's Redis transport, surviving a Redis
that goes away while a task is in flight.

When the connection to Redis drops, the worker closes its channel, and
kombu (5.7) then tries to give the unacknowledged messages back to Redis
through that very connection — already gone — and raises AttributeError
("'NoneType' object has no attribute 'hostname'"), which Celery treats as
unrecoverable: the worker exits, and stays down once Redis is back. (An old
kombu bug in new clothes: celery/kombu#582, #970.) Here the close is allowed
to fail: the unacknowledged messages stay in Redis's unacked set, where kombu
restores them once it can, and the portal's own sweepers (the outbox, pending
tasks) do not depend on them anyway. The worker reconnects by itself.
"""

from __future__ import annotations

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class Channel(redis.Channel):
    def close(self) -> None:
        try:
            super().close()
        except AttributeError:
            logger.warning("Closed a broker channel whose connection was already gone; reconnecting.", exc_info=True)


class Transport(redis.Transport):
    Channel = Channel
