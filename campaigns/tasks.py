"""Celery entry points for campaigns: thin, ids in, services do the work; safe to run twice."""

from __future__ import annotations

import importlib
import logging

from celery import shared_task
from django.db import OperationalError

from abm.models import Workspace

logger = logging.getLogger(__name__)


def _scoring_refresh():
    """scoring.services.account_engagement_refresh when the scoring app provides it, else None."""
    try:
        module = importlib.import_module("scoring.services")
    except ImportError:
        return None
    return getattr(module, "account_engagement_refresh", None)


@shared_task(
    queue="scoring",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def engagement_refresh(*, workspace_id: int, account_ids: list[int]) -> dict:
    """After new touches: the engagement score (scoring's incremental refresh, when present) and
    the journey of each account that got them. One task per ingested batch, one pass per account."""
    from campaigns.services import journey_recompute

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {"accounts": 0}
    refresh = _scoring_refresh()
    failed = 0
    if refresh is not None:
        for account_id in account_ids:
            try:
                refresh(workspace=workspace, account_id=account_id)
            except OperationalError:
                raise  # the database is away: retry the whole task later
            except Exception:  # scoring's own bug must not stop the journeys below
                failed += 1
                logger.exception("engagement score refresh failed for account %s", account_id)
    outcome = journey_recompute(workspace=workspace, account_ids=account_ids, record=False)
    try:  # dashboards roll the new touches and journey moves up (debounced per workspace)
        from dashboards.tasks import rollups_refresh_soon
    except ImportError:
        pass
    else:
        rollups_refresh_soon(workspace_id=workspace_id)
    return {**outcome, "score_refresh_failed": failed}


@shared_task(
    queue="default",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60 * 25,
    time_limit=60 * 30,
)
def journeys_recompute(*, workspace_id: int) -> dict:
    """Whole-workspace journey recompute (the page's button); records a JourneyRun row."""
    from campaigns.services import journey_recompute

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {"accounts": 0}
    return journey_recompute(workspace=workspace)


@shared_task(
    queue="default",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60 * 25,
    time_limit=60 * 30,
)
def events_reweight(*, workspace_id: int) -> int:
    """After the event weights changed: stored touches get the new weights, journeys follow."""
    from campaigns.services import events_reweight as reweight

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return reweight(workspace=workspace)
