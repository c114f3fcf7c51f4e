"""One scoring pass over a set of accounts: fit (rules, optionally blended with the predictive
model), intent, engagement, priority, tier, health and the reasons for each. (MQA is a journey
stage, decided by campaigns/journey.py from touches and this fit.)"""

from __future__ import annotations

import json
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
    #                      health, churn_risk, expansion
    icp: rules.IcpResult | None
    intent: signals.IntentResult
    engagement: signals.EngagementResult
    health: signals.HealthResult
    predictive_reasons: list[list[dict]] | None = None

    def reasons(self, row: int) -> dict:
        return build_reasons(self, row)


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
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_EMPTY = "[]"


def reasons_json(scored: Scored, rows: np.ndarray | None = None) -> list[str]:
    """The `score_reasons` JSON text of many accounts, built for speed.

    Most accounts have no intent, trigger or engagement: their reasons depend only on their
    fit pattern and health flags, so each distinct combination is serialised once.
    Only accounts with signals get strings of their own."""
    n = len(scored.frame)
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    it, en, f = scored.intent, scored.engagement, scored.frame
    codes = scored.icp.pattern_codes() if scored.icp is not None else np.zeros(n, np.int64)
    health = f["health"].to_numpy(float)
    churn, expansion = f["churn_risk"].to_numpy(bool), f["expansion"].to_numpy(bool)
    health_state = np.where(np.isnan(health), 0, 1 + churn + 2 * expansion)
    special = ~np.isnan(en.days_since_last)
    for keyed in (it.surge_topics, it.top_topics, it.trigger_reason):
        if keyed:
            special[np.fromiter(keyed.keys(), dtype=np.int64)] = True
    if scored.predictive_reasons is not None:
        special[:] = True
    fit_json: dict[int, str] = {}
    touches, people, last = en.touches.tolist(), en.people.tolist(), en.days_since_last.tolist()
    level_words = [[LEVEL_WORDS[lv] for lv in signals.LEVELS]]
    level_bits = (en.levels.astype(np.int64) @ (1 << np.arange(len(signals.LEVELS)))).tolist()
    level_text = {
        bits: "Buying committee engaged: "
        + ", ".join(w for j, w in enumerate(level_words[0]) if bits >> j & 1)
        for bits in range(1, 1 << len(signals.LEVELS))
    }

    def one(r: int) -> str:
        parts = []
        if scored.icp is not None:
            code = int(codes[r])
            text = fit_json.get(code)
            if text is None:
                text = fit_json[code] = _dumps(scored.icp.reasons(r))
            parts.append('"fit":' + text)
        if scored.predictive_reasons is not None:
            parts.append('"predictive":' + _dumps(scored.predictive_reasons[r]))
        surge, top, trig = it.surge_topics.get(r), it.top_topics.get(r), it.trigger_reason.get(r)
        intent = []
        if surge:
            intent.append(f"Surging on {', '.join(surge)} against its own baseline")
        if top:
            intent.append(f"Researching {', '.join(top)}")
        if trig:
            intent.append(trig)
        parts.append('"intent":' + (_dumps(intent) if intent else _EMPTY))
        engagement = []
        if touches[r]:
            p = int(people[r])
            engagement.append(
                f"{int(touches[r])} touches in 90 days from {p} {'person' if p == 1 else 'people'}"
            )
            if level_bits[r]:
                engagement.append(level_text[level_bits[r]])
        if last[r] == last[r]:  # not NaN
            days = int(last[r])
            engagement.append("Last touch today" if days == 0 else f"Last touch {days} days ago")
        parts.append('"engagement":' + (_dumps(engagement) if engagement else _EMPTY))
        if health_state[r]:
            parts.append(
                '"health":{"churn_risk":' + ("true" if churn[r] else "false")
                + ',"expansion":' + ("true" if expansion[r] else "false") + "}"
            )  # fmt: skip
        why = trig or (intent[0] if surge else "")
        parts.append('"why_now":' + _dumps(why))
        return "{" + ",".join(parts) + "}"

    out: list[str] = [""] * len(rows)
    chosen_special = special[rows]
    plain_pos = np.flatnonzero(~chosen_special)
    if len(plain_pos):
        plain_rows = rows[plain_pos]
        keys = codes[plain_rows] * 5 + health_state[plain_rows]
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        texts = [one(int(plain_rows[i])) for i in first]
        for pos, k in zip(plain_pos.tolist(), inverse.tolist(), strict=True):
            out[pos] = texts[k]
    for pos in np.flatnonzero(chosen_special).tolist():
        out[pos] = one(int(rows[pos]))
    return out


def build_reasons(scored: Scored, row: int, *, cache: dict | None = None) -> dict:
    """The `score_reasons` dict of one account."""
    return json.loads(reasons_json(scored, np.array([row]))[0])


def all_reasons(scored: Scored, rows: np.ndarray | None = None) -> list[dict]:
    return [json.loads(text) for text in reasons_json(scored, rows)]
