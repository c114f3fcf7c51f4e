"""Loaded into the fault tests' workers (`celery worker -I tests.faults.tasks`), never in production.

The product's tasks run unchanged; these switches (environment variables set by the test that
starts the worker) only make faults reproducible:

- FAULTS_VISIBILITY_TIMEOUT=S   the broker hands unacknowledged messages back after S seconds
                                (production keeps an hour; a test cannot wait that long)
- FAULTS_CHUNK_ROWS=N           imports commit every N rows ...
- FAULTS_CHUNK_DELAY=S          ... and each chunk takes S seconds longer, inside its transaction,
                                so a kill lands mid-import and mid-chunk
- FAULTS_SCORING_DELAY=S        scoring batches take S seconds longer
- FAULTS_IMPORT_ERROR=TEXT      every import run fails with OperationalError(TEXT), as a lost
                                database connection would
- FAULTS_MAX_RETRIES=N          retries before a task gives up (keeps backoff tests short)
Each attempt of an import run is appended to the Redis list `faults:attempts:<job id>`.
"""

from __future__ import annotations

import functools
import json
import os
import time

from celery import shared_task
from celery.signals import worker_process_init

from abm.celery import app

if os.environ.get("FAULTS_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(os.environ["FAULTS_VISIBILITY_TIMEOUT"]),
    }


@shared_task(name="faults.sleep_then_ping", acks_late=True, time_limit=60)
def sleep_then_ping(*, seconds: float, value: int) -> dict:
    """A task that is still running when the test pulls something out from under it."""
    time.sleep(seconds)
    return {"value": value * 2, "worker_pid": os.getpid()}


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


def _record_attempt(job_id: int) -> None:
    from celery import current_task

    retries = current_task.request.retries if current_task else None
    _redis().rpush(f"faults:attempts:{job_id}", json.dumps({"at": time.time(), "retries": retries}))


def _slow_loader(loader, delay: float):
    @functools.wraps(loader)
    def load(ctx, items):
        outcome = loader(ctx, items)
        time.sleep(delay)  # still inside the chunk's transaction: a kill here rolls it back
        return outcome

    return load


@worker_process_init.connect
def _install_faults(**_kwargs) -> None:
    from django.db import OperationalError

    from accounts import import_services

    real_loader_for = import_services._loader_for
    real_import_run = import_services.import_run
    chunk_rows = int(os.environ.get("FAULTS_CHUNK_ROWS", "0"))
    chunk_delay = float(os.environ.get("FAULTS_CHUNK_DELAY", "0"))
    import_error = os.environ.get("FAULTS_IMPORT_ERROR", "")

    def loader_for(job):
        loader, rows = real_loader_for(job)
        return _slow_loader(loader, chunk_delay), chunk_rows or rows

    def import_run(*, job, **kwargs):
        _record_attempt(job.pk)
        if import_error:
            raise OperationalError(import_error)
        return real_import_run(job=job, **kwargs)

    if chunk_rows or chunk_delay:
        import_services._loader_for = loader_for
    import_services.import_run = import_run

    scoring_delay = float(os.environ.get("FAULTS_SCORING_DELAY", "0"))
    if scoring_delay:
        _slow_scoring(scoring_delay)

    if os.environ.get("FAULTS_MAX_RETRIES"):
        for task in app.tasks.values():
            if task.name.startswith(("accounts.", "scoring.", "matching.", "campaigns.")):
                task.max_retries = int(os.environ["FAULTS_MAX_RETRIES"])


def _slow_scoring(delay: float) -> None:
    """Scoring writes in batches; each one takes `delay` seconds longer (once scoring exists)."""
    try:
        from scoring import services
    except ImportError:
        return
    for name in ("score_batch_write", "_write_batch", "scores_write"):
        real = getattr(services, name, None)
        if real is None:
            continue

        def slow(*args, _real=real, **kwargs):
            result = _real(*args, **kwargs)
            time.sleep(delay)
            return result

        setattr(services, name, slow)
