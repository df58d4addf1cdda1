"""Moved to `cma.ratelimit`, where every app can use it; kept so imports of
`petitions.ratelimit` go on working."""

from cma.ratelimit import Rate, client_key, hit, hit_all, parse_rate

__all__ = ["Rate", "client_key", "hit", "hit_all", "parse_rate"]
