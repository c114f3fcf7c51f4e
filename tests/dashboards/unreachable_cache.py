"""A cache backend that behaves like Redis when it is down: every call raises ConnectionError."""

from django.core.cache.backends.base import BaseCache


class UnreachableCache(BaseCache):
    calls = 0  # counted on the class: Django builds a new backend object per thread

    def __init__(self, location, params):
        super().__init__(params)

    def _refuse(self, *args, **kwargs):
        type(self).calls += 1
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = set = add = delete = get_many = set_many = delete_many = has_key = touch = _refuse
    incr = decr = clear = _refuse


UNREACHABLE = {"default": {"BACKEND": "tests.dashboards.unreachable_cache.UnreachableCache"}}
