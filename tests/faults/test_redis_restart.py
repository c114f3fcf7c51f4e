"""Redis goes away and comes back: workers consume again without anyone restarting them."""

import os
import time

from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError

from abm.tasks import ping
from tests.faults.harness import (
    needs_broker_and_postgres,
    publish_fresh,
    redis_start,
    redis_stop,
    stored_result,
    wait_for,
)
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
    # then the same worker (never restarted) reconnects, takes a task published after the
    # restart and stores its answer; pings are sent again until one is answered, since the
    # worker may still be reconnecting when the first ones arrive
    payload = wait_for(
        lambda: _ping_answered(worker.queue, value=21),
        timeout=60,
        interval=0.5,
        what="a ping after Redis restarted",
    )
    assert payload["value"] == 42
    assert payload["worker_pid"] != os.getpid()
    assert worker.proc.poll() is None
    # and a task that takes a while is consumed and answered as well
    task_id = publish_fresh(sleep_then_ping.name, worker.queue, seconds=0.5, value=5)
    slow = wait_for(
        lambda: stored_result(task_id), timeout=30, interval=0.1, what="sleep_then_ping"
    )
    assert slow["value"] == 10


def _ping_answered(queue: str, *, value: int) -> dict | None:
    """One ping sent now and up to 5 s for its answer; None (poll again) if there is none yet."""
    try:
        task_id = publish_fresh(ping.name, queue, value=value)
    except (BrokerError, RedisConnectionError, OSError):
        return None  # Redis still coming up
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if (found := stored_result(task_id)) is not None:
            return found
        time.sleep(0.1)
    return None
