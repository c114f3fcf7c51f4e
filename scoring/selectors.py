"""Scoring reads: the account page's score summary, parent roll-ups, the overview page,
live ICP previews and back-tests of a profile or model against past won/lost deals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.db.models import Count, Q, Sum
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, AccountTier, Opportunity
from campaigns.models import EngagementEvent
from scoring import pipeline
from scoring.engine import compose, rules
from scoring.engine import priority as prio
from scoring.engine.predictive import TrainedModel, auc, lift_by_decile
from scoring.models import (
    FitModel,
    IcpProfile,
    IntentSignal,
    ScoreSnapshot,
    ScoringRun,
    TriggerEvent,
)
from scoring.services import params_for, scoring_settings_get, training_labels

SCORE_KEYS = ("fit", "predictive_fit", "intent", "engagement", "priority", "health")
BINS = np.linspace(0, 100, 11)


def histogram(values: np.ndarray) -> list[int]:
    """Accounts per 10-point band (0–10 … 90–100), missing scores left out."""
    values = np.asarray(values, dtype=float)
    counts, _ = np.histogram(values[~np.isnan(values)], bins=BINS)
    return counts.astype(int).tolist()


def tier_counts(tiers: np.ndarray) -> dict[int, int]:
    tiers = np.asarray(tiers)
    return {t: int((tiers == t).sum()) for t in (1, 2, 3)}


# -- account page --------------------------------------------------------------------------
def account_score_summary(*, workspace: Workspace, account_id: int, days: int = 180) -> dict:
    """Scores, reasons, trend and signals for one account; Account.DoesNotExist outside the
    workspace (views turn that into 404)."""
    account = (
        Account.objects.for_workspace(workspace).select_related("reason_set").get(pk=account_id)
    )
    since = timezone.now() - dt.timedelta(days=days)
    snapshots = (
        ScoreSnapshot.objects.for_workspace(workspace)
        .filter(account_id=account.pk, at__gte=since)
        .order_by("at")
        .values("at", "fit", "intent", "engagement", "priority", "tier")
    )
    trend = [{**s, "at": s["at"].isoformat()} for s in snapshots]
    topics = (
        IntentSignal.objects.for_workspace(workspace)
        .filter(account_id=account.pk, observed_at__gte=timezone.now() - dt.timedelta(days=30))
        .values("topic")
        .annotate(strength=Sum("strength"), signals=Count("id"))
        .order_by("-strength")[:5]
    )
    triggers = list(
        TriggerEvent.objects.for_workspace(workspace)
        .filter(account_id=account.pk)
        .order_by("-occurred_at")[:5]
    )
    reasons = account.score_reasons or {}
    change = None
    if len(trend) >= 2 and trend[-1]["priority"] is not None and trend[-2]["priority"] is not None:
        change = round(trend[-1]["priority"] - trend[-2]["priority"], 1)
    has_children = Account.objects.for_workspace(workspace).filter(parent_id=account.pk).exists()
    return {
        "account_id": account.pk,
        "scores": {
            "fit": account.fit_score,
            "predictive_fit": account.predictive_fit,
            "intent": account.intent_score,
            "engagement": account.engagement_score,
            "priority": account.priority,
            "health": account.health_score,
        },
        "tier": account.tier,
        "stage": account.stage,
        "mqa": account.stage == "mqa",  # the journey's stage, the one MQA rule
        "scored_at": account.scored_at,
        "reasons": reasons,
        "why_now": reasons.get("why_now", ""),
        "trend": trend,
        "priority_change": change,
        "intent_topics": list(topics),
        "triggers": [
            {
                "kind": t.kind,
                "label": t.get_kind_display(),
                "occurred_at": t.occurred_at,
                "detail": t.detail,
            }
            for t in triggers
        ],  # fmt: skip
        "rollup": account_rollup(workspace=workspace, account_id=account.pk)
        if has_children
        else None,
        "trend_chart": score_trend_chart(trend),
    }


def score_trend_chart(trend: list[dict]) -> dict:
    """Chart.js config (for partials/chart.html) of an account's scores over time."""
    labels = [point["at"][:10] for point in trend]
    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": name.capitalize(), "data": [point[name] for point in trend]}
                for name in ("priority", "fit", "intent", "engagement")
            ],
        },
        "options": {"scales": {"y": {"min": 0, "max": 100}}},
    }


def _descendants(workspace: Workspace, account_id: int, depth: int = 4) -> list[int]:
    found: list[int] = []
    level = [account_id]
    for _ in range(depth):
        level = list(
            Account.objects.for_workspace(workspace)
            .filter(parent_id__in=level)
            .exclude(pk__in=[account_id, *found])
            .values_list("pk", flat=True)
        )
        if not level:
            break
        found.extend(level)
    return found


def account_rollup(*, workspace: Workspace, account_id: int) -> dict:
    """A parent's view of its group: children's engagement and the group's pipeline."""
    children = _descendants(workspace, account_id)
    group = [account_id, *children]
    child_rows = Account.objects.for_workspace(workspace).filter(pk__in=children)
    scores = [s for s in child_rows.values_list("engagement_score", flat=True) if s is not None]
    since = timezone.now() - dt.timedelta(days=90)
    touches = (
        EngagementEvent.objects.for_workspace(workspace)
        .filter(account_id__in=group, occurred_at__gte=since)
        .aggregate(n=Count("id"), own=Count("id", filter=Q(account_id=account_id)))
    )
    opps = Opportunity.objects.for_workspace(workspace).filter(account_id__in=group)
    money = opps.aggregate(
        open=Sum("amount", filter=Q(is_closed=False)),
        won=Sum("amount", filter=Q(is_won=True)),
        open_count=Count("id", filter=Q(is_closed=False)),
    )
    return {
        "children": len(children),
        "engaged_children": sum(1 for s in scores if s >= 20),
        "max_child_engagement": max(scores) if scores else None,
        "mean_child_engagement": round(sum(scores) / len(scores), 1) if scores else None,
        "touches_90d": touches["n"],
        "children_touches_90d": touches["n"] - touches["own"],
        "open_pipeline": float(money["open"] or 0),
        "open_opportunities": money["open_count"],
        "won_revenue": float(money["won"] or 0),
    }


# -- overview ------------------------------------------------------------------------------
def scoring_overview(*, workspace: Workspace) -> dict:
    accounts = Account.objects.for_workspace(workspace)
    tiers = dict(
        AccountTier.objects.for_workspace(workspace)
        .filter(tier__gt=0)
        .values_list("tier")
        .annotate(n=Count("*"))
        .order_by()
    )
    priorities = np.array(
        list(accounts.filter(priority__isnull=False).values_list("priority", flat=True)),
        dtype=float,
    )
    return {
        "accounts": accounts.count(),
        "scored": len(priorities),
        "tiers": {t: tiers.get(t, 0) for t in (1, 2, 3)},
        "mqa": accounts.filter(stage="mqa").count(),
        "histogram": histogram(priorities),
        "active_profile": IcpProfile.objects.for_workspace(workspace)
        .filter(is_active=True)
        .first(),
        "active_model": FitModel.objects.for_workspace(workspace).filter(is_active=True).first(),
        "runs": list(ScoringRun.objects.for_workspace(workspace).order_by("-created_at")[:5]),
        "settings": scoring_settings_get(workspace=workspace),
    }


def top_accounts(*, workspace: Workspace, limit: int = 10):
    return (
        Account.objects.for_workspace(workspace)
        .filter(priority__isnull=False)
        .order_by("-priority", "name")
        .only("id", "name", "tier", "fit_score", "intent_score", "engagement_score", "priority",
              "stage")[:limit]
    )  # fmt: skip


# -- previews and back-tests ---------------------------------------------------------------
def _active(workspace: Workspace) -> tuple[list[dict] | None, FitModel | None]:
    profile = IcpProfile.objects.for_workspace(workspace).filter(is_active=True).first()
    model = FitModel.objects.for_workspace(workspace).filter(is_active=True).first()
    return (rules.validate(profile.criteria) if profile else None), model


def _fit(rule_fit: np.ndarray | None, predictive: np.ndarray | None, use_model: bool) -> np.ndarray:
    if predictive is not None and use_model and rule_fit is not None:
        return np.round(
            (1 - compose.PREDICTIVE_BLEND) * rule_fit + compose.PREDICTIVE_BLEND * predictive, 2
        )
    if predictive is not None and use_model:
        return predictive
    if rule_fit is not None:
        return rule_fit
    raise ValueError("nothing to score fit with: no profile and no model")


def _priority_tiers(frame: pd.DataFrame, fit: np.ndarray, policy: prio.Policy) -> np.ndarray:
    intent = pd.to_numeric(frame["intent_score"], errors="coerce").to_numpy(float)
    engagement = pd.to_numeric(frame["engagement_score"], errors="coerce").to_numpy(float)
    priority = prio.priority_scores(fit, intent, engagement, policy)
    return prio.assign_tiers(priority, fit, policy)


def icp_profile_preview(*, workspace: Workspace, criteria: list[dict]) -> dict:
    """What saving these criteria would do: the fit distribution and the tier counts, next to
    today's. Intent and engagement are the stored ones, so only the profile's effect shows."""
    clean = rules.validate(criteria)
    settings = scoring_settings_get(workspace=workspace)
    params = params_for(settings)
    frame = pipeline.load_accounts(workspace_id=workspace.pk)
    if frame.empty:
        return {"accounts": 0, "histogram": [0] * 10, "tiers": tier_counts([]),
                "current_tiers": tier_counts([]), "tier_changes": 0, "mean_fit": None,
                "criteria": clean}  # fmt: skip
    rule_fit = rules.evaluate(frame, clean).score
    _, model = _active(workspace)
    stored_predictive = pd.to_numeric(frame["predictive_fit"], errors="coerce").to_numpy(float)
    predictive = (
        stored_predictive if model is not None and not np.isnan(stored_predictive).all() else None
    )
    fit = _fit(rule_fit, predictive, settings.use_predictive_fit)
    tiers = _priority_tiers(frame, fit, params.policy)
    current = pd.to_numeric(frame["tier"], errors="coerce").fillna(0).to_numpy(int)
    return {
        "accounts": len(frame),
        "histogram": histogram(rule_fit),
        "current_histogram": histogram(pd.to_numeric(frame["fit_score"], errors="coerce")),
        "tiers": tier_counts(tiers),
        "current_tiers": tier_counts(current),
        "tier_changes": int((tiers != current).sum()),
        "mean_fit": round(float(np.mean(rule_fit)), 1),
        "criteria": clean,
    }


def scoring_backtest(
    *,
    workspace: Workspace,
    profile: IcpProfile | None = None,
    model: FitModel | None = None,
    criteria: list[dict] | None = None,
) -> dict:
    """Compare a candidate profile or model with what is active now, on accounts with closed
    deals: ROC AUC, lift by decile, and how many accounts would change tier."""
    settings = scoring_settings_get(workspace=workspace)
    policy = params_for(settings).policy
    active_criteria, active_model_row = _active(workspace)
    if profile is not None:
        criteria = profile.criteria
    frame = pipeline.load_accounts(workspace_id=workspace.pk)
    labels = training_labels(workspace=workspace)
    result: dict = {"won": int(labels["won"].sum()) if len(labels) else 0,
                    "lost": int((~labels["won"].astype(bool)).sum()) if len(labels) else 0,
                    "accounts": len(frame)}  # fmt: skip
    if frame.empty:
        return result | {"candidate": None, "active": None, "tier_changes": 0}

    def predictions(row: FitModel | None) -> np.ndarray | None:
        if row is None:
            return None
        return TrainedModel.loads(row.artifact, row.metrics).predict(frame)

    active_pred = predictions(active_model_row)
    cand_criteria = rules.validate(criteria) if criteria is not None else active_criteria
    cand_pred = predictions(model) if model is not None else active_pred
    use = settings.use_predictive_fit or model is not None
    candidate_fit = _fit(
        rules.evaluate(frame, cand_criteria).score if cand_criteria else None, cand_pred, use
    )
    has_active = active_criteria is not None or active_pred is not None
    active_fit = (
        _fit(rules.evaluate(frame, active_criteria).score if active_criteria else None,
             active_pred, settings.use_predictive_fit or active_criteria is None)
        if has_active else None
    )  # fmt: skip
    labelled = frame["id"].isin(labels["account_id"]).to_numpy() if len(labels) else None

    def evaluate(fit: np.ndarray | None) -> dict | None:
        if fit is None:
            return None
        out = {"tiers": tier_counts(_priority_tiers(frame, fit, policy)),
               "histogram": histogram(fit), "auc": None, "lift": []}  # fmt: skip
        if labelled is not None and labelled.any():
            won = frame.loc[labelled, ["id"]].merge(labels, left_on="id", right_on="account_id")
            y = won["won"].astype(bool).to_numpy()
            out["auc"] = auc(y, fit[labelled])
            out["lift"] = lift_by_decile(y, fit[labelled]) if len(y) >= 10 else []
        return out

    candidate = evaluate(candidate_fit)
    active = evaluate(active_fit)
    changes = 0
    if active_fit is not None:
        changes = int(
            (
                _priority_tiers(frame, candidate_fit, policy)
                != _priority_tiers(frame, active_fit, policy)
            ).sum()
        )
    if model is not None and model.metrics.get("cv_auc") is not None:
        result["model_cv_auc"] = model.metrics["cv_auc"]
    return result | {"candidate": candidate, "active": active, "tier_changes": changes}
