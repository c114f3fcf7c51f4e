"""One scoring pass over a set of accounts: fit (rules, optionally blended with the predictive
model), intent, engagement, priority, tier, MQA, health and the reasons for each."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.engine import priority as prio
from scoring.engine import rules, signals
from scoring.engine.predictive import TrainedModel

PREDICTIVE_BLEND = 0.5  # share of fit that comes from the model when one is active


@dataclass
class Params:
    policy: prio.Policy = field(default_factory=prio.Policy)
    intent_half_life_days: float = 14.0
    engagement_half_life_days: float = 30.0
    trigger_half_life_days: float = 45.0
    surge_ratio: float = 1.5
    use_predictive_fit: bool = True


@dataclass
class Scored:
    """Result columns aligned with the input accounts frame, plus the intermediate results."""

    frame: pd.DataFrame  # id, fit, rule_fit, predictive_fit, intent, engagement, priority, tier,
    #                      mqa, health, churn_risk, expansion
    icp: rules.IcpResult | None
    intent: signals.IntentResult
    engagement: signals.EngagementResult
    health: signals.HealthResult
    predictive_reasons: list[list[dict]] | None = None

    def reasons(self, row: int) -> dict:
        return build_reasons(self, row, cache={})


def score(
    accounts: pd.DataFrame,
    *,
    criteria: list[dict] | None,
    intent: pd.DataFrame | None = None,
    triggers: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    model: TrainedModel | None = None,
    params: Params | None = None,
    with_tiers: bool = True,
    explain_model: bool = True,
) -> Scored:
    """Score every row of `accounts` (columns as in rules.evaluate, plus id, is_customer).

    Signal frames carry `idx` = the account's row number in `accounts`.
    """
    params = params or Params()
    n = len(accounts)
    empty = pd.DataFrame({"idx": pd.Series(dtype=int)})
    icp = rules.evaluate(accounts, criteria) if criteria else None
    rule_fit = icp.score if icp is not None else np.full(n, np.nan)
    predictive = model.predict(accounts) if (model is not None and n) else np.full(n, np.nan)
    if model is not None and params.use_predictive_fit and icp is not None:
        fit = np.round((1 - PREDICTIVE_BLEND) * rule_fit + PREDICTIVE_BLEND * predictive, 2)
    elif model is not None and params.use_predictive_fit:
        fit = predictive
    else:
        fit = rule_fit
    it = signals.intent_scores(
        intent if intent is not None else empty.assign(topic="", strength=0.0, age_days=0.0),
        n,
        half_life_days=params.intent_half_life_days,
        surge_ratio=params.surge_ratio,
        triggers=triggers,
        trigger_half_life_days=params.trigger_half_life_days,
    )
    ev = events if events is not None else empty.assign(kind="", weight=1.0, age_days=0.0)
    en = signals.engagement_scores(ev, n, half_life_days=params.engagement_half_life_days)
    is_customer = (
        accounts["is_customer"].fillna(False).to_numpy(bool)
        if "is_customer" in accounts
        else np.zeros(n, dtype=bool)
    )
    he = signals.customer_health(
        ev, n, is_customer=is_customer, engagement=en.score, intent_surging=it.surging
    )
    priority = prio.priority_scores(fit, it.score, en.score, params.policy)
    tiers = prio.assign_tiers(priority, fit, params.policy) if with_tiers else np.zeros(n, np.int8)
    mqa = prio.is_mqa(fit, en.score, params.policy)
    frame = pd.DataFrame(
        {
            "id": accounts["id"].to_numpy() if "id" in accounts else np.arange(n),
            "fit": fit,
            "rule_fit": rule_fit,
            "predictive_fit": predictive,
            "intent": it.score,
            "engagement": en.score,
            "priority": priority,
            "tier": tiers,
            "mqa": mqa,
            "health": he.health,
            "churn_risk": he.churn_risk,
            "expansion": he.expansion,
        }
    )
    reasons = None
    if model is not None and explain_model and n:
        reasons = model.reasons(accounts)
    return Scored(
        frame=frame, icp=icp, intent=it, engagement=en, health=he, predictive_reasons=reasons
    )


LEVEL_WORDS = {"c_level_vp": "C-level/VP", "director": "Director", "practitioner": "Practitioner"}


def build_reasons(scored: Scored, row: int, *, cache: dict) -> dict:
    """The `score_reasons` JSON of one account. `cache` shares fit reasons between accounts
    with the same met/missed pattern (pass one dict for a whole run)."""
    out: dict = {}
    if scored.icp is not None:
        code = (
            int(scored.icp.pattern_codes()[row])
            if "codes" not in cache
            else int(cache["codes"][row])
        )
        if code not in cache:
            cache[code] = scored.icp.reasons(row)
        out["fit"] = cache[code]
    if scored.predictive_reasons is not None:
        out["predictive"] = scored.predictive_reasons[row]
    it = scored.intent
    intent = []
    if it.surge_topics[row]:
        intent.append(f"Surging on {', '.join(it.surge_topics[row])} against its own baseline")
    if it.top_topics[row]:
        intent.append(f"Researching {', '.join(it.top_topics[row])}")
    if it.trigger_reason and it.trigger_reason[row]:
        intent.append(it.trigger_reason[row])
    out["intent"] = intent
    en = scored.engagement
    engagement = []
    if en.touches[row]:
        people = int(en.people[row])
        engagement.append(
            f"{int(en.touches[row])} touches in 90 days from {people} "
            f"{'person' if people == 1 else 'people'}"
        )
        levels = [LEVEL_WORDS[lv] for j, lv in enumerate(signals.LEVELS) if en.levels[row, j]]
        if levels:
            engagement.append("Buying committee engaged: " + ", ".join(levels))
    if not np.isnan(en.days_since_last[row]):
        days = int(en.days_since_last[row])
        engagement.append("Last touch today" if days == 0 else f"Last touch {days} days ago")
    out["engagement"] = engagement
    f = scored.frame
    out["mqa"] = bool(f["mqa"].iat[row])
    if not np.isnan(f["health"].iat[row]):
        out["health"] = {
            "churn_risk": bool(f["churn_risk"].iat[row]),
            "expansion": bool(f["expansion"].iat[row]),
        }
    out["why_now"] = (it.trigger_reason[row] if it.trigger_reason else "") or (
        intent[0] if it.surge_topics[row] else ""
    )
    return out


def all_reasons(scored: Scored, rows: np.ndarray | None = None) -> list[dict]:
    """Reasons for many accounts; fit reasons are built once per distinct pattern."""
    cache: dict = {}
    if scored.icp is not None:
        cache["codes"] = scored.icp.pattern_codes()
    rows = np.arange(len(scored.frame)) if rows is None else rows
    return [build_reasons(scored, int(r), cache=cache) for r in rows]
