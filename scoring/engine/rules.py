"""ICP rule evaluation: weighted criteria over firmographic and technographic fields → 0–100.

A profile is a list of criteria, each a dict:

    {"field": "industry", "op": "in", "values": ["Software", "Fintech"], "weight": 30}
    {"field": "employees", "op": "between", "min": 200, "max": 5000, "weight": 20}
    {"field": "annual_revenue", "op": "between", "min": 5e6, "weight": 10}
    {"field": "country" | "region", "op": "in" | "not_in", "values": [...], "weight": 10}
    {"field": "technologies", "op": "any" | "all" | "none", "values": [...], "weight": 20}
    {"field": "hierarchy", "op": "is_child" | "is_parent" | "standalone", "weight": 5}

Score = 100 × (sum of weights of the criteria an account meets) / (sum of all weights).
An account with a missing value does not meet that criterion, and its reasons say "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.engine.frames import has_technologies, technology_matrix, text_in

FIELDS = {
    "industry": ("in", "not_in"),
    "country": ("in", "not_in"),
    "region": ("in", "not_in"),
    "employees": ("between",),
    "annual_revenue": ("between",),
    "technologies": ("any", "all", "none"),
    "hierarchy": ("is_child", "is_parent", "standalone"),
}
FIELD_LABELS = {
    "industry": "Industry",
    "country": "Country",
    "region": "Region",
    "employees": "Employees",
    "annual_revenue": "Annual revenue",
    "technologies": "Technologies",
    "hierarchy": "Company hierarchy",
}


class InvalidCriteria(ValueError):
    """A profile that cannot be evaluated; the message says what to fix."""


def _number(value: float | None, money: bool = False) -> str:
    if value is None:
        return ""
    value = float(value)
    prefix = "$" if money else ""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size and money:
            return f"{prefix}{value / size:g}{suffix}"
    return f"{prefix}{value:,.0f}"


def describe(criterion: dict) -> str:
    """Plain words for one criterion, e.g. "Employees 200–5,000"."""
    if criterion.get("label"):
        return str(criterion["label"])
    name, op = criterion["field"], criterion["op"]
    label = FIELD_LABELS.get(name, name)
    values = ", ".join(str(v) for v in criterion.get("values", []))
    if op == "between":
        money = name == "annual_revenue"
        low, high = criterion.get("min"), criterion.get("max")
        if low is not None and high is not None:
            return f"{label} {_number(low, money)}–{_number(high, money)}"
        if low is not None:
            return f"{label} at least {_number(low, money)}"
        return f"{label} at most {_number(high, money)}"
    if op == "in":
        return f"{label} in {values}"
    if op == "not_in":
        return f"{label} not in {values}"
    if op == "any":
        return f"Uses any of {values}"
    if op == "all":
        return f"Uses all of {values}"
    if op == "none":
        return f"Uses none of {values}"
    return {
        "is_child": "Part of a larger group (has a parent account)",
        "is_parent": "Parent of other accounts",
        "standalone": "Standalone company (no parent)",
    }.get(op, op)


def validate(criteria: object) -> list[dict]:
    """Normalise and check a profile's criteria; raises InvalidCriteria with a clear message."""
    if not isinstance(criteria, list):
        raise InvalidCriteria("criteria must be a list")
    out = []
    for position, raw in enumerate(criteria, start=1):
        if not isinstance(raw, dict):
            raise InvalidCriteria(f"criterion {position} is not an object")
        name, op = raw.get("field"), raw.get("op")
        if name not in FIELDS:
            raise InvalidCriteria(f"criterion {position}: unknown field {name!r}")
        if op not in FIELDS[name]:
            allowed = ", ".join(FIELDS[name])
            raise InvalidCriteria(f"criterion {position}: {name} takes {allowed}, not {op!r}")
        try:
            weight = float(raw.get("weight", 0))
        except (TypeError, ValueError):
            raise InvalidCriteria(f"criterion {position}: weight must be a number") from None
        if not (0 < weight <= 1000):
            raise InvalidCriteria(f"criterion {position}: weight must be between 0 and 1000")
        clean = {"field": name, "op": op, "weight": weight}
        if raw.get("label"):
            clean["label"] = str(raw["label"])[:120]
        if op == "between":
            low, high = raw.get("min"), raw.get("max")
            low = None if low in (None, "") else float(low)
            high = None if high in (None, "") else float(high)
            if low is None and high is None:
                raise InvalidCriteria(f"criterion {position}: give a minimum, a maximum or both")
            if low is not None and high is not None and low > high:
                raise InvalidCriteria(f"criterion {position}: minimum is above maximum")
            clean["min"], clean["max"] = low, high
        elif name != "hierarchy":
            values = raw.get("values") or []
            if isinstance(values, str):
                values = [v.strip() for v in values.split(",")]
            values = [str(v).strip() for v in values if str(v).strip()]
            if not values:
                raise InvalidCriteria(f"criterion {position}: list at least one value")
            clean["values"] = values
        out.append(clean)
    return out


@dataclass
class IcpResult:
    """Scores and the per-criterion evidence behind them (rows follow the input frame)."""

    score: np.ndarray  # float, 0..100
    matched: np.ndarray  # bool (accounts × criteria)
    known: np.ndarray  # bool (accounts × criteria): False when the field is missing
    criteria: list[dict] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [describe(c) for c in self.criteria]

    @property
    def points(self) -> np.ndarray:
        """Each criterion's share of the 100 points."""
        weights = np.array([c["weight"] for c in self.criteria], dtype=float)
        total = weights.sum()
        return 100.0 * weights / total if total else weights

    def reasons(self, row: int) -> list[dict]:
        """Per-criterion reasons for one account, biggest first."""
        out = []
        for j, (label, points) in enumerate(zip(self.labels, self.points, strict=True)):
            met = bool(self.matched[row, j])
            status = "met" if met else ("unknown" if not self.known[row, j] else "missed")
            out.append(
                {
                    "text": label,
                    "status": status,
                    "points": round(float(points) if met else 0.0, 1),
                    "max": round(float(points), 1),
                }
            )
        out.sort(key=lambda r: (-r["points"], -r["max"]))
        return out

    def pattern_codes(self) -> np.ndarray:
        """An integer per account that identifies its met/missed/unknown pattern.

        Accounts with the same pattern share the same reasons, so callers build reasons once
        per pattern (a handful) instead of once per account (a million).
        """
        state = self.matched.astype(np.int64) + 2 * (~self.known).astype(np.int64)
        powers = 3 ** np.arange(state.shape[1], dtype=np.int64)
        return state @ powers if state.shape[1] else np.zeros(len(self.score), dtype=np.int64)


def evaluate(frame: pd.DataFrame, criteria: list[dict]) -> IcpResult:
    """Evaluate a (validated) profile for every row of `frame`.

    `frame` columns: industry, country, region (text), employees, annual_revenue (numbers or
    NaN), technologies (lists), has_parent, has_children (bool). Missing columns count as unknown.
    """
    n = len(frame)
    k = len(criteria)
    matched = np.zeros((n, k), dtype=bool)
    known = np.ones((n, k), dtype=bool)
    for j, c in enumerate(criteria):
        name, op = c["field"], c["op"]
        if name in ("industry", "country", "region"):
            values = frame[name] if name in frame else pd.Series([""] * n)
            inside, present = text_in(values, {str(v).strip().casefold() for v in c["values"]})
            matched[:, j] = (inside if op == "in" else ~inside) & present
            known[:, j] = present
        elif name in ("employees", "annual_revenue"):
            raw = frame[name] if name in frame else pd.Series([np.nan] * n)
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
            present = ~np.isnan(values)
            ok = present.copy()
            if c.get("min") is not None:
                ok &= values >= c["min"]
            if c.get("max") is not None:
                ok &= values <= c["max"]
            matched[:, j] = ok
            known[:, j] = present
        elif name == "technologies":
            techs = frame["technologies"] if "technologies" in frame else pd.Series([[]] * n)
            has = technology_matrix(techs, c["values"])
            present = has_technologies(techs)
            if op == "any":
                matched[:, j] = has.any(axis=1)
            elif op == "all":
                matched[:, j] = has.all(axis=1)
            else:  # none: a company that lists no technologies is unknown, not a match
                matched[:, j] = ~has.any(axis=1) & present
            known[:, j] = present | matched[:, j]
        else:  # hierarchy
            parent = frame.get("has_parent", pd.Series([False] * n)).fillna(False).to_numpy(bool)
            children = (
                frame.get("has_children", pd.Series([False] * n)).fillna(False).to_numpy(bool)
            )
            matched[:, j] = {
                "is_child": parent,
                "is_parent": children,
                "standalone": ~parent & ~children,
            }[op]
    weights = np.array([c["weight"] for c in criteria], dtype=float)
    total = weights.sum()
    score = (matched @ weights) * (100.0 / total) if total else np.zeros(n)
    return IcpResult(score=np.round(score, 2), matched=matched, known=known, criteria=criteria)


DEFAULT_CRITERIA: list[dict] = [
    {
        "field": "industry",
        "op": "in",
        "weight": 30,
        "values": ["Software", "Financial Services", "Insurance", "Healthcare"],
    },
    {"field": "employees", "op": "between", "min": 200, "max": 10000, "weight": 25},
    {"field": "annual_revenue", "op": "between", "min": 50_000_000, "weight": 15},
    {"field": "region", "op": "in", "values": ["North America", "EMEA"], "weight": 15},
    {
        "field": "technologies",
        "op": "any",
        "values": ["Salesforce", "Snowflake", "Marketo"],
        "weight": 15,
    },
]
