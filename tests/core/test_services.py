"""The cache backends that throttle counters live in, on real services."""

from django.core.cache.backends.redis import RedisCache


def test_redis_cache_counts_in_windows(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "billfold-test"})
    cache.delete("throttle:probe")
    assert cache.add("throttle:probe", 0, timeout=60) is True
    assert cache.incr("throttle:probe") == 1
    assert cache.incr("throttle:probe") == 2
    assert cache.add("throttle:probe", 0, timeout=60) is False
    cache.delete("throttle:probe")
    assert cache.get("throttle:probe") is None
