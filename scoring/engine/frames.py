"""Shared helpers: technology matrices, time decay, saturating curves."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd


def decay(age_days: np.ndarray | float, half_life_days: float) -> np.ndarray:
    """Exponential time decay: 1 today, 0.5 after one half-life, 0.25 after two."""
    if half_life_days <= 0:
        raise ValueError("half-life must be positive")
    age = np.clip(np.asarray(age_days, dtype=float), 0.0, None)
    return np.power(0.5, age / half_life_days)


def saturate(value: np.ndarray, half_at: float) -> np.ndarray:
    """Map 0..inf onto 0..100; `half_at` gives 50. Diminishing returns, never above 100."""
    value = np.clip(np.asarray(value, dtype=float), 0.0, None)
    return 100.0 * value / (value + half_at)


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes per row, the distinct values): a million rows usually hold a few thousand
    distinct technology lists or industry names, so work on those and index back."""
    if len(values) and not isinstance(values.iloc[0], str):
        values = values.map(lambda v: tuple(v) if isinstance(v, list) else v)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    uniques = pd.Series(list(uniques), dtype=object).map(
        lambda v: list(v) if isinstance(v, tuple) else v
    )
    return codes, uniques


def technology_matrix(technologies: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Boolean (accounts × names): does account i run technology j (case-insensitive).

    `technologies` holds lists, or JSON text as read from the database."""
    n = len(technologies)
    if not len(names) or not n:
        return np.zeros((n, len(names)), dtype=bool)
    codes, uniques = distinct(technologies.reset_index(drop=True))
    lists = as_lists(uniques)
    small = np.zeros((len(lists), len(names)), dtype=bool)
    lookup = {name.casefold(): j for j, name in enumerate(names)}
    exploded = lists.explode().dropna()
    if not exploded.empty:
        hit_codes = exploded.astype(str).str.strip().str.casefold().map(lookup)
        hit = hit_codes.notna().to_numpy()
        small[exploded.index.to_numpy()[hit], hit_codes.to_numpy()[hit].astype(int)] = True
    return small[codes]


def has_technologies(technologies: pd.Series) -> np.ndarray:
    """Does each account list at least one technology."""
    if not len(technologies):
        return np.zeros(0, dtype=bool)
    codes, uniques = distinct(technologies.reset_index(drop=True))
    present = as_lists(uniques).map(bool).to_numpy(dtype=bool)
    return present[codes]


def text_in(values: pd.Series, wanted: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """(value is in `wanted`, value is present), case- and space-insensitive, per row."""
    codes, uniques = distinct(values.reset_index(drop=True).fillna("").astype(str))
    folded = uniques.astype(str).str.strip().str.casefold()
    inside = folded.isin(wanted).to_numpy()
    present = (folded != "").to_numpy()
    return inside[codes], present[codes]


_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'


def as_lists(values: pd.Series) -> pd.Series:
    """Technologies arrive as lists, JSON text, or ';'-separated strings: normalise to lists."""
    if len(values) and values.map(type).eq(str).all() and values.str.startswith("[").all():
        # JSON arrays of strings straight from the database: one vectorised regex, not json.loads
        return values.str.findall(_JSON_STRING)

    def one(value):
        if isinstance(value, list):
            return value
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return []
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [t.strip() for t in text.replace(",", ";").split(";") if t.strip()]
        return list(value)

    return values.map(one)
