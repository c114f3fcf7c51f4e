"""Celery entry points of matching (queue "matching"): ids in, one service call, outcome on
MatchRun. Safe to run twice: a re-run re-matches the same leads to the same result."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction

from abm.models import Workspace
from matching import services
from matching.models import MatchRun

_OPTIONS = {
    "queue": "matching",
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(
    name="matching.match_contacts_to_accounts", soft_time_limit=600, time_limit=660, **_OPTIONS
)
def match_contacts_to_accounts(
    *, workspace_id: int, contact_ids: list[int] | None = None
) -> int | None:
    """Match some leads (after an import, or one that arrived by the API)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:  # deleted after the task was queued
        return None
    return services.match_contacts_to_accounts(workspace=workspace, contact_ids=contact_ids).pk


@shared_task(name="matching.match_workspace", soft_time_limit=120, time_limit=180, **_OPTIONS)
def match_workspace(*, run_id: int) -> None:
    """A full re-match: split the workspace's leads into chunks, one task per chunk."""
    run = MatchRun.objects.filter(pk=run_id).select_related("workspace").first()
    if run is None or run.status in (MatchRun.Status.DONE, MatchRun.Status.FAILED):
        return
    chunks = services.match_run_chunks(run=run)
    MatchRun.objects.filter(pk=run.pk).update(
        progress={
            "total": sum(len(c) for c in chunks),
            "done": 0,
            "chunks": 0,
            "chunks_total": len(chunks),
        }  # fmt: skip
    )
    if not chunks:
        services.match_run_finish(run=run)
        return
    for chunk in chunks:
        match_chunk.delay(run_id=run.pk, contact_ids=chunk)


@shared_task(name="matching.match_chunk", soft_time_limit=900, time_limit=960, **_OPTIONS)
def match_chunk(*, run_id: int, contact_ids: list[int]) -> None:
    run = MatchRun.objects.filter(pk=run_id).select_related("workspace").first()
    if run is None or run.status == MatchRun.Status.FAILED:
        return
    try:
        services.match_run_process_chunk(run=run, contact_ids=contact_ids)
    except SoftTimeLimitExceeded:
        services.match_run_fail(run_id=run_id, message="A chunk ran out of time.")
        raise


def match_workspace_enqueue(*, workspace: Workspace, started_by=None) -> MatchRun:
    """Create the run row (the UI polls it) and queue the re-match once it is committed."""
    run = services.match_run_start(workspace=workspace, started_by=started_by)
    transaction.on_commit(lambda: match_workspace.delay(run_id=run.pk))
    return run
