from __future__ import annotations

import pytest

from tests.support.redis_server import RedisServer


@pytest.fixture
def redis_server():
    """A redis-server of the test's own, on a loopback port, to stop and start."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()
