"""Celery entry points for the rollups: ids in, one service call each, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from abm.cache_guard import cache_add, cache_delete
from abm.models import Workspace

_OPTIONS = {
    "queue": "default",
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**_OPTIONS, soft_time_limit=60 * 10, time_limit=60 * 12)
def rollups_refresh_task(*, workspace_id: int, account_ids: list[int] | None = None) -> None:
    """After an import or an event ingestion: recompute what changed since the last refresh."""
    from dashboards.services import rollups_refresh

    cache_delete(f"dashboards:refresh-pending:{workspace_id}")
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:  # deleted after it was queued
        return
    rollups_refresh(workspace=workspace, account_ids=account_ids)


# Imports and event batches arrive in bursts: one refresh a minute per workspace covers them all
# (a refresh reads everything since the previous one, so a skipped call loses nothing).
REFRESH_DELAY = 60


def rollups_refresh_soon(*, workspace_id: int) -> None:
    """Schedule one incremental refresh for the workspace unless one is already pending.

    Without a cache to ask, it schedules one anyway: an extra refresh costs little, a missed
    one leaves the dashboards stale until the next beat.
    """
    if cache_add(f"dashboards:refresh-pending:{workspace_id}", 1, REFRESH_DELAY):
        rollups_refresh_task.apply_async(
            kwargs={"workspace_id": workspace_id}, countdown=REFRESH_DELAY
        )


@shared_task(**_OPTIONS, soft_time_limit=60 * 25, time_limit=60 * 30)
def rollups_rebuild_task(*, workspace_id: int) -> None:
    """Everything from the source tables (nightly, after an undo, or from the refresh button)."""
    from dashboards.services import rollups_rebuild

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return
    rollups_rebuild(workspace=workspace)


@shared_task(**_OPTIONS, soft_time_limit=60 * 5, time_limit=60 * 6)
def rollups_refresh_all() -> None:
    """Beat entry: queue an incremental refresh per workspace (picks up tier/owner changes)."""
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        rollups_refresh_task.delay(workspace_id=workspace_id)
