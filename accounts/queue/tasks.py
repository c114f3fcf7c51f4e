"""Celery entry points for SDR work (registered through accounts.tasks for autodiscovery)."""

from celery import shared_task
from django.db import OperationalError

from abm.models import Workspace


@shared_task(
    queue="default",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def sla_clocks_sync_all() -> int:
    """Start SLA clocks for new matched leads and MQAs in every workspace. Clocks start at the
    match / MQA moment, so a late or repeated run gives the same clocks."""
    from accounts.queue.services import sla_clocks_sync

    return sum(sla_clocks_sync(workspace=ws) for ws in Workspace.objects.order_by("pk"))
