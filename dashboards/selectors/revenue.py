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

from django.db import connection
from django.db.models import Q

from abm.models import Workspace
from dashboards import factframes
from dashboards.filters import DashboardFilters
from dashboards.models import OpportunityFact
from dashboards.selectors.common import comparison, fact_q, ratio, rounded
from dashboards.selectors.memo import memoized

GROUPS = (("abm", "ABM accounts", Q(is_abm=True)), ("other", "Other accounts", Q(is_abm=False)))
ALL = ("all", "All accounts", Q())


def facts(*, workspace: Workspace, filters: DashboardFilters):
    """Opportunity facts behind the filters (campaign: its target accounts or deals it sourced)."""
    qs = OpportunityFact.objects.for_workspace(workspace)
    campaign = filters.campaign
    account_filters = fact_q(filters)
    if campaign:
        from dataclasses import replace

        account_filters = fact_q(replace(filters, campaign=None)) & (
            fact_q(filters) | Q(campaign_id=campaign)
        )
    return qs.filter(account_filters)


def _windowed(workspace: Workspace, filters: DashboardFilters):
    """Only rows that can fall in the current or the previous period (uses the date indexes)."""
    prev = filters.previous()
    return facts(workspace=workspace, filters=filters).filter(
        Q(created_date__gte=prev.date_from, created_date__lte=filters.date_to)
        | Q(close_date__gte=prev.date_from, close_date__lte=filters.date_to)
    )


def _median_sql(expr: str, cond: str) -> str:
    if connection.vendor == "postgresql":
        return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expr}) FILTER (WHERE {cond})"
    return f"beacon_median({expr}) FILTER (WHERE {cond})"


def _compute_grid(workspace: Workspace, filters: DashboardFilters) -> dict:
    """Every revenue aggregate for (current, previous) × (abm, other, all) in one query.

    Written as SQL around the ORM's filtered row set: thirty conditional aggregates cost the
    ORM ~40 ms of Python to compile, the database a few ms to run.
    """
    base = _windowed(workspace, filters).values(
        "amount_usd", "created_date", "close_date", "is_closed", "is_won", "is_abm", "cycle_days"
    )
    base_sql, base_params = base.query.sql_with_params()
    created = "f.created_date >= %s AND f.created_date <= %s"
    closed = "f.is_closed AND f.close_date >= %s AND f.close_date <= %s"
    won = f"f.is_won AND {closed}"
    selects, params = [], []
    for pname, period in (("cur", filters), ("prev", filters.previous())):
        for key, sql in (
            ("created_amount", f"SUM(f.amount_usd) FILTER (WHERE {created})"),
            ("created_n", f"COUNT(*) FILTER (WHERE {created})"),
            ("won_amount", f"SUM(f.amount_usd) FILTER (WHERE {won})"),
            ("won_n", f"COUNT(*) FILTER (WHERE {won})"),
            ("closed_n", f"COUNT(*) FILTER (WHERE {closed})"),
            ("avg_amount", f"AVG(f.amount_usd) FILTER (WHERE {won})"),
            ("median_amount", _median_sql("f.amount_usd", won)),
            ("avg_cycle", f"AVG(f.cycle_days) FILTER (WHERE {won})"),
            ("median_cycle", _median_sql("f.cycle_days", won)),
        ):
            selects.append(f"{sql} AS {key}__{pname}")
            params += [period.date_from, period.date_to]
    if connection.vendor == "postgresql":
        # ROLLUP gives both groups and the total from one sort on a boolean. The portable form
        # below counts every row twice and sorts them on a text key: 71–94 ms against 30–46 ms
        # for a year of 40,576 deals (bench/RESULTS.md, "## Dashboards").
        group = (
            "CASE WHEN GROUPING(f.is_abm) = 1 THEN 'all' WHEN f.is_abm THEN 'abm' ELSE 'other' END"
        )
        tail = "GROUP BY ROLLUP(f.is_abm)"
    else:
        # g.k = 0 counts every row once more under "all": one pass gives both groups and the total.
        group = "CASE WHEN g.k = 0 THEN 'all' WHEN f.is_abm THEN 'abm' ELSE 'other' END"
        tail = "CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 AS k) g GROUP BY 1"
    sql = f"SELECT {group} AS grp, {', '.join(selects)} FROM ({base_sql}) f {tail}"  # noqa: S608 — fixed SQL, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *base_params])
        columns = [c[0] for c in cursor.description]
        found = {row[0]: dict(zip(columns[1:], row[1:], strict=True)) for row in cursor.fetchall()}
    grid: dict = {}
    for gname, _label, _gq in (*GROUPS, ALL):
        row = found.get(gname, {})
        for pname in ("cur", "prev"):
            cell = {}
            for column in columns[1:]:
                key, period = column.rsplit("__", 1)
                if period == pname:
                    value = row.get(column)
                    cell[key] = float(value) if value is not None else None
            for key in ("created_n", "won_n", "closed_n"):
                cell[key] = int(cell.get(key) or 0)
            for key in ("created_amount", "won_amount"):
                cell[key] = cell.get(key) or 0.0
            grid[(pname, gname)] = cell
    return grid


def _grid(workspace: Workspace, filters: DashboardFilters) -> dict:
    """From the deal columns the web process keeps (`dashboards.factframes`) when the workspace
    is under their cap: ~2 ms against 30–46 ms of database time for a year of 40,576 deals."""

    def compute() -> dict:
        columns = factframes.deal_columns(workspace_id=workspace.pk)
        if columns is not None:
            return columns.revenue_grid(filters)
        return _compute_grid(workspace, filters)

    return memoized(("revenue_grid", workspace.pk, filters), compute)


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
    grid = _grid(workspace, filters)
    result = _result(grid, lambda c: c["created_amount"], unit="usd")
    for row in result["rows"]:
        row["deals"] = grid[("cur", row["group"])]["created_n"]
    result["share"] = rounded(ratio(result["value"], grid[("cur", "all")]["created_amount"]))
    return result


def won_revenue_from_targets(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(workspace, filters)
    result = _result(grid, lambda c: c["won_amount"], unit="usd")
    for row in result["rows"]:
        row["deals"] = grid[("cur", row["group"])]["won_n"]
    result["share"] = rounded(ratio(result["value"], grid[("cur", "all")]["won_amount"]))
    return result


def win_rate(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(workspace, filters)
    result = _result(grid, lambda c: ratio(c["won_n"], c["closed_n"]), unit="ratio", headline="all")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row["won"], row["closed"] = cell["won_n"], cell["closed_n"]
    return result


def avg_deal_size(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(workspace, filters)
    result = _result(grid, lambda c: c["avg_amount"], unit="usd")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row["median"], row["deals"] = rounded(cell["median_amount"]), cell["won_n"]
    abm, other = result["rows"][0]["current"], result["rows"][1]["current"]
    result["abm_multiple"] = rounded(ratio(abm, other))
    return result


def sales_cycle(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(workspace, filters)
    result = _result(grid, lambda c: c["avg_cycle"], unit="days", headline="all")
    for row in result["rows"]:
        row["median"] = rounded(grid[("cur", row["group"])]["median_cycle"])
    return result


def _velocity(cell: dict) -> float | None:
    rate = ratio(cell["won_n"], cell["closed_n"])
    if rate is None or cell["avg_amount"] is None or not cell["avg_cycle"]:
        return None
    return cell["created_n"] * cell["avg_amount"] * rate / cell["avg_cycle"]


def pipeline_velocity(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    grid = _grid(workspace, filters)
    result = _result(grid, _velocity, unit="usd_per_day", headline="all")
    for row in result["rows"]:
        cell = grid[("cur", row["group"])]
        row.update(
            opportunities=cell["created_n"],
            avg_deal=rounded(cell["avg_amount"]),
            win_rate=rounded(ratio(cell["won_n"], cell["closed_n"])),
            cycle_days=rounded(cell["avg_cycle"]),
        )
    return result
