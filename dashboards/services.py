"""Rollup maintenance: the only code that writes `dashboards.models`.

`rollups_rebuild` recomputes every rollup of a workspace (seed_demo, nightly beat, after an
import undo). `rollups_refresh` is the incremental path Celery runs after an import or an event
ingestion: it recomputes only the days that received events since the last refresh and the
facts of the accounts that changed. Both are idempotent: running either twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from abm.models import Workspace
from dashboards import factframes
from dashboards.fx import USD_PER_UNIT
from dashboards.models import (
    ALL_CHANNELS,
    AccountCell,
    AccountStageFact,
    ActivityDaily,
    CampaignCredit,
    CampaignCube,
    CampaignCubeBuild,
    CampaignReach,
    CampaignTouchTotal,
    ChannelCredit,
    EngagementCube,
    EngagementDaily,
    EngagementSurge,
    EngagementWeekly,
    LeadStageFact,
    OpportunityFact,
    RollupState,
)

log = logging.getLogger(__name__)

ACCOUNT_LADDER = ("target", "aware", "engaged", "mqa", "opportunity", "customer")
ACCOUNT_RANK = {stage: i + 1 for i, stage in enumerate(ACCOUNT_LADDER)}  # churned → 0
LEAD_LADDER = ("mql", "sal", "sql", "opportunity", "won")
LEAD_RANK = {step: i + 1 for i, step in enumerate(LEAD_LADDER)}
# Events committed a little before the last refresh may become visible after it (commit order
# is not creation order); re-reading this much overlap is harmless because recompute is exact.
OVERLAP = dt.timedelta(minutes=10)
BATCH = 5000


# -- SQL helpers --------------------------------------------------------------------------------
def _insert_select(model, columns: list[str], queryset) -> int:
    """INSERT INTO model(columns) SELECT … — the rows never travel through Python."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql}", params)  # noqa: S608 — ORM SQL
        return cursor.rowcount


def _segment_case(prefix: str = "") -> Case:
    return Case(
        When(**{f"{prefix}employees__isnull": True}, then=Value("unknown")),
        When(**{f"{prefix}employees__lt": 200}, then=Value("smb")),
        When(**{f"{prefix}employees__lt": 1000}, then=Value("mid_market")),
        default=Value("enterprise"),
        output_field=CharField(),
    )


def _channel_expr() -> Case:
    return Case(
        When(channel="", then=Value("other")),
        default=F("channel"),
        output_field=CharField(),
    )


# -- engagement -----------------------------------------------------------------------------------
def _engagement_daily(workspace: Workspace, days: list[dt.date] | None) -> int:
    from campaigns.models import EngagementEvent

    existing = EngagementDaily.objects.for_workspace(workspace)
    events = EngagementEvent.objects.for_workspace(workspace).filter(account__isnull=False)
    if days is not None:
        existing = existing.filter(day__in=days)
        start = min(days)
        events = events.filter(
            occurred_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC),
            occurred_at__lt=dt.datetime.combine(max(days), dt.time.min, tzinfo=dt.UTC)
            + dt.timedelta(days=1),
        )
    existing.delete()
    rows = (
        events.annotate(d=TruncDate("occurred_at"), ch=_channel_expr())
        .values("workspace_id", "account_id", "d", "ch")
        .annotate(n=Count("id"), p=Sum("weight"))
        .values_list("workspace_id", "account_id", "d", "ch", "n", "p")
        .order_by()
    )
    if days is not None:
        rows = rows.filter(d__in=days)
    return _insert_select(
        EngagementDaily, ["workspace_id", "account_id", "day", "channel", "events", "points"], rows
    )


def _cell_copies(prefix: str = "account__") -> dict:
    """The account's tier, segment and owner as the cube and weekly rows keep them (an
    aggregate, so the daily rows' GROUP BY stays per account: one account, one value)."""
    return {
        "t": Max(Coalesce(f"{prefix}tier", Value(0), output_field=IntegerField())),
        "seg": Max(_segment_case(prefix)),
        "o": Max(Coalesce(f"{prefix}owner_id", Value(0), output_field=IntegerField())),
    }


def _weekly_copies_update(workspace: Workspace, account_ids: list[int]) -> int:
    """A re-tiered or re-assigned account's weekly rows take its new tier, segment and owner."""
    from accounts.models import Account

    fields = Account.objects.filter(pk=OuterRef("account_id"))
    changed = 0
    for lo in range(0, len(account_ids), BATCH):
        changed += (
            EngagementWeekly.objects.for_workspace(workspace)
            .filter(account_id__in=account_ids[lo : lo + BATCH])
            .update(
                tier=Coalesce(
                    Subquery(fields.values("tier")[:1]), Value(0), output_field=IntegerField()
                ),
                segment=Coalesce(
                    Subquery(
                        fields.annotate(seg=_segment_case()).values("seg")[:1],
                        output_field=CharField(),
                    ),
                    Value("unknown"),
                ),
                owner_id=Coalesce(
                    Subquery(fields.values("owner_id")[:1]), Value(0), output_field=IntegerField()
                ),
            )
        )
    return changed


def _engagement_weekly(workspace: Workspace, weeks: list[dt.date] | None) -> int:
    existing = EngagementWeekly.objects.for_workspace(workspace)
    daily = EngagementDaily.objects.for_workspace(workspace)
    if weeks is not None:
        existing = existing.filter(week__in=weeks)
        daily = daily.filter(day__gte=min(weeks), day__lt=max(weeks) + dt.timedelta(days=7))
    existing.delete()
    base = daily.annotate(w=TruncWeek("day"))
    if weeks is not None:
        base = base.filter(w__in=weeks)
    columns = [
        "workspace_id",
        "account_id",
        "week",
        "channel",
        "events",
        "points",
        "tier",
        "segment",
        "owner_id",
    ]
    per_channel = (
        base.values("workspace_id", "account_id", "w", "channel")
        .annotate(n=Sum("events"), p=Sum("points"), **_cell_copies())
        .values_list("workspace_id", "account_id", "w", "channel", "n", "p", "t", "seg", "o")
        .order_by()
    )
    every = (
        base.values("workspace_id", "account_id", "w")
        .annotate(ch=Value(ALL_CHANNELS, output_field=CharField()))
        .annotate(n=Sum("events"), p=Sum("points"), **_cell_copies())
        .values_list("workspace_id", "account_id", "w", "ch", "n", "p", "t", "seg", "o")
        .order_by()
    )
    return _insert_select(EngagementWeekly, columns, per_channel) + _insert_select(
        EngagementWeekly, columns, every
    )


def _copy_frame(model, frame) -> int:
    """A pandas frame's rows in (its columns named as the model's): COPY on PostgreSQL, where
    a rebuild writes millions of surge rows, bulk_create elsewhere."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    if connection.vendor != "postgresql":
        objs = [
            model(**dict(zip(columns, row, strict=True)))
            for row in frame.itertuples(index=False, name=None)
        ]
        return len(model.objects.bulk_create(objs, batch_size=BATCH))
    import io

    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)", buffer)
    return len(frame)


def _week_number(monday: dt.date) -> int:
    """Weeks since 0001-01-01, a Monday (ordinal 1), so week n starts on ordinal 7n + 1."""
    return (monday.toordinal() - 1) // 7


SURGE_ACCOUNTS_PER_PASS = 20_000  # accounts whose weekly rows are held in memory at once
_WEEK_BITS = 24  # an (account, week number) pair packed into one int64 key


def _engagement_surge(
    workspace: Workspace, weeks: list[dt.date] | None, account_ids: list[int] | None = None
) -> int:
    """`EngagementSurge` from the all-channel weekly rows: of every week (None), of the weeks
    whose surge a change of the given weeks' points moves (each week counts in the surge of
    itself and the seven weeks after it), or of the given accounts (their tier or owner moved).
    A few tens of thousands of accounts at a time, so a rebuild's memory stays flat.
    """
    from accounts.models import Account
    from dashboards.selectors.engagement import BASELINE_WEEKS, RECENT_WEEKS

    span = RECENT_WEEKS + BASELINE_WEEKS
    existing = EngagementSurge.objects.for_workspace(workspace)
    weekly = EngagementWeekly.objects.for_workspace(workspace).filter(channel=ALL_CHANNELS)
    week_range = None
    if weeks is not None:
        first = min(weeks)
        last = max(weeks) + dt.timedelta(weeks=span - 1)
        week_range = (_week_number(first), _week_number(last))
        existing = existing.filter(week__gte=first, week__lte=last)
        weekly = weekly.filter(week__gte=first - dt.timedelta(weeks=span - 1), week__lte=last)
    if account_ids is not None:
        ids = sorted(set(account_ids))
        for lo in range(0, len(ids), BATCH):  # SQLite caps the parameters of one statement
            existing.filter(account_id__in=ids[lo : lo + BATCH]).delete()
    else:
        ids = list(
            Account.objects.for_workspace(workspace).order_by("pk").values_list("pk", flat=True)
        )
        existing.delete()
    made = 0
    for lo in range(0, len(ids), SURGE_ACCOUNTS_PER_PASS):
        chunk = ids[lo : lo + SURGE_ACCOUNTS_PER_PASS]
        rows = weekly.filter(account_id__gte=chunk[0], account_id__lte=chunk[-1])
        if account_ids is not None:
            rows = rows.filter(account_id__in=chunk)
        frame = _surge_frame(
            list(rows.values_list("account_id", "week", "points").order_by()), week_range
        )
        if frame.empty:
            continue
        fields = _account_fields(workspace, set(frame["account_id"].unique().tolist()))
        tier, segment, owner = zip(
            *(fields.get(a, NO_ACCOUNT_FIELDS) for a in frame["account_id"].tolist()),
            strict=True,
        )
        frame["tier"] = tier
        frame["segment"] = segment
        frame["owner_id"] = [o or 0 for o in owner]
        frame.insert(0, "workspace_id", workspace.pk)
        made += _copy_frame(EngagementSurge, frame)
    return made


def _surge_frame(rows: list[tuple], week_range: tuple[int, int] | None):
    """(account, week, points) weekly rows → one row per account and week with recent points
    above zero: account_id, week, recent, baseline, surge."""
    import numpy as np
    import pandas as pd

    from dashboards.selectors.engagement import BASELINE_WEEKS, RECENT_WEEKS

    span = RECENT_WEEKS + BASELINE_WEEKS
    columns = ["account_id", "week", "recent", "baseline", "surge"]
    if not rows:
        return pd.DataFrame(columns=columns)
    n = len(rows)
    account = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    week = np.fromiter((_week_number(r[1]) for r in rows), dtype=np.int64, count=n)
    points = np.fromiter((r[2] or 0.0 for r in rows), dtype=float, count=n)
    key = (account << _WEEK_BITS) + week
    order = np.argsort(key, kind="stable")
    key, points = key[order], points[order]
    # every week with recent points: a touched week and the week after it
    candidates = np.unique(np.concatenate([key, key + 1]))
    if week_range is not None:
        number = candidates & ((1 << _WEEK_BITS) - 1)
        candidates = candidates[(number >= week_range[0]) & (number <= week_range[1])]

    def points_at(offset: int) -> np.ndarray:
        wanted = candidates - offset
        at = np.minimum(np.searchsorted(key, wanted), len(key) - 1)
        return np.where(key[at] == wanted, points[at], 0.0)

    recent = sum(points_at(k) for k in range(RECENT_WEEKS))
    baseline = sum(points_at(k) for k in range(RECENT_WEEKS, span))
    keep = recent > 0
    candidates, recent, baseline = candidates[keep], recent[keep], baseline[keep]
    mondays = (candidates & ((1 << _WEEK_BITS) - 1)) * 7 + 1
    return pd.DataFrame(
        {
            "account_id": candidates >> _WEEK_BITS,
            "week": [dt.date.fromordinal(int(o)) for o in mondays],
            "recent": recent,
            "baseline": baseline,
            "surge": recent / RECENT_WEEKS / np.maximum(baseline / BASELINE_WEEKS, 1.0),
        },
        columns=columns,
    )


def _account_cells(workspace: Workspace, _ids: list[int] | None = None) -> int:
    """Accounts per (tier, segment, owner), all of them: one GROUP BY, so a refresh rebuilds
    the whole (small) table whatever changed."""
    from accounts.models import Account

    AccountCell.objects.for_workspace(workspace).delete()
    rows = (
        Account.objects.for_workspace(workspace)
        .annotate(
            t=Coalesce("tier", Value(0), output_field=IntegerField()),
            seg=_segment_case(),
            o=Coalesce("owner_id", Value(0), output_field=IntegerField()),
        )
        .values("workspace_id", "t", "seg", "o")
        .annotate(n=Count("pk"))
        .values_list("workspace_id", "t", "seg", "o", "n")
        .order_by()
    )
    return _insert_select(
        AccountCell, ["workspace_id", "tier", "segment", "owner_id", "accounts"], rows
    )


def _activity_daily(workspace: Workspace, _ids: list[int] | None = None) -> int:
    """Activities and meetings per day, SDR, tier and segment, all of them (one GROUP BY)."""
    from accounts.models import Activity

    ActivityDaily.objects.for_workspace(workspace).delete()
    rows = (
        Activity.objects.for_workspace(workspace)
        .filter(user_id__isnull=False)
        .annotate(
            d=TruncDate("at", tzinfo=dt.UTC),
            t=Coalesce("account__tier", Value(0), output_field=IntegerField()),
            seg=_segment_case("account__"),
        )
        .values("workspace_id", "d", "user_id", "t", "seg")
        .annotate(n=Count("pk"), m=Count("pk", filter=Q(kind="meeting")))
        .values_list("workspace_id", "d", "user_id", "t", "seg", "n", "m")
        .order_by()
    )
    return _insert_select(
        ActivityDaily,
        ["workspace_id", "day", "user_id", "tier", "segment", "activities", "meetings"],
        rows,
    )


def _engagement_cube(workspace: Workspace, weeks: list[dt.date] | None) -> int:
    existing = EngagementCube.objects.for_workspace(workspace)
    weekly = EngagementWeekly.objects.for_workspace(workspace)
    if weeks is not None:
        existing = existing.filter(week__in=weeks)
        weekly = weekly.filter(week__in=weeks)
    existing.delete()
    rows = (
        weekly.annotate(
            t=Coalesce("account__tier", Value(0), output_field=IntegerField()),
            seg=_segment_case("account__"),
            o=Coalesce("account__owner_id", Value(0), output_field=IntegerField()),
        )
        .values("workspace_id", "week", "t", "seg", "o", "channel")
        .annotate(a=Count("account_id"), n=Sum("events"), p=Sum("points"))
        .values_list("workspace_id", "week", "t", "seg", "o", "channel", "a", "n", "p")
        .order_by()
    )
    return _insert_select(
        EngagementCube,
        [
            "workspace_id",
            "week",
            "tier",
            "segment",
            "owner_id",
            "channel",
            "accounts",
            "events",
            "points",
        ],
        rows,
    )


def _campaign_cube(
    workspace: Workspace, weeks: list[dt.date] | None, campaign_ids: list[int] | None = None
) -> int:
    """`CampaignCube` rows of the given weeks and campaigns (None: all) from the weekly rows of
    the campaigns' target accounts, grouped on the weekly rows' copies of tier, segment and
    owner. Rebuilding a campaign's every week also records the target list it was built from."""
    from campaigns.models import CampaignAccount
    from dashboards.selectors.team import campaign_targets_digest

    existing = CampaignCube.objects.for_workspace(workspace)
    weeks_sql, week_params = "", []
    if weeks is not None:
        if not weeks:
            return 0
        existing = existing.filter(week__in=weeks)
        weeks_sql = f" AND w.week IN ({', '.join(['%s'] * len(weeks))})"
        week_params = list(weeks)
    campaigns_sql, campaign_params = _ids_sql("t.campaign_id", campaign_ids)
    if campaign_ids is not None:
        existing = existing.filter(campaign_id__in=campaign_ids)
    existing.delete()
    if weeks is None:
        builds = CampaignCubeBuild.objects.for_workspace(workspace)
        if campaign_ids is not None:
            builds = builds.filter(campaign_id__in=campaign_ids)
        builds.delete()
        CampaignCubeBuild.objects.bulk_create(
            CampaignCubeBuild(
                workspace_id=workspace.pk, campaign_id=campaign_id, targets_count=n, targets_hash=h
            )
            for campaign_id, (n, h) in campaign_targets_digest(
                workspace=workspace, campaign_ids=campaign_ids
            ).items()
        )
    cube, weekly, targets = _table(CampaignCube), _table(EngagementWeekly), _table(CampaignAccount)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {cube} (workspace_id, campaign_id, week, tier, segment, owner_id,
                    channel, accounts, events, points)
                SELECT %s, t.campaign_id, w.week, w.tier, w.segment, w.owner_id, w.channel,
                    count(*), sum(w.events), sum(w.points)
                FROM {targets} t JOIN {weekly} w
                  ON w.workspace_id = t.workspace_id AND w.account_id = t.account_id
                WHERE t.workspace_id = %s{campaigns_sql}{weeks_sql}
                GROUP BY t.campaign_id, w.week, w.tier, w.segment, w.owner_id, w.channel""",  # noqa: S608
            [workspace.pk, workspace.pk, *campaign_params, *week_params],
        )
        return cursor.rowcount


def _stale_cube_campaigns(workspace: Workspace) -> set[int]:
    """Campaigns whose target list is not the one their `CampaignCube` rows were built from."""
    from dashboards.selectors.team import campaign_targets_digest

    digests = campaign_targets_digest(workspace=workspace)
    built = {
        campaign_id: (n, h)
        for campaign_id, n, h in CampaignCubeBuild.objects.for_workspace(workspace).values_list(
            "campaign_id", "targets_count", "targets_hash"
        )
    }
    return {c for c in digests.keys() | built.keys() if digests.get(c) != built.get(c)}


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# -- opportunity facts ---------------------------------------------------------------------------
# Both fact tables are built set-wise, INSERT … SELECT in the database: 40,000 deals and 500,000
# stage moves took minutes through Python objects and bulk_create, seconds this way. The few
# expressions SQLite and PostgreSQL spell differently are the helpers below.
def _round_sql(expr: str, digits: int) -> str:
    if connection.vendor == "postgresql":
        return f"ROUND(CAST({expr} AS numeric), {digits})"
    return f"ROUND({expr}, {digits})"


def _days_between_dates_sql(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _days_between_times_sql(start: str, end: str) -> str:
    """Fractional days from `start` to `end`, rounded like `_days`."""
    if connection.vendor == "postgresql":
        return _round_sql(f"EXTRACT(EPOCH FROM ({end} - {start})) / 86400", 4)
    return _round_sql(f"julianday({end}) - julianday({start})", 4)


def _greatest_sql(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def _ids_sql(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The bands of `_segment_case` and `dashboards.selectors.common.segment_q`.
SEGMENT_SQL = (
    "CASE WHEN {employees} IS NULL THEN 'unknown' WHEN {employees} < 200 THEN 'smb' "
    "WHEN {employees} < 1000 THEN 'mid_market' ELSE 'enterprise' END"
)


def _opportunity_facts(workspace: Workspace, account_ids: list[int] | None) -> int:
    """One fact per deal: amount in USD (rates from `dashboards.fx`), ABM flag, cycle length."""
    from accounts.models import Account, Opportunity
    from campaigns.models import CampaignAccount

    facts = OpportunityFact.objects.for_workspace(workspace)
    if account_ids is not None:
        facts = facts.filter(account_id__in=account_ids)
    facts.delete()
    rate_cases = " ".join("WHEN %s THEN %s" for _ in USD_PER_UNIT)
    rate_params = [v for code, rate in USD_PER_UNIT.items() for v in (code, rate)]
    amount = (
        f"CAST(o.amount AS {'double precision' if connection.vendor == 'postgresql' else 'REAL'})"
    )
    usd_sql = _round_sql(f"{amount} * CASE UPPER(o.currency) {rate_cases} ELSE 1.0 END", 2)
    cycle = _greatest_sql(_days_between_dates_sql("o.created_date", "o.close_date"), "0")
    only, id_params = _ids_sql("o.account_id", account_ids)
    sql = f"""
        INSERT INTO {_table(OpportunityFact)} (workspace_id, opportunity_id, account_id,
            campaign_id, owner_id, amount_usd, created_date, close_date, is_closed, is_won,
            is_abm, cycle_days, tier, segment, industry, account_owner_id)
        SELECT o.workspace_id, o.id, o.account_id, o.campaign_id, o.owner_id,
            COALESCE({usd_sql}, 0),
            o.created_date,
            CASE WHEN o.is_closed THEN o.close_date END,
            o.is_closed,
            o.is_won AND o.is_closed,
            a.is_target OR EXISTS (
                SELECT 1 FROM {_table(CampaignAccount)} ca
                WHERE ca.workspace_id = o.workspace_id AND ca.account_id = o.account_id
            ),
            CASE WHEN o.is_closed AND o.created_date IS NOT NULL AND o.close_date IS NOT NULL
                THEN {cycle} END,
            COALESCE(a.tier, 0), {SEGMENT_SQL.format(employees="a.employees")},
            COALESCE(a.industry, ''), a.owner_id
        FROM {_table(Opportunity)} o
        JOIN {_table(Account)} a ON a.id = o.account_id
        WHERE o.workspace_id = %s{only}
    """  # noqa: S608 — table names and fixed SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rate_params, workspace.pk, *id_params])
        return cursor.rowcount


# -- journey stage facts -------------------------------------------------------------------------
def _days(start: dt.datetime, end: dt.datetime) -> float:
    return round((end - start).total_seconds() / 86400, 4)


def _stage_facts(workspace: Workspace, account_ids: list[int] | None) -> int:
    """One row per stay: each transition until the account's next one (LEAD over its moves)."""
    from accounts.models import Account
    from campaigns.models import StageTransition

    facts = AccountStageFact.objects.for_workspace(workspace)
    if account_ids is not None:
        facts = facts.filter(account_id__in=account_ids)
    facts.delete()
    rank = "CASE {col} " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in ACCOUNT_RANK.items())
    rank += " ELSE 0 END"
    moves_only, moves_params = _ids_sql("t.account_id", account_ids)
    accounts_only, accounts_params = _ids_sql("a.id", account_ids)
    account_fields = (
        f"COALESCE(a.tier, 0), {SEGMENT_SQL.format(employees='a.employees')}, a.owner_id"
    )
    steps = range(1, len(ACCOUNT_LADDER) + 1)
    prior_columns = ", ".join(f"prior_{n}" for n in steps)
    priors = ", ".join(
        f"MAX(r.at) FILTER (WHERE r.rank >= {n}) OVER earlier AS prior_{n}" for n in steps
    )
    sql = f"""
        INSERT INTO {_table(AccountStageFact)} (workspace_id, account_id, stage, rank,
            entered_at, exited_at, days, tier, segment, account_owner_id, {prior_columns})
        SELECT s.workspace_id, s.account_id, s.to_stage, s.rank,
            s.at, s.next_at,
            CASE WHEN s.next_at IS NOT NULL THEN {_days_between_times_sql("s.at", "s.next_at")} END,
            {account_fields}, {", ".join(f"s.prior_{n}" for n in steps)}
        FROM (
            SELECT r.*,
                LEAD(r.at) OVER (PARTITION BY r.account_id ORDER BY r.at, r.id) AS next_at,
                {priors}
            FROM (
                SELECT t.id, t.workspace_id, t.account_id, t.to_stage, t.at,
                    {rank.format(col="t.to_stage")} AS rank
                FROM {_table(StageTransition)} t
                WHERE t.workspace_id = %s{moves_only}
            ) r
            WINDOW earlier AS (
                PARTITION BY r.account_id ORDER BY r.at, r.id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            )
        ) s
        JOIN {_table(Account)} a ON a.id = s.account_id
        UNION ALL
        SELECT a.workspace_id, a.id, a.stage, {rank.format(col="a.stage")},
            a.stage_changed_at, NULL, NULL, {account_fields},
            {", ".join("NULL" for _ in steps)}
        FROM {_table(Account)} a
        WHERE a.workspace_id = %s AND a.stage_changed_at IS NOT NULL{accounts_only}
            AND NOT EXISTS (
                SELECT 1 FROM {_table(StageTransition)} t
                WHERE t.workspace_id = a.workspace_id AND t.account_id = a.id
            )
    """  # noqa: S608 — table names and fixed SQL; values are parameters
    # Accounts whose journey was set without a transition log still count in their stage.
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace.pk, *moves_params, workspace.pk, *accounts_params])
        return cursor.rowcount


# -- lead stage facts ------------------------------------------------------------------------------
def _lead_status_history(workspace: Workspace, account_ids: list[int] | None) -> dict:
    """{(contact, status): first time reached} from the SDR queue's status log, if it exists."""
    try:
        from accounts.models import LeadStatusChange
    except ImportError:  # the queue feature has not landed: current statuses only
        return {}
    changes = LeadStatusChange.objects.for_workspace(workspace).filter(
        to_status__in=("mql", "sal", "sql")
    )
    if account_ids is not None:
        changes = changes.filter(contact__account_id__in=account_ids)
    return {
        (cid, status): at
        for cid, status, at in changes.values("contact_id", "to_status")
        .annotate(first=Min("at"))
        .values_list("contact_id", "to_status", "first")
        .order_by()
    }


def _lead_priors(steps: list[tuple[int, str, dt.datetime]]) -> dict[str, dict]:
    """{status: {"prior_N": when the lead last reached a step of rank ≥ N before this one}},
    "before" in order of time, then rank (see `AccountStageFact.prior_N`)."""
    out: dict[str, dict] = {}
    latest: dict[int, dt.datetime] = {}
    for rank, status, at in sorted(steps, key=lambda step: (step[2], step[0])):
        out[status] = {f"prior_{n}": latest.get(n) for n in range(1, len(LEAD_LADDER) + 1)}
        for n in range(1, rank + 1):
            latest[n] = max(latest.get(n, at), at)
    return out


def _lead_facts(workspace: Workspace, account_ids: list[int] | None) -> int:
    """Each lead's MQL / SAL / SQL moments, then its account's first deal and first win."""
    from accounts.models import Contact

    facts = LeadStageFact.objects.for_workspace(workspace)
    contacts = Contact.objects.for_workspace(workspace).filter(
        lead_status__in=("mql", "sal", "sql")
    )
    if account_ids is not None:
        facts = facts.filter(contact__account_id__in=account_ids)
        contacts = contacts.filter(account_id__in=account_ids)
    facts.delete()
    reached = _lead_status_history(workspace, account_ids)
    undated: set[int] = set()
    account_of: dict[int, int | None] = {}
    for cid, aid, status, changed, created in contacts.values_list(
        "pk", "account_id", "lead_status", "lead_status_changed_at", "created_at"
    ).iterator(chunk_size=BATCH):
        account_of[cid] = aid
        if (cid, status) not in reached:
            reached[(cid, status)] = changed or created
            if changed is None:
                undated.add(cid)  # only the import time is known, not when it became SQL
    if reached:
        missing = {cid for cid, _ in reached} - set(account_of)
        for cid, aid in (
            Contact.objects.for_workspace(workspace)
            .filter(pk__in=list(missing))
            .values_list("pk", "account_id")
        ):
            account_of[cid] = aid

    opened: dict[int, list[dt.date]] = defaultdict(list)
    won: dict[int, list[dt.date]] = defaultdict(list)
    opps = OpportunityFact.objects.for_workspace(workspace)
    if account_ids is not None:
        opps = opps.filter(account_id__in=account_ids)
    for aid, created, closed, is_won in opps.values_list(
        "account_id", "created_date", "close_date", "is_won"
    ).iterator(chunk_size=BATCH):
        if created:
            opened[aid].append(created)
        if is_won and closed:
            won[aid].append(closed)

    # An SQL lead whose account opened a deal on or after the day it became SQL reached
    # "opportunity"; a deal of that account won on or after that day makes it "won". A lead
    # imported as SQL without a status date may have become SQL before any of its deals.
    for (cid, status), at in list(reached.items()):
        aid = account_of.get(cid)
        if status != "sql" or aid not in opened:
            continue
        since = dt.date.min if cid in undated else at.date()
        deal_day = min((d for d in opened[aid] if d >= since), default=None)
        if deal_day is None:
            continue
        opp_at = max(at, _midnight(deal_day))
        reached[(cid, "opportunity")] = opp_at
        win_since = dt.date.min if cid in undated else opp_at.date()
        win_day = min((d for d in won.get(aid, ()) if d >= win_since), default=None)
        if win_day is not None:
            reached[(cid, "won")] = max(opp_at, _midnight(win_day))

    by_contact: dict[int, list[tuple[int, str, dt.datetime]]] = defaultdict(list)
    for (cid, status), at in reached.items():
        by_contact[cid].append((LEAD_RANK[status], status, at))
    fields = _account_fields(workspace, {account_of.get(cid) for cid in by_contact})
    made = 0
    batch: list[LeadStageFact] = []
    for cid, steps in by_contact.items():
        steps.sort()
        aid = account_of.get(cid)
        tier, segment, owner_id = fields.get(aid, NO_ACCOUNT_FIELDS)
        priors = _lead_priors(steps)
        for i, (rank, status, at) in enumerate(steps):
            exit_at = max(steps[i + 1][2], at) if i + 1 < len(steps) else None
            batch.append(
                LeadStageFact(
                    workspace_id=workspace.pk,
                    contact_id=cid,
                    status=status,
                    rank=rank,
                    reached_at=at,
                    exited_at=exit_at,
                    days=_days(at, exit_at) if exit_at else None,
                    account_id=aid,
                    tier=tier,
                    segment=segment,
                    account_owner_id=owner_id,
                    **priors[status],
                )
            )
        if len(batch) >= BATCH:
            made += len(LeadStageFact.objects.bulk_create(batch))
            batch = []
    made += len(LeadStageFact.objects.bulk_create(batch))
    return made


# What a lead without an account copies: untiered, size unknown, nobody's (the dashboards'
# account filters matched such leads the same way through the outer join to no account).
NO_ACCOUNT_FIELDS = (0, "unknown", None)


def _account_fields(workspace: Workspace, ids: set[int | None]) -> dict[int, tuple]:
    """{account: (tier or 0, segment, owner)} for the facts' copies of the account's fields."""
    from accounts.models import Account

    wanted = sorted(i for i in ids if i is not None)
    out: dict[int, tuple] = {}
    for lo in range(0, len(wanted), BATCH):
        for pk, tier, employees, owner_id in (
            Account.objects.for_workspace(workspace)
            .filter(pk__in=wanted[lo : lo + BATCH])
            .values_list("pk", "tier", "employees", "owner_id")
        ):
            out[pk] = (tier or 0, _segment(employees), owner_id)
    return out


def _segment(employees: int | None) -> str:
    """`SEGMENT_SQL` in Python: `filters.segment_of`, with a negative head count SMB as there."""
    from dashboards.filters import segment_of

    return segment_of(None if employees is None else max(employees, 0))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


# -- campaign attribution credit -----------------------------------------------------------------
CREDIT_ACCOUNTS_PER_PASS = 2000  # accounts whose touches are held in memory at once


def _campaign_credits(workspace: Workspace, account_ids: list[int] | None) -> int:
    """Every deal's credit per campaign under every attribution model (`CampaignCredit`).

    The deals and touches are read exactly as `campaigns.selectors` reads them for its own
    attribution (opportunities with a creation date, every touch of their accounts, amounts as
    stored) and split by the same `campaigns.attribution.deal_shares`, a few thousand accounts
    at a time; a refresh redoes the deals of the accounts that changed or received touches.
    """
    from accounts.models import Opportunity
    from campaigns import attribution
    from campaigns.models import EngagementEvent

    opps = Opportunity.objects.for_workspace(workspace).filter(created_date__isnull=False)
    for model in (CampaignCredit, ChannelCredit):
        existing = model.objects.for_workspace(workspace)
        if account_ids is not None:
            # a deal moved to another account leaves its old rows under the old account
            existing = existing.filter(
                Q(account_id__in=account_ids)
                | Q(
                    opportunity_id__in=Opportunity.objects.for_workspace(workspace).filter(
                        account_id__in=account_ids
                    )
                )
            )
        existing.delete()
    if account_ids is not None:
        opps = opps.filter(account_id__in=account_ids)
    deals: dict[int, list[tuple]] = defaultdict(list)
    for row in opps.values_list(
        "pk", "account_id", "created_date", "close_date", "amount", "is_won"
    ).iterator(chunk_size=BATCH):
        deals[row[1]].append(row)
    accounts = sorted(deals)
    made = 0
    for lo in range(0, len(accounts), CREDIT_ACCOUNTS_PER_PASS):
        chunk = accounts[lo : lo + CREDIT_ACCOUNTS_PER_PASS]
        touches: dict[int, list] = defaultdict(list)
        for aid, at, campaign_id, channel, kind in (
            EngagementEvent.objects.for_workspace(workspace)
            .filter(account_id__in=chunk)
            .values_list("account_id", "occurred_at", "campaign_id", "channel", "kind")
            .order_by()
            .iterator(chunk_size=BATCH)
        ):
            touches[aid].append(attribution.Touch(at, campaign_id, channel, kind))
        batch: list[CampaignCredit] = []
        channels: list[ChannelCredit] = []
        for aid in chunk:
            for pk, _aid, created, closed, amount, is_won in deals[aid]:
                deal = attribution.Deal(pk, aid, created, float(amount or 0), bool(is_won))
                for model in attribution.MODELS:
                    shares = attribution.deal_shares(model, deal, touches.get(aid, ()))
                    facts = {
                        "workspace_id": workspace.pk,
                        "opportunity_id": pk,
                        "account_id": aid,
                        "model": model,
                        "created_date": created,
                        "close_date": closed,
                        "is_won": deal.is_won,
                    }
                    batch.extend(
                        CampaignCredit(campaign_id=key, share=share, amount=earned, **facts)
                        for key, (share, earned) in _earned(shares, deal, "campaign_id").items()
                        if key is not None
                    )
                    channels.extend(
                        ChannelCredit(channel=key, share=share, amount=earned, **facts)
                        for key, (share, earned) in _earned(shares, deal, "channel").items()
                    )
            if len(batch) >= BATCH:
                made += len(CampaignCredit.objects.bulk_create(batch))
                batch = []
            if len(channels) >= BATCH:
                ChannelCredit.objects.bulk_create(channels)
                channels = []
        made += len(CampaignCredit.objects.bulk_create(batch))
        ChannelCredit.objects.bulk_create(channels)
    return made


def _earned(shares, deal, key: str) -> dict:
    """{touch.<key>: [summed share, summed amount]} of one deal's credited touches."""
    out: dict = {}
    for touch, share in shares:
        total = out.setdefault(getattr(touch, key), [0.0, 0.0])
        total[0] += share
        total[1] += share * deal.amount
    return out


# -- campaign reach ----------------------------------------------------------------------------
def _campaign_reach(workspace: Workspace, campaign_ids: list[int] | None) -> int:
    """`CampaignReach` rows of the given campaigns (None: all) from their touches, the MQA moves
    of the accounts they touched and their target lists (see `dashboards.reach`)."""
    import pandas as pd

    from campaigns.models import CampaignAccount, EngagementEvent, StageTransition
    from campaigns.weights import HAND_RAISER_KINDS
    from dashboards.reach import encode, reach_rows
    from dashboards.selectors.team import campaign_targets_digest, reach_engaged_points

    existing = CampaignReach.objects.for_workspace(workspace)
    events = EngagementEvent.objects.for_workspace(workspace).filter(
        campaign_id__isnull=False, account__isnull=False
    )
    targets = CampaignAccount.objects.for_workspace(workspace)
    totals = CampaignTouchTotal.objects.for_workspace(workspace)
    every_touch = EngagementEvent.objects.for_workspace(workspace).filter(campaign_id__isnull=False)
    if campaign_ids is not None:
        existing = existing.filter(campaign_id__in=campaign_ids)
        events = events.filter(campaign_id__in=campaign_ids)
        targets = targets.filter(campaign_id__in=campaign_ids)
        totals = totals.filter(campaign_id__in=campaign_ids)
        every_touch = every_touch.filter(campaign_id__in=campaign_ids)
    existing.delete()
    totals.delete()
    CampaignTouchTotal.objects.bulk_create(
        CampaignTouchTotal(
            workspace_id=workspace.pk, campaign_id=campaign_id, touches=n, last_touch=last
        )
        for campaign_id, n, last in every_touch.values("campaign_id")
        .annotate(n=Count("id"), last=Max("occurred_at"))
        .values_list("campaign_id", "n", "last")
        .order_by()
    )
    tz = timezone.get_current_timezone()
    rows = list(
        events.annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("campaign_id", "account_id", "day")
        .annotate(
            points=Sum("weight"),
            first=Min("occurred_at"),
            raisers=Count("id", filter=Q(kind__in=HAND_RAISER_KINDS)),
        )
        .values_list("campaign_id", "account_id", "day", "points", "first", "raisers")
        .order_by()
        .iterator(chunk_size=BATCH * 4)
    )
    if not rows:
        return 0
    touches = pd.DataFrame(
        rows, columns=["campaign_id", "account_id", "day", "points", "first", "raiser"]
    )
    del rows
    touches["day"] = touches["day"].map(dt.date.toordinal)
    touches["points"] = touches["points"].fillna(0.0).astype(float)
    touches["raiser"] = touches["raiser"] > 0
    touches["first"] = pd.to_datetime(touches["first"], utc=True).astype("int64")
    mqa = pd.DataFrame(
        [
            (account_id, at, timezone.localtime(at, tz).date().toordinal())
            for account_id, at in StageTransition.objects.for_workspace(workspace)
            .filter(to_stage="mqa", account_id__in=events.values("account_id"))
            .values_list("account_id", "at")
            .iterator(chunk_size=BATCH)
        ],
        columns=["account_id", "at", "day"],
    )
    if not mqa.empty:
        mqa["at"] = pd.to_datetime(mqa["at"], utc=True).astype("int64")
    engaged_points = reach_engaged_points(workspace)
    digests = campaign_targets_digest(
        workspace=workspace, campaign_ids=sorted(set(touches["campaign_id"].tolist()))
    )
    made = 0
    batch: list[CampaignReach] = []
    for row in reach_rows(
        touches,
        engaged_points=engaged_points,
        mqa=mqa,
        targets=set(targets.values_list("campaign_id", "account_id")),
    ):
        count, hashed = digests.get(row.campaign_id, (0, 0))
        batch.append(
            CampaignReach(
                workspace_id=workspace.pk,
                campaign_id=row.campaign_id,
                start_day=row.start_day,
                counts=encode(row.counts),
                engaged_points=engaged_points,
                targets_count=count,
                targets_hash=hashed,
            )
        )
        if len(batch) >= 1000:
            made += len(CampaignReach.objects.bulk_create(batch))
            batch = []
    made += len(CampaignReach.objects.bulk_create(batch))
    return made


def _stale_reach_campaigns(workspace: Workspace) -> set[int]:
    """Campaigns whose reach rows were built for another target list or engaged threshold, or
    that have touches and no rows yet (built before the rollup existed)."""
    from campaigns.models import Campaign, EngagementEvent
    from dashboards.selectors.team import campaign_targets_digest, reach_engaged_points

    engaged_points = reach_engaged_points(workspace)
    digests = campaign_targets_digest(workspace=workspace)
    built = set(
        CampaignReach.objects.for_workspace(workspace)
        .values_list("campaign_id", "engaged_points", "targets_count", "targets_hash")
        .distinct()
        .order_by()
    )
    stale = {
        campaign_id
        for campaign_id, points, n, hashed in built
        if points != engaged_points or digests.get(campaign_id, (0, 0)) != (n, hashed)
    }
    missing = set(Campaign.objects.for_workspace(workspace).values_list("pk", flat=True)) - {
        campaign_id for campaign_id, *_ in built
    }
    if missing:
        missing &= set(
            EngagementEvent.objects.for_workspace(workspace)
            .filter(campaign_id__in=missing, account__isnull=False)
            .values_list("campaign_id", flat=True)
            .distinct()
            .order_by()
        )
    return stale | missing


# -- state -------------------------------------------------------------------------------------------
def _state(workspace: Workspace) -> RollupState:
    state, _ = RollupState.objects.get_or_create(workspace=workspace)
    return state


def _mark(workspace: Workspace, **fields) -> None:
    RollupState.objects.filter(workspace=workspace).update(**fields)


def rollup_version(*, workspace: Workspace) -> int:
    return (
        RollupState.objects.filter(workspace=workspace).values_list("version", flat=True).first()
        or 0
    )


def _has_data(workspace: Workspace) -> dict[str, bool]:
    """Which rollups hold anything at all (the pages pick their empty state from this)."""
    return {
        "opportunities": OpportunityFact.objects.for_workspace(workspace).exists(),
        "engagement": EngagementCube.objects.for_workspace(workspace).exists(),
        "stages": AccountStageFact.objects.for_workspace(workspace).exists(),
        "leads": LeadStageFact.objects.for_workspace(workspace).exists(),
    }


def _run(workspace: Workspace, work, *, full: bool) -> dict:
    state = _state(workspace)
    started = timezone.now()
    _mark(workspace, status=RollupState.Status.RUNNING, started_at=started, error="")
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Millions of (account, day, channel) groups: hash them in memory rather than
                # sorting through temporary files (the default 4 MB spills at 10M events).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL work_mem = '256MB'")
            counts = work(state)
            counts["has"] = _has_data(workspace)
    except Exception as exc:
        _mark(
            workspace,
            status=RollupState.Status.FAILED,
            finished_at=timezone.now(),
            error=str(exc)[:2000],
        )
        raise
    done = {
        "status": RollupState.Status.DONE,
        "finished_at": timezone.now(),
        "events_through": started,
        "counts": counts,
        "version": F("version") + 1,
    }
    if full:
        done["last_full_at"] = started
    _mark(workspace, **done)
    factframes.forget(workspace_id=workspace.pk)  # other processes see the version move
    if connection.vendor == "postgresql" and full:
        # Fresh statistics after a bulk rewrite, and outside a transaction a vacuum too: until
        # one sets the visibility map, the covering indexes' index-only scans read the heap
        # (the engagement page measured 673 ms of database CPU before, 298 after).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (
                EngagementDaily,
                EngagementWeekly,
                EngagementSurge,
                EngagementCube,
                CampaignCube,
                OpportunityFact,
                AccountStageFact,
                LeadStageFact,
                CampaignCredit,
                CampaignReach,
                ChannelCredit,
                ActivityDaily,
                AccountCell,
                CampaignTouchTotal,
            ):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    return counts


def rollups_rebuild(*, workspace: Workspace) -> dict:
    """Recompute every rollup of the workspace from the source tables."""

    def work(state: RollupState) -> dict:
        counts: dict = {}
        seconds: dict[str, float] = {}
        for name, build in (
            ("opportunity_facts", _opportunity_facts),
            ("stage_facts", _stage_facts),
            ("lead_facts", _lead_facts),
            ("campaign_credits", _campaign_credits),
            ("campaign_reach", _campaign_reach),
            ("daily", _engagement_daily),
            ("weekly", _engagement_weekly),
            ("surge", _engagement_surge),
            ("cube", _engagement_cube),
            ("campaign_cube", _campaign_cube),
            ("account_cells", _account_cells),
            ("activity_daily", _activity_daily),
        ):
            started = time.perf_counter()
            counts[name] = build(workspace, None)
            seconds[name] = round(time.perf_counter() - started, 1)
        counts["seconds"] = seconds  # shown by bench/dash_bench.py; where a rebuild spends time
        return counts

    return _run(workspace, work, full=True)


def rollups_refresh(*, workspace: Workspace, account_ids: Iterable[int] | None = None) -> dict:
    """Incremental: days with events created since the last refresh, and the given accounts."""
    from accounts.models import Account, Opportunity
    from campaigns.models import EngagementEvent

    def work(state: RollupState) -> dict:
        since = (state.events_through or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) - OVERLAP
        new_events = (
            EngagementEvent.objects.for_workspace(workspace)
            .filter(created_at__gte=since, account__isnull=False)
            .annotate(d=TruncDate("occurred_at"))
            .values_list("d", flat=True)
            .distinct()
            .order_by()
        )
        days = sorted(set(new_events))
        accounts = set(account_ids or ())
        # Accounts with new touches may have moved journey stage too.
        accounts |= set(
            EngagementEvent.objects.for_workspace(workspace)
            .filter(created_at__gte=since, account__isnull=False)
            .values_list("account_id", flat=True)
            .distinct()
            .order_by()
        )
        accounts |= set(
            Opportunity.objects.for_workspace(workspace)
            .filter(updated_at__gte=since)
            .values_list("account_id", flat=True)
        )
        accounts |= set(
            Account.objects.for_workspace(workspace)
            .filter(updated_at__gte=since)
            .values_list("pk", flat=True)
        )
        weeks = sorted({_week_of(d) for d in days})
        counts = {"days": len(days), "accounts": len(accounts)}
        if days:
            counts["daily"] = _engagement_daily(workspace, days)
            counts["weekly"] = _engagement_weekly(workspace, weeks)
            counts["surge"] = _engagement_surge(workspace, weeks)
        ids = sorted(accounts)
        cube_weeks = set(weeks)
        if ids:
            counts["opportunity_facts"] = _opportunity_facts(workspace, ids)
            counts["stage_facts"] = _stage_facts(workspace, ids)
            counts["lead_facts"] = _lead_facts(workspace, ids)
            counts["campaign_credits"] = _campaign_credits(workspace, ids)
            counts["surge_accounts"] = _engagement_surge(workspace, None, ids)
            counts["weekly_copies"] = _weekly_copies_update(workspace, ids)
        # Touches of the changed accounts, their MQA moves, edited target lists and a new
        # engaged threshold all move some campaign's reach counts.
        campaigns = _stale_reach_campaigns(workspace)
        if ids:
            campaigns |= set(
                EngagementEvent.objects.for_workspace(workspace)
                .filter(account_id__in=ids, campaign_id__isnull=False)
                .values_list("campaign_id", flat=True)
                .distinct()
                .order_by()
            )
        if campaigns:
            counts["campaign_reach"] = _campaign_reach(workspace, sorted(campaigns))
        if ids:
            # A changed tier or owner moves the account to another cube cell in every week.
            cube_weeks |= set(
                EngagementWeekly.objects.for_workspace(workspace)
                .filter(account_id__in=ids, channel=ALL_CHANNELS)
                .values_list("week", flat=True)
                .distinct()
                .order_by()
            )
        if cube_weeks:
            counts["cube"] = _engagement_cube(workspace, sorted(cube_weeks))
            counts["campaign_cube"] = _campaign_cube(workspace, sorted(cube_weeks))
        # Edited target lists: those campaigns' every week (after the weeks above, which
        # counted them with their new lists).
        stale_cubes = _stale_cube_campaigns(workspace)
        if stale_cubes:
            counts["campaign_cube_rebuilt"] = _campaign_cube(workspace, None, sorted(stale_cubes))
        counts["account_cells"] = _account_cells(workspace)
        counts["activity_daily"] = _activity_daily(workspace)
        return counts

    return _run(workspace, work, full=False)
