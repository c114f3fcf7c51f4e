"""Revenue metrics from `OpportunityFact`: pipeline, won revenue, win rate, deal size, cycle, velocity.

Definitions (the page, API and CSV all read them from here):
- pipeline: amount (USD) of opportunities *created* in the period;
- won revenue: amount of won opportunities *closed* in the period;
- win rate: won ÷ closed, both closed in the period;
- average / median deal size: amount of won opportunities closed in the period;
- sales cycle: days from created to close of won opportunities closed in the period;
- pipeline velocity: opportunities created × average deal size × win rate ÷ sales cycle (USD/day).
ABM accounts are accounts on any campaign's target list or flagged `is_target`.
Every comparison is against the previous period of equal length.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q, Sum

from abm.models import Workspace
from dashboards.aggregates import Median
from dashboards.filters import DashboardFilters
from dashboards.models import OpportunityFact
from dashboards.selectors.common import account_q, between, comparison, ratio, rounded

GROUPS = (("abm", "ABM accounts", Q(is_abm=True)), ("other", "Other accounts", Q(is_abm=False)))
ALL = ("all", "All accounts", Q())


def facts(*, workspace: Workspace, filters: DashboardFilters):
    """Opportunity facts behind the filters (campaign: its target accounts or deals it sourced)."""
    qs = OpportunityFact.objects.for_workspace(workspace)
    campaign = filters.campaign
    account_filters = account_q(filters)
    if campaign:
        from dataclasses import replace

        account_filters = account_q(replace(filters, campaign=None)) & (
            account_q(filters) | Q(campaign_id=campaign)
        )
    return qs.filter(account_filters)


def _windowed(workspace: Workspace, filters: DashboardFilters):
    """Only rows that can fall in the current or the previous period (uses the date indexes)."""
    prev = filters.previous()
    return facts(workspace=workspace, filters=filters).filter(
        Q(created_date__gte=prev.date_from, created_date__lte=filters.date_to)
        | Q(close_date__gte=prev.date_from, close_date__lte=filters.date_to)
    )


def _grid(workspace: Workspace, filters: DashboardFilters, make: dict) -> dict:
    """One query: each named aggregate for (current, previous) × (abm, other, all)."""
    periods = (("cur", filters), ("prev", filters.previous()))
    aggregates = {}
    for pname, period in periods:
        for gname, _label, gq in (*GROUPS, ALL):
            for key, factory in make.items():
                aggregates[f"{key}__{pname}__{gname}"] = factory(period, gq)
    values = _windowed(workspace, filters).aggregate(**aggregates)
    grid: dict = {}
    for name, value in values.items():
        key, pname, gname = name.split("__")
        grid.setdefault((pname, gname), {})[key] = value
    return grid


def _won(period: DashboardFilters, gq: Q) -> Q:
    return between("close_date", period) & Q(is_won=True) & gq


def _closed(period: DashboardFilters, gq: Q) -> Q:
    return between("close_date", period) & Q(is_closed=True) & gq


def _created(period: DashboardFilters, gq: Q) -> Q:
    return between("created_date", period) & gq


def _result(grid: dict, value_of, *, unit: str, headline: str = "abm") -> dict:
    rows = []
    for gname, label, _gq in (*GROUPS, ALL):
        current = value_of(grid[("cur", gname)])
        previous = value_of(grid[("prev", gname)])
        rows.append({"group": gname, "label": label, **comparison(current, previous)})
    head = next(r for r in rows if r["group"] == headline)
    return {
        "unit": unit,
        "value": head["current"],
        "previous": head["previous"],
        "change": head["change"],
        "rows": rows,
    }


def pipeline_from_targets(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "amount": lambda p, g: Sum("amount_usd", filter=_created(p, g), default=0),
            "deals": lambda p, g: Count("pk", filter=_created(p, g)),
        },
    )
    result = _result(grid, lambda c: c["amount"], unit="usd")
    for row in result["rows"]:
        row["deals"] = grid[("cur", row["group"])]["deals"]
    total = grid[("cur", "all")]["amount"]
    result["share"] = rounded(ratio(result["value"], total))
    return result


def won_revenue_from_targets(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "amount": lambda p, g: Sum("amount_usd", filter=_won(p, g), default=0),
            "deals": lambda p, g: Count("pk", filter=_won(p, g)),
        },
    )
    result = _result(grid, lambda c: c["amount"], unit="usd")
    for row in result["rows"]:
        row["deals"] = grid[("cur", row["group"])]["deals"]
    result["share"] = rounded(ratio(result["value"], grid[("cur", "all")]["amount"]))
    return result


def win_rate(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "won": lambda p, g: Count("pk", filter=_won(p, g)),
            "closed": lambda p, g: Count("pk", filter=_closed(p, g)),
        },
    )
    result = _result(grid, lambda c: ratio(c["won"], c["closed"]), unit="ratio", headline="all")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row["won"], row["closed"] = cell["won"], cell["closed"]
    return result


def avg_deal_size(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "avg": lambda p, g: Avg("amount_usd", filter=_won(p, g)),
            "median": lambda p, g: Median("amount_usd", filter=_won(p, g)),
            "deals": lambda p, g: Count("pk", filter=_won(p, g)),
        },
    )
    result = _result(grid, lambda c: c["avg"], unit="usd")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row["median"], row["deals"] = rounded(cell["median"]), cell["deals"]
    abm, other = result["rows"][0]["current"], result["rows"][1]["current"]
    result["abm_multiple"] = rounded(ratio(abm, other))
    return result


def sales_cycle(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "avg": lambda p, g: Avg("cycle_days", filter=_won(p, g)),
            "median": lambda p, g: Median("cycle_days", filter=_won(p, g)),
        },
    )
    result = _result(grid, lambda c: c["avg"], unit="days", headline="all")
    for row in result["rows"]:
        row["median"] = rounded(grid[("cur", row["group"])]["median"])
    return result


def pipeline_velocity(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(
        workspace,
        filters,
        {
            "opps": lambda p, g: Count("pk", filter=_created(p, g)),
            "avg": lambda p, g: Avg("amount_usd", filter=_won(p, g)),
            "won": lambda p, g: Count("pk", filter=_won(p, g)),
            "closed": lambda p, g: Count("pk", filter=_closed(p, g)),
            "cycle": lambda p, g: Avg("cycle_days", filter=_won(p, g)),
        },
    )

    def velocity(c: dict) -> float | None:
        rate = ratio(c["won"], c["closed"])
        if rate is None or c["avg"] is None or not c["cycle"]:
            return None
        return c["opps"] * c["avg"] * rate / c["cycle"]

    result = _result(grid, velocity, unit="usd_per_day", headline="all")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row.update(
            opportunities=cell["opps"],
            avg_deal=rounded(cell["avg"]),
            win_rate=rounded(ratio(cell["won"], cell["closed"])),
            cycle_days=rounded(cell["cycle"]),
        )
    return result
