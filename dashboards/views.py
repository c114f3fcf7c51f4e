"""Dashboard pages and their CSV exports: parse filters, call the metric selectors, render."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from abm.cache_guard import cache_get, cache_set
from abm.models import Membership
from abm.permissions import SECTION_ROLES, role_required
from dashboards import charts
from dashboards.csv_export import csv_text
from dashboards.filters import SEGMENTS, TIERS
from dashboards.results import metric_result, request_filters, rollup_stamp, rollup_state
from dashboards.selectors import METRICS, PAGES
from dashboards.selectors.deals import DIMENSIONS
from dashboards.selectors.memo import metric_session

DASHBOARD_NAMES = {name: page["title"] for name, page in PAGES.items()}


def filter_options_key(workspace_id: int) -> str:
    return f"dash-filter-options:{workspace_id}"


# The filter bar's campaigns and owners, kept between requests: two queries and ~3 ms of every
# dashboard render. A campaign, membership or user saved or deleted drops the workspace's copy
# (dashboards.apps); the timeout bounds how long another process without a shared cache (no
# REDIS_URL) can show an old list.
FILTER_OPTIONS_SECONDS = 60


def _filter_options(workspace) -> tuple[list, list]:
    from campaigns.models import Campaign

    key = filter_options_key(workspace.pk)
    cached = cache_get(key)
    if cached is not None:
        return cached
    campaigns = list(
        Campaign.objects.for_workspace(workspace).order_by("name").values_list("pk", "name")
    )
    owners = [
        (m.user_id, m.user.get_full_name() or m.user.email)
        for m in Membership.objects.filter(
            workspace=workspace, role__in=("sdr", "admin", "marketer")
        )
        .select_related("user")
        .order_by("user__first_name", "user__email")
    ]
    cache_set(key, (campaigns, owners), FILTER_OPTIONS_SECONDS)
    return campaigns, owners


def _filter_fields(filters, campaigns, owners) -> list[dict]:
    return [
        {
            "name": "tier",
            "label": "Tier",
            "value": filters.tier,
            "choices": [("", "All tiers"), *TIERS.items()],
        },
        {
            "name": "segment",
            "label": "Segment",
            "value": filters.segment,
            "choices": [("", "All segments"), *SEGMENTS.items()],
        },
        {
            "name": "campaign",
            "label": "Campaign",
            "value": str(filters.campaign or ""),
            "choices": [("", "All campaigns"), *[(str(pk), name) for pk, name in campaigns]],
        },
        {
            "name": "owner",
            "label": "Owner",
            "value": str(filters.owner or ""),
            "choices": [("", "All owners"), *[(str(pk), name) for pk, name in owners]],
        },
    ]


def _results(request, name: str, filters, state) -> dict:
    with metric_session():  # metrics of one page share their underlying queries
        return {
            metric: metric_result(
                METRICS[metric],
                workspace=request.workspace,
                filters=filters,
                params=request.GET,
                state=state,
            )
            for metric in PAGES[name]["metrics"]
        }


def _executive(request, r: dict, has: dict, filters) -> dict:
    return {
        "empty": not has.get("opportunities"),
        "kpis": r,
        "deal_hint": (
            f"{r['avg_deal_size']['abm_multiple']:.1f}× other accounts"
            if r["avg_deal_size"].get("abm_multiple")
            else "vs previous period"
        ),
        "deal_chart": charts.abm_comparison(r["avg_deal_size"]),
        "win_chart": charts.abm_comparison(r["win_rate"], money=False, percent=True),
        "comparison": [
            ("Pipeline created", r["pipeline"], "money"),
            ("Won revenue", r["won_revenue"], "money"),
            ("Win rate", r["win_rate"], "percent"),
            ("Average deal size", r["avg_deal_size"], "money"),
            ("Sales cycle (days)", r["sales_cycle"], "days"),
            ("Pipeline velocity (per day)", r["pipeline_velocity"], "money"),
        ],
    }


def _heat_level(value: float, top: float) -> int:
    """0–5 for the `.heat-N` cell classes (same scale as the `heat_level` template filter)."""
    if not value or value <= 0 or not top:
        return 0
    return max(1, min(5, math.ceil(value / top * 5)))


def _engagement(request, r: dict, has: dict, filters) -> dict:
    trend = r["engagement_trend"]
    rows = trend["rows"]
    # The last week is usually still running: compare the last complete week with the one before.
    complete = [
        r
        for r in rows
        if dt.date.fromisoformat(r["week"]) + dt.timedelta(days=6) <= filters.date_to
    ]
    shown = complete or rows
    last = shown[-1] if shown else None
    prev = shown[-2] if len(shown) >= 2 else None
    weekly = [row["engaged_accounts"] for row in rows]
    channel_totals = {c["label"]: sum(row[c["key"]] for row in rows) for c in trend["channels"]}
    heat = r["engagement_heatmap"]
    top = heat["max"] or 0
    # The cells are joined here: 195 cells through a template loop cost ~2 ms a render.
    heat_rows = [
        {
            **row,
            "cells": format_html_join(
                "",
                '<td class="heat-{}" title="{}"></td>',
                (
                    (_heat_level(v, top), f"{row['account']}, week of {w}: {v:,.0f} points")
                    for w, v in zip(heat["weeks"], row["weeks"], strict=True)
                ),
            ),
        }
        for row in heat["rows"]
    ]
    surging = charts.sort_rows(
        r["surging_accounts"]["rows"],
        request.GET.get("sort"),
        {"account", "tier", "recent_points", "baseline_weekly", "surge"},
        "-surge",
    )
    return {
        "empty": not has.get("engagement"),
        "trend": trend,
        "latest_week": last,
        "latest_change": (
            (last["engaged_accounts"] - prev["engaged_accounts"]) / prev["engaged_accounts"]
            if last and prev and prev["engaged_accounts"]
            else None
        ),
        "avg_weekly": sum(weekly) / len(weekly) if weekly else None,
        "top_channel": max(channel_totals, key=channel_totals.get) if channel_totals else None,
        "tier_chart": charts.trend_by_tier(trend),
        "channel_chart": charts.trend_by_channel(trend),
        "no_channels": not trend["channels"],
        "surging": surging,
        "heat": heat,
        "heat_rows": heat_rows,
        "heat_weeks": [w[5:] for w in heat["weeks"]],
    }


def _conversion(request, r: dict, has: dict, filters) -> dict:
    return {
        "empty": not (has.get("stages") or has.get("leads")),
        "funnels": [
            (
                "Account funnel",
                r["account_funnel"],
                charts.funnel_bars(r["account_funnel"]),
                "account-funnel",
                "account_funnel",
                has.get("stages"),
                "No account changed journey stage in this period. Widen the range, or check that "
                "engagement events are being imported.",
            ),
            (
                "Lead funnel",
                r["lead_funnel"],
                charts.funnel_bars(r["lead_funnel"]),
                "lead-funnel",
                "lead_funnel",
                has.get("leads"),
                "No lead reached MQL, SAL or SQL in this period. Import leads with their status, "
                "or qualify leads from the SDR queue.",
            ),
        ],
    }


def _deal_size(request, r: dict, has: dict, filters) -> dict:
    allowed = {"group", "deals", "total", "average", "median"}
    tables = []
    for dim, label in DIMENSIONS.items():
        if dim == "quarter":
            continue
        param = f"sort_{dim}"
        tables.append(
            {
                "dimension": dim,
                "label": label,
                "metric": f"deal_size_by_{dim}",
                "param": param,
                "rows": charts.sort_rows(
                    r[f"deal_size_by_{dim}"]["rows"], request.GET.get(param), allowed
                ),
            }
        )
    dist = r["won_amount_distribution"]
    overall = r["deal_size_by_quarter"]["rows"]
    deals = sum(row["deals"] for row in overall)
    total = sum(row["total"] or 0 for row in overall)
    return {
        "empty": not has.get("opportunities"),
        "tables": tables,
        "distribution": dist,
        "distribution_chart": charts.distribution_bars(dist),
        "quarters": r["deal_size_by_quarter"],
        "quarter_chart": charts.deal_size_by_quarter(r["deal_size_by_quarter"]),
        "won_deals": deals,
        "no_won": not deals,
        "won_total": total,
        "won_average": total / deals if deals else None,
    }


def _campaigns(request, r: dict, has: dict, filters) -> dict:
    perf = r["campaign_performance"]
    allowed = {
        "name",
        "targeted",
        "reached",
        "engaged",
        "mqa",
        "opportunities",
        "pipeline",
        "won_revenue",
        "roi",
        "cost_per_engaged_account",
        "engagement_rate",
        "budget",
    }
    rows = charts.sort_rows(perf["rows"], request.GET.get("sort"), allowed, "-pipeline")
    kinds = {"one_to_one": "1:1", "one_to_few": "1:few", "one_to_many": "1:many"}
    for row in rows:
        row["kind_label"] = kinds.get(row.get("kind"), row.get("kind") or "—")
    return {
        "model_label": perf["models"].get(perf["model"], perf["model"]),
        "empty": not perf["available"] or not perf["rows"],
        "available": perf["available"],
        "perf": perf,
        "rows": rows,
        "pipeline_chart": charts.top_bars(
            perf["rows"], label_key="name", value_key="pipeline", title="Attributed pipeline"
        ),
        "totals": {
            key: sum(row.get(key) or 0 for row in perf["rows"])
            for key in ("pipeline", "won_revenue", "engaged", "opportunities")
        },
    }


def _sdr_team(request, r: dict, has: dict, filters) -> dict:
    team = r["sdr_performance"]
    allowed = {
        "name",
        "accounts",
        "activities",
        "meetings",
        "sqls",
        "opportunities",
        "pipeline",
        "sla_breaches",
        "meeting_to_opportunity",
    }
    return {
        "empty": not team["rows"],
        "team": team,
        "rows": charts.sort_rows(team["rows"], request.GET.get("sort"), allowed, "-pipeline"),
        "pipeline_chart": charts.top_bars(
            team["rows"], label_key="name", value_key="pipeline", title="Pipeline sourced"
        ),
    }


BUILDERS = {
    "executive": _executive,
    "engagement": _engagement,
    "conversion": _conversion,
    "deal-size": _deal_size,
    "campaigns": _campaigns,
    "sdr-team": _sdr_team,
}


@role_required(*SECTION_ROLES["dashboards"])
def dashboard(request, name: str):
    if name not in PAGES:
        raise Http404("No such dashboard.")
    workspace = request.workspace
    filters = request_filters(request.GET)
    state = rollup_state(workspace=workspace)
    has = (state.counts or {}).get("has", {}) if state else {}
    results = _results(request, name, filters, state)
    campaigns, owners = _filter_options(workspace)
    extra = (
        {"model": request.GET["model"]} if name == "campaigns" and request.GET.get("model") else {}
    )
    context = {
        "page": name,
        "page_title": PAGES[name]["title"],
        "pages": DASHBOARD_NAMES,
        "filters": filters,
        "previous": filters.previous(),
        "filter_fields": _filter_fields(filters, campaigns, owners),
        "extra_params": list(extra.items()),
        "state": state,
        "metric_names": [(m, METRICS[m].title) for m in PAGES[name]["metrics"]],
        "can_refresh": request.membership.role in ("admin", "marketer"),
        # the rendered body is cached like the numbers: per rollup version, role and URL
        "cache_seconds": getattr(settings, "DASHBOARD_CACHE_SECONDS", 300),
        "cache_stamp": rollup_stamp(state),
        **BUILDERS[name](request, results, has, filters),
    }
    return render(request, f"dashboards/{name}.html", context)


@role_required(*SECTION_ROLES["dashboards"])
def index(request):
    return redirect("dashboard", name="executive")


@role_required(*SECTION_ROLES["dashboards"])
def export_csv(request, name: str):
    """`/dashboards/<page>/export.csv?metric=<name>&<filters>`: one metric's table as CSV."""
    if name not in PAGES:
        raise Http404("No such dashboard.")
    metric_name = request.GET.get("metric") or PAGES[name]["metrics"][0]
    if metric_name not in PAGES[name]["metrics"]:
        raise Http404("That metric is not on this dashboard.")
    metric = METRICS[metric_name]
    filters = request_filters(request.GET)
    result = metric_result(
        metric,
        workspace=request.workspace,
        filters=filters,
        params=request.GET,
        state=rollup_state(workspace=request.workspace),
    )
    header, rows = metric.table(result)
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"{slugify(metric.title)}-{filters.date_from}-{filters.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@role_required("admin", "marketer")
def refresh(request):
    """Queue a full rebuild of this workspace's rollups (the page shows its progress)."""
    from dashboards.tasks import rollups_rebuild_task

    workspace_id = request.workspace.pk
    transaction.on_commit(lambda: rollups_rebuild_task.delay(workspace_id=workspace_id))
    messages.success(request, "Dashboard figures are being recomputed from the latest data.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/dashboards/"
    return redirect(target)
