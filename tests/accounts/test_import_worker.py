"""A real Celery worker killed in the middle of an import: the job resumes and finishes exactly once."""

import os
import signal
import time

import pytest
from django.db import transaction

from accounts.import_services import import_job_create, import_job_queue
from accounts.models import Contact, ImportJob
from tests.conftest import requires_worker
from tests.factories import WorkspaceFactory

ROWS = 20_000


def wait_for(predicate, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@requires_worker
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_import_resumes_with_no_duplicates(tmp_path):
    # given a 20,000-row import in chunks of 500, queued to the real worker (.ci/run starts it)
    workspace = WorkspaceFactory(slug="killed")
    path = tmp_path / "people.csv"
    path.write_text("Email,FirstName\n" + "".join(f"p{i}@acme.com,P{i}\n" for i in range(ROWS)))
    job = import_job_create(workspace=workspace, kind="contacts", path=path)
    ImportJob.objects.filter(pk=job.pk).update(progress={"chunk_rows": 500})
    with transaction.atomic():
        import_job_queue(job=job)
    # when the worker process running it is killed after some chunks have committed
    running = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, rows_done__gte=1000).first())
    pid = running.progress["pid"]
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    # then the task is delivered again, resumes at its cursor and finishes
    done = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="done").first(), timeout=300)
    assert done.progress["pid"] != pid
    assert done.counts == {
        "rows": ROWS,
        "created": ROWS,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert Contact.objects.for_workspace(workspace).count() == ROWS
