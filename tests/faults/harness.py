"""The fault tests' own Celery workers, broker and Redis server controls.

Each test gets workers of its own on a Redis server of its own: the fault tests start a private
`redis-server` on a free port (or `FAULTS_REDIS_PORT`) and stop and start only that one, so the
machine's Redis on 6379, .ci/run's worker and any other run sharing the machine never see an
outage. Each test's queue and worker hostname are unique, so no other worker can take its tasks
and its faults (short visibility timeouts, killed processes) touch nothing else.
The workers run the real task code against pytest-django's test database with CONN_MAX_AGE=0,
plus `tests.faults.tasks`, whose fault switches are environment variables.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
WORKER_BOOT_TIMEOUT_S = 90
REDIS_HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((REDIS_HOST, 0))
        return probe.getsockname()[1]


REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT") or _free_port())
REDIS_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / f"abm-faults-redis-{REDIS_PORT}"

needs_broker_and_postgres = [
    pytest.mark.integration,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a Redis server)"),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL (DATABASE_URL): workers share the test database",
    ),
]


def wait_for(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.05, what: str = ""
):
    """Poll until `condition()` is truthy and return its value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(interval)


def fault_broker_url() -> str:
    """The private Redis server's URL: broker, result backend and cache of the fault workers."""
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def worker_database_url() -> str:
    """The database pytest-django created for this run, as a DATABASE_URL for a subprocess."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


class Worker:
    """One `celery worker` process group consuming one dedicated queue."""

    def __init__(
        self,
        *,
        queue: str,
        log_dir: Path,
        concurrency: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.queue = queue
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.hostname = f"faults-{uuid.uuid4().hex[:8]}@%h"
        self.node = self.hostname.replace("%h", socket.gethostname())
        self.log_path = log_dir / f"worker-{self.hostname.split('@')[0]}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": fault_broker_url(),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PYTHONPATH": str(REPO),
            **self.extra_env,
        }
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "abm",
            "worker",
            "-Q",
            self.queue,
            "--hostname",
            self.hostname,
            "--concurrency",
            str(self.concurrency),
            "-P",
            "prefork",
            "-I",
            "tests.faults.tasks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ]
        self.log = self.log_path.open("ab")
        # Its own process group, so "kill the whole worker" takes the pool children with it.
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._ready, timeout=WORKER_BOOT_TIMEOUT_S, interval=0.2, what="worker ready")
        return self

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"worker exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
        return " ready." in self.log_text()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def pool_pids(self) -> list[int]:
        import psutil

        try:
            return [p.pid for p in psutil.Process(self.proc.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_pool_child(self, pid: int) -> None:
        """SIGKILL one pool process (the one running the task); the main process survives."""
        assert pid in self.pool_pids(), f"{pid} is not a pool process of this worker"
        os.kill(pid, signal.SIGKILL)

    def kill_everything(self) -> None:
        """SIGKILL the main process and its pool at once, like a machine losing power."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        """Gone at once: nothing of a test's worker should outlive the test."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()


def publish_fresh(task_name: str, queue: str, **kwargs) -> str:
    """Send a task from a client that connects now and keeps nothing: the id of the message.

    After a Redis restart a long-lived client still holds what it had before (its result
    subscription, the exchanges it thinks are declared), so a reply it misses says nothing about
    the worker. A client made after the restart, asking for no result backend, does not.
    """
    from celery import Celery

    app = Celery("abm-faults-fresh", set_as_current=False)
    app.conf.update(
        broker_url=fault_broker_url(),
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=False,
        broker_connection_timeout=2,
    )
    try:
        # Results are off by default (CELERY_TASK_IGNORE_RESULT); this message asks for one.
        return app.send_task(task_name, kwargs=kwargs, queue=queue, ignore_result=False).id
    finally:
        app.close()


def stored_result(task_id: str) -> dict | None:
    """What the worker stored for that task in its result backend (the fault Redis database),
    read with a plain GET: the worker's side effect, seen without a Celery subscription."""
    import json

    import redis

    client = redis.Redis.from_url(fault_broker_url(), socket_connect_timeout=2)
    try:
        raw = client.get(f"celery-task-meta-{task_id}")
    finally:
        client.close()
    if raw is None:
        return None
    meta = json.loads(raw)
    assert meta["status"] == "SUCCESS", meta
    return meta["result"]


def redis_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


def redis_alive() -> bool:
    return redis_cli("ping").stdout.strip() == "PONG"


def redis_stop() -> None:
    redis_cli("shutdown", "nosave")
    wait_for(lambda: not redis_alive(), timeout=10, what="Redis to stop")


def redis_shutdown() -> None:
    """Stop the private Redis server for good, at the end of the session."""
    if redis_alive():
        redis_stop()


def redis_start() -> None:
    """Start the private Redis server (empty: it keeps nothing on disk) unless it is running."""
    if redis_alive():
        return
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--dir",
            str(REDIS_DIR),
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--bind",
            REDIS_HOST,
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        timeout=10,
        capture_output=True,
    )
    wait_for(redis_alive, timeout=15, interval=0.1, what="Redis to start")
