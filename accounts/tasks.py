"""Celery entry points for accounts: thin, ids in, one service call each."""

from celery import shared_task
from django.db import OperationalError

from accounts.models import ImportJob


@shared_task(
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
def import_job_run(*, job_id: int) -> None:
    from accounts.import_services import import_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:  # deleted after it was queued
        return
    import_run(job=job)


# SDR queue tasks live with the queue; importing them here lets Celery's autodiscovery find them.
from accounts.queue.tasks import sla_clocks_sync_all  # noqa: E402, F401


@shared_task(queue="imports", acks_late=True, soft_time_limit=60, time_limit=120)
def import_jobs_requeue_stalled_task() -> None:
    from accounts.import_services import import_jobs_requeue_stalled

    import_jobs_requeue_stalled()
