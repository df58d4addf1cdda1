"""A Redis cache that fails soft.

Redis may blink — stopped for a minute, restarted, slow for a few seconds.
Whatever the portal keeps there (page fragments, the petition JSON, rate-limit
counters, allauth's login-failure counts) is worth having, never worth an
error page. So every call goes to Redis with short socket timeouts and, when
Redis does not answer, to a cache in this process instead:

- reads and writes keep working, per process (rate limits then count per web
  process: still limits, each process counting on its own);
- after a failure Redis is left alone for `RETRY_AFTER_SECONDS`, so a slow
  Redis costs one timeout per process per interval, not one per call;
- the failure is logged once per interval, not once per request.

Sessions are not kept here (they live in PostgreSQL), so a blink never signs
anyone out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        # A cache that takes longer than this is not worth waiting for.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        # redis-py otherwise retries a refused connection three times with
        # back-off sleeps (seconds): here the fallback is the retry.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._fallback = LocMemCache(f"fail-soft-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self._down_until = 0.0
        self._last_logged = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """False while Redis is being left alone after a failure."""
        return time.monotonic() >= self._down_until

    def _call(self, name: str, fallback: Callable[[], T], primary: Callable[[], T]) -> T:
        if not self.available:
            return fallback()
        try:
            return primary()
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            with self._lock:
                self._down_until = now + RETRY_AFTER_SECONDS
                log = now - self._last_logged >= LOG_EVERY_SECONDS
                if log:
                    self._last_logged = now
            if log:
                logger.warning("Redis cache unavailable (%s: %s); using this process's memory for now.", name, exc)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "add",
            lambda: self._fallback.add(key, value, timeout, version),
            lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version),
        )

    def get(self, key, default=None, version=None):
        return self._call(
            "get",
            lambda: self._fallback.get(key, default, version),
            lambda: super(FailSoftRedisCache, self).get(key, default, version),
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set",
            lambda: self._fallback.set(key, value, timeout, version),
            lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "touch",
            lambda: self._fallback.touch(key, timeout, version),
            lambda: super(FailSoftRedisCache, self).touch(key, timeout, version),
        )

    def delete(self, key, version=None):
        self._fallback.delete(key, version)
        return self._call("delete", lambda: False, lambda: super(FailSoftRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._call(
            "get_many",
            lambda: self._fallback.get_many(keys, version),
            lambda: super(FailSoftRedisCache, self).get_many(keys, version),
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key",
            lambda: self._fallback.has_key(key, version),
            lambda: super(FailSoftRedisCache, self).has_key(key, version),
        )

    def incr(self, key, delta=1, version=None):
        return self._call(
            "incr",
            lambda: self._fallback.incr(key, delta, version),
            lambda: super(FailSoftRedisCache, self).incr(key, delta, version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set_many",
            lambda: self._fallback.set_many(data, timeout, version),
            lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version),
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._fallback.delete_many(keys, version)
        return self._call(
            "delete_many", lambda: None, lambda: super(FailSoftRedisCache, self).delete_many(keys, version)
        )

    def clear(self):
        self._fallback.clear()
        return self._call("clear", lambda: False, lambda: super(FailSoftRedisCache, self).clear())
