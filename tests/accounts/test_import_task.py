"""The import task's outcome when a run fails: retried with backoff, then shown as failed.

Eager mode on any database: Celery runs each retry inline, so this checks the task's own logic;
tests/faults/test_import_faults.py checks the same with a real worker and broker.
"""

import pytest
from django.db import OperationalError

from abm.celery import app
from accounts import import_services
from accounts.import_services import import_job_create
from accounts.importing.loaders.orm import LOADERS
from accounts.models import Contact, ImportJob
from accounts.tasks import import_job_run

pytestmark = pytest.mark.django_db

REASON = "server closed the connection unexpectedly"


@pytest.fixture
def job(workspace, tmp_path):
    path = tmp_path / "Contact.csv"
    path.write_text(
        "Id,FirstName,LastName,Email\n"
        + "".join(f"003{i:03d},Ada,Number{i},ada{i}@example.com\n" for i in range(6))
    )
    return import_job_create(workspace=workspace, kind="contacts", path=path)


@pytest.fixture
def retries(monkeypatch):
    """The countdown of every retry the task asks for, in order."""
    task = import_job_run._get_current_object()
    real_retry = task.retry
    asked: list[float | None] = []

    def retry(*args, **kwargs):
        asked.append(kwargs.get("countdown"))
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(task, "retry", retry)
    monkeypatch.setattr(task, "max_retries", 2)
    # As on a worker: a retry is re-run (inline here), not raised to the caller.
    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    return asked


def failing_loader(monkeypatch, *, fail_times: int, error: Exception):
    """Chunks fail `fail_times` times with `error`, then load normally; returns the call count."""
    calls = {"n": 0}

    def loader_for(job):
        def load(ctx, items):
            calls["n"] += 1
            if calls["n"] <= fail_times:
                raise error
            return LOADERS[job.kind](ctx, items)

        return load, 2

    monkeypatch.setattr(import_services, "_loader_for", loader_for)
    return calls


def test_a_run_whose_database_keeps_failing_is_retried_with_backoff_then_failed_with_its_reason(
    job, retries, monkeypatch
):
    # given a job whose every chunk loses its database connection
    calls = failing_loader(monkeypatch, fail_times=99, error=OperationalError(REASON))
    # when the task runs (and its retries, inline)
    result = import_job_run.apply(kwargs={"job_id": job.pk})
    # then it was tried three times, each retry after a backoff countdown ...
    assert calls["n"] == 3
    assert result.failed()
    assert isinstance(result.result, OperationalError)
    # (the third failure asks for a retry too, and is refused: no retry left)
    assert len(retries) == 3
    # exponential backoff with full jitter: retry n waits between 0 and 2**n seconds
    assert all(c is not None and 0 <= c <= 2**n for n, c in enumerate(retries))
    # ... and the admin sees that it failed, and why
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert REASON in job.error_message
    assert "3 attempts" in job.error_message
    assert job.finished_at is not None


def test_a_run_that_fails_once_is_retried_and_finishes_where_it_stopped(job, retries, monkeypatch):
    # given a job whose third chunk fails once (two chunks of two rows are committed by then)
    state = {"n": 0}

    def loader_for(job):
        def load(ctx, items):
            state["n"] += 1
            if state["n"] == 3:
                raise OperationalError(REASON)
            return LOADERS[job.kind](ctx, items)

        return load, 2

    monkeypatch.setattr(import_services, "_loader_for", loader_for)
    # when the task runs
    result = import_job_run.apply(kwargs={"job_id": job.pk})
    # then one retry finished it, resuming after the committed chunks: every row once
    job.refresh_from_db()
    assert result.successful()
    assert len(retries) == 1
    assert retries[0] is not None
    assert job.status == ImportJob.Status.DONE
    assert job.error_message == ""
    assert job.counts["rows"] == 6
    assert job.counts["created"] == 6
    assert Contact.objects.for_workspace(job.workspace).count() == 6


def test_an_unexpected_error_is_not_retried_and_fails_the_job_with_its_reason(
    job, retries, monkeypatch
):
    # given a job whose loader hits a bug
    calls = failing_loader(monkeypatch, fail_times=99, error=KeyError("email_domain"))
    # when the task runs
    result = import_job_run.apply(kwargs={"job_id": job.pk})
    # then it is not retried, and the job says why it stopped
    assert result.failed()
    assert isinstance(result.result, KeyError)
    assert calls["n"] == 1
    assert retries == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "KeyError" in job.error_message
    assert "email_domain" in job.error_message
