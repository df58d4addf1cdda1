"""The cache fails soft: Redis down or slow costs a per-process cache for a
while, never an exception — and Redis is used again once it is back."""

from __future__ import annotations

import time

import pytest

from cma import cache as fail_soft
from cma.cache import FailSoftRedisCache


@pytest.fixture
def quick_retry(monkeypatch):
    monkeypatch.setattr(fail_soft, "RETRY_AFTER_SECONDS", 0.3)


@pytest.fixture
def make_cache():
    """Caches on a test's Redis, their connections closed after the test (a
    socket left to the garbage collector is a warning, an error here)."""
    made: list[FailSoftRedisCache] = []

    def make(url: str) -> FailSoftRedisCache:
        made.append(FailSoftRedisCache(url, {"KEY_PREFIX": "t"}))
        return made[-1]

    yield make
    for cache in made:
        for pool in cache._cache._pools.values():
            pool.disconnect()


def test_with_redis_up_values_live_in_redis(redis_server, make_cache):
    import redis

    cache = make_cache(redis_server.url)
    cache.set("greeting", "hello", 60)

    assert cache.get("greeting") == "hello"
    with redis.Redis.from_url(redis_server.url) as client:
        assert client.exists(cache.make_key("greeting"))


def test_redis_stopped_means_a_per_process_cache_not_an_error(redis_server, quick_retry, caplog, make_cache):
    cache = make_cache(redis_server.url)
    cache.set("greeting", "hello", 60)
    redis_server.stop()

    with caplog.at_level("WARNING", logger="cma.cache"):
        assert cache.get("greeting") is None  # Redis's copy is out of reach
        cache.set("greeting", "local", 60)
        assert cache.get("greeting") == "local"
        assert cache.add("counter", 1, 60) is True
        assert cache.incr("counter") == 2
        assert cache.get_many(["greeting", "counter"]) == {"greeting": "local", "counter": 2}
        cache.delete_many(["greeting"])
        for _ in range(20):
            cache.get("anything")

    warnings = [r for r in caplog.records if r.name == "cma.cache"]
    assert len(warnings) == 1  # logged once, not once per call


def test_redis_back_is_used_again(redis_server, quick_retry, make_cache):
    cache = make_cache(redis_server.url)
    redis_server.stop()
    cache.get("x")
    redis_server.start()
    time.sleep(0.4)

    cache.set("after", "back", 60)

    assert make_cache(redis_server.url).get("after") == "back"


def test_a_slow_redis_costs_one_short_timeout_then_nothing(redis_server, make_cache):
    cache = make_cache(redis_server.url)
    cache.set("k", "v", 60)
    redis_server.pause(3)

    started = time.monotonic()
    first = cache.get("k", "default")
    first_took = time.monotonic() - started
    started = time.monotonic()
    for _ in range(50):
        cache.get("k", "default")
    rest_took = time.monotonic() - started

    assert first == "default"
    assert first_took < 1.5
    assert rest_took < 0.2  # Redis is left alone for a while after a timeout
