"""Priority from configurable weights, tiers with caps, MQA thresholds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Policy:
    weight_fit: float = 0.5
    weight_intent: float = 0.25
    weight_engagement: float = 0.25
    tier1_min: float = 75.0
    tier2_min: float = 50.0
    tier1_cap: int | None = 50
    tier2_cap: int | None = None
    mqa_fit_min: float = 60.0
    mqa_engagement_min: float = 40.0


def priority_scores(
    fit: np.ndarray, intent: np.ndarray, engagement: np.ndarray, policy: Policy
) -> np.ndarray:
    """Weighted mean of the three scores (missing scores count as 0), 0..100."""
    weights = np.array([policy.weight_fit, policy.weight_intent, policy.weight_engagement])
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("priority weights must be non-negative and not all zero")
    stacked = np.nan_to_num(np.vstack([fit, intent, engagement]).astype(float))
    return np.round(weights @ stacked / weights.sum(), 2)


def assign_tiers(priority: np.ndarray, fit: np.ndarray, policy: Policy) -> np.ndarray:
    """Tier 1 for priority ≥ tier1_min, at most `tier1_cap` of them (highest priority first,
    then highest fit); accounts squeezed out by the cap drop to Tier 2. Tier 2 for priority ≥
    tier2_min (capped the same way when tier2_cap is set); everyone else is Tier 3."""
    n = len(priority)
    tiers = np.full(n, 3, dtype=np.int8)
    order = np.lexsort((-np.nan_to_num(fit), -np.nan_to_num(priority)))  # best first
    ranked = np.nan_to_num(priority)[order]
    t1 = ranked >= policy.tier1_min
    if policy.tier1_cap is not None:
        t1 &= np.cumsum(t1) <= policy.tier1_cap
    t2 = ~t1 & (ranked >= policy.tier2_min)
    if policy.tier2_cap is not None:
        t2 &= np.cumsum(t2) <= policy.tier2_cap
    ranked_tiers = np.where(t1, 1, np.where(t2, 2, 3)).astype(np.int8)
    tiers[order] = ranked_tiers
    return tiers


def is_mqa(fit: np.ndarray, engagement: np.ndarray, policy: Policy) -> np.ndarray:
    """Marketing-qualified account: fits well enough and is engaged enough."""
    return (np.nan_to_num(fit) >= policy.mqa_fit_min) & (
        np.nan_to_num(engagement) >= policy.mqa_engagement_min
    )
