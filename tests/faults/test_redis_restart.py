"""Redis goes away and comes back: workers consume again without anyone restarting them."""

import os

from abm.tasks import ping
from tests.faults.harness import needs_broker_and_postgres, redis_start, redis_stop, wait_for
from tests.faults.tasks import sleep_then_ping

pytestmark = needs_broker_and_postgres


def test_a_dedicated_worker_answers_a_ping(start_worker, send):
    # given the fault tests' own worker on its own queue
    start_worker()
    # when
    payload = send(ping, value=21).get(timeout=30)
    # then it was computed by another process
    assert payload["value"] == 42
    assert payload["worker_pid"] != os.getpid()


def test_workers_consume_again_after_redis_restarts(start_worker, send, redis_comes_back):
    # given a worker that has already consumed from Redis
    worker = start_worker()
    assert send(ping, value=1).get(timeout=30)["value"] == 2
    # when Redis stops, losing everything it held, and starts again empty
    redis_stop()
    redis_start()
    # then the same worker (never restarted) reconnects and a task round-trips again
    payload = wait_for(
        lambda: _try_ping(send), timeout=60, interval=0.5, what="a ping after Redis restarted"
    )
    assert payload["value"] == 42
    assert worker.proc.poll() is None
    # and a task queued while it reconnected is not lost either
    assert send(sleep_then_ping, seconds=0, value=5).get(timeout=30)["value"] == 10


def _try_ping(send):
    from celery.exceptions import TimeoutError as CeleryTimeout
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        return send(ping, value=21).get(timeout=5)
    except (CeleryTimeout, BrokerError, RedisConnectionError):
        return None  # the worker may still be reconnecting: poll again
