"""Is background work flowing? A short, cached check of the Celery broker for the page banner.

Pages never wait on Redis: the check gives up after `BROKER_CHECK_TIMEOUT_S`, and its answer is
kept in this process for `BROKER_CHECK_TTL_S`, so a page render costs at most one quick
connection attempt every few seconds, and none at all in between. The answer is kept in process
memory (not Django's cache) because that cache is Redis too and would be down with it.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

BROKER_CHECK_TIMEOUT_S = 0.3
BROKER_CHECK_TTL_S = 10.0
BROKER_SCHEMES = ("redis://", "rediss://", "unix://")

_lock = threading.Lock()
_answers: dict[str, tuple[float, bool]] = {}


def broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def _ping(url: str, *, timeout_s: float) -> bool:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),  # one attempt: a page must not wait on retries
    )
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def broker_reachable(*, url: str | None = None, now: float | None = None) -> bool:
    """True when the broker answers (or there is none: eager mode runs work inline)."""
    url = broker_url() if url is None else url
    if not url.startswith(BROKER_SCHEMES):
        return True  # memory:// — tasks run eagerly in the web process
    now = time.monotonic() if now is None else now
    with _lock:
        answer = _answers.get(url)
    if answer is not None and now - answer[0] < BROKER_CHECK_TTL_S:
        return answer[1]
    ok = _ping(url, timeout_s=BROKER_CHECK_TIMEOUT_S)
    with _lock:
        _answers[url] = (now, ok)
    return ok


def background_work_delayed() -> bool:
    """What the banner asks: queued imports, scoring and matching cannot reach the workers."""
    return not broker_reachable()


def forget_answers() -> None:
    """Drop cached answers (tests, and after a settings change)."""
    with _lock:
        _answers.clear()
