"""Django's cache, failing open: a cache outage costs speed, never a page.

In production the cache is Redis, the same server as the Celery broker. When it is down, every
`cache.get` raises (redis-py's ConnectionError), and a dashboard that only wanted a shortcut
answered 500. Here each call that fails is logged and treated as a miss (reads) or skipped
(writes), and the cache is then left alone for `RETRY_AFTER_S` in this process, so a page with
a dozen metrics pays for one failed connection attempt, not a dozen, while Redis is away.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache import cache

log = logging.getLogger(__name__)

RETRY_AFTER_S = 10.0

_lock = threading.Lock()
_down_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _down_until


def _failed(operation: str, key: str, exc: Exception) -> None:
    global _down_until
    with _lock:
        first = time.monotonic() >= _down_until
        _down_until = time.monotonic() + RETRY_AFTER_S
    if first:  # once per outage window, not once per call
        log.warning(
            "cache %s of %s failed (%s: %s); computing without the cache for %.0f s",
            operation,
            key,
            type(exc).__name__,
            exc,
            RETRY_AFTER_S,
        )


def cache_get(key: str, default: Any = None) -> Any:
    """The cached value, or `default` when there is none or the cache cannot be reached."""
    if not _available():
        return default
    try:
        return cache.get(key, default)
    except Exception as exc:  # any backend error is a miss: the caller computes the value
        _failed("get", key, exc)
        return default


def cache_set(key: str, value: Any, timeout: float | None) -> None:
    if not _available():
        return
    try:
        cache.set(key, value, timeout)
    except Exception as exc:  # the value was computed; not keeping it only costs speed
        _failed("set", key, exc)


def cache_add(key: str, value: Any, timeout: float | None) -> bool:
    """True when the key was added, and also when the cache cannot say (fail open: act)."""
    if not _available():
        return True
    try:
        return cache.add(key, value, timeout)
    except Exception as exc:  # a duplicate action is cheaper than a lost one
        _failed("add", key, exc)
        return True


def cache_delete(key: str) -> None:
    if not _available():
        return
    try:
        cache.delete(key)
    except Exception as exc:  # the key expires on its own
        _failed("delete", key, exc)


def forget_failures() -> None:
    """Try the cache again at once (tests, and after the cache settings change)."""
    global _down_until
    with _lock:
        _down_until = 0.0
