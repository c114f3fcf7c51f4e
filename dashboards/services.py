"""Rollup maintenance: the only code that writes `dashboards.models`.

`rollups_rebuild` recomputes every rollup of a workspace (seed_demo, nightly beat, after an
import undo). `rollups_refresh` is the incremental path Celery runs after an import or an event
ingestion: it recomputes only the days that received events since the last refresh and the
facts of the accounts that changed. Both are idempotent: running either twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, IntegerField, Min, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from abm.models import Workspace
from dashboards.fx import usd
from dashboards.models import (
    ALL_CHANNELS,
    AccountStageFact,
    EngagementCube,
    EngagementDaily,
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
    columns = ["workspace_id", "account_id", "week", "channel", "events", "points"]
    per_channel = (
        base.values("workspace_id", "account_id", "w", "channel")
        .annotate(n=Sum("events"), p=Sum("points"))
        .values_list("workspace_id", "account_id", "w", "channel", "n", "p")
        .order_by()
    )
    every = (
        base.values("workspace_id", "account_id", "w")
        .annotate(ch=Value(ALL_CHANNELS, output_field=CharField()))
        .annotate(n=Sum("events"), p=Sum("points"))
        .values_list("workspace_id", "account_id", "w", "ch", "n", "p")
        .order_by()
    )
    return _insert_select(EngagementWeekly, columns, per_channel) + _insert_select(
        EngagementWeekly, columns, every
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


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# -- opportunity facts ---------------------------------------------------------------------------
def _abm_account_ids(workspace: Workspace, account_ids: Iterable[int] | None) -> set[int]:
    from accounts.models import Account
    from campaigns.models import CampaignAccount

    targets = Account.objects.for_workspace(workspace).filter(is_target=True)
    listed = CampaignAccount.objects.for_workspace(workspace)
    if account_ids is not None:
        ids = list(account_ids)
        targets, listed = targets.filter(pk__in=ids), listed.filter(account_id__in=ids)
    return set(targets.values_list("pk", flat=True)) | set(
        listed.values_list("account_id", flat=True)
    )


def _opportunity_facts(workspace: Workspace, account_ids: list[int] | None) -> int:
    from accounts.models import Opportunity

    opps = Opportunity.objects.for_workspace(workspace)
    facts = OpportunityFact.objects.for_workspace(workspace)
    if account_ids is not None:
        opps, facts = (
            opps.filter(account_id__in=account_ids),
            facts.filter(account_id__in=account_ids),
        )
    abm = _abm_account_ids(workspace, account_ids)
    facts.delete()
    made = 0
    batch: list[OpportunityFact] = []
    for row in opps.values(
        "pk",
        "account_id",
        "campaign_id",
        "owner_id",
        "amount",
        "currency",
        "created_date",
        "close_date",
        "is_closed",
        "is_won",
    ).iterator(chunk_size=BATCH):
        created, closed = row["created_date"], row["close_date"]
        cycle = (closed - created).days if row["is_closed"] and created and closed else None
        batch.append(
            OpportunityFact(
                workspace_id=workspace.pk,
                opportunity_id=row["pk"],
                account_id=row["account_id"],
                campaign_id=row["campaign_id"],
                owner_id=row["owner_id"],
                amount_usd=usd(row["amount"], row["currency"]),
                created_date=created,
                close_date=closed if row["is_closed"] else None,
                is_closed=row["is_closed"],
                is_won=row["is_won"] and row["is_closed"],
                is_abm=row["account_id"] in abm,
                cycle_days=max(cycle, 0) if cycle is not None else None,
            )
        )
        if len(batch) >= BATCH:
            made += len(OpportunityFact.objects.bulk_create(batch))
            batch = []
    made += len(OpportunityFact.objects.bulk_create(batch))
    return made


# -- journey stage facts -------------------------------------------------------------------------
def _days(start: dt.datetime, end: dt.datetime) -> float:
    return round((end - start).total_seconds() / 86400, 4)


def _stage_facts(workspace: Workspace, account_ids: list[int] | None) -> int:
    from accounts.models import Account
    from campaigns.models import StageTransition

    transitions = StageTransition.objects.for_workspace(workspace)
    facts = AccountStageFact.objects.for_workspace(workspace)
    accounts = Account.objects.for_workspace(workspace).filter(stage_changed_at__isnull=False)
    if account_ids is not None:
        transitions = transitions.filter(account_id__in=account_ids)
        facts = facts.filter(account_id__in=account_ids)
        accounts = accounts.filter(pk__in=account_ids)
    facts.delete()
    made = 0
    batch: list[AccountStageFact] = []
    seen: set[int] = set()

    def flush() -> None:
        nonlocal made, batch
        made += len(AccountStageFact.objects.bulk_create(batch))
        batch = []

    def stays(account_id: int, moves: list[tuple[str, dt.datetime]]) -> None:
        for i, (stage, at) in enumerate(moves):
            exit_at = moves[i + 1][1] if i + 1 < len(moves) else None
            batch.append(
                AccountStageFact(
                    workspace_id=workspace.pk,
                    account_id=account_id,
                    stage=stage,
                    rank=ACCOUNT_RANK.get(stage, 0),
                    entered_at=at,
                    exited_at=exit_at,
                    days=_days(at, exit_at) if exit_at else None,
                )
            )

    current: int | None = None
    moves: list[tuple[str, dt.datetime]] = []
    rows = transitions.order_by("account_id", "at", "pk").values_list(
        "account_id", "to_stage", "at"
    )
    for account_id, stage, at in rows.iterator(chunk_size=BATCH):
        if account_id != current:
            if current is not None:
                stays(current, moves)
            current, moves = account_id, []
            seen.add(account_id)
        moves.append((stage, at))
        if len(batch) >= BATCH:
            flush()
    if current is not None:
        stays(current, moves)
    # Accounts whose journey was set without a transition log still count in their stage.
    for account_id, stage, at in accounts.values_list("pk", "stage", "stage_changed_at").iterator(
        chunk_size=BATCH
    ):
        if account_id not in seen:
            stays(account_id, [(stage, at)])
        if len(batch) >= BATCH:
            flush()
    flush()
    return made


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
    made = 0
    batch: list[LeadStageFact] = []
    for cid, steps in by_contact.items():
        steps.sort()
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
                )
            )
        if len(batch) >= BATCH:
            made += len(LeadStageFact.objects.bulk_create(batch))
            batch = []
    made += len(LeadStageFact.objects.bulk_create(batch))
    return made


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


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
    if connection.vendor == "postgresql" and full:
        with connection.cursor() as cursor:  # fresh statistics after a bulk rewrite
            for model in (
                EngagementDaily,
                EngagementWeekly,
                EngagementCube,
                OpportunityFact,
                AccountStageFact,
                LeadStageFact,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counts


def rollups_rebuild(*, workspace: Workspace) -> dict:
    """Recompute every rollup of the workspace from the source tables."""

    def work(state: RollupState) -> dict:
        return {
            "opportunity_facts": _opportunity_facts(workspace, None),
            "stage_facts": _stage_facts(workspace, None),
            "lead_facts": _lead_facts(workspace, None),
            "daily": _engagement_daily(workspace, None),
            "weekly": _engagement_weekly(workspace, None),
            "cube": _engagement_cube(workspace, None),
        }

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
        ids = sorted(accounts)
        cube_weeks = set(weeks)
        if ids:
            counts["opportunity_facts"] = _opportunity_facts(workspace, ids)
            counts["stage_facts"] = _stage_facts(workspace, ids)
            counts["lead_facts"] = _lead_facts(workspace, ids)
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
        return counts

    return _run(workspace, work, full=False)
