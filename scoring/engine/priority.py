"""Priority from configurable weights; tiers as ranks within the workspace, with caps.

MQA is not decided here: the account journey (campaigns/journey.py) owns that stage."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Policy:
    weight_fit: float = 0.5
    weight_intent: float = 0.25
    weight_engagement: float = 0.25
    tier1_share: float = 5.0  # percent of the scored accounts
    tier2_share: float = 20.0
    tier1_cap: int | None = 50
    tier2_cap: int | None = None
    tier1_min: float = 0.0  # floors: a weak workspace's best accounts are not Tier 1 by rank alone
    tier2_min: float = 0.0


def priority_scores(
    fit: np.ndarray, intent: np.ndarray, engagement: np.ndarray, policy: Policy
) -> np.ndarray:
    """Weighted mean of the three scores (missing scores count as 0), 0..100."""
    weights = np.array([policy.weight_fit, policy.weight_intent, policy.weight_engagement])
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("priority weights must be non-negative and not all zero")
    stacked = np.nan_to_num(np.vstack([fit, intent, engagement]).astype(float))
    return np.round(weights @ stacked / weights.sum(), 2)


def tier_sizes(accounts: int, policy: Policy) -> tuple[int, int]:
    """How many of `accounts` ranked accounts Tier 1 and Tier 2 may hold: each share rounded up
    (a workspace of ten still has a Tier-1 account), then capped."""

    def size(share: float, cap: int | None) -> int:
        wanted = math.ceil(accounts * max(share, 0.0) / 100.0 - 1e-9)
        return max(0, min(wanted, cap) if cap is not None else wanted)

    return size(policy.tier1_share, policy.tier1_cap), size(policy.tier2_share, policy.tier2_cap)


def assign_tiers(
    priority: np.ndarray, fit: np.ndarray, policy: Policy, ids: np.ndarray | None = None
) -> np.ndarray:
    """Rank accounts by priority, then fit, then id (the account added first wins a tie, so
    shares and caps hold exactly and a re-run gives the same tiers): the first `tier_sizes`
    are Tier 1, the next Tier 2 (accounts squeezed out of Tier 1 by its cap lead Tier 2), the
    rest Tier 3. A tier also needs its floor priority (tier1_min, tier2_min). Without `ids`
    the row order breaks ties."""
    n = len(priority)
    tiers = np.full(n, 3, dtype=np.int8)
    if not n:
        return tiers
    p = np.nan_to_num(np.asarray(priority, dtype=float))
    f = np.nan_to_num(np.asarray(fit, dtype=float))
    keys = (-f, -p) if ids is None else (np.asarray(ids), -f, -p)
    order = np.lexsort(keys)  # best first; lexsort is stable, so row order breaks what is left
    rp = p[order]
    size1, size2 = tier_sizes(n, policy)
    end1 = min(size1, int(np.count_nonzero(rp >= policy.tier1_min - 1e-9)))
    end2 = max(end1, min(end1 + size2, int(np.count_nonzero(rp >= policy.tier2_min - 1e-9))))
    ranked = np.full(n, 3, dtype=np.int8)
    ranked[:end1] = 1
    ranked[end1:end2] = 2
    tiers[order] = ranked
    return tiers


def tier_lines(priority: np.ndarray, tiers: np.ndarray) -> dict[str, float | None]:
    """The priority of the weakest Tier-1 and Tier-2 account: where a single account refreshed
    between full runs is placed."""
    p = np.nan_to_num(np.asarray(priority, dtype=float))
    out: dict[str, float | None] = {}
    for tier in (1, 2):
        chosen = p[np.asarray(tiers) == tier]
        out[str(tier)] = float(chosen.min()) if len(chosen) else None
    return out
