"""Reads for campaigns: segments, target lists, performance under each attribution model, heat map."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, AccountIpRange, Opportunity
from accounts.selectors import in_tiers
from campaigns import attribution
from campaigns.journey import Rules
from campaigns.models import (
    Campaign,
    CampaignAccount,
    Channel,
    EngagementEvent,
    Segment,
    StageTransition,
)
from campaigns.weights import HAND_RAISER_KINDS

CHANNEL_LABELS = dict(Channel.choices)

# Segment filter keys (the JSON stored on `Segment.filters`) and what they mean.
SEGMENT_FILTER_KEYS = {
    "tiers": "tier is one of (list of 1/2/3; 0 = not tiered)",
    "min_fit": "fit score at least",
    "min_intent": "intent score at least",
    "min_engagement": "engagement score at least",
    "min_priority": "priority at least",
    "industries": "industry is one of",
    "stages": "journey stage is one of",
    "countries": "country (ISO-2) is one of",
    "technologies": "runs any of these technologies",
}


def _clean_list(value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    return [value]


def segment_queryset(*, workspace: Workspace | int, filters: dict) -> QuerySet[Account]:
    """Accounts of the workspace matching a segment's filter JSON (see SEGMENT_FILTER_KEYS)."""
    qs = Account.objects.for_workspace(workspace)
    filters = filters or {}
    tiers = [int(t) for t in _clean_list(filters.get("tiers"))]
    if tiers:
        qs = qs.filter(in_tiers(workspace, tiers))
    for key, field in (
        ("min_fit", "fit_score"),
        ("min_intent", "intent_score"),
        ("min_engagement", "engagement_score"),
        ("min_priority", "priority"),
    ):
        if filters.get(key) not in (None, ""):
            qs = qs.filter(**{f"{field}__gte": float(filters[key])})
    if industries := _clean_list(filters.get("industries")):
        qs = qs.filter(industry__in=industries)
    if stages := _clean_list(filters.get("stages")):
        qs = qs.filter(stage__in=stages)
    if countries := _clean_list(filters.get("countries")):
        qs = qs.filter(country__in=[c.upper() for c in countries])
    if technologies := _clean_list(filters.get("technologies")):
        tech_q = Q()
        for tech in technologies:
            if connection.vendor == "postgresql":
                tech_q |= Q(technologies__contains=[tech])
            else:  # SQLite has no JSON containment; the quoted element matches inside the text
                tech_q |= Q(technologies__icontains=f'"{tech}"')
        qs = qs.filter(tech_q)
    return qs


def segment_accounts(*, segment: Segment) -> QuerySet[Account]:
    return segment_queryset(workspace=segment.workspace_id, filters=segment.filters)


def segment_list(*, workspace: Workspace) -> list[dict]:
    """Saved segments with their live account counts."""
    return [
        {"segment": s, "count": segment_queryset(workspace=workspace, filters=s.filters).count()}
        for s in Segment.objects.for_workspace(workspace).order_by("name")
    ]


def segment_options(*, workspace: Workspace) -> dict[str, list[str]]:
    """Values present in the workspace, for the segment builder's choices."""
    base = Account.objects.for_workspace(workspace)
    # order_by() first: the model's default ordering would otherwise make DISTINCT per name
    industries = base.exclude(industry="").order_by().values_list("industry", flat=True).distinct()
    countries = base.exclude(country="").order_by().values_list("country", flat=True).distinct()
    technologies: set[str] = set()
    for techs in base.exclude(technologies=[]).values_list("technologies", flat=True)[:5000]:
        technologies.update(t for t in techs or [] if isinstance(t, str))
    return {
        "industries": sorted(industries),
        "countries": sorted(countries),
        "technologies": sorted(technologies),
    }


def campaign_list(
    *,
    workspace: Workspace,
    reached: dict[int, int] | None = None,
    touch_totals: dict[int, tuple[int, dt.datetime | None]] | None = None,
) -> list[Campaign]:
    """Campaigns with their target counts, touches, accounts reached and last touch, newest
    first. `reached` ({campaign id: accounts ever touched}) and `touch_totals` ({campaign id:
    (touches, last touch)}), the dashboards' rollups, spare counting over every touch (20 s at
    10M events)."""
    campaigns = list(
        Campaign.objects.for_workspace(workspace)
        .select_related("owner")
        .annotate(target_count=Count("targets", distinct=True))
        .order_by("-created_at")
    )
    if reached is not None and touch_totals is not None:
        stats = {
            campaign_id: {"touches": n, "last": last}
            for campaign_id, (n, last) in touch_totals.items()
        }
    else:
        stats = {
            row["campaign_id"]: row
            for row in EngagementEvent.objects.for_workspace(workspace)
            .filter(campaign__isnull=False)
            .values("campaign_id")
            .annotate(
                touches=Count("id"),
                accounts=Count("account_id", distinct=True),
                last=Max("occurred_at"),
            )
            .order_by()
        }
        reached = None
    for campaign in campaigns:
        row = stats.get(campaign.pk, {})
        campaign.touch_count = row.get("touches", 0)
        campaign.reached_count = (
            row.get("accounts", 0) if reached is None else reached.get(campaign.pk, 0)
        )
        campaign.last_touch = row.get("last")
    return campaigns


def campaign_targets(*, campaign: Campaign) -> QuerySet[CampaignAccount]:
    return (
        CampaignAccount.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign)
        .select_related("account")
        .order_by("account__name")
    )


def _period_bounds(
    date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz) if date_from else None
    end = (
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if date_to
        else None
    )
    return start, end


def _in_period(qs, field: str, start, end):
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _touches_by_account(
    *, workspace: Workspace, account_ids: set[int], since: dt.datetime | None
) -> dict[int, list[attribution.Touch]]:
    out: dict[int, list[attribution.Touch]] = defaultdict(list)
    ids = sorted(account_ids)
    for i in range(0, len(ids), 2000):
        qs = EngagementEvent.objects.for_workspace(workspace).filter(
            account_id__in=ids[i : i + 2000]
        )
        if since is not None:
            qs = qs.filter(occurred_at__gte=since)
        for account_id, at, campaign_id, channel, kind in qs.values_list(
            "account_id", "occurred_at", "campaign_id", "channel", "kind"
        ).order_by():
            out[account_id].append(attribution.Touch(at, campaign_id, channel, kind))
    return out


def _deals(qs) -> list[attribution.Deal]:
    return [
        attribution.Deal(pk, account_id, created, float(amount or 0), bool(won))
        for pk, account_id, created, amount, won in qs.values_list(
            "pk", "account_id", "created_date", "amount", "is_won"
        )
    ]


def _attribution_inputs(
    *, workspace: Workspace, date_from, date_to, lookback_days: int
) -> tuple[list, list, dict]:
    opps = Opportunity.objects.for_workspace(workspace).filter(created_date__isnull=False)
    created = opps
    if date_from:
        created = created.filter(created_date__gte=date_from)
    if date_to:
        created = created.filter(created_date__lte=date_to)
    won = opps.filter(is_won=True)
    if date_from:
        won = won.filter(close_date__gte=date_from)
    if date_to:
        won = won.filter(close_date__lte=date_to)
    pipeline_deals, won_deals = _deals(created), _deals(won)
    earliest = min((d.created for d in pipeline_deals + won_deals), default=None)
    since = None
    if earliest is not None:
        since = dt.datetime.combine(
            earliest - dt.timedelta(days=lookback_days + 1), dt.time.min, tzinfo=dt.UTC
        )
    touches = _touches_by_account(
        workspace=workspace,
        account_ids={d.account_id for d in pipeline_deals + won_deals},
        since=since,
    )
    return pipeline_deals, won_deals, touches


def _credited(
    *, model, pipeline_deals, won_deals, touches, half_life_days, lookback_days
) -> dict[str, dict]:
    kwargs = {"model": model, "half_life_days": half_life_days, "lookback_days": lookback_days}
    p_campaign, p_channel = attribution.attribute(
        deals=pipeline_deals, touches_by_account=touches, **kwargs
    )
    w_campaign, w_channel = attribution.attribute(
        deals=won_deals, touches_by_account=touches, **kwargs
    )

    def merge(pipe: dict, wins: dict) -> dict:
        out = {}
        for key in set(pipe) | set(wins):
            p, w = pipe.get(key), wins.get(key)
            out[key] = {
                "pipeline": p.pipeline if p else 0.0,
                "opportunities": len(p.opportunities) if p else 0,
                "won": w.won if w else 0.0,
                "won_opportunities": len(w.won_opportunities) if w else 0,
            }
        return out

    return {"campaigns": merge(p_campaign, w_campaign), "channels": merge(p_channel, w_channel)}


def attributed_revenue(
    *,
    workspace: Workspace,
    model: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    half_life_days: float = attribution.DEFAULT_HALF_LIFE_DAYS,
    lookback_days: int = attribution.DEFAULT_LOOKBACK_DAYS,
) -> dict[str, dict]:
    """Pipeline (opportunities created in the period) and won revenue (won opportunities closed
    in the period) credited to campaigns and channels under `model`.

    Returns ``{"campaigns": {campaign_id | None: {...}}, "channels": {channel: {...}}}`` where
    each value is ``{"pipeline", "won", "opportunities", "won_opportunities"}`` (counts of
    distinct opportunities that earned any credit).
    """
    return attributed_revenue_by_model(
        workspace=workspace,
        models=[model],
        date_from=date_from,
        date_to=date_to,
        half_life_days=half_life_days,
        lookback_days=lookback_days,
    )[model]


def attributed_revenue_by_model(
    *,
    workspace: Workspace,
    models: list[str] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    half_life_days: float = attribution.DEFAULT_HALF_LIFE_DAYS,
    lookback_days: int = attribution.DEFAULT_LOOKBACK_DAYS,
) -> dict[str, dict[str, dict]]:
    """`attributed_revenue` for several models, reading opportunities and touches once."""
    models = list(models or attribution.MODELS)
    for model in models:
        if model not in attribution.MODELS:
            raise ValueError(f"unknown attribution model {model!r}")
    pipeline_deals, won_deals, touches = _attribution_inputs(
        workspace=workspace, date_from=date_from, date_to=date_to, lookback_days=lookback_days
    )
    return {
        model: _credited(
            model=model,
            pipeline_deals=pipeline_deals,
            won_deals=won_deals,
            touches=touches,
            half_life_days=half_life_days,
            lookback_days=lookback_days,
        )
        for model in models
    }


def campaign_attribution_comparison(
    *,
    campaign: Campaign,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    credited_by_model: dict | None = None,
) -> list[dict]:
    """The campaign's credit under every model: ``[{"model", "label", "pipeline",
    "won_revenue", "opportunities", "won_opportunities"}]`` in MODELS order. With
    `credited_by_model` ({model: {campaign id: credit}}, the dashboards' rollup) nothing is
    attributed here."""
    if credited_by_model is None:
        by_model = attributed_revenue_by_model(
            workspace=campaign.workspace, date_from=date_from, date_to=date_to
        )
        credited_by_model = {model: by_model[model]["campaigns"] for model in by_model}
    rows = []
    for model, label in attribution.MODELS.items():
        credit = credited_by_model[model].get(campaign.pk, {})
        rows.append(
            {
                "model": model,
                "label": label,
                "pipeline": credit.get("pipeline", 0.0),
                "won_revenue": credit.get("won", 0.0),
                "opportunities": credit.get("opportunities", 0),
                "won_opportunities": credit.get("won_opportunities", 0),
            }
        )
    return rows


def campaign_performance(
    *,
    workspace: Workspace,
    model: str = attribution.DEFAULT_MODEL,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    campaign_ids: list[int] | None = None,
    credited: dict | None = None,
    reach: dict | None = None,
) -> list[dict]:
    """One dict per campaign of the workspace (ordered by name), numbers for the period.

    `credited` ({campaign id: {"pipeline", "opportunities", "won", "won_opportunities"}}) is
    the attribution already summed for this model and period, as the dashboards' rollup holds
    it; without it the touches are attributed here (`attributed_revenue`). `reach` ({campaign
    id: {"targeted", "reached", "engaged", "mqa"}}) likewise holds the account counts of the
    campaigns the dashboards' rollup could answer for; the others are counted from the touches.

    Keys:
    - ``campaign_id`` (int), ``name``, ``kind``, ``status``, ``channels`` (list), ``budget``
      (float or None)
    - ``targeted``: accounts on the target list, plus accounts the campaign touched in the
      period (an account an ad platform reached was targeted there)
    - ``reached``: accounts with at least one of the campaign's touches in the period
    - ``engaged``: reached accounts whose touches from this campaign in the period reach the
      journey's engaged threshold, or that raised a hand (meeting, event, webinar, form fill)
    - ``mqa``: reached accounts that became MQA in the period, on or after their first touch
      from the campaign
    - ``opportunities``: opportunities created in the period that earn any credit from the
      campaign under `model`
    - ``pipeline``: attributed amount of opportunities created in the period (float)
    - ``won_opportunities`` / ``won_revenue``: won opportunities closed in the period that earn
      credit, and the attributed amount (float)
    - ``cost_per_engaged_account``: budget / engaged (None without budget or engaged accounts)
    - ``roi``: (won_revenue − budget) / budget as a fraction (None without a budget)
    - ``model``: the attribution model used
    Opportunity amounts are summed as stored (no currency conversion).
    """
    campaigns = Campaign.objects.for_workspace(workspace).order_by("name")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    campaigns = list(campaigns)
    if not campaigns:
        return []
    reach = reach or {}
    ids = [c.pk for c in campaigns if c.pk not in reach]
    start, end = _period_bounds(date_from, date_to)
    rules = Rules.from_settings((workspace.settings or {}).get("journey_rules"))

    targets: dict[int, set[int]] = defaultdict(set)
    for campaign_id, account_id in (
        CampaignAccount.objects.for_workspace(workspace)
        .filter(campaign_id__in=ids)
        .values_list("campaign_id", "account_id")
    ):
        targets[campaign_id].add(account_id)

    events = _in_period(
        EngagementEvent.objects.for_workspace(workspace).filter(
            campaign_id__in=ids, account__isnull=False
        ),
        "occurred_at",
        start,
        end,
    )
    reached: dict[int, set[int]] = defaultdict(set)
    engaged: dict[int, set[int]] = defaultdict(set)
    first_touch: dict[tuple[int, int], dt.datetime] = {}
    for row in (
        events.values("campaign_id", "account_id")
        .annotate(
            points=Sum("weight"),
            first=Min("occurred_at"),
            raisers=Count("id", filter=Q(kind__in=HAND_RAISER_KINDS)),
        )
        .order_by()
    ):
        key = (row["campaign_id"], row["account_id"])
        reached[row["campaign_id"]].add(row["account_id"])
        first_touch[key] = row["first"]
        if row["raisers"] or (row["points"] or 0) >= rules.engaged_points:
            engaged[row["campaign_id"]].add(row["account_id"])

    mqa_at: dict[int, list[dt.datetime]] = defaultdict(list)
    for account_id, at in _in_period(
        StageTransition.objects.for_workspace(workspace).filter(
            to_stage="mqa", account_id__in=events.values("account_id")
        ),
        "at",
        start,
        end,
    ).values_list("account_id", "at"):
        mqa_at[account_id].append(at)

    if credited is None:
        credited = attributed_revenue(
            workspace=workspace, model=model, date_from=date_from, date_to=date_to
        )["campaigns"]

    out = []
    for campaign in campaigns:
        if campaign.pk in reach:
            counts = reach[campaign.pk]
            targeted_n, reached_n = counts["targeted"], counts["reached"]
            engaged_n, mqa = counts["engaged"], counts["mqa"]
        else:
            reached_ids = reached.get(campaign.pk, set())
            mqa = sum(
                1
                for account_id in reached_ids
                if any(
                    at >= first_touch[(campaign.pk, account_id)]
                    for at in mqa_at.get(account_id, ())
                )
            )
            targeted_n = len(targets.get(campaign.pk, set()) | reached_ids)
            reached_n = len(reached_ids)
            engaged_n = len(engaged.get(campaign.pk, ()))
        credit = credited.get(campaign.pk, {})
        budget = float(campaign.budget) if campaign.budget is not None else None
        won_revenue = float(credit.get("won", 0.0))
        out.append(
            {
                "campaign_id": campaign.pk,
                "name": campaign.name,
                "kind": campaign.kind,
                "status": campaign.status,
                "channels": list(campaign.channels or []),
                "budget": budget,
                "targeted": targeted_n,
                "reached": reached_n,
                "engaged": engaged_n,
                "mqa": mqa,
                "opportunities": int(credit.get("opportunities", 0)),
                "pipeline": float(credit.get("pipeline", 0.0)),
                "won_opportunities": int(credit.get("won_opportunities", 0)),
                "won_revenue": won_revenue,
                "cost_per_engaged_account": (budget / engaged_n) if budget and engaged_n else None,
                "roi": ((won_revenue - budget) / budget) if budget else None,
                "model": model,
            }
        )
    return out


def channel_performance(
    *,
    workspace: Workspace,
    model: str = attribution.DEFAULT_MODEL,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    credited: dict | None = None,
) -> list[dict]:
    """Pipeline and won revenue per channel under `model`, largest pipeline first.

    Keys: ``channel`` ("" for touches without one), ``label``, ``pipeline``, ``won_revenue``,
    ``opportunities``, ``won_opportunities``, ``model``. `credited` ({channel: credit}) is the
    attribution already summed (the dashboards' rollup); without it the touches are attributed.
    """
    if credited is None:
        credited = attributed_revenue(
            workspace=workspace, model=model, date_from=date_from, date_to=date_to
        )["channels"]
    rows = [
        {
            "channel": channel,
            "label": CHANNEL_LABELS.get(
                channel, channel.replace("_", " ").capitalize() or "Unknown"
            ),
            "pipeline": values["pipeline"],
            "won_revenue": values["won"],
            "opportunities": values["opportunities"],
            "won_opportunities": values["won_opportunities"],
            "model": model,
        }
        for channel, values in credited.items()
    ]
    return sorted(rows, key=lambda r: (-r["pipeline"], r["channel"]))


def campaign_heatmap(
    *, campaign: Campaign, weeks: int = 12, limit: int = 40, today: dt.date | None = None
) -> dict:
    """Engagement points of the campaign's accounts per week (accounts × weeks).

    Weeks run Monday to Sunday and end with the campaign's last week (its end date, or this
    week while it runs). Accounts: the target list and any account it touched, the most engaged
    first, at most `limit`. Returns ``{"weeks": [date, …], "rows": [{"account", "cells",
    "total"}], "max": float, "hidden": int}``.
    """
    today = today or timezone.localdate()
    last = min(campaign.ends, today) if campaign.ends else today
    last_monday = last - dt.timedelta(days=last.weekday())
    week_starts = [last_monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    start, end = _period_bounds(week_starts[0], last_monday + dt.timedelta(days=6))
    rows = (
        _in_period(
            EngagementEvent.objects.for_workspace(campaign.workspace_id).filter(
                campaign=campaign, account__isnull=False
            ),
            "occurred_at",
            start,
            end,
        )
        .annotate(week=TruncWeek("occurred_at"))
        .values("account_id", "week")
        .annotate(points=Sum("weight"))
        .order_by()
    )
    grid: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        grid[row["account_id"]][week] = float(row["points"] or 0)
    account_ids = set(grid) | set(
        CampaignAccount.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign)
        .values_list("account_id", flat=True)
    )
    totals = {a: sum(grid.get(a, {}).values()) for a in account_ids}
    ranked = sorted(account_ids, key=lambda a: (-totals[a], a))
    shown = ranked[:limit]
    accounts = Account.objects.for_workspace(campaign.workspace_id).in_bulk(shown)
    out_rows = []
    for account_id in shown:
        if account_id not in accounts:
            continue
        cells = [grid.get(account_id, {}).get(w, 0.0) for w in week_starts]
        out_rows.append(
            {"account": accounts[account_id], "cells": cells, "total": totals[account_id]}
        )
    top = max((v for r in out_rows for v in r["cells"]), default=0.0)
    return {
        "weeks": week_starts,
        "rows": out_rows,
        "max": top,
        "hidden": max(len(ranked) - limit, 0),
    }


def ip_ranges(*, workspace: Workspace) -> QuerySet[AccountIpRange]:
    return (
        AccountIpRange.objects.for_workspace(workspace)
        .select_related("account")
        .order_by("account__name", "start")
    )


def event_totals(*, workspace: Workspace, resolved: int | None = None) -> dict:
    """How many touches the workspace holds, and how many are not tied to an account yet.

    `resolved` (touches with an account, the dashboards' rollup) spares counting every touch
    (1.4 s at 10M events); the unresolved ones and the last touch are index range scans."""
    qs = EngagementEvent.objects.for_workspace(workspace)
    if resolved is None:
        return qs.aggregate(
            total=Count("id"),
            unresolved=Count("id", filter=Q(account__isnull=True)),
            last=Max("occurred_at"),
        )
    unresolved = qs.filter(account__isnull=True).count()
    return {
        "total": resolved + unresolved,
        "unresolved": unresolved,
        "last": qs.aggregate(last=Max("occurred_at"))["last"],
    }


def budget_total(campaigns) -> Decimal:
    return sum((c.budget or Decimal(0) for c in campaigns), Decimal(0))
