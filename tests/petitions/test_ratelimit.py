"""Rate-limit counters: on Redis when the suite has REDIS_URL (CI), else through the cache API."""

from __future__ import annotations

import pytest
from django.conf import settings

from petitions import ratelimit

ON_REDIS = bool(settings.REDIS_URL)


def test_parse_rate_reads_counts_and_windows():
    assert ratelimit.parse_rate("30/10m") == ratelimit.Rate(count=30, seconds=600)
    assert ratelimit.parse_rate("5/h") == ratelimit.Rate(count=5, seconds=3600)
    with pytest.raises(Exception, match="looks like"):
        ratelimit.parse_rate("thirty a minute")


def test_each_key_counts_on_its_own_and_says_when_it_is_over():
    per_ip, per_email = ratelimit.Rate(count=3, seconds=600), ratelimit.Rate(count=1, seconds=3600)

    answers = [
        ratelimit.hit_all([("ip", "203.0.113.7", per_ip), ("email", f"a{n % 2}@example.org", per_email)])
        for n in range(4)
    ]

    assert answers == [[True, True], [True, True], [True, False], [False, False]]


@pytest.mark.skipif(not ON_REDIS, reason="the Redis counters exist only with REDIS_URL (CI sets it)")
def test_redis_counters_expire_with_their_window():
    import redis
    from django.core.cache import cache

    rate = ratelimit.Rate(count=10, seconds=60)
    ratelimit.hit_all([("ip", "203.0.113.8", rate)])
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])

    keys = client.keys(cache.make_key("rl:ip:*"))  # cma.ratelimit's counters, shared with other forms
    assert len(keys) == 1
    assert 0 < client.ttl(keys[0]) <= rate.seconds + 5
    assert int(client.get(keys[0])) == 1

    cache.clear()
    assert client.keys(cache.make_key("petitions:rl:*")) == []
