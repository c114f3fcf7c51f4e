"""Chart.js configs from metric results, and table sorting. Pure: no database, no request."""

from __future__ import annotations

import datetime as dt

TIER_COLOURS = {
    "tier_1": "#4f46e5",
    "tier_2": "#0ba5ec",
    "tier_3": "#12b76a",
    "tier_none": "#98a2b3",
}


def _week_label(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d %b")


def _money_axis() -> dict:
    return {
        "y": {
            "ticks": {
                "format": {
                    "style": "currency",
                    "currency": "USD",
                    "notation": "compact",
                    "maximumFractionDigits": 1,
                }
            }
        }
    }


def trend_by_tier(trend: dict) -> dict:
    labels = [_week_label(r["week"]) for r in trend["rows"]]
    datasets = [
        {
            "label": t["label"],
            "data": [r[t["key"]] for r in trend["rows"]],
            "fill": True,
            "borderColor": TIER_COLOURS[t["key"]],
            "backgroundColor": TIER_COLOURS[t["key"]] + "26",
            "stack": "tiers",
        }
        for t in trend["tiers"]
        if any(r[t["key"]] for r in trend["rows"])
    ]
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "interaction": {"mode": "index", "intersect": False},
            "scales": {
                "y": {"stacked": True, "title": {"display": True, "text": "Engaged accounts"}}
            },
        },
    }


def trend_by_channel(trend: dict) -> dict:
    labels = [_week_label(r["week"]) for r in trend["rows"]]
    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": c["label"], "data": [r[c["key"]] for r in trend["rows"]]}
                for c in trend["channels"]
            ],
        },
        "options": {
            "interaction": {"mode": "index", "intersect": False},
            "scales": {"x": {"stacked": True}, "y": {"stacked": True}},
        },
    }


def abm_comparison(result: dict, *, money: bool = True, percent: bool = False) -> dict:
    rows = [r for r in result["rows"] if r["group"] != "all"]
    options: dict = {"plugins": {"legend": {"display": True}}}
    if money:
        options["scales"] = _money_axis()
    if percent:
        options["scales"] = {"y": {"ticks": {"format": {"style": "percent"}}, "max": 1}}
    return {
        "type": "bar",
        "data": {
            "labels": [r["label"] for r in rows],
            "datasets": [
                {"label": "This period", "data": [r["current"] or 0 for r in rows]},
                {
                    "label": "Previous period",
                    "data": [r["previous"] or 0 for r in rows],
                    "backgroundColor": "#c7d2fe",
                },
            ],
        },
        "options": options,
    }


def funnel_bars(funnel: dict) -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [r["label"] for r in funnel["rows"]],
            "datasets": [{"label": "Reached", "data": [r["count"] for r in funnel["rows"]]}],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }


def distribution_bars(dist: dict) -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [r["band"] for r in dist["rows"]],
            "datasets": [{"label": "Won deals", "data": [r["deals"] for r in dist["rows"]]}],
        },
        "options": {"plugins": {"legend": {"display": False}}},
    }


def deal_size_by_quarter(breakdown: dict) -> dict:
    rows = breakdown["rows"]
    return {
        "type": "bar",
        "data": {
            "labels": [r["group"] for r in rows],
            "datasets": [
                {"label": "Average", "data": [r["average"] for r in rows]},
                {
                    "label": "Median",
                    "data": [r["median"] for r in rows],
                    "type": "line",
                    "borderColor": "#f79009",
                    "backgroundColor": "#f79009",
                },
            ],
        },
        "options": {"scales": _money_axis()},
    }


def top_bars(
    rows: list[dict], *, label_key: str, value_key: str, title: str, limit: int = 10
) -> dict:
    top = sorted(rows, key=lambda r: -(r.get(value_key) or 0))[:limit]
    return {
        "type": "bar",
        "data": {
            "labels": [r[label_key] for r in top],
            "datasets": [{"label": title, "data": [r.get(value_key) or 0 for r in top]}],
        },
        "options": {
            "indexAxis": "y",
            "plugins": {"legend": {"display": False}},
            "scales": {"x": _money_axis()["y"]},
        },
    }


def sort_rows(
    rows: list[dict], sort: str | None, allowed: set[str], default: str = ""
) -> list[dict]:
    """`sort=field` ascending, `-field` descending; unknown fields keep the default order."""
    key = sort or default
    field = key.lstrip("-")
    if field not in allowed:
        return rows
    present = [r for r in rows if r.get(field) is not None]
    missing = [r for r in rows if r.get(field) is None]

    def value(row):
        v = row[field]
        return v.lower() if isinstance(v, str) else v

    return sorted(present, key=value, reverse=key.startswith("-")) + missing
