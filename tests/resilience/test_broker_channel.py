"""A broker channel whose connection was closed under it (Redis went away)
answers with a connection error, which Celery logs and recovers from, never
the AttributeError that stops a worker (cma/broker.py)."""

from __future__ import annotations

import pytest
import redis
from kombu import Connection


@pytest.fixture
def detached_channel(redis_server):
    """A channel whose transport Celery detached from its connection, as it
    does when the connection to Redis drops: what a task finishing during
    the outage then acknowledges through."""
    connection = Connection(redis_server.url, transport="cma.broker:Transport")
    channel = connection.channel()
    connection._do_close_transport()
    return channel


def test_acknowledging_a_task_after_the_connection_closed_is_a_connection_error(detached_channel):
    # What kombu's ack_log_error and Celery's consumer catch as a connection
    # loss (without cma/broker.py: AttributeError, and the worker exits).
    with pytest.raises(redis.exceptions.ConnectionError):
        detached_channel.qos.ack("a-delivery-tag")
