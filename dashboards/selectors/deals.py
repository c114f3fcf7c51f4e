"""Deal size: won opportunities closed in the period, broken down and distributed."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncQuarter

from abm.models import Workspace
from dashboards import factframes
from dashboards.aggregates import Median
from dashboards.filters import SEGMENTS, DashboardFilters
from dashboards.selectors.common import between, rounded
from dashboards.selectors.revenue import facts

DIMENSIONS = {
    "tier": "Tier",
    "segment": "Segment",
    "industry": "Industry",
    "campaign": "Campaign",
    "quarter": "Quarter",
}
# Won-amount histogram bins (USD, lower bound inclusive).
BINS = (
    (0, 5_000, "< $5K"),
    (5_000, 10_000, "$5K–10K"),
    (10_000, 25_000, "$10K–25K"),
    (25_000, 50_000, "$25K–50K"),
    (50_000, 100_000, "$50K–100K"),
    (100_000, 250_000, "$100K–250K"),
    (250_000, None, "$250K+"),
)


def _won(workspace: Workspace, filters: DashboardFilters):
    return facts(workspace=workspace, filters=filters).filter(
        between("close_date", filters), is_won=True
    )


def _group_expr(dimension: str, campaign_names: dict[int, str]):
    # tier, segment and industry are the account's, copied onto the fact (no join)
    if dimension == "tier":
        return F("tier")
    if dimension == "segment":
        return F("segment")
    if dimension == "industry":
        return F("industry")
    if dimension == "campaign":
        # Grouped by id (names are unique in a workspace), deals of deleted campaigns together
        # as no campaign: a name looked up per deal took most of the page's database time.
        return Case(
            When(campaign_id__in=list(campaign_names), then=F("campaign_id")),
            default=Value(None),
            output_field=IntegerField(),
        )
    if dimension == "quarter":
        # The quarter's first day, not year * 10 + (month + 2) / 3: PostgreSQL's EXTRACT returns
        # numeric, so that division kept the months of one quarter apart.
        return TruncQuarter("close_date")
    raise ValueError(f"unknown deal-size dimension {dimension!r}")


def _label(dimension: str, key) -> str:
    if dimension == "tier":
        return f"Tier {key}" if key else "Untiered"
    if dimension == "segment":
        return SEGMENTS.get(key, key)
    if dimension == "quarter":
        return f"{key.year}-Q{(key.month - 1) // 3 + 1}"
    return key or ("No campaign" if dimension == "campaign" else "Unknown")


def deal_size_breakdown(
    *, workspace: Workspace, filters: DashboardFilters, dimension: str = "tier"
) -> dict:
    """Deals, total, average and median won amount per tier / segment / industry / campaign / quarter."""
    names: dict[int, str] = {}
    if dimension == "campaign":
        from campaigns.models import Campaign

        names = dict(Campaign.objects.for_workspace(workspace).values_list("pk", "name"))
    columns = factframes.deal_columns(workspace_id=workspace.pk)
    rows = (
        _grouped(columns, filters, dimension, names)
        if columns is not None
        else _won(workspace, filters)
        .annotate(g=_group_expr(dimension, names))
        .values("g")
        .annotate(
            deals=Count("pk"),
            total=Sum("amount_usd"),
            average=Avg("amount_usd"),
            median=Median("amount_usd"),
        )
        .order_by()
    )
    if dimension == "campaign":
        rows = [{**row, "g": names.get(row["g"])} for row in rows]
    out = [
        {
            "group": _label(dimension, row["g"]),
            "key": row["g"],
            "deals": row["deals"],
            "total": rounded(row["total"], 2),
            "average": rounded(row["average"], 2),
            "median": rounded(row["median"], 2),
        }
        for row in rows
    ]
    if dimension == "quarter":
        out.sort(key=lambda r: r["key"])
    elif dimension == "tier":
        out.sort(key=lambda r: (r["key"] == 0, r["key"]))
    else:
        out.sort(key=lambda r: (-(r["total"] or 0), r["group"]))
    for row in out:
        row["key"] = row["group"] if dimension == "quarter" else row["key"]
    return {"dimension": dimension, "label": DIMENSIONS[dimension], "rows": out}


def _grouped(
    columns: factframes.DealColumns, filters: DashboardFilters, dimension: str, names: dict
) -> list[dict]:
    """`deal_size_breakdown`'s rows from the in-process deal columns, keyed as the database
    groups them (tier number, segment, industry, campaign id, quarter's first day)."""
    rows = columns.won_in(filters)
    if dimension == "tier":
        keys = columns.tier[rows].astype(int)
    elif dimension == "segment":
        keys = np.array(list(columns.segments), dtype=object)[columns.segment[rows]]
    elif dimension == "industry":
        keys = np.array(columns.industries, dtype=object)[columns.industry[rows]]
    elif dimension == "campaign":
        ids = columns.campaign[rows]
        keys = np.where(np.isin(ids, list(names)), ids, -1).astype(np.int64)
    elif dimension == "quarter":
        days = pd.to_datetime(columns.close[rows], unit="D")
        keys = [dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1) for d in days]
    else:
        raise ValueError(f"unknown deal-size dimension {dimension!r}")
    keys = keys.tolist() if isinstance(keys, np.ndarray) else keys  # plain Python values
    groups: dict = {}
    for key, amount in zip(keys, columns.amount[rows].tolist(), strict=True):
        groups.setdefault(key, []).append(amount)
    return [
        {"g": None if dimension == "campaign" and key == -1 else key, **_summary(values)}
        for key, values in groups.items()
    ]


def _summary(values: list[float]) -> dict:
    """Count, sum, mean and median as PostgreSQL's count, sum, avg and percentile_cont(0.5)
    give them (exactly rounded sums here; they can differ in the last cent where the true
    value lies on a half cent)."""
    ordered = sorted(values)
    n = len(ordered)
    low, high = ordered[(n - 1) // 2], ordered[n // 2]
    total = math.fsum(ordered)
    return {"deals": n, "total": total, "average": total / n, "median": low + (high - low) * 0.5}


def won_amount_distribution(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    """How many won deals fall in each amount band (one query)."""
    columns = factframes.deal_columns(workspace_id=workspace.pk)
    if columns is not None:
        amounts = columns.amount[columns.won_in(filters)]
        bands = np.select(
            [
                (amounts >= low) & (amounts < (np.inf if high is None else high))
                for low, high, _ in BINS
            ],
            range(len(BINS)),
            default=0,
        )
        found = {
            i: {"deals": int((bands == i).sum()), "total": float(amounts[bands == i].sum())}
            for i in range(len(BINS))
            if (bands == i).any()
        }
        return _distribution(found)
    whens = []
    for i, (low, high, _label) in enumerate(BINS):
        cond = {"amount_usd__gte": low}
        if high is not None:
            cond["amount_usd__lt"] = high
        whens.append(When(**cond, then=Value(i)))
    rows = (
        _won(workspace, filters)
        .annotate(b=Case(*whens, default=Value(0), output_field=IntegerField()))
        .values("b")
        .annotate(deals=Count("pk"), total=Sum("amount_usd"))
        .order_by()
    )
    return _distribution({r["b"]: r for r in rows})


def _distribution(found: dict) -> dict:
    deals_total = sum(r["deals"] for r in found.values())
    return {
        "deals": deals_total,
        "rows": [
            {
                "band": label,
                "deals": found.get(i, {}).get("deals", 0),
                "total": rounded(found.get(i, {}).get("total") or 0, 2),
                "share": rounded(found.get(i, {}).get("deals", 0) / deals_total)
                if deals_total
                else None,
            }
            for i, (_low, _high, label) in enumerate(BINS)
        ],
    }
