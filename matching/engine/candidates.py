"""Candidate (lead, account-name) pairs without comparing every lead with every account.

Two sources:
* exact lookups in hash indexes: the email domain and website domain against account domains
  (current, former, website), the domain's label against name keys (`goldmansachs.com` ↔
  Goldman Sachs), name keys and acronyms against each other (IBM ↔ International Business
  Machines);
* blocking on normalised names: each name emits keys (every token, every pair of core tokens, a
  prefix and a suffix of its squashed form); a lead meets only the accounts sharing a key, and
  keys shared by more than `block_cap` accounts (`group`, `united`) are dropped, so rare words
  decide who is compared. Those pairs are then kept only if a rapidfuzz scorer, run with a
  `score_cutoff` over the pairs in C, finds the names close.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from matching.engine.prepare import Accounts, Leads, label_of

SRC_DOMAIN = 1
SRC_FORMER = 2
SRC_WEB = 4
SRC_FREE_OWNED = 8
SRC_LABEL = 16
SRC_KEY = 32
SRC_ACRONYM = 64
SRC_BLOCK = 128

_STRONG = SRC_DOMAIN | SRC_FORMER | SRC_WEB | SRC_FREE_OWNED | SRC_LABEL | SRC_KEY | SRC_ACRONYM


def _block_keys(tokens: tuple[str, ...], core: str, key: str) -> list[str]:
    keys = ["t" + t for t in tokens if len(t) > 1]
    core_tokens = sorted(set(core.split()))
    if len(core_tokens) > 1:
        if len(core_tokens) > 4:
            core_tokens = core_tokens[:4]
        keys.extend("b" + a + " " + b for a, b in combinations(core_tokens, 2))
        # Word beginnings and endings survive most typos and any word order.
        keys.append("q" + " ".join(sorted([t[:3] for t in core_tokens])))
        keys.append("r" + " ".join(sorted([t[-3:] for t in core_tokens])))
    if len(key) >= 4:
        keys.append(f"p{key[:5]}")
    if len(key) >= 7:
        keys.append(f"s{key[-6:]}")
    return keys


def _emit(names, idx: np.ndarray, valid: np.ndarray) -> tuple[list[str], list[int]]:
    cache: dict[tuple, list[str]] = {}
    keys: list[str] = []
    owners: list[int] = []
    for i in idx[valid]:
        sig = (names.tokens[i], names.core[i], names.key[i])
        ks = cache.get(sig)
        if ks is None:
            ks = cache[sig] = _block_keys(*sig)
        keys.extend(ks)
        owners.extend([int(i)] * len(ks))
    return keys, owners


def _direct_pairs(acc: Accounts, leads: Leads) -> tuple[list[int], list[int], list[int]]:
    rows_of: dict[int, list[int]] = {}
    for r, a in enumerate(acc.row_account.tolist()):
        rows_of.setdefault(a, []).append(r)
    li: list[int] = []
    ri: list[int] = []
    fl: list[int] = []

    def add_accounts(i: int, accounts: list[int], flag: int) -> None:
        for a in accounts:
            for r in rows_of.get(a, ()):
                li.append(i)
                ri.append(r)
                fl.append(flag)

    def add_rows(i: int, rows: list[int], flag: int) -> None:
        li.extend([i] * len(rows))
        ri.extend(rows)
        fl.extend([flag] * len(rows))

    d_index, f_index, k_index, a_index = (
        acc.domain_index,
        acc.former_index,
        acc.key_index,
        acc.acronym_index,
    )
    for i in range(leads.n):
        ed = leads.email_domain[i]
        free = leads.email_free[i]
        if ed:
            owners = d_index.get(ed)
            if owners:
                flag = SRC_DOMAIN
                if free:
                    # yahoo.com is Yahoo's own domain, but most of its senders are not Yahoo
                    # people: only someone who also names the provider as employer counts.
                    own = leads.names.key[i] in (label_of(ed), *acc_keys(acc, owners, rows_of))
                    flag = SRC_DOMAIN if own else SRC_FREE_OWNED
                add_accounts(i, owners, flag)
            if not free:
                owners = f_index.get(ed)
                if owners:
                    add_accounts(i, owners, SRC_FORMER)
                rows = k_index.get(label_of(ed))
                if rows:
                    add_rows(i, rows, SRC_LABEL)
        wd = leads.website_domain[i]
        if wd and wd != ed and not is_free_site(wd):
            owners = d_index.get(wd)
            if owners:
                add_accounts(i, owners, SRC_WEB)
            rows = k_index.get(label_of(wd))
            if rows:
                add_rows(i, rows, SRC_LABEL)
        if leads.junk_name[i]:
            continue
        key = leads.names.key[i]
        rows = k_index.get(key)
        if rows:
            add_rows(i, rows, SRC_KEY)
        if 2 <= len(key) <= 6:
            rows = a_index.get(key)
            if rows:
                add_rows(i, rows, SRC_ACRONYM)
        acr = leads.names.acronym[i]
        if len(acr) >= 3:
            rows = k_index.get(acr)
            if rows:
                add_rows(i, rows, SRC_ACRONYM)
    return li, ri, fl


def acc_keys(acc: Accounts, owners: list[int], rows_of: dict[int, list[int]]) -> list[str]:
    return [acc.names.key[r] for a in owners for r in rows_of.get(a, ()) if acc.names.key[r]]


_FREE_SITES = frozenset({"linkedin.com", "facebook.com", "google.com", "wixsite.com", "about.me"})


def is_free_site(domain: str) -> bool:
    return domain in _FREE_SITES


def _block_pairs(
    acc: Accounts, leads: Leads, block_cap: int, settled: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    acc_rows = np.arange(len(acc.names.key))
    acc_keys, acc_owner = _emit(acc.names, acc_rows, acc.names.key != "")
    lead_valid = (~leads.junk_name) & (leads.names.key != "") & ~settled
    lead_keys, lead_owner = _emit(leads.names, np.arange(leads.n), lead_valid)
    if not acc_keys or not lead_keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    codes, _ = pd.factorize(pd.Series(acc_keys + lead_keys, dtype=object))
    a_code = codes[: len(acc_keys)]
    l_code = codes[len(acc_keys) :]
    a_owner = np.asarray(acc_owner, dtype=np.int64)
    l_owner = np.asarray(lead_owner, dtype=np.int64)

    n_codes = int(codes.max()) + 1
    size = np.bincount(a_code, minlength=n_codes)
    order = np.argsort(a_code, kind="stable")
    sorted_rows = a_owner[order]
    start = np.concatenate(([0], np.cumsum(size)[:-1]))

    keep = (size[l_code] > 0) & (size[l_code] <= block_cap)
    l_code, l_owner = l_code[keep], l_owner[keep]
    counts = size[l_code]
    total = int(counts.sum())
    lead_rep = np.repeat(l_owner, counts)
    base = np.repeat(start[l_code] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    row_rep = sorted_rows[np.arange(total) + base]
    return lead_rep, row_rep


def generate(
    acc: Accounts, leads: Leads, *, block_cap: int = 32, name_cutoff: float = 72.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (lead, name row) pairs with a bit set of the sources that proposed them."""
    li, ri, fl = _direct_pairs(acc, leads)
    # A lead whose exact name, or whose domain together with a near-identical name, already
    # names an account needs no fuzzy search. A domain alone does not settle it: people of
    # "Tecvi Healthcare" may write from the parent's tecvi.com.
    fl_arr = np.asarray(fl, np.int64)
    li_arr = np.asarray(li, np.int64)
    ri_arr = np.asarray(ri, np.int64)
    settled = np.zeros(leads.n, dtype=bool)
    settled[li_arr[(fl_arr & SRC_KEY) != 0]] = True
    by_domain = np.flatnonzero((fl_arr & (SRC_DOMAIN | SRC_WEB)) != 0)
    if len(by_domain):
        dl, dr = li_arr[by_domain], ri_arr[by_domain]
        no_name = leads.junk_name[dl] | (leads.names.key[dl] == "")
        close = process.cpdist(
            leads.names.key[dl].tolist(),
            acc.names.key[dr].tolist(),
            scorer=fuzz.ratio,
            score_cutoff=90,
            workers=-1,
        )
        settled[dl[no_name | (close > 0)]] = True
    bl, br = _block_pairs(acc, leads, block_cap, settled)
    n_rows = max(len(acc.names.key), 1)
    lead = np.concatenate((np.asarray(li, np.int64), bl))
    row = np.concatenate((np.asarray(ri, np.int64), br))
    flags = np.concatenate((fl_arr, np.full(len(bl), SRC_BLOCK, np.int64)))
    if len(lead) == 0:
        return lead, row, flags
    code = lead * n_rows + row
    order = np.argsort(code, kind="stable")
    code, flags = code[order], flags[order]
    uniq, first = np.unique(code, return_index=True)
    flags = np.bitwise_or.reduceat(flags, first)
    lead, row = uniq // n_rows, uniq % n_rows

    # Blocked-only pairs survive only when the names are close (in C, chunked by rapidfuzz).
    weak = (flags & _STRONG) == 0
    if weak.any():
        wl, wr = lead[weak], row[weak]
        ratio = process.cpdist(
            leads.names.key[wl].tolist(),
            acc.names.key[wr].tolist(),
            scorer=fuzz.ratio,
            score_cutoff=name_cutoff,
            workers=-1,
        )
        tset = process.cpdist(
            leads.names.norm[wl].tolist(),
            acc.names.norm[wr].tolist(),
            scorer=fuzz.token_set_ratio,
            score_cutoff=name_cutoff,
            workers=-1,
        )
        close = (ratio > 0) | (tset > 0)
        keep = ~weak
        keep[np.flatnonzero(weak)[close]] = True
        lead, row, flags = lead[keep], row[keep], flags[keep]
    return lead, row, flags
