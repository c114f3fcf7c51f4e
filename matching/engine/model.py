"""Confidence from signals: a logistic regression fitted offline, shipped as weights.json.

`bench/match_bench.py --fit` produced the file from the bench generator's tuning seed; nothing
is trained at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matching.engine.features import FEATURES, IDX

WEIGHTS_PATH = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Model:
    coef: np.ndarray
    intercept: float
    features: tuple[str, ...]
    # Platt scaling of the best candidate's log-odds: P(the best account is the right one).
    calibration: tuple[float, float] = (1.0, 0.0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Pair score in (0, 1); ranks candidates."""
        z = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def calibrate(self, p: np.ndarray) -> np.ndarray:
        """Confidence that a lead's best candidate is its account, calibrated on the bench."""
        a, b = self.calibration
        z = np.log(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, 1))
        return 1.0 / (1.0 + np.exp(-np.clip(a * z + b, -30, 30)))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Model:
    data = json.loads(Path(path or WEIGHTS_PATH).read_text())
    weights = dict(zip(data["features"], data["coef"], strict=True))
    # Features the file does not know get weight 0, so an older file still loads.
    coef = np.array([weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)
    cal = data.get("calibration", {"slope": 1.0, "intercept": 0.0})
    return Model(
        coef=coef,
        intercept=float(data["intercept"]),
        features=FEATURES,
        calibration=(float(cal["slope"]), float(cal["intercept"])),
    )


def reason(x: np.ndarray, *, email_domain: str, website_domain: str, country: str) -> str:
    """`email domain acme.com = account domain; name 0.93; country DE`"""
    parts: list[str] = []
    if x[IDX["dom_eq"]]:
        parts.append(f"email domain {email_domain} = account domain")
    elif x[IDX["dom_former"]]:
        parts.append(f"email domain {email_domain} = account's former domain")
    elif x[IDX["free_owned"]]:
        parts.append(f"email domain {email_domain} is owned by the account (a mail provider)")
    if x[IDX["dom_shared"]]:
        parts.append("domain shared by several accounts")
    if x[IDX["parent_dom"]]:
        parts.append(f"email domain {email_domain} belongs to the parent account")
    if x[IDX["web_eq"]]:
        parts.append(f"website {website_domain} = account domain")
    if x[IDX["label_eq"]]:
        parts.append("domain spells the account name")
    if x[IDX["key_eq"]]:
        parts.append("same company name")
    elif x[IDX["acronym"]]:
        parts.append("name is an acronym of the other")
    elif x[IDX["has_name"]]:
        parts.append(f"name {max(x[IDX['tset']], x[IDX['ratio']]):.2f}")
    else:
        parts.append("no usable company name")
    if x[IDX["country_eq"]]:
        parts.append(f"country {country}")
    elif x[IDX["country_diff"]]:
        parts.append("country differs")
    if x[IDX["city_eq"]]:
        parts.append("same city")
    if x[IDX["phone_eq"]]:
        parts.append("same phone")
    return "; ".join(parts)


def signals(x: np.ndarray) -> dict[str, float]:
    """The non-zero signals of one pair, rounded, for storage and the review page."""
    return {f: round(float(v), 3) for f, v in zip(FEATURES, x, strict=True) if v}
