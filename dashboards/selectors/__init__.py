"""Every dashboard number, one selector each; the registry the page, API and CSV share.

`METRICS[name].compute(workspace=…, filters=…, params=…)` is what the HTML page renders,
`GET /api/v1/metrics/<name>` returns as JSON and `/dashboards/<page>/export.csv?metric=<name>`
writes as CSV: the same function, so the three cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from abm.models import Workspace
from dashboards.filters import DashboardFilters
from dashboards.selectors.deals import (
    DIMENSIONS,
    deal_size_breakdown,
    won_amount_distribution,
)
from dashboards.selectors.engagement import (
    engagement_heatmap,
    engagement_trend,
    surging_accounts,
)
from dashboards.selectors.funnels import account_funnel, lead_funnel
from dashboards.selectors.revenue import (
    avg_deal_size,
    pipeline_from_targets,
    pipeline_velocity,
    sales_cycle,
    win_rate,
    won_revenue_from_targets,
)
from dashboards.selectors.team import campaign_performance, sdr_performance

COMPARISON_COLUMNS = (
    ("label", "Accounts"),
    ("current", "This period"),
    ("previous", "Previous period"),
    ("change", "Change"),
)
FUNNEL_COLUMNS = (
    ("label", "Stage"),
    ("count", "Reached"),
    ("share_of_first", "Share of first stage"),
    ("conversion_to_next", "Conversion to next"),
    ("drop_off", "Drop-off"),
    ("median_days_in_stage", "Median days in stage"),
)
DEAL_COLUMNS = (
    ("group", "Group"),
    ("deals", "Won deals"),
    ("total", "Won amount (USD)"),
    ("average", "Average (USD)"),
    ("median", "Median (USD)"),
)


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    func: Callable[..., dict]
    columns: tuple[tuple[str, str], ...]
    params: tuple[str, ...] = ()  # extra query parameters the selector takes (e.g. "model")
    flatten: Callable[[dict], tuple[list[str], list[list]]] | None = field(default=None)

    def compute(
        self, *, workspace: Workspace, filters: DashboardFilters, params: Mapping | None = None
    ) -> dict:
        extra = {p: (params or {}).get(p) or "" for p in self.params}
        return self.func(workspace=workspace, filters=filters, **extra)

    def table(self, result: dict) -> tuple[list[str], list[list]]:
        """Header and rows for the CSV export."""
        if self.flatten is not None:
            return self.flatten(result)
        keys = [k for k, _ in self.columns]
        return [h for _, h in self.columns], [
            [row.get(k) for k in keys] for row in result.get("rows", [])
        ]


def _trend_table(result: dict) -> tuple[list[str], list[list]]:
    series = [("week", "Week"), ("engaged_accounts", "Engaged accounts"), ("events", "Touches")]
    series += [(t["key"], t["label"]) for t in result["tiers"]]
    series += [(c["key"], f"{c['label']} (accounts)") for c in result["channels"]]
    return [h for _, h in series], [[row.get(k) for k, _ in series] for row in result["rows"]]


def _heatmap_table(result: dict) -> tuple[list[str], list[list]]:
    header = ["Account", "Tier", "Total points", *[f"Week of {w}" for w in result["weeks"]]]
    return header, [[r["account"], r["tier"], r["total"], *r["weeks"]] for r in result["rows"]]


_METRICS = [
    Metric(
        "pipeline",
        "Pipeline from target accounts",
        pipeline_from_targets,
        (*COMPARISON_COLUMNS, ("deals", "Opportunities")),
    ),
    Metric(
        "won_revenue",
        "Won revenue from target accounts",
        won_revenue_from_targets,
        (*COMPARISON_COLUMNS, ("deals", "Won deals")),
    ),
    Metric(
        "win_rate",
        "Win rate",
        win_rate,
        (*COMPARISON_COLUMNS, ("won", "Won"), ("closed", "Closed")),
    ),
    Metric(
        "avg_deal_size",
        "Average deal size",
        avg_deal_size,
        (*COMPARISON_COLUMNS, ("median", "Median"), ("deals", "Won deals")),
    ),
    Metric(
        "sales_cycle",
        "Sales cycle (days)",
        sales_cycle,
        (*COMPARISON_COLUMNS, ("median", "Median days")),
    ),
    Metric(
        "pipeline_velocity",
        "Pipeline velocity (USD/day)",
        pipeline_velocity,
        (
            *COMPARISON_COLUMNS,
            ("opportunities", "Opportunities"),
            ("avg_deal", "Average deal"),
            ("win_rate", "Win rate"),
            ("cycle_days", "Cycle days"),
        ),
    ),
    Metric(
        "engagement_trend", "Engaged accounts by week", engagement_trend, (), flatten=_trend_table
    ),
    Metric(
        "surging_accounts",
        "Top surging accounts",
        surging_accounts,
        (
            ("account", "Account"),
            ("tier", "Tier"),
            ("recent_points", "Points, last 2 weeks"),
            ("baseline_weekly", "Baseline points / week"),
            ("surge", "Surge ×"),
        ),
    ),
    Metric(
        "engagement_heatmap", "Engagement heat map", engagement_heatmap, (), flatten=_heatmap_table
    ),
    Metric("account_funnel", "Account funnel", account_funnel, FUNNEL_COLUMNS),
    Metric("lead_funnel", "Lead funnel", lead_funnel, FUNNEL_COLUMNS),
    *[
        Metric(
            f"deal_size_by_{dim}",
            f"Deal size by {label.lower()}",
            partial(deal_size_breakdown, dimension=dim),
            DEAL_COLUMNS,
        )
        for dim, label in DIMENSIONS.items()
    ],
    Metric(
        "won_amount_distribution",
        "Distribution of won amounts",
        won_amount_distribution,
        (
            ("band", "Amount band"),
            ("deals", "Won deals"),
            ("share", "Share"),
            ("total", "Won amount (USD)"),
        ),
    ),
    Metric(
        "campaign_performance",
        "Campaign performance",
        campaign_performance,
        (
            ("name", "Campaign"),
            ("kind", "Kind"),
            ("status", "Status"),
            ("channels", "Channels"),
            ("budget", "Budget"),
            ("targeted", "Targeted"),
            ("reached", "Reached"),
            ("engaged", "Engaged"),
            ("mqa", "MQA"),
            ("opportunities", "Opportunities"),
            ("pipeline", "Pipeline"),
            ("won_opportunities", "Won deals"),
            ("won_revenue", "Won revenue"),
            ("cost_per_engaged_account", "Cost per engaged account"),
            ("roi", "ROI"),
            ("model", "Attribution model"),
        ),
        params=("model",),
    ),
    Metric(
        "sdr_performance",
        "SDR team",
        sdr_performance,
        (
            ("name", "SDR"),
            ("accounts", "Accounts"),
            ("tier1_accounts", "Tier 1 accounts"),
            ("activities", "Activities"),
            ("meetings", "Meetings"),
            ("sqls", "SQLs"),
            ("opportunities", "Opportunities"),
            ("pipeline", "Pipeline (USD)"),
            ("meeting_to_opportunity", "Opportunities per meeting"),
            ("sla_breaches", "SLA breaches"),
        ),
    ),
]
METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}

# Which metrics each page shows (its CSV menu lists these).
PAGES: dict[str, dict] = {
    "executive": {
        "title": "Executive",
        "metrics": [
            "pipeline",
            "won_revenue",
            "win_rate",
            "avg_deal_size",
            "sales_cycle",
            "pipeline_velocity",
        ],
    },
    "engagement": {
        "title": "Engagement",
        "metrics": ["engagement_trend", "surging_accounts", "engagement_heatmap"],
    },
    "conversion": {"title": "Conversion", "metrics": ["account_funnel", "lead_funnel"]},
    "deal-size": {
        "title": "Deal size",
        "metrics": [*[f"deal_size_by_{d}" for d in DIMENSIONS], "won_amount_distribution"],
    },
    "campaigns": {"title": "Campaigns", "metrics": ["campaign_performance"]},
    "sdr-team": {"title": "SDR team", "metrics": ["sdr_performance"]},
}
