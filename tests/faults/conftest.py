import uuid

import pytest

from abm import health
from tests.faults.harness import Worker, fault_broker_url, redis_alive, redis_start


@pytest.fixture(autouse=True)
def _fresh_broker_answers():
    health.forget_answers()
    yield
    health.forget_answers()


@pytest.fixture
def fault_queue():
    return f"faults-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def fault_app(fault_queue):
    """A Celery client on the fault tests' own Redis database; emptied afterwards."""
    from celery import Celery

    app = Celery("abm-faults", set_as_current=False)
    url = fault_broker_url()
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    yield app
    app.close()
    if redis_alive():
        import redis

        redis.Redis.from_url(url).flushdb()


@pytest.fixture
def send(fault_app, fault_queue):
    """send(task, **kwargs) -> AsyncResult: the task, by name, onto this test's own queue."""

    def _send(task, **kwargs):
        return fault_app.send_task(task.name, kwargs=kwargs, queue=fault_queue)

    return _send


@pytest.fixture
def start_worker(transactional_db, fault_queue, tmp_path):
    """start_worker(concurrency=1, **env) -> a running Worker; all are stopped afterwards.

    Depends on transactional_db so the workers see committed rows and are stopped before the
    test database is flushed.
    """
    workers: list[Worker] = []

    def _start(*, concurrency: int = 1, **env: str) -> Worker:
        worker = Worker(
            queue=fault_queue,
            log_dir=tmp_path,
            concurrency=concurrency,
            env={k: str(v) for k, v in env.items()},
        )
        workers.append(worker)
        return worker.start()

    yield _start
    for worker in workers:
        worker.stop()


@pytest.fixture
def redis_comes_back():
    """Whatever a test does to Redis, it is running again afterwards."""
    yield
    redis_start()
