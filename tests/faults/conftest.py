import json
import uuid

import pytest

from abm import health
from tests.faults.harness import Worker, fault_broker_url, redis_shutdown, redis_start


@pytest.fixture(autouse=True)
def _fresh_broker_answers():
    health.forget_answers()
    yield
    health.forget_answers()


@pytest.fixture
def fault_redis():
    import redis

    return redis.Redis.from_url(fault_broker_url())


@pytest.fixture
def fault_app():
    """A Celery client on the fault tests' own Redis database."""
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


@pytest.fixture(scope="session")
def shared_worker(django_db_setup, tmp_path_factory):
    """One long-lived worker (two pool processes) for the tests that do not kill it whole.

    Booting a worker costs seconds, so the tests that only need one that works (or one whose
    pool child they kill: the main process replaces it) share this one. Depends on
    django_db_setup so it is stopped before the test database is dropped.
    """
    worker = Worker(
        queue=f"faults-shared-{uuid.uuid4().hex[:8]}",
        log_dir=tmp_path_factory.mktemp("faults-shared"),
        concurrency=2,
        env={"FAULTS_MAX_RETRIES": "2"},
    )
    yield worker
    worker.stop()


@pytest.fixture
def worker(shared_worker, transactional_db, fault_app):
    """The shared worker, running and idle; left idle and with an empty queue afterwards."""
    import redis

    if shared_worker.proc is None or shared_worker.proc.poll() is not None:
        shared_worker.start()
    yield shared_worker
    redis_start()  # in case the test stopped it
    redis.Redis.from_url(fault_broker_url()).delete(shared_worker.queue)
    try:
        busy = fault_app.control.inspect(
            destination=[shared_worker.node], timeout=2, limit=1
        ).active()
    except Exception:  # e.g. a connection from before a Redis restart
        busy = None
    if busy is None or any(busy.values()):
        shared_worker.stop()  # a task still running would write into the next test's tables


@pytest.fixture
def dedicated_queue():
    return f"faults-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def start_worker(transactional_db, dedicated_queue, tmp_path):
    """start_worker(**env) -> a new Worker of this test alone; all are stopped afterwards.

    Depends on transactional_db so the workers see committed rows and are stopped before the
    test database is flushed.
    """
    workers: list[Worker] = []

    def _start(*, concurrency: int = 1, **env) -> Worker:
        new = Worker(
            queue=dedicated_queue,
            log_dir=tmp_path,
            concurrency=concurrency,
            env={"FAULTS_MAX_RETRIES": "2", **{k: str(v) for k, v in env.items()}},
        )
        workers.append(new)
        return new.start()

    yield _start
    for each in workers:
        each.stop()


@pytest.fixture
def send(fault_app):
    """send(task, queue, **kwargs) -> AsyncResult: the task, by name, onto that queue.

    The message asks the worker to store its result even though the product's tasks ignore
    theirs (CELERY_TASK_IGNORE_RESULT), so `.get()` on it answers instead of timing out.
    """

    def _send(task, queue: str, **kwargs):
        return fault_app.send_task(task.name, kwargs=kwargs, queue=queue, ignore_result=False)

    return _send


@pytest.fixture
def deliver(monkeypatch, send):
    """deliver(queue, task, …): the product's own `.delay()` calls for these tasks go to that
    queue, so code paths like `import_job_queue` run unchanged."""

    def _route(queue: str, *tasks):
        for task in tasks:
            real = task._get_current_object() if hasattr(task, "_get_current_object") else task
            monkeypatch.setattr(real, "delay", lambda _t=real, **kw: send(_t, queue, **kw))

    return _route


@pytest.fixture
def faults(fault_redis):
    """faults(chunk_rows=100, …) switches worker-side faults on (see tests/faults/tasks.py)."""

    def _set(**switches):
        for name, value in switches.items():
            fault_redis.set(f"faults:{name}", str(value))

    yield _set
    import redis

    redis_start()  # in case the test stopped it
    client = redis.Redis.from_url(fault_broker_url())  # the test's client may predate a restart
    keys = list(client.scan_iter("faults:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def attempts(fault_redis):
    """attempts("import", job_id) -> the runs workers started for it, oldest first."""

    def _attempts(kind: str, key: int) -> list[dict]:
        raw = fault_redis.lrange(f"faults:attempts:{kind}:{key}", 0, -1)
        return [json.loads(x) for x in raw]

    return _attempts


@pytest.fixture
def redis_comes_back():
    """Whatever a test does to Redis, it is running again afterwards."""
    yield
    redis_start()


@pytest.fixture(scope="session", autouse=True)
def _private_redis():
    """The fault tests' own Redis server, up for the session and gone after it.

    Only where the suite runs against Redis at all (REDIS_URL set): elsewhere the tests that
    need it skip and nothing is started.
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        yield
        return
    redis_start()
    yield
    redis_shutdown()


@pytest.fixture
def product_on_fault_redis():
    """This process's pages, cache and `.delay()` calls use the private Redis server, so a test
    that stops it sees the product's outage handling without touching the machine's Redis."""
    from django.conf import settings
    from django.test import override_settings

    from abm.celery import app

    url = fault_broker_url()
    before = app.connection_for_write().as_uri(include_password=True)
    caches = {
        alias: {**config, "LOCATION": url} if "redis" in config["BACKEND"].lower() else config
        for alias, config in settings.CACHES.items()
    }
    # The Celery app reads CELERY_BROKER_URL from the Django settings each time it connects.
    with override_settings(CELERY_BROKER_URL=url, CACHES=caches):
        _drop_publishing_pools(app)
        yield url
    _drop_publishing_pools(app)
    # Tests after this one (e.g. the integration tests) must publish to .ci/run's worker again.
    publishing_to = app.amqp.producer_pool.connections.connection.as_uri(include_password=True)
    assert publishing_to == before


def _drop_publishing_pools(app) -> None:
    """Both cached pools are bound to the broker they were made for; the next publish makes new
    ones. Dropped, not closed: kombu keeps them in a registry keyed by broker and would hand the
    same (then closed) pool back when the app returns to that broker."""
    app._pool = None
    app.amqp._producer_pool = None
