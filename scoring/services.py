"""Scoring business operations (writes): runs, incremental refreshes, ICP profiles, fit models,
settings. Pure scoring lives in scoring/engine; database I/O for runs in scoring/pipeline."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, AccountTier, JourneyStage, Opportunity
from scoring import pipeline
from scoring.engine import compose, rules
from scoring.engine import priority as prio
from scoring.engine.predictive import NotEnoughOutcomes, TrainedModel, train
from scoring.models import (
    FitModel,
    IcpProfile,
    IcpProfileVersion,
    ReasonSet,
    ScoringRun,
    ScoringSettings,
    TriggerEvent,
)

logger = logging.getLogger(__name__)
CHUNK = 100_000
WRITE_CHUNK = 50_000
# How long a second delivery of a run waits for the first holder: long enough for the database
# to notice a killed worker's connection, short enough not to idle a worker behind a live run.
CLAIM_WAIT_SECONDS = 10.0

__all__ = ["NotEnoughOutcomes"]


# -- settings ------------------------------------------------------------------------------
def scoring_settings_get(*, workspace: Workspace) -> ScoringSettings:
    found = ScoringSettings.objects.for_workspace(workspace).first()
    if found is not None:
        return found
    settings, _ = ScoringSettings.objects.get_or_create(workspace=workspace)
    return settings


def scoring_settings_update(
    *, workspace: Workspace, **values: float | int | bool | None
) -> ScoringSettings:
    settings = scoring_settings_get(workspace=workspace)
    allowed = {f.name for f in ScoringSettings._meta.fields} - {"id", "workspace", "updated_at"}
    mqa_before = mqa_rules(settings)
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"unknown scoring setting {name!r}")
        setattr(settings, name, value)
    if settings.weight_fit + settings.weight_intent + settings.weight_engagement <= 0:
        raise ValueError("at least one priority weight must be above zero")
    settings.save()
    _rescore_later(workspace=workspace, trigger=ScoringRun.Trigger.MANUAL)
    if mqa_rules(settings) != mqa_before:  # every journey is judged by the new thresholds
        from campaigns.tasks import journeys_recompute

        transaction.on_commit(lambda: journeys_recompute.delay(workspace_id=workspace.pk))
    return settings


def mqa_rules(settings: ScoringSettings) -> dict[str, float | int]:
    """The MQA thresholds the account journey applies (campaigns/journey.py Rules fields):
    one rule, edited on the scoring settings page, applied by the journey replay."""
    return {
        "mqa_min_fit": settings.mqa_fit_min,
        "mqa_points": settings.mqa_points,
        "mqa_min_contacts": settings.mqa_min_contacts,
    }


def params_for(settings: ScoringSettings) -> compose.Params:
    return compose.Params(
        policy=prio.Policy(
            weight_fit=settings.weight_fit,
            weight_intent=settings.weight_intent,
            weight_engagement=settings.weight_engagement,
            tier1_share=settings.tier1_share,
            tier2_share=settings.tier2_share,
            tier1_cap=settings.tier1_cap,
            tier2_cap=settings.tier2_cap,
            tier1_min=settings.tier1_min,
            tier2_min=settings.tier2_min,
        ),
        intent_half_life_days=settings.intent_half_life_days,
        engagement_half_life_days=settings.engagement_half_life_days,
        trigger_half_life_days=settings.trigger_half_life_days,
        surge_ratio=settings.surge_ratio,
        use_predictive_fit=settings.use_predictive_fit,
    )


def active_criteria(*, workspace: Workspace) -> list[dict] | None:
    profile = IcpProfile.objects.for_workspace(workspace).filter(is_active=True).first()
    if profile is None and not IcpProfile.objects.for_workspace(workspace).exists():
        profile = _starter_profile(workspace=workspace)
    return rules.validate(profile.criteria) if profile is not None else None


@transaction.atomic
def _starter_profile(*, workspace: Workspace) -> IcpProfile:
    """A workspace scored before anyone defined an ICP gets an editable starter profile, so
    fit means something from day one and the marketer sees where it came from."""
    profile, created = IcpProfile.objects.get_or_create(
        workspace=workspace, name="Starter ICP",
        defaults={"criteria": rules.DEFAULT_CRITERIA, "is_active": True,
                  "description": "Created by the first scoring run. Edit it to match your market."},
    )  # fmt: skip
    if created:
        IcpProfileVersion.objects.create(
            workspace=workspace, profile=profile, version=1, name=profile.name,
            criteria=profile.criteria, note="starter profile (first scoring run)",
        )  # fmt: skip
    return profile


def active_model(*, workspace: Workspace) -> TrainedModel | None:
    row = FitModel.objects.for_workspace(workspace).filter(is_active=True).first()
    return TrainedModel.loads(row.artifact, row.metrics) if row is not None else None


# -- scoring runs --------------------------------------------------------------------------
def scoring_run_create(
    *, workspace: Workspace, account_ids: Iterable[int] | None = None, trigger: str = "manual"
) -> ScoringRun:
    return ScoringRun.objects.create(
        workspace=workspace,
        trigger=trigger,
        account_ids=sorted({int(a) for a in account_ids}) if account_ids is not None else None,
    )


def score_accounts(
    *,
    workspace: Workspace,
    account_ids: Iterable[int] | None = None,
    run: ScoringRun | None = None,
    trigger: str = ScoringRun.Trigger.MANUAL,
) -> ScoringRun:
    """Score a workspace (or some of its accounts) in chunks and write the results back.

    Tiers are capped across the whole workspace, so a partial run ranks its accounts against
    the stored priorities of the others and also rewrites any account whose tier moved.
    A snapshot is written only for accounts whose scores or tier changed.
    """
    if run is None:
        run = scoring_run_create(workspace=workspace, account_ids=account_ids, trigger=trigger)
    elif account_ids is None and run.account_ids is not None:
        account_ids = run.account_ids
    with pipeline.run_claim(run.pk, wait=CLAIM_WAIT_SECONDS) as claimed:
        if not claimed:  # the same run delivered twice: the live holder finishes it
            logger.info("scoring run %s is being scored by another worker", run.pk)
            run.refresh_from_db()
            return run
        run.refresh_from_db()
        if run.status == ScoringRun.Status.DONE:  # a redelivery or retry of a finished run
            return run
        now = timezone.now()
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.RUNNING, started_at=now, error=""
        )
        try:
            counts = _score(workspace=workspace, account_ids=account_ids, run=run, now=now)
        except Exception as exc:
            scoring_run_fail(run_id=run.pk, reason=str(exc))
            raise
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.DONE, counts=counts, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def scoring_run_fail(*, run_id: int, reason: str) -> None:
    """Show a run as failed with its reason (a finished run stays done)."""
    ScoringRun.objects.filter(pk=run_id).exclude(status=ScoringRun.Status.DONE).update(
        status=ScoringRun.Status.FAILED,
        error=(reason or "failed without a message")[:2000],
        finished_at=timezone.now(),
    )


def _score(*, workspace: Workspace, account_ids, run: ScoringRun, now) -> dict:
    settings = scoring_settings_get(workspace=workspace)
    params = params_for(settings)
    criteria = active_criteria(workspace=workspace)
    model = active_model(workspace=workspace)
    exact = account_ids is not None
    if exact:
        wanted = np.unique(np.asarray(list(account_ids), dtype=np.int64))
    else:
        wanted = pipeline.account_ids(workspace_id=workspace.pk)
    chunks = [wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK)]
    total = len(wanted)
    ScoringRun.objects.filter(pk=run.pk).update(total=total, processed=0)

    everything: list[pipeline.WorkspaceSignals] = []  # a full run's signals, read once

    def load(chunk: np.ndarray) -> tuple:
        """One chunk's accounts and signals: the listed ids, or (a full run) the id range with
        its slice of the workspace's signals (read with the first chunk)."""
        if exact:
            accounts = pipeline.load_accounts(workspace_id=workspace.pk, ids=chunk.tolist())
            signals = pipeline.load_signals(
                workspace_id=workspace.pk, ids=accounts["id"].to_numpy(dtype=np.int64),
                now=now, exact=True,
            )  # fmt: skip
            return accounts, signals
        accounts = pipeline.load_accounts(
            workspace_id=workspace.pk, lo=int(chunk[0]), hi=int(chunk[-1])
        )
        if not everything:
            everything.append(pipeline.WorkspaceSignals(workspace_id=workspace.pk, now=now))
        return accounts, everything[0].slice(accounts["id"].to_numpy(dtype=np.int64))

    olds, results, reasons = [], [], []
    # Reason sets of the rows whose scores moved are stored while the next chunks are scored
    # (they do not depend on tiers, which wait for every chunk): (first row, rows, set ids)
    early: list[tuple[int, np.ndarray, object]] = []
    clock = {
        "read": 0.0,
        "score": 0.0,
        "reasons": 0.0,
        "reason_sets": 0.0,
        "tiers": 0.0,
        "write": 0.0,
    }
    t0 = time.perf_counter()
    with pipeline.in_background() as submit:
        for accounts, (events, intent, triggers) in pipeline.prefetched(load, chunks):
            if accounts.empty:
                t0 = time.perf_counter()
                continue
            t1 = time.perf_counter()
            scored = compose.score(
                accounts, criteria=criteria, intent=intent, triggers=triggers, events=events,
                model=model, params=params, with_tiers=False,
            )  # fmt: skip
            t2 = time.perf_counter()
            texts = compose.reasons_json(scored)
            moved = np.flatnonzero(pipeline.changed_rows(accounts, scored.frame, tier=False))
            if len(moved):
                early.append((len(reasons), moved, submit(
                    pipeline.reason_sets_of, workspace.pk, [texts[i] for i in moved]
                )))  # fmt: skip
            olds.append(accounts)
            results.append(scored.frame)
            reasons.extend(texts)
            clock["read"] += t1 - t0  # time waiting for the chunk (read while the last was scored)
            clock["score"] += t2 - t1
            clock["reasons"] += time.perf_counter() - t2
            # reading counts as the first half of the work, writing as the second
            ScoringRun.objects.filter(pk=run.pk).update(
                processed=F("processed") + len(accounts) // 2
            )
            t0 = time.perf_counter()
        if not results:
            return {"accounts": 0, "changed": 0, "tier_1": 0, "tier_2": 0, "tier_3": 0, "mqa": 0}
        # The tiers while the last chunks' reason sets are still being stored in the background.
        t0 = time.perf_counter()
        old = pd.concat(olds, ignore_index=True)
        new = pd.concat(results, ignore_index=True)
        new["tier"], moved = _tiers(workspace=workspace, new=new, partial=account_ids is not None,
                                    params=params)  # fmt: skip
        new["replay"] = _fit_crossed_mqa_line(old=old, new=new, fit_min=settings.mqa_fit_min)
        new["replay"] &= _could_be_mqa(workspace=workspace, ids=new["id"].to_numpy(),
                                       mask=new["replay"].to_numpy(), points=settings.mqa_points)  # fmt: skip
        changed = pipeline.changed_rows(old, new)
        clock["tiers"] = time.perf_counter() - t0  # tiers, MQA candidates, what changed
        t0 = time.perf_counter()
        set_ids = np.zeros(len(reasons), dtype=np.int64)
        for first, rows, future in early:
            set_ids[first + rows] = future.result()
        clock["reason_sets"] = time.perf_counter() - t0  # what the background work still needed
    write_mask = (
        changed | new["replay"].to_numpy() if account_ids is None else np.ones(len(new), bool)
    )
    t0 = time.perf_counter()
    write_at = np.flatnonzero(write_mask)
    late = write_at[set_ids[write_at] == 0]  # only the tier moved, or a partial run's rows
    set_ids[late] = pipeline.reason_sets_of(workspace.pk, [reasons[i] for i in late])
    jobs = [
        (new.iloc[at], set_ids[at], changed[at])
        for start in range(0, len(write_at), WRITE_CHUNK)
        for at in [write_at[start : start + WRITE_CHUNK]]
    ]
    half = total // 2  # reading counts as the first half of the work
    to_write = max(1, int(write_mask.sum()))

    from campaigns.services import journey_recompute

    def journeys(ids: list[int]) -> None:
        journey_recompute(workspace=workspace, account_ids=ids, record=False)

    def write(job) -> int:
        part, part_set_ids, snap = job
        pipeline.write_scores(
            workspace_id=workspace.pk, rows=part, set_ids=part_set_ids, now=now,
            run_id=run.pk, snapshot=snap, journeys=journeys,
        )  # fmt: skip
        return len(part)

    written = 0
    for count in pipeline.run_parallel(write, jobs):
        written += count
        ScoringRun.objects.filter(pk=run.pk).update(
            processed=min(total, half + written * (total - half) // to_write)
        )
    clock["write"] = time.perf_counter() - t0
    tiers = new["tier"].to_numpy()
    mqa = Account.objects.for_workspace(workspace).filter(stage=JourneyStage.MQA)
    return {
        "accounts": int(len(new)),
        "changed": int(changed.sum()),
        "written": int(written),
        "tier_moves_elsewhere": int(moved),
        "tier_1": int((tiers == 1).sum()),
        "tier_2": int((tiers == 2).sum()),
        "tier_3": int((tiers == 3).sum()),
        # MQA is the journey's stage: count what it says after this run's fit changes
        "mqa": mqa.count(),
        "promoted_to_mqa": _became_mqa(workspace=workspace, new=new, old=old),
        "tier_lines": prio.tier_lines(new["priority"].to_numpy(), tiers)
        if account_ids is None
        else None,
        "churn_risk": int(new["churn_risk"].sum()),
        "expansion": int(new["expansion"].sum()),
        "seconds": {k: round(v, 2) for k, v in clock.items()},
        "profile": criteria is not None,
        "model": model is not None,
    }


def _tiers(
    *, workspace: Workspace, new: pd.DataFrame, partial: bool, params
) -> tuple[np.ndarray, int]:
    """Capped tiers; for a partial run, ranked against everyone else's stored priority and any
    other account whose tier the cap moves is rewritten directly."""
    if not partial:
        return prio.assign_tiers(
            new["priority"].to_numpy(), new["fit"].to_numpy(), params.policy, new["id"].to_numpy()
        ), 0
    others = pd.DataFrame(
        Account.objects.for_workspace(workspace)
        .exclude(pk__in=new["id"].tolist())
        .filter(priority__isnull=False)
        .values_list("id", "priority", "fit_score", "tier"),
        columns=["id", "priority", "fit", "tier"],
    )
    priority = np.concatenate([new["priority"].to_numpy(float), others["priority"].to_numpy(float)])
    fit = np.concatenate([new["fit"].to_numpy(float), others["fit"].to_numpy(float)])
    ids = np.concatenate([new["id"].to_numpy(np.int64), others["id"].to_numpy(np.int64)])
    tiers = prio.assign_tiers(priority, fit, params.policy, ids)
    mine, theirs = tiers[: len(new)], tiers[len(new) :]
    moved = others[others["tier"].fillna(0).to_numpy() != theirs].assign(new_tier=theirs[
        others["tier"].fillna(0).to_numpy() != theirs])  # fmt: skip
    for new_tier, group in moved.groupby("new_tier"):
        Account.objects.for_workspace(workspace).filter(pk__in=group["id"].tolist()).update(
            tier=int(new_tier)
        )
    return mine, len(moved)


def _fit_crossed_mqa_line(*, old: pd.DataFrame, new: pd.DataFrame, fit_min: float) -> np.ndarray:
    """Accounts whose journey must be replayed because the new fit lets them reach MQA where
    the old one did not, or the other way round. Only journeys past `aware` can hold an MQA
    move; an unscored account is not held back by fit (campaigns/journey.py)."""
    old_fit = pd.to_numeric(old["fit_score"], errors="coerce").to_numpy(float)
    new_fit = new["fit"].to_numpy(float)
    old_ok = np.isnan(old_fit) | (old_fit >= fit_min)
    new_ok = np.isnan(new_fit) | (new_fit >= fit_min)
    return (old_ok != new_ok) & old["stage"].isin(pipeline.FIT_GATED_STAGES).to_numpy()


def _could_be_mqa(*, workspace: Workspace, ids: np.ndarray, mask: np.ndarray, points: float):
    """Narrow `mask` to accounts whose touches add up to the MQA points at all (ever): for the
    others no fit changes their journey, so replaying it would be wasted work."""
    from campaigns.models import EngagementEvent

    chosen = ids[mask].tolist()
    enough: set[int] = set()
    for i in range(0, len(chosen), 10_000):
        enough.update(
            EngagementEvent.objects.for_workspace(workspace)
            .filter(account_id__in=chosen[i : i + 10_000])
            .values("account_id")
            .annotate(points=Sum("weight"))
            .filter(points__gte=points - 1e-9)
            .values_list("account_id", flat=True)
        )
    return mask & np.isin(ids, np.fromiter(enough, dtype=np.int64, count=len(enough)))


def _became_mqa(*, workspace: Workspace, new: pd.DataFrame, old: pd.DataFrame) -> int:
    replayed = new["replay"].to_numpy(bool) & (old["stage"] != JourneyStage.MQA).to_numpy()
    ids = new["id"].to_numpy()[replayed].tolist()
    mqa = Account.objects.for_workspace(workspace).filter(stage=JourneyStage.MQA)
    return sum(mqa.filter(pk__in=ids[i : i + 10_000]).count() for i in range(0, len(ids), 10_000))


def account_engagement_refresh(*, workspace: Workspace, account_id: int) -> Account | None:
    """Re-score one account's engagement and intent (and its priority and tier) right after an
    event or signal arrives, without waiting for the nightly run. Its journey (and so MQA) is
    replayed by the caller that recorded the touch (campaigns.tasks.engagement_refresh)."""
    account = Account.objects.for_workspace(workspace).filter(pk=account_id).first()
    if account is None:
        return None
    now = timezone.now()
    settings = scoring_settings_get(workspace=workspace)
    params = params_for(settings)
    frame = pipeline.load_accounts(workspace_id=workspace.pk, ids=[account_id])
    events, intent, triggers = pipeline.load_signals(
        workspace_id=workspace.pk, ids=frame["id"].to_numpy(np.int64), now=now, exact=True
    )
    scored = compose.score(
        frame, criteria=None, intent=intent, triggers=triggers, events=events,
        params=params, with_tiers=False,
    )  # fmt: skip
    row = scored.frame.iloc[0]
    fit = account.fit_score
    priority = float(
        prio.priority_scores(np.array([fit if fit is not None else np.nan]),
                             np.array([row["intent"]]), np.array([row["engagement"]]),
                             params.policy)[0]
    )  # fmt: skip
    tier = _single_tier(
        workspace=workspace, account=account, priority=priority, policy=params.policy
    )
    new_reasons = compose.build_reasons(scored, 0)
    reasons = dict(account.score_reasons or {})
    reasons.update({k: new_reasons[k] for k in ("intent", "engagement", "why_now")})
    reasons.pop("mqa", None)  # written by earlier versions; the journey stage says it now
    before = (account.intent_score, account.engagement_score, account.priority, account.tier)
    account.intent_score = float(row["intent"])
    account.engagement_score = float(row["engagement"])
    account.priority = priority
    account.tier = tier
    account.scored_at = now
    fields = ["intent_score", "engagement_score", "priority", "tier", "reason_set", "scored_at"]
    with transaction.atomic():
        account.reason_set = reason_set_get_or_create(workspace=workspace, reasons=reasons)
        account.save(update_fields=fields)
        after = (account.intent_score, account.engagement_score, account.priority, account.tier)
        if _moved(before, after):
            from scoring.models import ScoreSnapshot

            ScoreSnapshot.objects.create(
                workspace=workspace, account=account, fit=account.fit_score,
                predictive_fit=account.predictive_fit, intent=account.intent_score,
                engagement=account.engagement_score, priority=priority, tier=tier,
                health=account.health_score, reason_set=account.reason_set, at=now,
            )  # fmt: skip
    return account


def reason_set_get_or_create(*, workspace: Workspace, reasons: dict) -> ReasonSet:
    """The workspace's shared ReasonSet holding exactly `reasons`, created if it is new."""
    text = json.dumps(reasons, separators=(",", ":"), ensure_ascii=False)
    (set_id,) = pipeline.reason_set_ids(workspace_id=workspace.pk, texts=[text])
    return ReasonSet.objects.get(pk=set_id)


def _moved(before: tuple, after: tuple) -> bool:
    for a, b in zip(before, after, strict=True):
        if (a is None) != (b is None) or (a is not None and abs(float(a) - float(b)) >= 0.05):
            return True
    return False


def _single_tier(*, workspace: Workspace, account: Account, priority: float, policy) -> int:
    """One account's tier without re-ranking everyone: placed against the lines the last full
    run drew (the weakest Tier-1 and Tier-2 priority), into Tier 1 or 2 only while its cap has
    room; the next full run ranks everyone again."""
    last = (
        ScoringRun.objects.for_workspace(workspace)
        .filter(status=ScoringRun.Status.DONE, account_ids__isnull=True)
        .order_by("-created_at")
        .values_list("counts", flat=True)
        .first()
    )
    lines = (last or {}).get("tier_lines") or {}
    for tier, floor, cap in ((1, policy.tier1_min, policy.tier1_cap),
                             (2, policy.tier2_min, policy.tier2_cap)):  # fmt: skip
        line = lines.get(str(tier))
        if line is None or priority < max(line, floor):
            continue
        if account.tier == tier or cap is None:
            return tier
        taken = (
            AccountTier.objects.for_workspace(workspace).filter(tier=tier).exclude(pk=account.pk)
        ).count()
        if taken < cap:
            return tier
    return 3


def _rescore_later(*, workspace: Workspace, trigger: str) -> None:
    """Queue a full re-score once the current transaction commits."""
    from scoring.tasks import score_accounts as score_task

    waiting = ScoringRun.objects.for_workspace(workspace).filter(
        status=ScoringRun.Status.QUEUED, account_ids__isnull=True
    )
    if waiting.exists():  # a full run that has not started yet will read the latest settings
        return
    run = scoring_run_create(workspace=workspace, trigger=trigger)
    transaction.on_commit(lambda: score_task.delay(workspace_id=workspace.pk, run_id=run.pk))


def rescore_later(*, workspace: Workspace, trigger: str = ScoringRun.Trigger.MANUAL) -> None:
    _rescore_later(workspace=workspace, trigger=trigger)


# -- ICP profiles --------------------------------------------------------------------------
@transaction.atomic
def icp_profile_create(
    *, workspace: Workspace, name: str, criteria: list[dict], description: str = "", user=None
) -> IcpProfile:
    clean = rules.validate(criteria)
    profile = IcpProfile.objects.create(
        workspace=workspace, name=name.strip(), description=description, criteria=clean,
        version=1, created_by=user,
    )  # fmt: skip
    IcpProfileVersion.objects.create(
        workspace=workspace, profile=profile, version=1, name=profile.name, criteria=clean,
        note="created", created_by=user,
    )  # fmt: skip
    if not IcpProfile.objects.for_workspace(workspace).filter(is_active=True).exists():
        icp_profile_activate(profile=profile)
    return profile


@transaction.atomic
def icp_profile_update(
    *,
    profile: IcpProfile,
    criteria: list[dict],
    name: str | None = None,
    description: str | None = None,
    note: str = "",
    user=None,
) -> IcpProfile:
    """Every change is a new version; an active profile re-scores the workspace after commit."""
    clean = rules.validate(criteria)
    profile = IcpProfile.objects.select_for_update().get(pk=profile.pk)
    if (
        clean == profile.criteria
        and (name is None or name.strip() == profile.name)
        and (description is None or description == profile.description)
    ):
        return profile
    profile.criteria = clean
    profile.version += 1
    if name is not None:
        profile.name = name.strip()
    if description is not None:
        profile.description = description
    profile.save()
    IcpProfileVersion.objects.create(
        workspace_id=profile.workspace_id, profile=profile, version=profile.version,
        name=profile.name, criteria=clean, note=note[:255], created_by=user,
    )  # fmt: skip
    if profile.is_active:
        _rescore_later(workspace=profile.workspace, trigger=ScoringRun.Trigger.PROFILE)
    return profile


@transaction.atomic
def icp_profile_restore(*, profile: IcpProfile, version: int, user=None) -> IcpProfile:
    old = IcpProfileVersion.objects.for_workspace(profile.workspace_id).get(
        profile=profile, version=version
    )
    return icp_profile_update(
        profile=profile, criteria=old.criteria, note=f"restored version {version}", user=user
    )


@transaction.atomic
def icp_profile_activate(*, profile: IcpProfile) -> IcpProfile:
    # Lock the workspace's profiles so two activations cannot both leave a profile active.
    list(IcpProfile.objects.for_workspace(profile.workspace_id).select_for_update())
    IcpProfile.objects.for_workspace(profile.workspace_id).filter(is_active=True).exclude(
        pk=profile.pk
    ).update(is_active=False)
    IcpProfile.objects.filter(pk=profile.pk).update(is_active=True)
    profile.is_active = True
    _rescore_later(workspace=profile.workspace, trigger=ScoringRun.Trigger.PROFILE)
    return profile


# -- predictive fit models -----------------------------------------------------------------
def training_labels(*, workspace: Workspace) -> pd.DataFrame:
    """Accounts with at least one closed deal: won if any closed deal was won."""
    rows = (
        Opportunity.objects.for_workspace(workspace)
        .filter(is_closed=True)
        .values_list("account_id", "is_won")
    )
    frame = pd.DataFrame(list(rows), columns=["account_id", "is_won"])
    if frame.empty:
        return pd.DataFrame(columns=["account_id", "won"])
    return frame.groupby("account_id")["is_won"].any().rename("won").reset_index()


def fit_model_train(
    *, workspace: Workspace, user=None, min_per_class: int | None = None
) -> FitModel:
    """Train a model on closed won/lost accounts; raises NotEnoughOutcomes with a clear message.

    The new model is not active until someone activates it (after looking at its metrics)."""
    labels = training_labels(workspace=workspace)
    accounts = pipeline.load_accounts(
        workspace_id=workspace.pk, ids=labels["account_id"].tolist() if len(labels) else []
    )
    data = accounts.merge(labels, left_on="id", right_on="account_id")
    kwargs = {"min_per_class": min_per_class} if min_per_class is not None else {}
    trained = train(data, data["won"].to_numpy(bool), **kwargs)
    now = timezone.now()
    count = FitModel.objects.for_workspace(workspace).count()
    return FitModel.objects.create(
        workspace=workspace,
        name=f"Fit model #{count + 1} ({now:%Y-%m-%d})",
        artifact=trained.dumps(),
        features=trained.technologies,
        metrics=trained.metrics,
        trained_at=now,
        created_by=user,
    )


@transaction.atomic
def fit_model_activate(*, model: FitModel) -> FitModel:
    list(FitModel.objects.for_workspace(model.workspace_id).select_for_update().only("pk"))
    FitModel.objects.for_workspace(model.workspace_id).filter(is_active=True).exclude(
        pk=model.pk
    ).update(is_active=False)
    now = timezone.now()
    FitModel.objects.filter(pk=model.pk).update(is_active=True, activated_at=now)
    model.is_active, model.activated_at = True, now
    _rescore_later(workspace=model.workspace, trigger=ScoringRun.Trigger.MODEL)
    return model


@transaction.atomic
def fit_model_deactivate(*, model: FitModel) -> FitModel:
    FitModel.objects.filter(pk=model.pk).update(is_active=False)
    model.is_active = False
    _rescore_later(workspace=model.workspace, trigger=ScoringRun.Trigger.MODEL)
    return model


# -- trigger events ------------------------------------------------------------------------
def trigger_event_record(
    *,
    workspace: Workspace,
    account_id: int,
    kind: str,
    occurred_at,
    detail: str = "",
    source: str = "",
) -> TriggerEvent:
    account = Account.objects.for_workspace(workspace).get(pk=account_id)
    event = TriggerEvent.objects.create(
        workspace=workspace, account=account, kind=kind, occurred_at=occurred_at,
        detail=detail, source=source,
    )  # fmt: skip
    from scoring.tasks import account_engagement_refresh as refresh_task

    transaction.on_commit(
        lambda: refresh_task.delay(workspace_id=workspace.pk, account_id=account.pk)
    )
    return event
