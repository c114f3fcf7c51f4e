"""Redis goes away and comes back: workers consume again without anyone restarting them."""

import os

from abm.tasks import ping
from tests.faults.harness import needs_broker_and_postgres, redis_start, redis_stop, wait_for
from tests.faults.tasks import sleep_then_ping

pytestmark = needs_broker_and_postgres


def test_workers_consume_again_after_redis_restarts(worker, send, redis_comes_back):
    # given a worker that consumes from Redis: a ping round-trips through another process
    payload = send(ping, worker.queue, value=1).get(timeout=30)
    assert payload == {"value": 2, "worker_pid": payload["worker_pid"]}
    assert payload["worker_pid"] != os.getpid()
    # when Redis stops, losing everything it held, and starts again empty
    redis_stop()
    redis_start()
    # then the same worker (never restarted) reconnects and a task round-trips again
    payload = wait_for(
        lambda: _try_ping(send, worker.queue),
        timeout=60,
        interval=0.5,
        what="a ping after Redis restarted",
    )
    assert payload["value"] == 42
    assert worker.proc.poll() is None
    # and a task that takes a while is consumed and answered as well
    assert send(sleep_then_ping, worker.queue, seconds=0.5, value=5).get(timeout=30)["value"] == 10


def _try_ping(send, queue):
    from celery.exceptions import TimeoutError as CeleryTimeout
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        return send(ping, queue, value=21).get(timeout=5)
    except (CeleryTimeout, BrokerError, RedisConnectionError):
        return None  # the worker may still be reconnecting: poll again
