"""Intent (with surges against the account's own baseline), trigger boosts, engagement and
customer health. Inputs are long frames of signals with an `idx` column: the row of the account
in the accounts frame (0..n-1); outputs are arrays of length n."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.engine.frames import decay, saturate

# -- intent ----------------------------------------------------------------------------------
INTENT_HALF_AT = 150.0  # decayed strength that gives an intent score of 50
SURGE_BONUS = 20.0  # points added when an account surges on at least one topic
RECENT_DAYS = 14  # surge window
BASELINE_DAYS = 90  # the account's own baseline: days 14..90 before today


@dataclass
class IntentResult:
    score: np.ndarray  # 0..100, trigger boosts included
    base: np.ndarray  # 0..100 from decayed strength, before surge and triggers
    surging: np.ndarray  # bool
    surge_topics: dict[int, list[str]] = field(default_factory=dict)  # only accounts with any
    top_topics: dict[int, list[str]] = field(default_factory=dict)
    trigger_points: np.ndarray | None = None
    trigger_reason: dict[int, str] = field(default_factory=dict)


def intent_scores(
    signals: pd.DataFrame,
    n: int,
    *,
    half_life_days: float = 14.0,
    surge_ratio: float = 1.5,
    triggers: pd.DataFrame | None = None,
    trigger_half_life_days: float = 45.0,
) -> IntentResult:
    """`signals` columns: idx, topic, strength, age_days.

    Base intent = saturate(Σ strength × 0.5^(age / half-life), 150). An account surges on a
    topic when that topic's mean strength over the last 14 days is at least `surge_ratio`
    times its mean over days 14–90 (its own baseline); a topic with no baseline cannot surge.
    A surge adds 20 points; trigger events add their decayed boost. Capped at 100.
    """
    base = np.zeros(n)
    surging = np.zeros(n, dtype=bool)
    surge_topics: dict[int, list[str]] = {}
    top_topics: dict[int, list[str]] = {}
    if len(signals):
        s = signals[["idx", "topic", "strength", "age_days"]].copy()
        s["strength"] = s["strength"].astype(float).clip(lower=0)
        s["decayed"] = s["strength"] * decay(s["age_days"].to_numpy(), half_life_days)
        total = s.groupby("idx", sort=False)["decayed"].sum()
        base[total.index.to_numpy()] = saturate(total.to_numpy(), INTENT_HALF_AT)
        age = s["age_days"].to_numpy()
        s["window"] = np.where(
            age < RECENT_DAYS, "recent", np.where(age < BASELINE_DAYS, "base", "")
        )
        windows = (
            s[s["window"] != ""]
            .groupby(["idx", "topic", "window"], sort=False)["strength"]
            .mean()
            .unstack("window")
        )
        for col in ("recent", "base"):
            if col not in windows:
                windows[col] = np.nan
        hot = windows[
            (windows["base"] > 0) & (windows["recent"] >= surge_ratio * windows["base"])
        ].reset_index()
        if len(hot):
            idxs = hot["idx"].to_numpy()
            surging[idxs] = True
            for i, topic in zip(idxs.tolist(), hot["topic"], strict=True):
                surge_topics.setdefault(i, []).append(str(topic))
        by_topic = s.groupby(["idx", "topic"], sort=False)["decayed"].sum().reset_index()
        by_topic = by_topic.sort_values(["idx", "decayed"], ascending=[True, False])
        best = by_topic.groupby("idx", sort=False).head(3)
        for i, topic in zip(best["idx"].tolist(), best["topic"], strict=True):
            top_topics.setdefault(i, []).append(str(topic))
    boost, reason = trigger_boosts(triggers, n, half_life_days=trigger_half_life_days)
    score = np.minimum(100.0, base + SURGE_BONUS * surging + boost)
    return IntentResult(
        score=np.round(score, 2),
        base=base,
        surging=surging,
        surge_topics=surge_topics,
        top_topics=top_topics,
        trigger_points=boost,
        trigger_reason=reason,
    )


# -- trigger events --------------------------------------------------------------------------
TRIGGER_POINTS = {
    "funding": 30.0,
    "acquisition": 25.0,
    "leadership_change": 20.0,
    "hiring": 15.0,
    "expansion": 15.0,
    "product_launch": 10.0,
    "other": 5.0,
}
TRIGGER_WORDS = {
    "funding": "raised funding",
    "acquisition": "made or went through an acquisition",
    "leadership_change": "changed leadership",
    "hiring": "is hiring",
    "expansion": "is expanding",
    "product_launch": "launched a product",
    "other": "had a trigger event",
}


def trigger_boosts(
    triggers: pd.DataFrame | None, n: int, *, half_life_days: float = 45.0
) -> tuple[np.ndarray, dict[int, str]]:
    """Recency boost per account: the strongest single trigger, points × 0.5^(age / half-life).

    Only the strongest counts, so five hiring posts do not outweigh one funding round.
    """
    boost = np.zeros(n)
    reasons: dict[int, str] = {}
    if triggers is None or not len(triggers):
        return boost, reasons
    t = triggers[["idx", "kind", "age_days"]].copy()
    t = t[t["age_days"] >= 0]
    t["points"] = t["kind"].map(TRIGGER_POINTS).fillna(TRIGGER_POINTS["other"]) * decay(
        t["age_days"].to_numpy(), half_life_days
    )
    best = t.sort_values("points", ascending=False).drop_duplicates("idx")
    boost[best["idx"].to_numpy()] = best["points"].to_numpy()
    for i, kind, age in zip(best["idx"].tolist(), best["kind"], best["age_days"], strict=True):
        days = int(age)
        when = "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")
        reasons[i] = f"{TRIGGER_WORDS.get(kind, TRIGGER_WORDS['other']).capitalize()} {when}"
    return np.round(boost, 2), reasons


# -- engagement ------------------------------------------------------------------------------
KIND_POINTS = {
    "email_open": 1.0,
    "email_click": 3.0,
    "ad_click": 2.0,
    "ad_impression": 0.2,
    "web_visit": 2.0,
    "form_fill": 8.0,
    "content_download": 6.0,
    "event_attended": 10.0,
    "webinar_attended": 8.0,
    "webinar_registered": 4.0,
    "direct_mail": 1.0,
    "call": 5.0,
    "meeting": 15.0,
    "reply": 6.0,
}
DEFAULT_KIND_POINTS = 1.0
ENGAGEMENT_HALF_AT = 40.0  # decayed points that give a volume score of 50
BREADTH_PEOPLE = 5  # engaged people for full breadth
BREADTH_WINDOW_DAYS = 90
LEVELS = ("c_level_vp", "director", "practitioner")
ENGAGEMENT_MIX = {"volume": 0.6, "people": 0.2, "levels": 0.1, "recency": 0.1}


@dataclass
class EngagementResult:
    score: np.ndarray
    volume: np.ndarray  # 0..100
    people: np.ndarray  # engaged contacts in the window
    levels: np.ndarray  # bool (accounts × 3): C-level/VP, Director, Practitioner engaged
    days_since_last: np.ndarray  # NaN when never engaged
    touches: np.ndarray  # events in the window
    points: np.ndarray  # decayed points (raw), used by parent roll-ups


def engagement_scores(
    events: pd.DataFrame, n: int, *, half_life_days: float = 30.0
) -> EngagementResult:
    """`events` columns: idx, kind, weight, age_days, contact_id (NaN when anonymous),
    seniority (of the contact, '' when unknown).

    score = 0.6 × volume + 0.2 × people + 0.1 × levels + 0.1 × recency, where
      volume  = saturate(Σ kind points × weight × 0.5^(age / half-life), 40)
      people  = 100 × min(1, engaged contacts in the last 90 days / 5)
      levels  = 100 × (buying-committee levels engaged in the last 90 days) / 3
      recency = 100 × 0.5^(days since the last touch / half-life)
    """
    volume = np.zeros(n)
    points = np.zeros(n)
    people = np.zeros(n)
    levels = np.zeros((n, len(LEVELS)), dtype=bool)
    last = np.full(n, np.nan)
    touches = np.zeros(n)
    if len(events):
        e = events
        idx = e["idx"].to_numpy()
        age = np.clip(e["age_days"].to_numpy(dtype=float), 0, None)
        kind_points = e["kind"].map(KIND_POINTS).fillna(DEFAULT_KIND_POINTS).to_numpy(float)
        weight = e["weight"].fillna(1.0).to_numpy(float) if "weight" in e else 1.0
        contrib = kind_points * weight * decay(age, half_life_days)
        points = np.bincount(idx, weights=contrib, minlength=n)
        volume = saturate(points, ENGAGEMENT_HALF_AT)
        last_age = pd.Series(age).groupby(idx).min()
        last[last_age.index.to_numpy()] = last_age.to_numpy()
        window = age < BREADTH_WINDOW_DAYS
        touches = np.bincount(idx[window], minlength=n).astype(float)
        if "contact_id" in e:
            recent = e.loc[window & e["contact_id"].notna().to_numpy(), ["idx", "contact_id"]]
            counts = recent.drop_duplicates().groupby("idx").size()
            people[counts.index.to_numpy()] = counts.to_numpy()
            if "seniority" in e:
                lv = e.loc[window, ["idx", "seniority"]].drop_duplicates()
                for j, level in enumerate(LEVELS):
                    levels[lv.loc[lv["seniority"] == level, "idx"].to_numpy(), j] = True
    recency = np.where(np.isnan(last), 0.0, 100.0 * decay(np.nan_to_num(last), half_life_days))
    score = (
        ENGAGEMENT_MIX["volume"] * volume
        + ENGAGEMENT_MIX["people"] * 100.0 * np.minimum(1.0, people / BREADTH_PEOPLE)
        + ENGAGEMENT_MIX["levels"] * 100.0 * levels.sum(axis=1) / len(LEVELS)
        + ENGAGEMENT_MIX["recency"] * recency
    )
    return EngagementResult(
        score=np.round(score, 2),
        volume=volume,
        people=people,
        levels=levels,
        days_since_last=last,
        touches=touches,
        points=points,
    )


# -- customer health -------------------------------------------------------------------------
TREND_RECENT_DAYS = 30
TREND_PRIOR_DAYS = 90  # the 60 days before the recent 30
CHURN_RATIO = 0.5  # recent monthly touches below half the prior monthly rate
EXPANSION_RATIO = 1.5


@dataclass
class HealthResult:
    health: np.ndarray  # 0..100, NaN for non-customers
    trend: np.ndarray  # recent monthly rate ÷ prior monthly rate (NaN without history)
    churn_risk: np.ndarray  # bool
    expansion: np.ndarray  # bool


def customer_health(
    events: pd.DataFrame,
    n: int,
    *,
    is_customer: np.ndarray,
    engagement: np.ndarray,
    intent_surging: np.ndarray | None = None,
) -> HealthResult:
    """Health = 0.5 × engagement + 0.5 × 100 × min(1, trend), where trend compares the last
    30 days' touch points with the monthly average of the 60 days before. Falling below half
    the usual rate is a churn risk; rising 1.5× (or an intent surge) is an expansion signal."""
    recent = np.zeros(n)
    prior = np.zeros(n)
    if len(events):
        idx = events["idx"].to_numpy()
        age = events["age_days"].to_numpy(dtype=float)
        pts = events["kind"].map(KIND_POINTS).fillna(DEFAULT_KIND_POINTS).to_numpy(float)
        if "weight" in events:
            pts = pts * events["weight"].fillna(1.0).to_numpy(float)
        in_recent = age < TREND_RECENT_DAYS
        in_prior = (age >= TREND_RECENT_DAYS) & (age < TREND_PRIOR_DAYS)
        recent = np.bincount(idx[in_recent], weights=pts[in_recent], minlength=n)
        prior = np.bincount(idx[in_prior], weights=pts[in_prior], minlength=n)
    prior_monthly = prior * TREND_RECENT_DAYS / (TREND_PRIOR_DAYS - TREND_RECENT_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        trend = np.where(prior_monthly > 0, recent / prior_monthly, np.nan)
    trend_part = np.where(np.isnan(trend), np.where(recent > 0, 1.0, 0.0), np.minimum(1.0, trend))
    health = np.where(is_customer, 0.5 * engagement + 50.0 * trend_part, np.nan)
    churn = is_customer & ((trend < CHURN_RATIO) | ((prior_monthly == 0) & (recent == 0)))
    surging = intent_surging if intent_surging is not None else np.zeros(n, dtype=bool)
    expansion = is_customer & ((trend >= EXPANSION_RATIO) | surging)
    return HealthResult(
        health=np.round(health, 2), trend=trend, churn_risk=churn, expansion=expansion
    )
