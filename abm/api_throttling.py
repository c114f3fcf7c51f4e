"""Rate limits that fail open: a cache (Redis) outage must not turn every API call into a 500."""

import logging

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

log = logging.getLogger(__name__)


class _FailOpenMixin:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend is down: serve the request unthrottled
            log.warning("API throttling skipped: cache unavailable", exc_info=True)
            return True


class UserThrottle(_FailOpenMixin, UserRateThrottle):
    pass


class AnonThrottle(_FailOpenMixin, AnonRateThrottle):
    pass
