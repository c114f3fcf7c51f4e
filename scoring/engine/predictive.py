"""Predictive fit: a calibrated, class-balanced logistic model on firmographics and
technographics, trained on accounts with closed won/lost deals.

Why logistic regression: its contributions (coefficient × standardised value) explain each
account in plain words, and calibration turns its output into an honest probability.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from scoring.engine.frames import as_lists, technology_matrix

CATEGORICAL = ["industry", "country", "region", "size", "revenue"]
NUMERIC = ["log_employees", "log_revenue", "has_parent"]
# Buying propensity rarely grows in a straight line with size: bands let the model learn that
# mid-market beats both the smallest and the largest companies.
SIZE_BANDS = (
    (0, "1–49 employees"), (50, "50–199 employees"), (200, "200–999 employees"),
    (1000, "1,000–4,999 employees"), (5000, "5,000–9,999 employees"),
    (10000, "10,000+ employees"),
)  # fmt: skip
REVENUE_BANDS = (
    (0, "revenue under $5M"), (5e6, "revenue $5M–50M"), (5e7, "revenue $50M–1B"),
    (1e9, "revenue $1B+"),
)  # fmt: skip
MIN_PER_CLASS = 20
MAX_TECHNOLOGIES = 30
NUMERIC_WORDS = {
    "log_employees": "company size",
    "log_revenue": "annual revenue",
    "has_parent": "being part of a group",
}
CATEGORY_WORDS = {"industry": "Industry", "country": "Country", "region": "Region"}
BAND_COLUMNS = ("size", "revenue")


class NotEnoughOutcomes(ValueError):
    """Too few closed deals to learn from; the message says how many are needed."""

    def __init__(self, *, won: int, lost: int, needed: int) -> None:
        self.won, self.lost, self.needed = won, lost, needed
        super().__init__(
            f"needs at least {needed} won and {needed} lost accounts; "
            f"you have {won} won and {lost} lost"
        )


def feature_frame(accounts: pd.DataFrame, technologies: list[str]) -> pd.DataFrame:
    """Model inputs from an accounts frame (same columns as the ICP rules use)."""
    n = len(accounts)
    out = pd.DataFrame(index=range(n))
    for col in CATEGORICAL:
        raw = accounts[col] if col in accounts else pd.Series([""] * n)
        out[col] = raw.fillna("").astype(str).str.strip().replace("", "(unknown)").to_numpy()
    employees = pd.to_numeric(accounts.get("employees"), errors="coerce").to_numpy(float)
    revenue = pd.to_numeric(accounts.get("annual_revenue"), errors="coerce").to_numpy(float)
    out["log_employees"] = np.log1p(np.nan_to_num(employees, nan=0.0).clip(min=0))
    out["log_revenue"] = np.log1p(np.nan_to_num(revenue, nan=0.0).clip(min=0))
    out["size"] = _band(employees, SIZE_BANDS, "unknown size")
    out["revenue"] = _band(revenue, REVENUE_BANDS, "unknown revenue")
    parent = accounts["has_parent"] if "has_parent" in accounts else pd.Series([False] * n)
    out["has_parent"] = parent.fillna(False).astype(float).to_numpy()
    matrix = (
        technology_matrix(accounts["technologies"], technologies)
        if "technologies" in accounts
        else np.zeros((n, len(technologies)), dtype=bool)
    )
    for j, name in enumerate(technologies):
        out[f"tech:{name}"] = matrix[:, j].astype(float)
    return out


def _band(values: np.ndarray, bands: tuple, unknown: str) -> np.ndarray:
    edges = np.array([low for low, _ in bands[1:]], dtype=float)
    labels = np.array([label for _, label in bands] + [unknown], dtype=object)
    position = np.searchsorted(edges, np.nan_to_num(values, nan=0.0), side="right")
    return labels[np.where(np.isnan(values), len(bands), position)]


def common_technologies(accounts: pd.DataFrame, limit: int = MAX_TECHNOLOGIES) -> list[str]:
    """The technologies worth a feature: the most common ones, at least 5 accounts each."""
    if "technologies" not in accounts:
        return []
    counts = as_lists(accounts["technologies"]).explode().dropna().astype(str).value_counts()
    return [t for t, c in counts.head(limit).items() if c >= 5]


def _pipeline(technologies: list[str]) -> Pipeline:
    tech_cols = [f"tech:{t}" for t in technologies]
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), CATEGORICAL),
            ("num", StandardScaler(), NUMERIC),
            ("tech", "passthrough", tech_cols),
        ],
        sparse_threshold=0.0,
    )
    base = LogisticRegression(class_weight="balanced", C=0.5, max_iter=2000)
    return Pipeline(
        [("features", pre), ("model", CalibratedClassifierCV(base, method="sigmoid", cv=3))]
    )


@dataclass
class TrainedModel:
    pipeline: Pipeline
    technologies: list[str]
    metrics: dict

    def predict(self, accounts: pd.DataFrame) -> np.ndarray:
        """Calibrated win probability × 100 for every account."""
        if not len(accounts):
            return np.zeros(0)
        frame = feature_frame(accounts, self.technologies)
        return np.round(100.0 * self.pipeline.predict_proba(frame)[:, 1], 2)

    def contributions(self, accounts: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        """Per-account, per-feature log-odds contributions (averaged over calibration folds)."""
        frame = feature_frame(accounts, self.technologies)
        pre = self.pipeline.named_steps["features"]
        x = np.asarray(pre.transform(frame), dtype=float)
        coef = _mean_coef(self.pipeline)
        return x * coef, list(pre.get_feature_names_out())

    def reasons(self, accounts: pd.DataFrame, top: int = 3) -> list[list[dict]]:
        """Top reasons per account in plain words, strongest first."""
        contrib, names = self.contributions(accounts)
        out = []
        for i in range(len(accounts)):
            row = contrib[i]
            order = np.argsort(-np.abs(row))[:top]
            out.append(
                [
                    {"text": _words(names[j], accounts.iloc[i]), "effect": round(float(row[j]), 2)}
                    for j in order
                    if abs(row[j]) >= 0.05
                ]
            )
        return out

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump({"pipeline": self.pipeline, "technologies": self.technologies}, buffer)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes, metrics: dict | None = None) -> TrainedModel:
        # The artifact is produced by this application and stored in its own database.
        data = joblib.load(io.BytesIO(bytes(blob)))  # noqa: S301
        return cls(
            pipeline=data["pipeline"], technologies=data["technologies"], metrics=metrics or {}
        )


def _mean_coef(pipeline: Pipeline) -> np.ndarray:
    calibrated = pipeline.named_steps["model"].calibrated_classifiers_
    return np.mean([c.estimator.coef_[0] for c in calibrated], axis=0)


def _words(feature: str, account: pd.Series, effect: float | None = None) -> str:
    """'cat__industry_Software' → 'Industry is Software'; 'tech__tech:Snowflake' → 'Uses Snowflake'."""
    group, _, name = feature.partition("__")
    if group == "cat":
        col, _, value = name.partition("_")
        if value == "infrequent_sklearn":
            return f"Uncommon {col}"
        if col in BAND_COLUMNS:
            return value[0].upper() + value[1:]
        return f"{CATEGORY_WORDS.get(col, col)} is {value}"
    if group == "tech":
        tech = name.removeprefix("tech:")
        return f"Uses {tech}"
    if name == "log_employees" and account is not None and pd.notna(account.get("employees")):
        return f"{int(account['employees']):,} employees"
    if name == "log_revenue" and account is not None and pd.notna(account.get("annual_revenue")):
        return f"Revenue ${float(account['annual_revenue']) / 1e6:,.1f}M"
    return NUMERIC_WORDS.get(name, name).capitalize()


def lift_by_decile(y: np.ndarray, p: np.ndarray) -> list[dict]:
    """Win rate per score decile (10 = highest scores) ÷ overall win rate."""
    y = np.asarray(y, dtype=float)
    base = y.mean() if len(y) else 0.0
    order = np.argsort(-np.asarray(p), kind="stable")
    out = []
    for d, chunk in enumerate(np.array_split(order, 10)):
        rate = float(y[chunk].mean()) if len(chunk) else 0.0
        out.append(
            {
                "decile": 10 - d,
                "accounts": len(chunk),
                "win_rate": round(rate, 4),
                "lift": round(rate / base, 2) if base else 0.0,
            }
        )
    return out


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return round(float(roc_auc_score(y, p)), 4)


def train(
    accounts: pd.DataFrame,
    won: np.ndarray,
    *,
    min_per_class: int = MIN_PER_CLASS,
    folds: int = 5,
    seed: int = 0,
) -> TrainedModel:
    """Train on accounts with a known outcome (`won` True/False per row).

    Metrics: cross-validated ROC AUC and lift by decile from out-of-fold predictions (each
    account scored by a model that never saw it), and the strongest features of the final fit.
    """
    y = np.asarray(won, dtype=bool)
    n_won, n_lost = int(y.sum()), int((~y).sum())
    if n_won < min_per_class or n_lost < min_per_class:
        raise NotEnoughOutcomes(won=n_won, lost=n_lost, needed=min_per_class)
    technologies = common_technologies(accounts)
    frame = feature_frame(accounts, technologies)
    pipeline = _pipeline(technologies)
    cv = StratifiedKFold(n_splits=min(folds, n_won, n_lost), shuffle=True, random_state=seed)
    oof = cross_val_predict(pipeline, frame, y, cv=cv, method="predict_proba")[:, 1]
    pipeline.fit(frame, y)
    coef = _mean_coef(pipeline)
    names = list(pipeline.named_steps["features"].get_feature_names_out())
    order = np.argsort(-np.abs(coef))[:12]
    top = [
        {
            "feature": names[j],
            "text": _words(names[j], None),
            "weight": round(float(coef[j]), 3),
            "direction": "raises" if coef[j] > 0 else "lowers",
        }
        for j in order
    ]
    metrics = {
        "cv_auc": auc(y, oof),
        "folds": cv.get_n_splits(),
        "lift": lift_by_decile(y, oof),
        "top_features": top,
        "won": n_won,
        "lost": n_lost,
        "base_rate": round(n_won / len(y), 4),
    }
    return TrainedModel(pipeline=pipeline, technologies=technologies, metrics=metrics)
