"""Account and lead funnels from the stage facts.

A funnel step counts the accounts (leads) that reached *at least* that step during the period:
an account that moved from engaged to MQA in the period counts at target, aware, engaged and
MQA (it passed through them). Conversion is step n+1 ÷ step n, drop-off is the difference.
Median time in stage covers stays that ended in the period.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max

from abm.models import Workspace
from dashboards.aggregates import Median
from dashboards.filters import DashboardFilters
from dashboards.models import AccountStageFact, LeadStageFact
from dashboards.selectors.common import between_dt, fact_q, ratio, rounded
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


def _count_by_top(per_entity) -> dict[int, int]:
    """{top rank: entities} for a `values(entity).annotate(top=Max(rank))` queryset (one query)."""
    sql, params = per_entity.values_list("top").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT top, COUNT(*) FROM ({sql}) AS t GROUP BY top", params)  # noqa: S608
        return {int(top): n for top, n in cursor.fetchall() if top is not None}


def _funnel(ladder, labels, tops: dict[int, int], medians: dict[str, float | None]) -> dict:
    counts = [sum(n for top, n in tops.items() if top >= i + 1) for i in range(len(ladder))]
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
    qs = AccountStageFact.objects.for_workspace(workspace)
    if filters.has_account_filter:
        qs = qs.filter(fact_q(filters))
    moved = (
        qs.filter(between_dt("entered_at", filters), rank__gt=0)
        .values("account_id")
        .annotate(top=Max("rank"))
        .order_by()
    )
    medians = dict(
        qs.filter(between_dt("exited_at", filters))
        .values("stage")
        .annotate(m=Median("days"))
        .values_list("stage", "m")
        .order_by()
    )
    return _funnel(ACCOUNT_LADDER, ACCOUNT_LABELS, _count_by_top(moved), medians)


def lead_funnel(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    qs = LeadStageFact.objects.for_workspace(workspace)
    if filters.has_account_filter:
        qs = qs.filter(fact_q(filters))
    reached = (
        qs.filter(between_dt("reached_at", filters))
        .values("contact_id")
        .annotate(top=Max("rank"))
        .order_by()
    )
    medians = dict(
        qs.filter(between_dt("exited_at", filters))
        .values("status")
        .annotate(m=Median("days"))
        .values_list("status", "m")
        .order_by()
    )
    return _funnel(LEAD_LADDER, LEAD_LABELS, _count_by_top(reached), medians)
