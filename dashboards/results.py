"""One entry point from a request to metric results, shared by the pages, the API and CSV.

Results are cached per workspace, rollup version, metric, filters and parameters: a refresh
bumps the version, so a cached number is never older than the rollups it was computed from.
The cache is a shortcut only: when it cannot be reached the numbers are computed
(`abm.cache_guard`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone

from abm.cache_guard import cache_get, cache_set
from abm.models import Workspace
from dashboards.filters import DashboardFilters, filters_parse
from dashboards.models import RollupState
from dashboards.selectors import METRICS, Metric

# Tables read straight from source rows (not rollups) are cached for less time.
LIVE_METRICS = {"campaign_performance": 60}


def request_filters(params: Mapping, *, today: dt.date | None = None) -> DashboardFilters:
    return filters_parse(params, today=today or timezone.localdate())


def rollup_state(*, workspace: Workspace) -> RollupState | None:
    return RollupState.objects.filter(workspace=workspace).first()


def rollup_stamp(state: RollupState | None) -> str:
    if state is None:
        return "0"
    finished = state.finished_at.timestamp() if state.finished_at else 0
    return f"{state.version}-{finished}"


def metric_result(
    metric: Metric,
    *,
    workspace: Workspace,
    filters: DashboardFilters,
    params: Mapping | None = None,
    state: RollupState | None = None,
) -> dict:
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 300)
    if not seconds:
        return metric.compute(workspace=workspace, filters=filters, params=params)
    extra = "&".join(f"{p}={(params or {}).get(p) or ''}" for p in metric.params)
    key = f"dash:{workspace.pk}:{rollup_stamp(state)}:{metric.name}:{filters.cache_key()}:{extra}"
    result = cache_get(key)
    if result is None:
        result = metric.compute(workspace=workspace, filters=filters, params=params)
        cache_set(key, result, LIVE_METRICS.get(metric.name, seconds))
    return result


def metric_by_name(name: str) -> Metric | None:
    return METRICS.get(name.replace("-", "_"))
