"""Celery entry points for accounts: thin, ids in, one service call each."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import ImportJob


@shared_task(
    bind=True,
    queue="imports",
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's job is redelivered and resumes at its cursor
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60 * 25,
    time_limit=60 * 30,
)
def import_job_run(self, *, job_id: int) -> None:
    """Run the job; a database outage is retried with backoff, and the job is marked failed
    (with the reason, for the result page) once no retry is left or on any other error.

    Each retry resumes at the committed cursor, so the rows already imported are kept.
    """
    from accounts.import_services import import_job_fail, import_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:  # deleted after it was queued
        return
    try:
        import_run(job=job)
    except OperationalError as exc:
        if self.max_retries is not None and self.request.retries >= self.max_retries:
            import_job_fail(job_id=job_id, error=exc, attempts=self.request.retries + 1)
        raise  # autoretry_for turns this into a retry while retries remain
    except Exception as exc:
        import_job_fail(job_id=job_id, error=exc, attempts=self.request.retries + 1)
        raise


@shared_task(
    queue="imports",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60 * 5,
    time_limit=60 * 6,
)
def import_followups_queue(*, job_id: int) -> None:
    """After a finished import: queue matching of its people and scoring of its accounts."""
    from accounts.import_services import import_queue_followups

    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.DONE).first()
    if job is None:  # undone or deleted in the meantime
        return
    import_queue_followups(job=job)


# SDR queue tasks live with the queue; importing them here lets Celery's autodiscovery find them.
from accounts.queue.tasks import sla_clocks_sync_all  # noqa: E402, F401


@shared_task(queue="imports", acks_late=True, soft_time_limit=60, time_limit=120)
def import_jobs_requeue_stalled_task() -> None:
    from accounts.import_services import import_jobs_requeue_stalled

    import_jobs_requeue_stalled()
