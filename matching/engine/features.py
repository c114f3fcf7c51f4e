"""Signals for each candidate pair, computed column-wise over all pairs at once."""

from __future__ import annotations

import math

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler
from scipy import sparse

from matching.engine.candidates import (
    SRC_ACRONYM,
    SRC_DOMAIN,
    SRC_FORMER,
    SRC_FREE_OWNED,
    SRC_KEY,
    SRC_LABEL,
    SRC_WEB,
)
from matching.engine.prepare import Accounts, Leads
from matching.normalize import WEAK_TOKENS

FEATURES = (
    "dom_eq",  # lead's corporate email domain is one of the account's domains
    "dom_former",  # … one of its former domains
    "free_owned",  # a free-mail domain the account itself owns (yahoo.com for Yahoo)
    "web_eq",  # lead's website domain is one of the account's domains
    "label_eq",  # domain label spells the account name (goldmansachs.com)
    "parent_dom",  # lead writes from the domain of the account's parent
    "key_eq",  # normalised names identical
    "acronym",  # one name is the other's acronym
    "ratio",  # rapidfuzz ratio of squashed names
    "tset",  # token_set_ratio of normalised names
    "tsort",  # token_sort_ratio of core names
    "jw",  # Jaro-Winkler of squashed names
    "ratio_hi",  # how far the ratio is above 0.85 (a typo, not a look-alike)
    "edit1",  # squashed names one edit apart (names of 6+ letters)
    "edit2",  # … two edits apart (names of 9+ letters)
    "same_words",  # same words in another order ("Tiger Security" / "Security Tiger")
    "wjacc",  # IDF-weighted token overlap / union
    "cov_lead",  # share of the lead name's rare-word weight found in the account name
    "cov_acc",  # share of the account name's weight found in the lead name
    "shared_rare",  # rarity of the rarest shared word
    "key_ambig",  # exact name shared by several accounts
    "dom_shared",  # several accounts hold the lead's domain
    "country_eq",
    "country_diff",
    "city_eq",
    "phone_eq",
    "has_name",  # the lead gave a usable company name
    "dom_x_name",
    "free_x_name",
    "parent_x_name",
    "name_only",  # neither domain nor website links them
    # The same name evidence again when only the name links them: it must carry more.
    "no_exact",
    "no_typo",
    "no_ratio_hi",
    "no_wjacc",
    "no_cov_acc",
    "no_country_eq",
)
IDX = {name: i for i, name in enumerate(FEATURES)}


def _idf_matrices(acc: Accounts, leads: Leads):
    vocab: dict[str, int] = {}
    df_counts: dict[int, int] = {}

    def rows(token_lists, count: bool):
        indptr = [0]
        indices: list[int] = []
        for toks in token_lists:
            ids = {vocab.setdefault(t, len(vocab)) for t in toks}
            indices.extend(ids)
            indptr.append(len(indices))
            if count:
                for t in ids:
                    df_counts[t] = df_counts.get(t, 0) + 1
        return indptr, indices

    a_ptr, a_idx = rows(acc.names.tokens, True)
    l_ptr, l_idx = rows(leads.names.tokens, False)
    n_rows = max(len(acc.names.tokens), 1)
    v = len(vocab)
    df = np.zeros(v)
    for t, c in df_counts.items():
        df[t] = c
    idf = np.log((n_rows + 1) / (df + 1)) + 0.1
    weak = np.array([t in WEAK_TOKENS for t in vocab], dtype=bool) if v else np.zeros(0, bool)
    idf[weak] *= 0.3
    a_idx_arr = np.asarray(a_idx, dtype=np.int64)
    l_idx_arr = np.asarray(l_idx, dtype=np.int64)
    a = sparse.csr_matrix((idf[a_idx_arr], a_idx_arr, a_ptr), shape=(len(a_ptr) - 1, v))
    lb = sparse.csr_matrix((np.ones(len(l_idx_arr)), l_idx_arr, l_ptr), shape=(len(l_ptr) - 1, v))
    lw = sparse.csr_matrix((idf[l_idx_arr], l_idx_arr, l_ptr), shape=(len(l_ptr) - 1, v))
    return a, lb, lw, math.log(n_rows + 1) + 0.1


def _scores(scorer, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if len(left) == 0:
        return np.zeros(0)
    return process.cpdist(left.tolist(), right.tolist(), scorer=scorer, workers=-1) / 100.0


def compute(acc: Accounts, leads: Leads, lead: np.ndarray, row: np.ndarray, flags: np.ndarray):
    """Feature matrix (pairs × FEATURES) for pairs given as lead index / account name row."""
    n = len(lead)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return x
    account = acc.row_account[row]

    def flag(bit: int) -> np.ndarray:
        return ((flags & bit) != 0).astype(np.float64)

    x[:, IDX["dom_eq"]] = flag(SRC_DOMAIN)
    x[:, IDX["dom_former"]] = flag(SRC_FORMER) * (1 - x[:, IDX["dom_eq"]])
    x[:, IDX["free_owned"]] = flag(SRC_FREE_OWNED)
    x[:, IDX["web_eq"]] = flag(SRC_WEB)
    x[:, IDX["label_eq"]] = flag(SRC_LABEL)
    x[:, IDX["acronym"]] = flag(SRC_ACRONYM)

    has_name = (~leads.junk_name[lead]) & (leads.names.key[lead] != "") & (acc.names.key[row] != "")
    x[:, IDX["has_name"]] = (~leads.junk_name[lead]) & (leads.names.key[lead] != "")
    x[:, IDX["key_eq"]] = flag(SRC_KEY) * has_name

    sel = np.flatnonzero(has_name)
    ls, rs = lead[sel], row[sel]
    x[sel, IDX["ratio"]] = np.maximum(
        _scores(fuzz.ratio, leads.names.key[ls], acc.names.key[rs]),
        _scores(fuzz.ratio, leads.names.sorted_key[ls], acc.names.sorted_key[rs]),
    )
    x[sel, IDX["tset"]] = _scores(fuzz.token_set_ratio, leads.names.norm[ls], acc.names.norm[rs])
    x[sel, IDX["tsort"]] = _scores(fuzz.token_sort_ratio, leads.names.core[ls], acc.names.core[rs])
    x[sel, IDX["jw"]] = (
        process.cpdist(
            leads.names.key[ls].tolist(),
            acc.names.key[rs].tolist(),
            scorer=JaroWinkler.normalized_similarity,
            workers=-1,
        )
        if len(sel)
        else 0
    )

    x[:, IDX["ratio_hi"]] = np.clip((x[:, IDX["ratio"]] - 0.85) / 0.15, 0, 1)
    if len(sel):
        lk, ak = leads.names.key[ls], acc.names.key[rs]
        dist = process.cpdist(lk.tolist(), ak.tolist(), scorer=OSA.distance, workers=-1)
        length = np.minimum(
            np.fromiter((len(k) for k in lk), np.int64, len(lk)),
            np.fromiter((len(k) for k in ak), np.int64, len(ak)),
        )
        x[sel, IDX["edit1"]] = (dist == 1) & (length >= 5)
        x[sel, IDX["edit2"]] = (dist == 2) & (length >= 9)
        x[sel, IDX["same_words"]] = x[sel, IDX["tsort"]] >= 0.999

    a_mat, lb, lw, max_idf = _idf_matrices(acc, leads)
    if len(sel):
        shared = lb[ls].multiply(a_mat[rs]).tocsr()
        overlap = np.asarray(shared.sum(axis=1)).ravel()
        lead_w = np.asarray(lw.sum(axis=1)).ravel()[ls]
        acc_w = np.asarray(a_mat.sum(axis=1)).ravel()[rs]
        union = np.maximum(lead_w + acc_w - overlap, 1e-9)
        x[sel, IDX["wjacc"]] = overlap / union
        x[sel, IDX["cov_lead"]] = overlap / np.maximum(lead_w, 1e-9)
        x[sel, IDX["cov_acc"]] = overlap / np.maximum(acc_w, 1e-9)
        x[sel, IDX["shared_rare"]] = shared.max(axis=1).toarray().ravel() / max_idf

    key_count = np.array(
        [acc.key_count.get(k, 1) for k in acc.names.key[row].tolist()], dtype=np.float64
    )
    x[:, IDX["key_ambig"]] = x[:, IDX["key_eq"]] * (1.0 - 1.0 / np.maximum(key_count, 1))

    dom_accounts = np.array(
        [len(acc.domain_index.get(d, ())) if d else 0 for d in leads.email_domain[lead].tolist()],
        dtype=np.float64,
    )
    x[:, IDX["dom_shared"]] = (x[:, IDX["dom_eq"]] > 0) & (dom_accounts > 1)

    # Subsidiary people writing from the parent's domain.
    has_parent = np.flatnonzero(acc.parent[account] >= 0)
    for p in has_parent.tolist():
        ed = leads.email_domain[lead[p]]
        if ed and ed in acc.domains[acc.parent[account[p]]] and not x[p, IDX["dom_eq"]]:
            x[p, IDX["parent_dom"]] = 1.0

    lc, ac = leads.country[lead], acc.country[account]
    both = (lc != "") & (ac != "")
    x[:, IDX["country_eq"]] = both & (lc == ac)
    x[:, IDX["country_diff"]] = both & (lc != ac)
    lci, aci = leads.city[lead], acc.city[account]
    x[:, IDX["city_eq"]] = (lci != "") & (lci == aci)
    lp, ap = leads.phone[lead], acc.phone[account]
    x[:, IDX["phone_eq"]] = (lp != "") & (lp == ap)

    name_sim = np.maximum(x[:, IDX["tset"]], x[:, IDX["ratio"]])
    x[:, IDX["dom_x_name"]] = x[:, IDX["dom_eq"]] * x[:, IDX["wjacc"]]
    x[:, IDX["free_x_name"]] = x[:, IDX["free_owned"]] * name_sim
    x[:, IDX["parent_x_name"]] = x[:, IDX["parent_dom"]] * x[:, IDX["wjacc"]]
    linked = x[:, [IDX["dom_eq"], IDX["dom_former"], IDX["web_eq"], IDX["label_eq"]]].max(axis=1)
    only = 1.0 - linked
    x[:, IDX["name_only"]] = only
    exact = np.maximum(x[:, IDX["key_eq"]], x[:, IDX["same_words"]])
    x[:, IDX["no_exact"]] = only * exact
    x[:, IDX["no_typo"]] = only * np.maximum(x[:, IDX["edit1"]], x[:, IDX["edit2"]])
    x[:, IDX["no_ratio_hi"]] = only * x[:, IDX["ratio_hi"]]
    x[:, IDX["no_wjacc"]] = only * x[:, IDX["wjacc"]]
    x[:, IDX["no_cov_acc"]] = only * x[:, IDX["cov_acc"]]
    x[:, IDX["no_country_eq"]] = only * x[:, IDX["country_eq"]]
    return x
