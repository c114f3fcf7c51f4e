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


def technology_matrix(technologies: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Boolean (accounts × names): does account i run technology j (case-insensitive)."""
    n = len(technologies)
    out = np.zeros((n, len(names)), dtype=bool)
    if not len(names) or not n:
        return out
    lookup = {name.casefold(): j for j, name in enumerate(names)}
    exploded = technologies.reset_index(drop=True).explode().dropna()
    if exploded.empty:
        return out
    codes = exploded.astype(str).str.strip().str.casefold().map(lookup)
    hit = codes.notna().to_numpy()
    rows = exploded.index.to_numpy()[hit]
    cols = codes.to_numpy()[hit].astype(int)
    out[rows, cols] = True
    return out


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
