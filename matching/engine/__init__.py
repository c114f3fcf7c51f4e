"""Lead-to-account matching engine: pure, column-wise, no database.

    result = match(accounts_df, leads_df, params=MatchParams(auto_threshold=0.9))

Pipeline: `prepare` (normalise once per distinct value) → `candidates` (hash lookups and rare-word
blocking, never N×M) → `features` (signals per pair, vectorised) → `model` (logistic regression
shipped as weights.json → confidence) → per-lead decision (auto / review / none) here.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abm.gc_pause import gc_paused
from matching.engine.candidates import generate
from matching.engine.features import FEATURES, IDX, compute
from matching.engine.model import load_model, reason, signals
from matching.engine.prepare import (
    Accounts,
    Leads,
    account_domain_sets,
    prepare_accounts,
    prepare_leads,
)

__all__ = ["FEATURES", "MatchParams", "MatchResult", "match", "suggest_new_accounts"]


@dataclass(frozen=True)
class MatchParams:
    # Defaults of Workspace.settings (match_auto_threshold / match_review_threshold); the
    # confidence is calibrated, so 0.9 means nine in ten leads at that score are right.
    auto_threshold: float = 0.9
    review_threshold: float = 0.5
    # A runner-up within this many log-odds of the best account makes an auto-link a review.
    ambiguity_margin: float = 1.0
    block_cap: int = 32
    candidates_per_lead: int = 3
    weights_path: str | None = None
    # Normalise leads in a forked process while accounts are normalised here (large inputs).
    parallel: bool = True


@dataclass
class MatchResult:
    decisions: pd.DataFrame  # lead_id, account_id, confidence, decision, reason
    # lead_id, account_id, confidence, rank, signals, reason — only with `with_candidates`
    candidates: pd.DataFrame | None = None
    accounts: Accounts | None = field(default=None, repr=False)
    leads: Leads | None = field(default=None, repr=False)
    best_pair_score: np.ndarray | None = field(default=None, repr=False)  # before calibration
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    pairs: int = 0


_PARALLEL_MIN_ROWS = 40_000


def _leads_and_account_domains(leads: pd.DataFrame, accounts: pd.DataFrame):
    """The child's half of a parallel prepare: balanced against the accounts' names."""
    return prepare_leads(leads), account_domain_sets(accounts)


def _prepare_both(accounts: pd.DataFrame | Accounts, leads: pd.DataFrame, *, parallel: bool):
    """Normalisation is pure Python; on two cores the leads go to a forked child."""
    if isinstance(accounts, Accounts):  # prepared once and reused by the caller
        return accounts, prepare_leads(leads)
    if parallel and len(accounts) + len(leads) >= _PARALLEL_MIN_ROWS and (os.cpu_count() or 1) > 1:
        try:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(1) as pool:
                pending = pool.apply_async(_leads_and_account_domains, (leads, accounts))
                acc = prepare_accounts(accounts, lambda: pending.get()[1])
                return acc, pending.get()[0]
        except (AssertionError, OSError, ValueError):
            pass  # e.g. inside a daemonic Celery worker, which may not fork children
    return prepare_accounts(accounts), prepare_leads(leads)


def scored_pairs(acc: Accounts, leads: Leads, params: MatchParams):
    """Every candidate pair with its features and confidence (used by the fit script too)."""
    lead, row, flags = generate(acc, leads, block_cap=params.block_cap)
    x = compute(acc, leads, lead, row, flags)
    p = load_model(params.weights_path).predict(x) if len(x) else np.zeros(0)
    return lead, row, x, p


def match(
    accounts: pd.DataFrame | Accounts,
    leads: pd.DataFrame,
    *,
    params: MatchParams | None = None,
    with_candidates: bool = False,
    exclude_pairs: set[tuple[str, str]] | None = None,
) -> MatchResult:
    """One decision per lead. `exclude_pairs` holds (lead id, account id) pairs a person
    rejected: they are never proposed again."""
    with gc_paused():
        return _match(
            accounts,
            leads,
            params=params or MatchParams(),
            with_candidates=with_candidates,
            exclude_pairs=exclude_pairs,
        )


def _match(
    accounts: pd.DataFrame | Accounts,
    leads: pd.DataFrame,
    *,
    params: MatchParams,
    with_candidates: bool,
    exclude_pairs: set[tuple[str, str]] | None,
) -> MatchResult:
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    acc, lds = _prepare_both(accounts, leads, parallel=params.parallel)
    lap("prepare")
    lead, row, flags = generate(acc, lds, block_cap=params.block_cap)
    lap("candidates")
    x = compute(acc, lds, lead, row, flags)
    lap("features")
    p = load_model(params.weights_path).predict(x) if len(x) else np.zeros(0)
    n_pairs = len(p)
    account = acc.row_account[row] if len(row) else np.zeros(0, np.int64)

    # One pair per (lead, account): the best-scoring of the account's names.
    order = np.lexsort((-p, account, lead))
    lead, account, row, x, p = lead[order], account[order], row[order], x[order], p[order]
    first = np.ones(len(lead), dtype=bool)
    first[1:] = (lead[1:] != lead[:-1]) | (account[1:] != account[:-1])
    lead, account, x, p = lead[first], account[first], x[first], p[first]
    if exclude_pairs and len(lead):
        lead_pos = {str(v): i for i, v in enumerate(lds.ids)}
        acc_pos = {str(v): i for i, v in enumerate(acc.ids)}
        banned = np.array(
            [
                lead_pos[lid] * acc.n + acc_pos[aid]
                for lid, aid in exclude_pairs
                if lid in lead_pos and aid in acc_pos
            ],
            dtype=np.int64,
        )
        keep = ~np.isin(lead * acc.n + account, banned)
        lead, account, x, p = lead[keep], account[keep], x[keep], p[keep]

    # Ranked in log-odds, where confidences near 1 still differ. Several accounts on the lead's
    # domain: prefer the one in the lead's country, then the subsidiary over its parent; the
    # bonus orders near-ties only and never enters the confidence.
    logit = np.log(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, 1))
    is_child = (acc.parent[account] >= 0).astype(np.float64) if len(account) else np.zeros(0)
    shared = x[:, IDX["dom_shared"]] if len(x) else np.zeros(0)
    bonus = shared * (0.6 * x[:, IDX["country_eq"]] + 0.3 * is_child) if len(x) else shared
    rank_score = logit + bonus
    order = np.lexsort((-rank_score, lead))
    lead, account, x, p = lead[order], account[order], x[order], p[order]
    bonus, rank_score = bonus[order], rank_score[order]
    pos = np.arange(len(lead))
    starts = np.flatnonzero(np.r_[True, lead[1:] != lead[:-1]]) if len(lead) else pos
    rank = pos - np.repeat(starts, np.diff(np.r_[starts, len(lead)]))

    n = lds.n
    best_idx = np.full(n, -1, dtype=np.int64)
    second_idx = np.full(n, -1, dtype=np.int64)
    best_idx[lead[rank == 0]] = pos[rank == 0]
    second_idx[lead[rank == 1]] = pos[rank == 1]

    conf = np.zeros(n)
    has = best_idx >= 0
    conf[has] = load_model(params.weights_path).calibrate(p[best_idx[has]])
    decision = np.full(n, "none", dtype=object)
    decision[conf >= params.review_threshold] = "review"
    auto = conf >= params.auto_threshold
    has2 = second_idx >= 0
    close = np.zeros(n, dtype=bool)
    b2 = second_idx[has2]
    b1 = best_idx[has2]
    tie_broken = bonus[b1] > bonus[b2]
    margin = rank_score[b1] - rank_score[b2]
    close[has2] = (margin < params.ambiguity_margin) & (rank_score[b2] > -2.0)
    close[has2] &= ~tie_broken
    decision[auto & ~close] = "auto"

    account_id = np.full(n, "", dtype=object)
    linked = decision != "none"
    account_id[linked] = acc.ids[account[best_idx[linked]]]
    reasons = np.full(n, "", dtype=object)
    for i in np.flatnonzero(has).tolist():
        b = best_idx[i]
        text = reason(
            x[b],
            email_domain=lds.email_domain[i],
            website_domain=lds.website_domain[i],
            country=lds.country[i],
        )
        if decision[i] == "review" and close[i]:
            text += "; another account scores almost as high"
        elif decision[i] == "none":
            text = f"best candidate {acc.ids[account[b]]} too weak: {text}"
        reasons[i] = text
    no_candidate = ~has
    reasons[no_candidate & lds.junk_name & (lds.email_free | (lds.email_domain == ""))] = (
        "no corporate email domain and no usable company name"
    )
    reasons[no_candidate & (reasons == "")] = "no account shares a domain or a similar name"

    decisions = pd.DataFrame(
        {
            "lead_id": lds.ids,
            "account_id": account_id,
            "confidence": np.round(conf, 4),
            "decision": decision,
            "reason": reasons,
        }
    )
    candidates = None
    if with_candidates:
        keep = rank < params.candidates_per_lead
        sel = np.flatnonzero(keep)
        candidates = pd.DataFrame(
            {
                "lead_id": lds.ids[lead[sel]],
                "account_id": acc.ids[account[sel]],
                "confidence": np.round(load_model(params.weights_path).calibrate(p[sel]), 4),
                "rank": rank[sel],
                "signals": [signals(x[j]) for j in sel.tolist()],
                "reason": [
                    reason(
                        x[j],
                        email_domain=lds.email_domain[lead[j]],
                        website_domain=lds.website_domain[lead[j]],
                        country=lds.country[lead[j]],
                    )
                    for j in sel.tolist()
                ],
            }
        )
    best_p = np.zeros(n)
    best_p[has] = p[best_idx[has]]
    lap("decide")
    return MatchResult(
        decisions=decisions,
        candidates=candidates,
        accounts=acc,
        leads=lds,
        best_pair_score=best_p,
        timings=timings,
        pairs=n_pairs,
    )


@dataclass(frozen=True)
class NewAccountSuggestion:
    domain: str
    name: str
    lead_ids: list[str]


def suggest_new_accounts(result: MatchResult, *, min_leads: int = 2) -> list[NewAccountSuggestion]:
    """Unmatched leads sharing a corporate domain no account holds: one suggested account each."""
    lds, acc = result.leads, result.accounts
    if lds is None or acc is None:
        return []
    unmatched = (result.decisions["decision"] == "none").to_numpy()
    groups: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(unmatched & ~lds.email_free & (lds.email_domain != "")).tolist():
        d = lds.email_domain[i]
        if d not in acc.domain_index and d not in acc.former_index:
            groups[d].append(i)
    suggestions = []
    for d, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(members) < min_leads:
            continue
        names = Counter(lds.names.norm[i] for i in members if not lds.junk_name[i])
        label = d.split(".", 1)[0]
        name = names.most_common(1)[0][0].title() if names else label.replace("-", " ").title()
        suggestions.append(
            NewAccountSuggestion(domain=d, name=name, lead_ids=[str(lds.ids[i]) for i in members])
        )
    return suggestions
