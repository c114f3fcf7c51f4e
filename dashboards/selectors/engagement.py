"""Engagement metrics from the weekly rollups.

An account is *engaged* in a week when at least one touch of it was recorded that week. Weeks
start on Monday; a period covers every week that overlaps it. Surge compares an account's
points in the last two weeks of the period with its weekly average over the six weeks before.

Ranking every engaged account (≈50,000 a week at 10M events) on each request cost ~400 ms of
database time. Surge is therefore stored per account and week (`EngagementSurge`), and the heat
map first bounds its answer from a few seed accounts and then ranks only the accounts that can
beat that bound (`_top_ranked`); the result is the same as ranking everyone, because an account
can only make the top if one of its weeks is big enough.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum

from abm.models import Workspace
from campaigns.models import Channel
from dashboards import factframes
from dashboards.filters import TIERS, DashboardFilters, week_start, weeks_between
from dashboards.models import (
    ALL_CHANNELS,
    CampaignCube,
    CampaignCubeBuild,
    EngagementCube,
    EngagementSurge,
    EngagementWeekly,
)
from dashboards.selectors.common import cell_q, copies_q, rounded

CHANNEL_LABELS = {**dict(Channel.choices), "other": "Other"}
RECENT_WEEKS = 2
BASELINE_WEEKS = 6
HEATMAP_WEEKS = 13


def _weeks(filters: DashboardFilters) -> tuple[dt.date, dt.date]:
    return week_start(filters.date_from), week_start(filters.date_to)


def _tier_key(tier: int | None) -> str:
    return str(tier) if tier else "none"


def _trend_rows(workspace: Workspace, filters: DashboardFilters):
    """(week, tier, channel, accounts, events, points) from the cube, or the weekly rollup when
    the campaign filter (not a partition of accounts) is on."""
    first, last = _weeks(filters)
    if not filters.campaign:
        columns = factframes.cube_columns(workspace_id=workspace.pk)
        if columns is not None:
            return columns.trend(filters, first, last)
        cube = EngagementCube.objects.for_workspace(workspace).filter(
            cell_q(filters), week__gte=first, week__lte=last
        )
        return (
            cube.values_list("week", "tier", "channel")
            .annotate(a=Sum("accounts"), n=Sum("events"), p=Sum("points"))
            .order_by()
        )
    if _campaign_cube_fresh(workspace, filters.campaign):
        cube = CampaignCube.objects.for_workspace(workspace).filter(
            copies_q(filters, owner_field="owner_id"),
            campaign_id=filters.campaign,
            week__gte=first,
            week__lte=last,
        )
        return (
            cube.values_list("week", "tier", "channel")
            .annotate(a=Sum("accounts"), n=Sum("events"), p=Sum("points"))
            .order_by()
        )
    weekly = EngagementWeekly.objects.for_workspace(workspace).filter(
        cell_q(filters), week__gte=first, week__lte=last
    )
    return (
        weekly.values_list("week", "tier", "channel")
        .annotate(a=Count("account_id"), n=Sum("events"), p=Sum("points"))
        .order_by()
    )


def _campaign_cube_fresh(workspace: Workspace, campaign_id: int) -> bool:
    """Whether the campaign's `CampaignCube` rows were built from its current target list (an
    edited list is counted from the weekly rows until the next refresh)."""
    from dashboards.selectors.team import campaign_targets_digest

    built = (
        CampaignCubeBuild.objects.for_workspace(workspace)
        .filter(campaign_id=campaign_id)
        .values_list("targets_count", "targets_hash")
        .first()
    )
    current = campaign_targets_digest(workspace=workspace, campaign_ids=[campaign_id])
    return (tuple(built) if built else (0, 0)) == current.get(campaign_id, (0, 0))


def engagement_trend(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    """Engaged accounts per week: in total, by tier and by channel."""
    weeks = weeks_between(filters.date_from, filters.date_to)
    table = {w: {"engaged_accounts": 0, "events": 0, "points": 0.0} for w in weeks}
    channels: set[str] = set()
    for week, tier, channel, accounts, events, points in _trend_rows(workspace, filters):
        row = table.get(week)
        if row is None:
            continue
        if channel == ALL_CHANNELS:
            row["engaged_accounts"] += accounts
            row["events"] += events
            row["points"] += points or 0
            key = f"tier_{_tier_key(tier)}"
            row[key] = row.get(key, 0) + accounts
        else:
            channels.add(channel)
            key = f"channel_{channel}"
            row[key] = row.get(key, 0) + accounts
    ordered_channels = [c for c in CHANNEL_LABELS if c in channels]
    rows = []
    for week in weeks:
        row = table[week]
        out = {
            "week": week.isoformat(),
            "engaged_accounts": row["engaged_accounts"],
            "events": row["events"],
            "points": rounded(row["points"], 2),
        }
        for t in TIERS:
            out[f"tier_{t}"] = row.get(f"tier_{t}", 0)
        for c in ordered_channels:
            out[f"channel_{c}"] = row.get(f"channel_{c}", 0)
        rows.append(out)
    return {
        "rows": rows,
        "tiers": [{"key": f"tier_{t}", "label": label} for t, label in TIERS.items()],
        "channels": [{"key": f"channel_{c}", "label": CHANNEL_LABELS[c]} for c in ordered_channels],
        "total_events": sum(r["events"] for r in rows),
    }


def _account_weekly(workspace: Workspace, filters: DashboardFilters):
    qs = EngagementWeekly.objects.for_workspace(workspace).filter(channel=ALL_CHANNELS)
    if filters.has_account_filter:
        qs = qs.filter(cell_q(filters))
    return qs


def _names(workspace: Workspace, ids: list[int]) -> dict[int, tuple[str, int | None]]:
    """Name and tier of the few accounts a table shows, read after ranking them: joining the
    accounts before the GROUP BY made PostgreSQL carry names through every weekly row."""
    from accounts.models import Account

    return {
        pk: (name, tier)
        for pk, name, tier in Account.objects.for_workspace(workspace)
        .filter(pk__in=ids)
        .values_list("pk", "name", "tier")
    }


# Seeds for the lower bound: the biggest accounts of the window's last SEED_WEEKS weeks, SEED_FACTOR
# × limit of each (more seeds, a tighter bound and fewer candidates; each week is one query).
SEED_FACTOR = 3
SEED_WEEKS = 2
# Above this many candidates the bound saved little: surge seeds (the biggest accounts) often
# have a big baseline too, so their surge bounds loosely; then every account is ranked.
MAX_CANDIDATES = 2000
# Floating-point slack on the candidates' floor: a few more candidates, never one fewer.
FLOOR_SLACK = 1 - 1e-9


def _top_ranked(
    weekly, weeks: list[dt.date], limit: int, rank, score: str, per_week_bound
) -> list[dict]:
    """The first `limit` rows of `rank(account_ids)` (a ranking of accounts by `score`, best
    first, restricted to the given accounts, or every account for None), computed exactly
    without ranking every account.

    The ranking of the seeds (the `SEED_FACTOR × limit` highest-point accounts of each of the
    last `SEED_WEEKS` weeks) gives
    the `limit`-th best score L among them, a lower bound of the true `limit`-th best. Every
    account of the true top has a score ≥ L > 0, and `per_week_bound(L)` says how many points
    at least one of its weeks in `weeks` must then hold (a sum of k weekly values is at most k
    times the largest, whatever their signs); the accounts that have such a week (an index
    range scan on week and points) are ranked exactly. Ties at L stay in: the floor is
    inclusive. With too few seeds, L ≤ 0 or more than `MAX_CANDIDATES` candidates, everyone is
    ranked.
    """
    seeds: set[int] = set()
    for week in weeks[-SEED_WEEKS:]:
        seeds.update(
            weekly.filter(week=week)
            .order_by("-points", "account_id")
            .values_list("account_id", flat=True)[: limit * SEED_FACTOR]
        )
    ranked = list(rank(seeds))
    if len(ranked) < limit or not ranked[limit - 1][score] > 0:
        return list(rank(None))
    floor = per_week_bound(ranked[limit - 1][score]) * FLOOR_SLACK
    candidates = set(
        weekly.filter(week__in=weeks, points__gte=floor)
        .values_list("account_id", flat=True)
        .distinct()
        .order_by()[: MAX_CANDIDATES + 1]
    )
    if len(candidates) > MAX_CANDIDATES:  # a loose bound: ranking everyone is cheaper
        return list(rank(None))
    return list(rank(candidates | seeds))


def surging_accounts(*, workspace: Workspace, filters: DashboardFilters, limit: int = 10) -> dict:
    """Accounts whose last two weeks beat their own six-week baseline the most, as of the
    period's last week: surge = recent / RECENT_WEEKS / max(baseline / BASELINE_WEEKS, 1).
    Read from `EngagementSurge` (one index range scan in surge order)."""
    rows = EngagementSurge.objects.for_workspace(workspace).filter(
        cell_q(filters), week=week_start(filters.date_to)
    )
    top = list(
        rows.order_by("-surge", "-recent", "account_id").values_list(
            "account_id", "recent", "baseline", "surge"
        )[:limit]
    )
    names = _names(workspace, [account_id for account_id, *_ in top])
    return {
        "recent_weeks": RECENT_WEEKS,
        "baseline_weeks": BASELINE_WEEKS,
        "rows": [
            {
                "account_id": account_id,
                "account": names[account_id][0],
                "tier": names[account_id][1],
                "recent_points": rounded(recent, 2),
                "baseline_weekly": rounded(baseline / BASELINE_WEEKS, 2),
                "surge": rounded(surge, 2),
            }
            for account_id, recent, baseline, surge in top
        ],
    }


# Up to this many accounts in the filter's cells, the heat map ranks them through their own
# weekly rows instead of bounding the ranking over everyone's.
FEW_ACCOUNTS = 1000


def _few_accounts(workspace: Workspace, filters: DashboardFilters) -> list[int] | None:
    """The accounts of a narrow tier / segment / owner filter, or None when it is broad (more
    than `FEW_ACCOUNTS` accounts in its cells) or absent. The weekly rows are still filtered on
    their own copies of those fields, so an account re-tiered since the last refresh counts
    where both agree."""
    from accounts.models import Account
    from dashboards.models import AccountCell
    from dashboards.selectors.common import account_q

    if not (filters.tier or filters.segment or filters.owner):
        return None
    cells = AccountCell.objects.for_workspace(workspace).filter(
        copies_q(filters, owner_field="owner_id")
    )
    if (cells.aggregate(n=Sum("accounts"))["n"] or 0) > FEW_ACCOUNTS:
        return None
    return list(
        Account.objects.for_workspace(workspace)
        .filter(account_q(filters, prefix=""))
        .values_list("pk", flat=True)
        .order_by()
    )


def engagement_heatmap(*, workspace: Workspace, filters: DashboardFilters, limit: int = 15) -> dict:
    """The most engaged accounts × weeks, in engagement points, over the period's last
    `HEATMAP_WEEKS` weeks (a quarter reads at a glance; a year of columns does not)."""
    first, last = _weeks(filters)
    first = max(first, last - dt.timedelta(weeks=HEATMAP_WEEKS - 1))
    weekly = _account_weekly(workspace, filters).filter(week__gte=first, week__lte=last)
    weeks = weeks_between(first, last)

    def rank(ids):
        qs = weekly if ids is None else weekly.filter(account_id__in=sorted(ids))
        return (
            qs.values("account_id")
            .annotate(total=Sum("points"))
            .order_by("-total", "account_id")
            .values("account_id", "total")[:limit]
        )

    if filters.campaign:
        # A target list is short: ranking its accounts walks their own weeks (uniq_engweekly),
        # where the bound's seeds and candidates scan every account's weeks and semi-join the
        # list (45 + 13 + 16 ms against ~6 ms for a tier-2 filter at 200,000 accounts).
        found = rank(None)
    elif (few := _few_accounts(workspace, filters)) is not None:
        # Likewise for a narrow filter (an SDR's Tier 1): the bound's scans skip over every
        # other account's weeks (10 + 45 ms for Tier 1 and one owner at 200,000 accounts).
        found = list(rank(few)) if few else []
    else:
        # A total of T over len(weeks) weeks needs one week of at least T / len(weeks).
        found = _top_ranked(weekly, weeks, limit, rank, "total", lambda t: t / len(weeks))
    ranked = [(r["account_id"], r["total"]) for r in found]
    ids = [aid for aid, _total in ranked]
    names = _names(workspace, ids)
    top = [(aid, *names[aid], total) for aid, total in ranked]
    cells: dict[tuple[int, dt.date], float] = {}
    if ids:
        for account_id, week, points in weekly.filter(account_id__in=ids).values_list(
            "account_id", "week", "points"
        ):
            cells[(account_id, week)] = points
    rows = [
        {
            "account_id": aid,
            "account": name,
            "tier": tier,
            "total": rounded(total, 2),
            "weeks": [rounded(cells.get((aid, w), 0.0), 2) for w in weeks],
        }
        for aid, name, tier, total in top
    ]
    peak = max((v for r in rows for v in r["weeks"]), default=0)
    return {"weeks": [w.isoformat() for w in weeks], "rows": rows, "max": peak}


__all__ = ["engagement_trend", "surging_accounts", "engagement_heatmap"]
