"""Turn raw account and lead tables into normalised column arrays and lookup indexes.

Work is done once per *distinct* value (companies repeat across leads, domains across people),
and everything downstream is numpy arrays indexed by position.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.normalize import (
    account_name_variants,
    domain_label,
    email_domain,
    is_free_email_domain,
    is_junk_company_name,
    name_parts,
    normalize_city,
    normalize_country,
    normalize_phone,
    registrable_domain,
)

ACCOUNT_COLUMNS = ("id", "name", "domains", "website", "country", "phone", "city")
LEAD_COLUMNS = ("id", "email", "company", "website", "country", "phone", "city")


def _col(df: pd.DataFrame, name: str) -> list[str]:
    if name not in df.columns:
        return [""] * len(df)
    return [
        "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
        for v in df[name].tolist()
    ]


def _mapped(values: list[str], fn) -> np.ndarray:
    """fn applied once per distinct value."""
    cache: dict[str, object] = {}
    out = []
    for v in values:
        r = cache.get(v)
        if r is None:
            r = cache[v] = fn(v)
        out.append(r)
    return np.array(out, dtype=object)


def _split_domains(value) -> list[str]:
    if isinstance(value, str) and not any(c in value for c in ";, "):
        d = registrable_domain(value) if value else ""
        return [d] if d else []
    if isinstance(value, list | tuple):
        raw = value
    else:
        raw = str(value or "").replace(",", ";").replace(" ", ";").split(";")
    return [d for d in (registrable_domain(x) for x in raw if x) if d]


@dataclass
class Names:
    """Parallel arrays, one row per name (an account may have several: other-script names)."""

    norm: np.ndarray
    core: np.ndarray
    key: np.ndarray
    acronym: np.ndarray
    tokens: list[tuple[str, ...]]
    sorted_key: np.ndarray  # core words sorted, then squashed: word order does not matter


def _names(values: list[str]) -> Names:
    parts = [name_parts(v) for v in values]
    return Names(
        norm=np.array([p.normalized for p in parts], dtype=object),
        core=np.array([p.core for p in parts], dtype=object),
        key=np.array([p.key for p in parts], dtype=object),
        sorted_key=np.array(["".join(sorted(p.core.split())) for p in parts], dtype=object),
        acronym=np.array([p.acronym for p in parts], dtype=object),
        tokens=[p.tokens for p in parts],
    )


@dataclass
class Accounts:
    ids: np.ndarray
    n: int
    country: np.ndarray
    city: np.ndarray
    phone: np.ndarray
    parent: np.ndarray  # index of the parent account, -1 when none
    domains: list[frozenset[str]]  # current domains incl. the website's
    former: list[frozenset[str]]
    row_account: np.ndarray  # name row → account index
    names: Names
    domain_index: dict[str, list[int]] = field(default_factory=dict)
    former_index: dict[str, list[int]] = field(default_factory=dict)
    key_index: dict[str, list[int]] = field(default_factory=dict)  # name key → name rows
    acronym_index: dict[str, list[int]] = field(default_factory=dict)
    key_count: dict[str, int] = field(default_factory=dict)  # accounts per name key


@dataclass
class Leads:
    ids: np.ndarray
    n: int
    email_domain: np.ndarray
    email_free: np.ndarray  # bool
    website_domain: np.ndarray
    junk_name: np.ndarray  # bool: no usable company name
    country: np.ndarray
    city: np.ndarray
    phone: np.ndarray
    names: Names


def account_domain_sets(df: pd.DataFrame) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """(current domains incl. the website's, former domains) per account row.

    Separate from `prepare_accounts` so a second process can parse domains while this one
    normalises names: on two cores that halves the longest stage of a large match."""
    n = len(df)
    websites = _col(df, "website")
    domains_raw = df["domains"].tolist() if "domains" in df.columns else [""] * n
    former_raw = df["former_domains"].tolist() if "former_domains" in df.columns else [""] * n
    domains: list[frozenset[str]] = []
    former: list[frozenset[str]] = []
    for i in range(n):
        own = set(_split_domains(domains_raw[i]))
        site = websites[i]
        # Most websites are https://www.<a listed domain>: no need to parse those again.
        bare = site.rstrip("/").lower()
        if site and not any(bare == d or bare.endswith(("." + d, "/" + d)) for d in own):
            web = registrable_domain(site)
            if web:
                own.add(web)
        domains.append(frozenset(own))
        former.append(frozenset(set(_split_domains(former_raw[i])) - own))
    return domains, former


def prepare_accounts(
    df: pd.DataFrame,
    domain_sets: Callable[[], tuple[list[frozenset[str]], list[frozenset[str]]]] | None = None,
) -> Accounts:
    """`domain_sets`, when given, is called last: its result may still be in the making in
    another process while the names are normalised here."""
    ids = np.array(_col(df, "id"), dtype=object)
    n = len(ids)
    raw_names = _col(df, "name")
    aliases_raw = df["aliases"].tolist() if "aliases" in df.columns else [None] * n

    row_account: list[int] = []
    row_names: list[str] = []
    for i, name in enumerate(raw_names):
        variants = account_name_variants(name) or [""]
        extra = aliases_raw[i]
        if extra:
            variants += [a for a in (extra if isinstance(extra, list | tuple) else [extra]) if a]
        seen: set[str] = set()
        for v in variants:
            key = name_parts(v).key
            if key in seen:
                continue
            seen.add(key)
            row_account.append(i)
            row_names.append(v)
    names = _names(row_names)
    row_account_arr = np.array(row_account, dtype=np.int64)

    key_index: dict[str, list[int]] = defaultdict(list)
    acronym_index: dict[str, list[int]] = defaultdict(list)
    key_accounts: dict[str, set[int]] = defaultdict(set)
    for r, (key, acr) in enumerate(zip(names.key, names.acronym, strict=True)):
        if key:
            key_index[key].append(r)
            key_accounts[key].add(row_account[r])
        if len(acr) >= 3:
            acronym_index[acr].append(r)

    parent = np.full(n, -1, dtype=np.int64)
    if "parent_id" in df.columns:
        pos = {v: i for i, v in enumerate(ids)}
        for i, p in enumerate(_col(df, "parent_id")):
            if p and p in pos and pos[p] != i:
                parent[i] = pos[p]
    else:
        _infer_parents(names, row_account_arr, key_index, parent)

    country = _mapped(_col(df, "country"), normalize_country)
    city = _mapped(_col(df, "city"), normalize_city)
    phone = _mapped(_col(df, "phone"), normalize_phone)

    domains, former = domain_sets() if domain_sets is not None else account_domain_sets(df)
    domain_index: dict[str, list[int]] = defaultdict(list)
    former_index: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        for d in domains[i]:
            domain_index[d].append(i)
        for d in former[i]:
            former_index[d].append(i)

    return Accounts(
        ids=ids,
        n=n,
        country=country,
        city=city,
        phone=phone,
        parent=parent,
        domains=domains,
        former=former,
        row_account=row_account_arr,
        names=names,
        domain_index=dict(domain_index),
        former_index=dict(former_index),
        key_index=dict(key_index),
        acronym_index=dict(acronym_index),
        key_count={k: len(v) for k, v in key_accounts.items()},
    )


def _infer_parents(names: Names, row_account: np.ndarray, key_index, parent: np.ndarray) -> None:
    """Without a parent column: `Siemens Healthineers` is taken as a child of `Siemens`
    when exactly one account is called by the leading words of its name."""
    for r, core_name in enumerate(names.core):
        core = core_name.split()
        if len(core) < 2:
            continue
        acc = row_account[r]
        if parent[acc] >= 0:
            continue
        for k in range(len(core) - 1, 0, -1):
            rows = key_index.get("".join(core[:k]))
            if rows:
                owners = {int(row_account[x]) for x in rows} - {int(acc)}
                if len(owners) == 1:
                    parent[acc] = owners.pop()
                break


def prepare_leads(df: pd.DataFrame) -> Leads:
    ids = np.array(_col(df, "id"), dtype=object)
    emails = _col(df, "email")
    companies = _col(df, "company")
    email_dom = _mapped(
        [e.rsplit("@", 1)[-1].lower() if "@" in e else "" for e in emails],
        lambda h: email_domain("x@" + h) if h else "",
    )
    return Leads(
        ids=ids,
        n=len(ids),
        email_domain=email_dom,
        email_free=np.array(_mapped(list(email_dom), is_free_email_domain), dtype=bool),
        website_domain=_mapped(_col(df, "website"), registrable_domain),
        junk_name=np.array(_mapped(companies, is_junk_company_name), dtype=bool),
        country=_mapped(_col(df, "country"), normalize_country),
        city=_mapped(_col(df, "city"), normalize_city),
        phone=_mapped(_col(df, "phone"), normalize_phone),
        names=_names(companies),
    )


def label_of(domain: str) -> str:
    return domain_label(domain) if domain else ""
