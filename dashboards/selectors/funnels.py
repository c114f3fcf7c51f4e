"""Account and lead funnels from the stage facts.

A funnel step counts the accounts (leads) that reached *at least* that step during the period:
an account that moved from engaged to MQA in the period counts at target, aware, engaged and
MQA (it passed through them). Conversion is step n+1 ÷ step n, drop-off is the difference.
Median time in stage covers stays that ended in the period.
"""

from __future__ import annotations

from django.db.models import Count, Q

from abm.models import Workspace
from dashboards import factframes
from dashboards.aggregates import Median
from dashboards.filters import DashboardFilters
from dashboards.models import AccountStageFact, LeadStageFact
from dashboards.selectors.common import between_dt, fact_q, period_bounds, ratio, rounded
from dashboards.services import ACCOUNT_LADDER, LEAD_LADDER

ACCOUNT_LABELS = {
    "target": "Target",
    "aware": "Aware",
    "engaged": "Engaged",
    "mqa": "MQA",
    "opportunity": "Opportunity",
    "customer": "Customer",
}
LEAD_LABELS = {"mql": "MQL", "sal": "SAL", "sql": "SQL", "opportunity": "Opportunity", "won": "Won"}


def _step_counts(facts, ladder, filters: DashboardFilters) -> list[int]:
    """Entities that reached each step or a later one in the period, in one pass over the
    period's facts: an entity counts at step N on its first fact of rank ≥ N in the period,
    the one whose `prior_N` (its previous fact of rank ≥ N) lies before the period."""
    start, _end = period_bounds(filters)
    counts = facts.aggregate(
        **{
            f"step_{n}": Count(
                "rank",  # a column of the covering index: an index-only scan
                filter=Q(rank__gte=n)
                & (Q(**{f"prior_{n}__isnull": True}) | Q(**{f"prior_{n}__lt": start})),
            )
            for n in range(1, len(ladder) + 1)
        }
    )
    return [counts[f"step_{n}"] for n in range(1, len(ladder) + 1)]


def _funnel(ladder, labels, counts: list[int], medians: dict[str, float | None]) -> dict:
    rows = []
    for i, step in enumerate(ladder):
        nxt = counts[i + 1] if i + 1 < len(ladder) else None
        rows.append(
            {
                "step": step,
                "label": labels[step],
                "count": counts[i],
                "share_of_first": rounded(ratio(counts[i], counts[0])),
                "conversion_to_next": rounded(ratio(nxt, counts[i])) if nxt is not None else None,
                "drop_off": counts[i] - nxt if nxt is not None else None,
                "median_days_in_stage": rounded(medians.get(step), 1),
            }
        )
    return {
        "rows": rows,
        "overall_conversion": rounded(ratio(counts[-1], counts[0])),
        "entered": counts[0],
    }


def account_funnel(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    columns = factframes.stage_columns(
        workspace_id=workspace.pk, kind="account", ladder=ACCOUNT_LADDER
    )
    if columns is not None:
        moved, medians = _from_columns(columns, filters)
        return _funnel(ACCOUNT_LADDER, ACCOUNT_LABELS, moved, medians)
    qs = AccountStageFact.objects.for_workspace(workspace)
    if filters.has_account_filter:
        qs = qs.filter(fact_q(filters))
    moved = _step_counts(qs.filter(between_dt("entered_at", filters)), ACCOUNT_LADDER, filters)
    medians = dict(
        qs.filter(between_dt("exited_at", filters))
        .values("stage")
        .annotate(m=Median("days"))
        .values_list("stage", "m")
        .order_by()
    )
    return _funnel(ACCOUNT_LADDER, ACCOUNT_LABELS, moved, medians)


def lead_funnel(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    columns = factframes.stage_columns(workspace_id=workspace.pk, kind="lead", ladder=LEAD_LADDER)
    if columns is not None:
        reached, medians = _from_columns(columns, filters)
        return _funnel(LEAD_LADDER, LEAD_LABELS, reached, medians)
    qs = LeadStageFact.objects.for_workspace(workspace)
    if filters.has_account_filter:
        qs = qs.filter(fact_q(filters))
    reached = _step_counts(qs.filter(between_dt("reached_at", filters)), LEAD_LADDER, filters)
    medians = dict(
        qs.filter(between_dt("exited_at", filters))
        .values("status")
        .annotate(m=Median("days"))
        .values_list("status", "m")
        .order_by()
    )
    return _funnel(LEAD_LADDER, LEAD_LABELS, reached, medians)


def _from_columns(columns: factframes.FactColumns, filters: DashboardFilters) -> tuple:
    start, end = (bound.timestamp() for bound in period_bounds(filters))
    return columns.step_counts(filters, start, end), columns.medians(filters, start, end)
