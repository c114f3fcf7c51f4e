"""SDR team and campaign tables."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from abm.models import Membership, Workspace
from dashboards import factframes
from dashboards.filters import DashboardFilters
from dashboards.models import (
    AccountCell,
    ActivityDaily,
    CampaignCredit,
    CampaignReach,
    CampaignTouchTotal,
    ChannelCredit,
    LeadStageFact,
    OpportunityFact,
)
from dashboards.selectors.common import (
    account_q,
    between,
    between_dt,
    cell_q,
    fact_q,
    period_bounds,
    ratio,
    rounded,
)


def _grouped(qs, key: str, **aggregates) -> dict:
    return {row[key]: row for row in qs.values(key).annotate(**aggregates).order_by()}


def _sla_breaches(workspace: Workspace, ids: list[int], filters: DashboardFilters) -> dict | None:
    try:
        from accounts.models import SlaClock
        from accounts.queue.selectors import breached_q
    except ImportError:  # the SDR queue has not landed
        return None
    clocks = SlaClock.objects.for_workspace(workspace).filter(
        breached_q(timezone.now()), between_dt("due_at", filters), owner_id__in=ids
    )
    if filters.has_account_filter:
        clocks = clocks.filter(account_q(replace(filters, owner=None)))
    return {k: v["n"] for k, v in _grouped(clocks, "owner_id", n=Count("pk")).items()}


def _owned_from_cells(workspace: Workspace, ids: list[int], scope: DashboardFilters) -> dict:
    cells = AccountCell.objects.for_workspace(workspace).filter(cell_q(scope), owner_id__in=ids)
    return _grouped(
        cells,
        "owner_id",
        n=Sum("accounts", default=0),
        tier1=Sum("accounts", filter=Q(tier=1), default=0),
    )


def _activities_from_daily(
    workspace: Workspace, ids: list[int], filters: DashboardFilters, scope: DashboardFilters
) -> dict:
    columns = factframes.activity_columns(workspace_id=workspace.pk)
    if columns is not None:
        return columns.by_user(scope, ids)
    days = ActivityDaily.objects.for_workspace(workspace).filter(
        cell_q(scope), between("day", filters), user_id__in=ids
    )
    return _grouped(
        days, "user_id", n=Sum("activities", default=0), meetings=Sum("meetings", default=0)
    )


def sdr_performance(*, workspace: Workspace, filters: DashboardFilters) -> dict:
    """Per SDR: accounts owned, activities, meetings, SQLs, opportunities and pipeline sourced."""
    from accounts.models import Account, Activity
    from dashboards.services import LEAD_LADDER

    members = Membership.objects.filter(workspace=workspace).select_related("user")
    members = members.filter(user_id=filters.owner) if filters.owner else members.filter(role="sdr")
    people = sorted((m.user for m in members), key=lambda u: (u.get_full_name() or u.email).lower())
    ids = [u.pk for u in people]
    scope = replace(filters, owner=None)  # the owner filter picks the row, not the accounts
    scoped = scope.has_account_filter

    accounts = Account.objects.for_workspace(workspace).filter(owner_id__in=ids)
    activities = Activity.objects.for_workspace(workspace).filter(
        user_id__in=ids,
        at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=dt.UTC),
        at__lt=dt.datetime.combine(filters.date_to, dt.time.min, tzinfo=dt.UTC)
        + dt.timedelta(days=1),
    )
    sqls = LeadStageFact.objects.for_workspace(workspace).filter(
        between_dt("reached_at", filters), status="sql", account_owner_id__in=ids
    )
    opps = OpportunityFact.objects.for_workspace(workspace).filter(
        between("created_date", filters), account_owner_id__in=ids
    )
    if scoped:
        accounts = accounts.filter(account_q(scope, prefix=""))
        activities = activities.filter(account_q(scope))
        sqls = sqls.filter(fact_q(scope))
        opps = opps.filter(fact_q(scope))
    if scope.campaign:  # a target list is not a cell: count the accounts themselves
        owned = _grouped(accounts, "owner_id", n=Count("pk"), tier1=Count("pk", filter=Q(tier=1)))
    else:
        owned = _owned_from_cells(workspace, ids, scope)
    if scope.campaign:
        acts = _grouped(
            activities,
            "user_id",
            n=Count("kind"),
            meetings=Count("kind", filter=Q(kind="meeting")),
        )
    else:
        acts = _activities_from_daily(workspace, ids, filters, scope)
    # From the fact columns the web process keeps for the funnels and deal sizes when the
    # workspace is under their cap (two queries of 4–11 ms each at 200,000 accounts).
    leads = factframes.stage_columns(workspace_id=workspace.pk, kind="lead", ladder=LEAD_LADDER)
    if leads is not None:
        start, end = (t.timestamp() for t in period_bounds(filters))
        sql_n = {
            owner: {"n": n}
            for owner, n in leads.reached_by_owner(scope, "sql", start, end, ids).items()
        }
    else:
        sql_n = _grouped(sqls, "account_owner_id", n=Count("*"))  # one fact per lead and status
    deals = factframes.deal_columns(workspace_id=workspace.pk)
    if deals is not None:
        pipe = deals.pipeline_by_owner(scope, ids)
    else:
        pipe = _grouped(
            opps,
            "account_owner_id",
            n=Count("pk"),
            amount=Sum("amount_usd"),
            won=Sum("amount_usd", filter=Q(is_won=True)),
        )
    breaches = _sla_breaches(workspace, ids, filters)
    rows = []
    for user in people:
        a = acts.get(user.pk, {})
        o = pipe.get(user.pk, {})
        meetings = a.get("meetings", 0)
        rows.append(
            {
                "user_id": user.pk,
                "name": user.get_full_name() or user.email,
                "accounts": owned.get(user.pk, {}).get("n", 0),
                "tier1_accounts": owned.get(user.pk, {}).get("tier1", 0),
                "activities": a.get("n", 0),
                "meetings": meetings,
                "sqls": sql_n.get(user.pk, {}).get("n", 0),
                "opportunities": o.get("n", 0),
                "pipeline": rounded(o.get("amount") or 0, 2),
                "meeting_to_opportunity": rounded(ratio(o.get("n", 0), meetings)),
                "sla_breaches": None if breaches is None else breaches.get(user.pk, 0),
            }
        )
    totals = {
        key: sum(r[key] or 0 for r in rows)
        for key in ("accounts", "activities", "meetings", "sqls", "opportunities", "pipeline")
    }
    return {"rows": rows, "totals": totals, "has_sla": breaches is not None}


def _credit_sums(credits, key: str, filters: DashboardFilters) -> dict:
    out: dict = defaultdict(
        lambda: {"pipeline": 0.0, "opportunities": 0, "won": 0.0, "won_opportunities": 0}
    )
    for value, n, amount in (
        credits.filter(between("created_date", filters))
        .values(key)
        .annotate(n=Count("*"), amount=Sum("amount"))
        .values_list(key, "n", "amount")
        .order_by()
    ):
        out[value].update(pipeline=amount or 0.0, opportunities=n)
    for value, n, amount in (
        credits.filter(between("close_date", filters), is_won=True)
        .values(key)
        .annotate(n=Count("*"), amount=Sum("amount"))
        .values_list(key, "n", "amount")
        .order_by()
    ):
        out[value].update(won=amount or 0.0, won_opportunities=n)
    return dict(out)


def campaign_credit(*, workspace: Workspace, filters: DashboardFilters, model: str) -> dict:
    """Pipeline (deals created in the period) and won revenue (won deals closed in it) credited
    to each campaign under `model`, summed from `CampaignCredit`: what
    `campaigns.selectors.attributed_revenue` computes from the touches, without reading them."""
    columns = factframes.credit_columns(workspace_id=workspace.pk)
    if columns is not None:
        return columns.sums(filters, model)
    credits = CampaignCredit.objects.for_workspace(workspace).filter(model=model)
    if filters.campaign:
        credits = credits.filter(campaign_id=filters.campaign)
    return _credit_sums(credits, "campaign_id", filters)


def channel_credit(*, workspace: Workspace, filters: DashboardFilters, model: str) -> dict:
    """As `campaign_credit`, per channel ("" for touches without one), from `ChannelCredit`."""
    credits = ChannelCredit.objects.for_workspace(workspace).filter(model=model)
    return _credit_sums(credits, "channel", filters)


def _reached_ever(workspace: Workspace, campaign_ids: list[int] | None) -> dict[int, int]:
    """Accounts each campaign ever touched: the last count of its first reach row (reached
    depends on neither the target list nor the engaged threshold, so any row will do)."""
    from dashboards.reach import METRICS, decode

    rows = CampaignReach.objects.for_workspace(workspace)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=campaign_ids)
    firsts = list(
        rows.values("campaign_id")
        .annotate(first=Min("start_day"))
        .values_list("campaign_id", "first")
    )
    if not firsts:
        return {}
    wanted = Q(pk__in=[])
    for campaign_id, first in firsts:
        wanted |= Q(campaign_id=campaign_id, start_day=first)
    column = METRICS.index("reached")
    return {
        campaign_id: int(decode(blob)[column, -1])
        for campaign_id, blob in rows.filter(wanted).values_list("campaign_id", "counts")
    }


LIVE_CAMPAIGN_TOUCHES_LIMIT = 200_000


def _touches_estimate() -> float:
    """Touches in the database, all workspaces: PostgreSQL's planner estimate (free), a count
    elsewhere (SQLite holds development data)."""
    from django.db import connection

    from campaigns.models import EngagementEvent

    if connection.vendor != "postgresql":
        return EngagementEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
            [EngagementEvent._meta.db_table],
        )
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0


def campaign_rollups(
    *,
    workspace: Workspace,
    model: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    campaign_ids: list[int] | None = None,
) -> dict | None:
    """The campaigns pages' attribution and reach read from the rollups, in the shapes
    `campaigns.selectors` takes (``credited``, ``channels``, ``reach``, ``credited_by_model``).

    None (the pages count the touches themselves, exact to the second) while the database holds
    fewer than LIVE_CAMPAIGN_TOUCHES_LIMIT touches or before a first full rebuild: attributing
    every deal's touches took 120 s for the campaign list at 10M events, so past that size the
    pages show the rollups, as fresh as their last refresh (a minute after new touches)."""
    from campaigns import attribution
    from dashboards.filters import MAX_YEAR, MIN_YEAR
    from dashboards.models import RollupState

    if _touches_estimate() < LIVE_CAMPAIGN_TOUCHES_LIMIT:
        return None
    if not RollupState.objects.filter(workspace=workspace, last_full_at__isnull=False).exists():
        return None
    one = campaign_ids[0] if campaign_ids and len(campaign_ids) == 1 else None
    filters = DashboardFilters(
        date_from=date_from or dt.date(MIN_YEAR, 1, 1),
        date_to=date_to or dt.date(MAX_YEAR, 12, 31),
        campaign=one,
    )
    from dashboards.models import ALL_CHANNELS, EngagementCube

    return {
        "resolved_touches": EngagementCube.objects.for_workspace(workspace)
        .filter(channel=ALL_CHANNELS)
        .aggregate(n=Sum("events", default=0))["n"],
        "touch_totals": {
            row.campaign_id: (row.touches, row.last_touch)
            for row in CampaignTouchTotal.objects.for_workspace(workspace)
        },
        "reached_all_time": _reached_ever(workspace, campaign_ids),
        "credited": campaign_credit(workspace=workspace, filters=filters, model=model),
        "channels": channel_credit(workspace=workspace, filters=filters, model=model),
        "reach": campaign_reach(workspace=workspace, filters=filters, campaign_ids=campaign_ids),
        "credited_by_model": {
            name: campaign_credit(workspace=workspace, filters=filters, model=name)
            for name in attribution.MODELS
        }
        if one
        else None,
    }


# Knuth's multiplicative hash: a target list's (count, sum of hashed ids) changes when an account
# is swapped for another, where a plain sum of ids would not notice one added and one removed.
_TARGET_HASH_MULTIPLIER = 2654435761
_TARGET_HASH_MODULUS = 2**32


def campaign_targets_digest(
    *, workspace: Workspace, campaign_ids: list[int] | None = None
) -> dict[int, tuple[int, int]]:
    """{campaign id: (targets, hash of their account ids)} for campaigns with any target."""
    from campaigns.models import CampaignAccount

    targets = CampaignAccount.objects.for_workspace(workspace)
    if campaign_ids is not None:
        targets = targets.filter(campaign_id__in=campaign_ids)
    return {
        campaign_id: (n, int(hashed or 0))
        for campaign_id, n, hashed in targets.values("campaign_id")
        .annotate(
            # Count("*"), not the pk: the unique (workspace, campaign, account) index then
            # answers alone (an index-only scan), without reading the table.
            n=Count("*"),
            hashed=Sum(F("account_id") * _TARGET_HASH_MULTIPLIER % _TARGET_HASH_MODULUS),
        )
        .values_list("campaign_id", "n", "hashed")
        .order_by()
    }


def reach_engaged_points(workspace: Workspace) -> float:
    """The engaged threshold the campaigns table counts with (as `campaign_performance` reads
    it), which `CampaignReach` rows are built for and checked against."""
    from campaigns.journey import Rules

    return Rules.from_settings((workspace.settings or {}).get("journey_rules")).engaged_points


def campaign_reach(
    *, workspace: Workspace, filters: DashboardFilters, campaign_ids: list[int] | None = None
) -> dict[int, dict]:
    """{campaign id: {"targeted", "reached", "engaged", "mqa"}} for the period, read from
    `CampaignReach`: one row per campaign (the first start day on or after the period's first
    day). Campaigns without rows, or whose rows were built for another target list or engaged
    threshold, are left out; `campaigns.selectors.campaign_performance` counts those from the
    touches."""
    from dashboards.reach import value_at

    rows = CampaignReach.objects.for_workspace(workspace)
    if campaign_ids is not None:
        rows = rows.filter(campaign_id__in=campaign_ids)
    built = dict(
        rows.values("campaign_id")
        .annotate(
            first=Min(
                "start_day",
                filter=Q(start_day__gte=filters.date_from, start_day__lte=filters.date_to),
            )
        )
        .values_list("campaign_id", "first")
        .order_by()
    )
    if not built:
        return {}
    digests = campaign_targets_digest(workspace=workspace, campaign_ids=sorted(built))
    # Each campaign's row of its own first day: the rows of any of those days, kept by pair in
    # Python (a Q of forty (campaign, day) pairs cost more to compile than the query to run).
    firsts = {campaign_id: first for campaign_id, first in built.items() if first is not None}
    stored = {
        row.campaign_id: row
        for row in rows.filter(campaign_id__in=firsts, start_day__in=set(firsts.values()))
        if firsts[row.campaign_id] == row.start_day
    }
    if len(stored) < sum(first is not None for first in built.values()):
        return {}  # a refresh replaced the rows between the two reads: count from the touches
    engaged_points = reach_engaged_points(workspace)
    out: dict[int, dict] = {}
    for campaign_id in built:
        targets, hashed = digests.get(campaign_id, (0, 0))
        row = stored.get(campaign_id)
        if row is None:  # no touch in the period
            counts = {"reached": 0, "engaged": 0, "mqa": 0, "reached_targets": 0}
        elif row.engaged_points != engaged_points or (row.targets_count, row.targets_hash) != (
            targets,
            hashed,
        ):
            continue
        else:
            counts = value_at(row.start_day, row.counts, filters.date_to)
        out[campaign_id] = {
            "targeted": targets + counts["reached"] - counts["reached_targets"],
            "reached": counts["reached"],
            "engaged": counts["engaged"],
            "mqa": counts["mqa"],
        }
    return out


def campaign_performance(
    *, workspace: Workspace, filters: DashboardFilters, model: str = ""
) -> dict:
    """The campaigns app's performance table under an attribution model (None: not landed)."""
    try:
        from campaigns import attribution
        from campaigns.selectors import campaign_performance as performance
    except ImportError:
        return {"available": False, "rows": [], "models": {}, "model": model}
    model = model if model in attribution.MODELS else attribution.DEFAULT_MODEL
    rows = performance(
        workspace=workspace,
        model=model,
        date_from=filters.date_from,
        date_to=filters.date_to,
        campaign_ids=[filters.campaign] if filters.campaign else None,
        credited=campaign_credit(workspace=workspace, filters=filters, model=model),
        reach=campaign_reach(
            workspace=workspace,
            filters=filters,
            campaign_ids=[filters.campaign] if filters.campaign else None,
        ),
    )
    for row in rows:
        row["engagement_rate"] = rounded(ratio(row.get("engaged"), row.get("targeted")))
        row["channels"] = ", ".join(row.get("channels") or [])
    return {"available": True, "rows": rows, "models": dict(attribution.MODELS), "model": model}
