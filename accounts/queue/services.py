"""Writes for SDR work: claims, assignment, reassignment, snoozes, saved views and SLA clocks.

Activities and the lead flow live in `accounts.queue.activities`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.utils import timezone

from abm.models import Membership, Workspace
from accounts.models import (
    Account,
    AccountSnooze,
    Activity,
    AssignmentRule,
    Contact,
    JourneyStage,
    MatchStatus,
    SavedQueueView,
    SdrCapacity,
    SlaClock,
)
from accounts.queue.territory import next_in_rotation, rule_covers

User = get_user_model()

DEFAULT_CAPACITY = 150
TOUCH_KINDS = ("call", "email", "meeting", "linkedin")
MATCHED_STATUSES = (MatchStatus.AUTO, MatchStatus.ACCEPTED, MatchStatus.MANUAL)
CATCH_ALL_RULE = "Everyone else (round robin)"


class QueueError(ValueError):
    """A queue action the user asked for that cannot happen; the message says why."""


# --- SDRs and their capacity -------------------------------------------------------------------


def sdr_ids(*, workspace: Workspace) -> list[int]:
    return list(
        Membership.objects.filter(workspace=workspace, role="sdr")
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def sdr_capacities(*, workspace: Workspace) -> dict[int, tuple[int, bool]]:
    """user id → (capacity, accepts automatic assignment) for every SDR of the workspace."""
    default = int(workspace.setting("sdr_capacity") or DEFAULT_CAPACITY)
    rows = {
        row.user_id: (row.capacity, row.accepts_assignments)
        for row in SdrCapacity.objects.for_workspace(workspace)
    }
    return {uid: rows.get(uid, (default, True)) for uid in sdr_ids(workspace=workspace)}


def sdr_capacity_set(
    *, workspace: Workspace, user_id: int, capacity: int, accepts_assignments: bool = True
) -> SdrCapacity:
    if user_id not in sdr_ids(workspace=workspace):
        raise QueueError("Capacity is set for SDRs of this workspace only.")
    row, _ = SdrCapacity.objects.update_or_create(
        workspace=workspace,
        user_id=user_id,
        defaults={"capacity": capacity, "accepts_assignments": accepts_assignments},
    )
    return row


def owned_counts(*, workspace: Workspace, user_ids: list[int] | None = None) -> Counter:
    qs = Account.objects.for_workspace(workspace).filter(owner__isnull=False)
    if user_ids is not None:
        qs = qs.filter(owner_id__in=user_ids)
    return Counter(dict(qs.values("owner_id").annotate(n=Count("pk")).values_list("owner_id", "n")))


# --- Claiming from the pool --------------------------------------------------------------------


def _skip_locked() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


def _check_room(*, workspace: Workspace, user, wanted: int) -> int:
    capacity, _ = sdr_capacities(workspace=workspace).get(
        user.pk, (int(workspace.setting("sdr_capacity") or DEFAULT_CAPACITY), True)
    )
    room = capacity - owned_counts(workspace=workspace, user_ids=[user.pk])[user.pk]
    if room <= 0:
        raise QueueError(
            f"You already own {capacity} accounts, your capacity. Release or hand over accounts "
            "before claiming more."
        )
    return min(room, wanted)


def account_claim(*, workspace: Workspace, user, account_id: int) -> bool:
    """Give one unassigned account to `user`. False when someone else got it first."""
    _check_room(workspace=workspace, user=user, wanted=1)
    now = timezone.now()
    pool = Account.objects.for_workspace(workspace).filter(pk=account_id, owner__isnull=True)
    if _skip_locked():
        with transaction.atomic():
            # Row lock, skipping a row another SDR is claiming right now: the loser sees
            # nothing instead of waiting and then overwriting the winner.
            locked = pool.select_for_update(skip_locked=True).values_list("pk", flat=True)
            if not list(locked):
                return False
            pool.update(owner=user, claimed_at=now)
    elif not pool.update(owner=user, claimed_at=now):
        # The conditional UPDATE … WHERE owner IS NULL is the claim: 0 rows means we lost.
        return False
    _clocks_follow_owner(workspace=workspace, account_ids=[account_id], owner_id=user.pk)
    return True


def accounts_claim_next(
    *, workspace: Workspace, user, count: int = 5, filters: dict | None = None
) -> list[int]:
    """Claim the `count` highest-priority pool accounts (optionally filtered). Two SDRs doing
    this at the same moment get different accounts."""
    from accounts.queue.selectors import account_queue

    wanted = _check_room(workspace=workspace, user=user, wanted=count)
    now = timezone.now()
    pool = account_queue(workspace=workspace, owner_id=None, filters=filters or {}, user=user)
    if _skip_locked():
        with transaction.atomic():
            ids = list(
                pool.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
                    :wanted
                ]
            )
            Account.objects.for_workspace(workspace).filter(pk__in=ids).update(
                owner=user, claimed_at=now
            )
    else:
        ids = []
        for pk in pool.values_list("pk", flat=True)[: wanted * 4]:
            if (
                Account.objects.for_workspace(workspace)
                .filter(pk=pk, owner__isnull=True)
                .update(owner=user, claimed_at=now)
            ):
                ids.append(pk)
                if len(ids) == wanted:
                    break
    _clocks_follow_owner(workspace=workspace, account_ids=ids, owner_id=user.pk)
    return ids


def account_release(*, workspace: Workspace, user, account_id: int) -> bool:
    """Put one of your accounts back in the pool."""
    released = (
        Account.objects.for_workspace(workspace)
        .filter(pk=account_id, owner=user)
        .update(owner=None, claimed_at=None)
    )
    if released:
        _clocks_follow_owner(workspace=workspace, account_ids=[account_id], owner_id=None)
    return bool(released)


def accounts_reassign(*, workspace: Workspace, account_ids: list[int], owner_id: int | None) -> int:
    """Admins move accounts to another SDR (or back to the pool, owner_id=None)."""
    if (
        owner_id is not None
        and not Membership.objects.filter(
            workspace=workspace, user_id=owner_id, role__in=("sdr", "admin")
        ).exists()
    ):
        raise QueueError("Accounts can go to SDRs and admins of this workspace only.")
    moved = (
        Account.objects.for_workspace(workspace)
        .filter(pk__in=account_ids)
        .update(owner_id=owner_id, claimed_at=timezone.now() if owner_id else None)
    )
    _clocks_follow_owner(workspace=workspace, account_ids=account_ids, owner_id=owner_id)
    return moved


# --- Automatic assignment ----------------------------------------------------------------------


def _rules(*, workspace: Workspace, sdrs: list[int]) -> list[AssignmentRule]:
    rules = list(
        AssignmentRule.objects.for_workspace(workspace)
        .filter(is_active=True)
        .prefetch_related("sdrs")
    )
    if not AssignmentRule.objects.for_workspace(workspace).exists() and sdrs:
        # A workspace without rules still gets its accounts worked: one catch-all rule that
        # admins can see, edit or narrow on the rules page.
        rule = AssignmentRule.objects.create(
            workspace=workspace, name=CATCH_ALL_RULE, position=1000
        )
        rules = [rule]
    return rules


def accounts_assign(*, workspace: Workspace, account_ids: list[int] | None = None) -> dict:
    """Give unassigned accounts to SDRs by the workspace's rules (territory, industry, tier),
    round robin inside each rule, never past an SDR's capacity. Highest priority first; what
    does not fit stays in the pool. Safe to run again: owned accounts are never touched."""
    capacities = sdr_capacities(workspace=workspace)
    sdrs = [uid for uid, (_, accepts) in capacities.items() if accepts]
    if not sdrs:
        return {"assigned": 0, "by_sdr": {}, "left_in_pool": _pool_size(workspace)}
    load = owned_counts(workspace=workspace, user_ids=sdrs)
    rules = _rules(workspace=workspace, sdrs=sdrs)
    rule_sdrs = {
        rule.pk: [u.pk for u in sorted(rule.sdrs.all(), key=lambda u: u.pk) if u.pk in sdrs] or sdrs
        for rule in rules
    }
    cursor = {rule.pk: rule.last_assigned_id for rule in rules}

    candidates = Account.objects.for_workspace(workspace).filter(owner__isnull=True)
    if account_ids is not None:
        candidates = candidates.filter(pk__in=account_ids)
    candidates = candidates.order_by(
        F("priority").desc(nulls_last=True),
        F("tier").asc(nulls_last=True),
        "-is_target",
        F("annual_revenue").desc(nulls_last=True),
        "pk",
    ).values_list("pk", "country", "region", "industry", "tier")

    def has_room(uid: int) -> bool:
        return load[uid] < capacities[uid][0]

    picks: dict[int, list[int]] = defaultdict(list)
    per_rule: Counter = Counter()
    for pk, country, region, industry, tier in candidates.iterator(chunk_size=5000):
        if not any(has_room(uid) for uid in sdrs):
            break
        for rule in rules:
            if not rule_covers(
                countries=rule.countries,
                regions=rule.regions,
                industries=rule.industries,
                min_tier=rule.min_tier,
                account_country=country,
                account_region=region,
                account_industry=industry,
                account_tier=tier,
            ):
                continue
            uid = next_in_rotation(rule_sdrs[rule.pk], cursor[rule.pk], has_room)
            if uid is None:
                continue
            picks[uid].append(pk)
            load[uid] += 1
            cursor[rule.pk] = uid
            per_rule[rule.pk] += 1
            break

    assigned: dict[int, int] = {}
    with transaction.atomic():
        for uid, ids in picks.items():
            for start in range(0, len(ids), 1000):
                # owner IS NULL again: an SDR may have claimed one of these meanwhile.
                assigned[uid] = assigned.get(uid, 0) + Account.objects.for_workspace(
                    workspace
                ).filter(pk__in=ids[start : start + 1000], owner__isnull=True).update(owner_id=uid)
        for rule in rules:
            if per_rule[rule.pk]:
                AssignmentRule.objects.filter(pk=rule.pk).update(
                    last_assigned_id=cursor[rule.pk],
                    assigned_count=F("assigned_count") + per_rule[rule.pk],
                )
    for uid, ids in picks.items():
        _clocks_follow_owner(workspace=workspace, account_ids=ids, owner_id=uid)
    emails = dict(User.objects.filter(pk__in=assigned).values_list("pk", "email"))
    return {
        "assigned": sum(assigned.values()),
        "by_sdr": {emails[uid]: n for uid, n in sorted(assigned.items())},
        "left_in_pool": _pool_size(workspace),
    }


def _pool_size(workspace: Workspace) -> int:
    return Account.objects.for_workspace(workspace).filter(owner__isnull=True).count()


def assignment_rule_save(
    *,
    workspace: Workspace,
    name: str,
    position: int = 100,
    countries: list[str] | None = None,
    regions: list[str] | None = None,
    industries: list[str] | None = None,
    min_tier: int | None = None,
    sdr_ids_: list[int] | None = None,
    is_active: bool = True,
    rule_id: int | None = None,
) -> AssignmentRule:
    allowed = set(sdr_ids(workspace=workspace))
    chosen = [uid for uid in (sdr_ids_ or []) if uid in allowed]
    fields = {
        "name": name.strip(),
        "position": position,
        "countries": sorted({c.strip().upper() for c in countries or [] if c.strip()}),
        "regions": sorted({r.strip() for r in regions or [] if r.strip()}),
        "industries": sorted({i.strip() for i in industries or [] if i.strip()}),
        "min_tier": min_tier,
        "is_active": is_active,
    }
    if rule_id is None:
        rule = AssignmentRule.objects.create(workspace=workspace, **fields)
    else:
        rule = AssignmentRule.objects.for_workspace(workspace).get(pk=rule_id)
        for key, value in fields.items():
            setattr(rule, key, value)
        rule.save()
    rule.sdrs.set(chosen)
    return rule


def assignment_rule_delete(*, workspace: Workspace, rule_id: int) -> None:
    AssignmentRule.objects.for_workspace(workspace).filter(pk=rule_id).delete()


# --- Snoozes and saved views -------------------------------------------------------------------


def account_snooze(
    *, workspace: Workspace, user, account_id: int, until: dt.date, note: str = ""
) -> AccountSnooze:
    if until <= timezone.localdate():
        raise QueueError("Snooze until a day in the future.")
    account = Account.objects.for_workspace(workspace).get(pk=account_id)
    snooze, _ = AccountSnooze.objects.update_or_create(
        workspace=workspace, user=user, account=account, defaults={"until": until, "note": note}
    )
    return snooze


def account_unsnooze(*, workspace: Workspace, user, account_id: int) -> None:
    AccountSnooze.objects.for_workspace(workspace).filter(user=user, account_id=account_id).delete()


QUEUE_FILTER_KEYS = ("tier", "stage", "country", "industry", "campaign", "why", "q")


def saved_view_save(
    *, workspace: Workspace, user, name: str, filters: dict[str, str]
) -> SavedQueueView:
    name = name.strip()[:80]
    if not name:
        raise QueueError("Give the view a name.")
    kept = {k: str(v) for k, v in filters.items() if k in QUEUE_FILTER_KEYS and v}
    view, _ = SavedQueueView.objects.update_or_create(
        workspace=workspace, user=user, name=name, defaults={"filters": kept}
    )
    return view


def saved_view_delete(*, workspace: Workspace, user, view_id: int) -> None:
    SavedQueueView.objects.for_workspace(workspace).filter(user=user, pk=view_id).delete()


# --- SLA clocks --------------------------------------------------------------------------------


def _clocks_follow_owner(
    *, workspace: Workspace, account_ids: list[int], owner_id: int | None
) -> None:
    """Open clocks belong to whoever owns the account now; stopped ones keep their owner."""
    if account_ids:
        SlaClock.objects.for_workspace(workspace).filter(
            account_id__in=account_ids, touched_at__isnull=True
        ).update(owner_id=owner_id)


def sla_clocks_sync(
    *, workspace: Workspace, owner_id: int | None = None, now: dt.datetime | None = None
) -> int:
    """Start a clock for every matched lead and every MQA that has none yet, then stop the
    clocks a touch already answered. Clocks start at the match / MQA moment, not at sync time,
    so running this late (or twice) gives the same clocks."""
    now = now or timezone.now()
    hours = dt.timedelta(hours=float(workspace.setting("sla_hours") or 24))
    accounts = Account.objects.for_workspace(workspace)
    if owner_id is not None:
        accounts = accounts.filter(owner_id=owner_id)
    clocks = SlaClock.objects.for_workspace(workspace)

    leads = (
        Contact.objects.for_workspace(workspace)
        .filter(
            is_lead=True,
            account__in=accounts,
            matched_at__isnull=False,
            matched_at__lte=now,
            match_status__in=MATCHED_STATUSES,
        )
        .exclude(lead_status="disqualified")
        .exclude(Exists(clocks.filter(contact_id=OuterRef("pk"), kind=SlaClock.Kind.NEW_LEAD)))
        .values_list("pk", "account_id", "account__owner_id", "matched_at")
    )
    new = [
        SlaClock(
            workspace=workspace,
            account_id=account_id,
            contact_id=pk,
            kind=SlaClock.Kind.NEW_LEAD,
            owner_id=owner,
            started_at=at,
            due_at=at + hours,
        )
        for pk, account_id, owner, at in leads.iterator(chunk_size=2000)
    ]
    mqas = (
        accounts.filter(stage=JourneyStage.MQA, stage_changed_at__isnull=False)
        .exclude(
            Exists(
                clocks.filter(
                    account_id=OuterRef("pk"),
                    kind=SlaClock.Kind.MQA,
                    started_at=OuterRef("stage_changed_at"),
                )
            )
        )
        .values_list("pk", "owner_id", "stage_changed_at")
    )
    new += [
        SlaClock(
            workspace=workspace,
            account_id=pk,
            kind=SlaClock.Kind.MQA,
            owner_id=owner,
            started_at=at,
            due_at=at + hours,
        )
        for pk, owner, at in mqas.iterator(chunk_size=2000)
    ]
    SlaClock.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if new:
        _clocks_stop_by_past_touches(workspace=workspace, account_ids={c.account_id for c in new})
    return len(new)


def _clocks_stop_by_past_touches(*, workspace: Workspace, account_ids: set[int]) -> None:
    first_touch = (
        Activity.objects.for_workspace(workspace)
        .filter(
            account_id=OuterRef("account_id"),
            kind__in=TOUCH_KINDS,
            at__gte=OuterRef("started_at"),
        )
        .order_by("at")
    )
    open_clocks = SlaClock.objects.for_workspace(workspace).filter(
        account_id__in=account_ids, touched_at__isnull=True
    )
    open_clocks.filter(Exists(first_touch)).update(
        touched_at=Subquery(first_touch.values("at")[:1]),
        touched_by_id=Subquery(first_touch.values("user_id")[:1]),
    )


def sla_clocks_stop(*, workspace: Workspace, account_id: int, user, at: dt.datetime) -> int:
    """A touch answers every clock of the account that started before it."""
    return (
        SlaClock.objects.for_workspace(workspace)
        .filter(account_id=account_id, touched_at__isnull=True, started_at__lte=at)
        .update(touched_at=at, touched_by=user)
    )
