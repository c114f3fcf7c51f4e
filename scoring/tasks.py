"""Thin Celery entry points for scoring: ids in, one service call, outcome on ScoringRun."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import OperationalError, connection

from abm.models import Workspace
from scoring import services
from scoring.models import ScoringRun

COMMON = {
    "queue": "scoring",
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
}


class ScoringRunTask(Task):
    """Once Celery gives up on a run (retries used up, time limit), the run says so and why,
    even when the attempt itself could not write that down (its connection had dropped)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        run_id = (kwargs or {}).get("run_id")
        if run_id is None:
            return
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # the attempt's connection dropped: the next query opens anew
        services.scoring_run_fail(run_id=run_id, reason=f"{type(exc).__name__}: {exc}")


# Like every product task its result is not kept: the ScoringRun row is the outcome, and a web
# process that published a task keeping results would subscribe to the result backend, which
# then blocks the next publish for minutes of reconnects while Redis is down. Callers that
# must wait (the fault tests) ask for the result when they send.
@shared_task(**COMMON, base=ScoringRunTask, soft_time_limit=1500, time_limit=1800)
def score_accounts(
    *,
    workspace_id: int,
    account_ids: list[int] | None = None,
    run_id: int | None = None,
    trigger: str = ScoringRun.Trigger.IMPORT,
) -> int | None:
    """Score a workspace (or some accounts). Running twice writes the same scores again."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    run = None
    if run_id is not None:
        run = ScoringRun.objects.for_workspace(workspace).filter(pk=run_id).first()
        if run is None:
            return None
    if run is None and account_ids is None:
        trigger = ScoringRun.Trigger.MANUAL if trigger == ScoringRun.Trigger.IMPORT else trigger
    run = services.score_accounts(
        workspace=workspace, account_ids=account_ids, run=run, trigger=trigger
    )
    return run.pk


@shared_task(**COMMON, soft_time_limit=120, time_limit=180)
def score_all_workspaces() -> int:
    """Nightly: one scoring task per workspace, so workers share the work."""
    count = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        run = ScoringRun.objects.create(
            workspace_id=workspace_id, trigger=ScoringRun.Trigger.NIGHTLY
        )
        score_accounts.delay(workspace_id=workspace_id, run_id=run.pk)
        count += 1
    return count


@shared_task(**COMMON, soft_time_limit=60, time_limit=90)
def account_engagement_refresh(*, workspace_id: int, account_id: int) -> None:
    """After an event or intent signal: refresh that account's engagement and intent now."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        services.account_engagement_refresh(workspace=workspace, account_id=account_id)


@shared_task(**COMMON, soft_time_limit=1200, time_limit=1500)
def train_fit_model(*, workspace_id: int) -> int | None:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    try:
        model = services.fit_model_train(workspace=workspace)
    except services.NotEnoughOutcomes:
        return None
    return model.pk
