"""Loaded into the fault tests' workers (`celery worker -I tests.faults.tasks`), never in production.

The product's tasks run unchanged; thin wrappers around a few of their steps make faults
reproducible. A test flips them at run time with Redis keys on the workers' own database
(see `faults` in conftest.py):

- faults:chunk_rows = N         imports commit every N rows ...
- faults:chunk_delay = S        ... and each chunk takes S seconds longer, inside its
                                transaction, so a kill lands mid-import and mid-chunk
- faults:import_error:<job> = T every chunk of that import fails with OperationalError(T), as a
                                dropped database connection would
- faults:write_chunk = N        scoring writes N accounts per transaction ...
- faults:scoring_delay = S      ... and waits S seconds after each one
- faults:scoring_error = T      every scoring write fails with OperationalError(T)
Each run is appended to `faults:attempts:import:<job id>` / `faults:attempts:scoring:<run id>`
with its pool process id and retry number.

Boot-time switches (environment): FAULTS_VISIBILITY_TIMEOUT=S hands unacknowledged messages back
after S seconds (production: an hour); FAULTS_MAX_RETRIES=N caps retries to keep tests short.
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


_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _client


def switch(name: str, default: str = "") -> str:
    value = _redis().get(f"faults:{name}")
    return value.decode() if value is not None else default


def _record_attempt(kind: str, key: int | None) -> None:
    from celery import current_task

    retries = current_task.request.retries if current_task and current_task.request.id else None
    entry = {"at": time.time(), "retries": retries, "pid": os.getpid()}
    _redis().rpush(f"faults:attempts:{kind}:{key}", json.dumps(entry))


@worker_process_init.connect
def _install_faults(**_kwargs) -> None:
    _install_import_faults()
    _install_scoring_faults()
    if os.environ.get("FAULTS_MAX_RETRIES"):
        for task in app.tasks.values():
            if task.name.startswith(("accounts.", "scoring.", "matching.", "campaigns.")):
                task.max_retries = int(os.environ["FAULTS_MAX_RETRIES"])


def _install_import_faults() -> None:
    from django.db import OperationalError

    from accounts import import_services

    real_loader_for = import_services._loader_for
    real_import_run = import_services.import_run

    def loader_for(job):
        loader, rows = real_loader_for(job)

        @functools.wraps(loader)
        def load(ctx, items):
            error = switch(f"import_error:{job.pk}")
            if error:
                raise OperationalError(error)
            outcome = loader(ctx, items)
            time.sleep(float(switch("chunk_delay", "0")))  # inside the chunk's transaction
            return outcome

        return load, int(switch("chunk_rows", "0")) or rows

    def import_run(*, job, **kwargs):
        _record_attempt("import", job.pk)
        return real_import_run(job=job, **kwargs)

    import_services._loader_for = loader_for
    import_services.import_run = import_run


def _install_scoring_faults() -> None:
    try:
        from scoring import pipeline, services
    except ImportError:  # scoring not built yet
        return
    from django.db import OperationalError

    real_write = pipeline.write_scores
    real_score = services.score_accounts
    default_write_chunk = services.WRITE_CHUNK

    def write_scores(**kwargs):
        error = switch("scoring_error")
        if error:  # before writing: a retry finds the same work and fails the same way
            raise OperationalError(error)
        real_write(**kwargs)  # its own transaction: committed when this returns
        time.sleep(float(switch("scoring_delay", "0")))

    def score_accounts(*, run=None, **kwargs):
        services.WRITE_CHUNK = int(switch("write_chunk", "0")) or default_write_chunk
        _record_attempt("scoring", run.pk if run is not None else None)
        return real_score(run=run, **kwargs)

    pipeline.write_scores = write_scores
    services.score_accounts = score_accounts
