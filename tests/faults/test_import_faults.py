"""A CRM import survives its worker dying: killed pool child, killed worker, double delivery.

The import commits every chunk together with its cursor, so whatever happens, the end state is
the file's rows exactly once: as many contacts as lines, each CRM id once, counts that reconcile,
each created row once in the undo log.
"""

import time

import pytest

from accounts.import_services import (
    created_ids,
    import_job_create,
    import_job_queue,
    import_run,
)
from accounts.models import Contact, ImportJob
from accounts.tasks import import_job_run
from tests.factories import WorkspaceFactory
from tests.faults.harness import needs_broker_and_postgres, wait_for

pytestmark = [*needs_broker_and_postgres, pytest.mark.django_db(transaction=True)]

ROWS = 600
CHUNK_ROWS = 100


@pytest.fixture
def contacts_csv(tmp_path):
    """A Salesforce contact export of ROWS people, each with its own CRM id and email."""
    lines = ["Id,FirstName,LastName,Email,Title,Department,MailingCountry"]
    lines += [
        f"003{i:06d},Person,Number{i},person{i}@company{i % 37}.example,Director of IT,IT,Germany"
        for i in range(ROWS)
    ]
    path = tmp_path / "Contact.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def workspace_tx():
    return WorkspaceFactory(slug="faults", name="Faults Inc")


@pytest.fixture
def queued_job(workspace_tx, contacts_csv, deliver):
    """queued_job(queue) -> an import job handed to that queue's worker by `import_job_queue`."""

    def _queue(queue: str, *, before=None) -> ImportJob:
        deliver(queue, import_job_run)
        job = import_job_create(workspace=workspace_tx, kind="contacts", path=contacts_csv)
        assert job.status == ImportJob.Status.MAPPED
        if before is not None:
            before(job)
        return import_job_queue(job=job)

    return _queue


@pytest.fixture
def slow_chunks(faults):
    faults(chunk_rows=CHUNK_ROWS, chunk_delay=0.4)


def rows_done(job: ImportJob) -> int:
    return ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk)


def wait_mid_import(job: ImportJob) -> int:
    """Block until at least two chunks are committed and more remain; the cursor then."""
    return wait_for(
        lambda: (2 * CHUNK_ROWS <= (n := rows_done(job)) <= ROWS - 2 * CHUNK_ROWS) and n,
        timeout=90,
        interval=0.02,
        what="the import to be part-way through",
    )


def wait_finished(job: ImportJob, timeout: float = 90) -> ImportJob:
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).is_finished,
        timeout=timeout,
        interval=0.1,
        what=f"import job {job.pk} to finish",
    )
    return ImportJob.objects.get(pk=job.pk)


def assert_imported_exactly_once(job: ImportJob) -> None:
    people = Contact.objects.for_workspace(job.workspace)
    assert job.status == ImportJob.Status.DONE, job.error_message
    assert people.count() == ROWS
    assert people.values("crm_id").distinct().count() == ROWS
    assert people.values("email").distinct().count() == ROWS
    assert job.counts == {
        "rows": ROWS,
        "created": ROWS,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert job.rows_done == ROWS
    # the undo log names each created person exactly once
    logged = list(created_ids(job=job, model="contact"))
    assert sorted(logged) == sorted(people.values_list("pk", flat=True))


@pytest.mark.usefixtures("slow_chunks")
def test_killing_the_pool_child_mid_import_redelivers_and_resumes(worker, queued_job, attempts):
    # given a worker importing 600 contacts, 100 per committed chunk
    job = queued_job(worker.queue)
    # when the pool process running it is killed part-way through a chunk
    wait_mid_import(job)
    worker.kill_pool_child(attempts("import", job.pk)[0]["pid"])
    # then the worker's new pool process gets the task again and finishes the job, resuming at
    # the committed cursor (starting over would count the first rows again as "unchanged")
    job = wait_finished(job)
    assert_imported_exactly_once(job)
    assert len(attempts("import", job.pk)) == 2


@pytest.mark.usefixtures("slow_chunks")
def test_killing_the_whole_worker_mid_import_and_starting_another_resumes(
    start_worker, dedicated_queue, queued_job, attempts
):
    # given a worker of its own importing 600 contacts
    first = start_worker()
    job = queued_job(dedicated_queue)
    # when the whole worker dies at once (main process and pool: a lost machine)
    wait_mid_import(job)
    first.kill_everything()
    stalled_at = rows_done(job)
    time.sleep(1.5)
    assert rows_done(job) == stalled_at < ROWS
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING
    # and a new worker starts: Redis hands the unacknowledged task back once its visibility
    # timeout has passed (an hour in production, one second here)
    start_worker(FAULTS_VISIBILITY_TIMEOUT=1)
    # then the job finishes with every row exactly once
    job = wait_finished(job)
    assert_imported_exactly_once(job)
    assert len(attempts("import", job.pk)) == 2


def test_the_same_import_delivered_twice_at_once_ends_as_if_run_once(
    worker, faults, queued_job, fault_app, attempts, contacts_csv
):
    # given two pool processes and an import job
    faults(chunk_rows=CHUNK_ROWS, chunk_delay=0.2)
    job = queued_job(worker.queue)
    # when the broker delivers the same task a second time while the first still runs (its
    # result is stored, unlike the product's tasks, so the test can wait for that run to end)
    duplicate = fault_app.send_task(
        import_job_run.name, kwargs={"job_id": job.pk}, queue=worker.queue, ignore_result=False
    )
    job = wait_finished(job)
    duplicate.get(timeout=90)
    # then both runs happened, in both pool processes ...
    runs = attempts("import", job.pk)
    assert len(runs) == 2
    assert runs[0]["pid"] != runs[1]["pid"]
    # ... and the result is the one a single run gives
    assert_imported_exactly_once(job)
    reference_ws = WorkspaceFactory(slug="reference", name="Reference")
    reference = import_run(
        job=import_job_create(workspace=reference_ws, kind="contacts", path=contacts_csv),
        followups=False,
    )
    assert job.counts == reference.counts
    fields = ("crm_id", "email", "first_name", "last_name", "title", "country")
    assert set(Contact.objects.for_workspace(job.workspace).values_list(*fields)) == set(
        Contact.objects.for_workspace(reference_ws).values_list(*fields)
    )


def test_a_failing_import_is_retried_with_backoff_then_shown_as_failed_with_its_reason(
    worker, faults, queued_job, attempts
):
    # given an import whose database connection drops during every chunk (workers here give
    # up after two retries instead of five)
    reason = "server closed the connection unexpectedly"
    assert import_job_run.retry_backoff
    # when it is queued
    job = queued_job(worker.queue, before=lambda j: faults(**{f"import_error:{j.pk}": reason}))
    # then it is tried three times (the first run and two retries, with backoff) ...
    runs = wait_for(
        lambda: len(found := attempts("import", job.pk)) >= 3 and found,
        timeout=60,
        interval=0.2,
        what="three attempts",
    )
    assert [run["retries"] for run in runs] == [0, 1, 2]
    time.sleep(1.0)
    assert len(attempts("import", job.pk)) == 3
    # ... and the admin sees it failed, and why
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert reason in job.error_message
