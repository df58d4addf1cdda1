import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_cached_reports():
    """Each test starts with no report pages cached (the cache outlives a test's database)."""
    cache.clear()
    yield
    cache.clear()
