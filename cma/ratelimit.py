"""Rate limits kept in the cache (Redis in production, shared by every web process),
for the forms anyone can post without signing in (petition sign-ons and
endorsements, accessibility reports).

Fixed windows: a counter per key per window. Limits are written like
allauth's: "30/10m" is 30 attempts per 10 minutes; units are s, m, h and d.

On Redis the checks of one request are one command: a small Lua script
counts every key and starts its window's expiry, atomically. Signing is the
portal's busiest write; Django's cache API would need three round trips per
key. Without Redis (local development, the SQLite test run) the cache API does
the same with `add` and `incr`.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from redis.exceptions import RedisError

from cma.http import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_REDIS_BACKENDS = {"django.core.cache.backends.redis.RedisCache", "cma.cache.FailSoftRedisCache"}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60))


@functools.cache
def parse_rate(text: str) -> Rate:
    match = _RATE.match(text or "")
    if not match:
        raise ImproperlyConfigured(f"A rate limit looks like '30/10m', not {text!r}.")
    count, multiple, unit = match.groups()
    return Rate(count=int(count), seconds=int(multiple or 1) * _UNITS[unit])


# KEYS are the counters to bump, ARGV[i] the lifetime of KEYS[i] in seconds;
# returns the counts. A counter gets its expiry when it is created, in the
# same atomic step, so no counter can outlive its window.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""


@functools.cache
def _redis_counter(location: str):
    """The counting script on a client for `location` (one connection pool
    per process); redis-py sends it by hash, loading it on first use."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        location, socket_connect_timeout=0.25, socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    return client.register_script(_COUNT_SCRIPT)


def _redis_count():
    """The counting script for the cache's Redis, or None without Redis."""
    config = settings.CACHES["default"]
    if config["BACKEND"] not in _REDIS_BACKENDS:
        return None
    location = config["LOCATION"]
    return _redis_counter(location if isinstance(location, str) else location[0])


def hit(scope: str, key: str, rate: Rate) -> bool:
    """Count one attempt for `key`; True while the attempts in this window are within the rate."""
    return hit_all([(scope, key, rate)])[0]


def hit_all(checks: list[tuple[str, str, Rate]]) -> list[bool]:
    """Count one attempt against each (scope, key, rate) — on Redis in a
    single round trip — and say, for each, whether it is within its rate."""
    now = time.time()
    names = []
    for scope, key, rate in checks:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # keys hold emails: keep them out of Redis
        names.append((f"rl:{scope}:{digest}:{int(now // rate.seconds)}", rate.seconds + 5))
    counts = _count_on_redis(names)
    if counts is None:
        # No Redis, or Redis is down or slow: the cache API counts instead —
        # per web process while Redis is away (cma/cache.py), so the limits
        # still hold, each process counting on its own.
        counts = [_count_with_cache_api(name, expiry) for name, expiry in names]
    return [attempts <= rate.count for attempts, (_, _, rate) in zip(counts, checks, strict=True)]


def _count_on_redis(names: list[tuple[str, int]]) -> list[int] | None:
    count = _redis_count()
    if count is None or not getattr(cache, "available", True):
        return None
    try:
        return list(
            count(
                # The cache's own key prefix: cache.clear() empties these too.
                keys=[cache.make_key(name) for name, _ in names],
                args=[expiry for _, expiry in names],
            )
        )
    except (RedisError, OSError):
        return None


def _count_with_cache_api(name: str, expiry: int) -> int:
    if cache.add(name, 1, timeout=expiry):
        return 1
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=expiry)
        return 1


def client_key(request: HttpRequest) -> str:
    """The client address to limit (`cma.http.client_ip`, which knows about
    trusted proxies). IPv6 clients are limited per /64, which one household
    or server usually holds whole (it could otherwise rotate addresses for
    every request)."""
    raw = client_ip(request) or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw or "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
