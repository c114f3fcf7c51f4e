"""Reads for the account page: the whole picture of one account in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, Activity, Contact, LeadStatusChange
from accounts.queue.activities import OUTCOME_LABELS
from accounts.queue.committee import Member, committee_coverage
from accounts.queue.leadflow import NEEDS_REASON, action_label, next_moves
from accounts.queue.optional import optional_function, optional_model
from accounts.queue.selectors import sla_clock_rows, why_now_badges

ENGAGED_DAYS = 90
INTENT_DAYS = 30
TIMELINE_LIMIT = 40
TREND_POINTS = 60
SCORE_KEYS = [
    ("fit", "ICP fit"),
    ("intent", "Intent"),
    ("engagement", "Engagement"),
    ("priority", "Priority"),
]


def account_insight(*, workspace: Workspace, account_id: int) -> dict:
    """Raises Account.DoesNotExist for another workspace's account (the view answers 404)."""
    now = timezone.now()
    account = (
        Account.objects.for_workspace(workspace)
        .select_related("owner", "parent", "reason_set")
        .annotate(contact_count=Count("contacts", filter=Q(contacts__is_lead=False)))
        .get(pk=account_id)
    )
    events = _events(workspace=workspace, account=account, now=now)
    return {
        "account": account,
        "scores": _scores(workspace=workspace, account=account),
        "why_now": why_now_badges(workspace=workspace, account_ids=[account.pk], now=now).get(
            account.pk, []
        ),
        "intent_topics": _intent_topics(workspace=workspace, account=account, now=now),
        "triggers": _triggers(workspace=workspace, account=account),
        "timeline": events["timeline"],
        "engagement_chart": events["chart"],
        "engagement_90d": events["total_90d"],
        "committee": _committee(workspace=workspace, account=account, now=now),
        "opportunities": list(
            account.opportunities.for_workspace(workspace)
            .select_related("campaign")
            .order_by("is_closed", F("close_date").desc(nulls_last=True))[:25]
        ),
        "activities": activity_feed(workspace=workspace, account_id=account.pk),
        "tasks": open_next_steps(workspace=workspace, account_id=account.pk),
        "leads": _leads(workspace=workspace, account=account),
        "review_candidates": _review_candidates(workspace=workspace, account=account),
        "campaigns": _campaigns(workspace=workspace, account=account),
        "sla_clocks": sla_clock_rows(workspace=workspace, account_id=account.pk, now=now),
        "contacts": list(
            Contact.objects.for_workspace(workspace)
            .filter(account=account, is_lead=False)
            .order_by("last_name", "first_name")[:300]
        ),
    }


def activity_feed(*, workspace: Workspace, account_id: int, limit: int = 30) -> list[Activity]:
    activities = list(
        Activity.objects.for_workspace(workspace)
        .filter(account_id=account_id)
        .exclude(kind="task")
        .select_related("user", "contact")
        .order_by("-at")[:limit]
    )
    for activity in activities:
        activity.outcome_label = OUTCOME_LABELS.get(
            activity.outcome, activity.outcome.replace("_", " ")
        )
    return activities


def open_next_steps(*, workspace: Workspace, account_id: int) -> list[Activity]:
    return list(
        Activity.objects.for_workspace(workspace)
        .filter(account_id=account_id, kind="task", done_at__isnull=True)
        .select_related("user")
        .order_by(F("due_at").asc(nulls_last=True), "at")
    )


def _scores(*, workspace: Workspace, account: Account) -> dict:
    """Current scores, their reasons and the trend; from the scoring app's summary when it has
    landed, else from the account's own fields and score snapshots."""
    summary = None
    summarise = optional_function("scoring.selectors.account_score_summary")
    if summarise is not None:
        try:
            summary = summarise(workspace=workspace, account_id=account.pk)
        except Exception:  # noqa: BLE001 - a scoring bug must not take the account page down
            summary = None
    current = {
        "fit": account.fit_score,
        "intent": account.intent_score,
        "engagement": account.engagement_score,
        "priority": account.priority,
    }
    reasons = _reason_lists(
        (summary or {}).get("reasons") if isinstance(summary, dict) else None
    ) or _reason_lists(account.score_reasons)
    trend = _trend(workspace=workspace, account=account)
    previous = trend[-2] if len(trend) >= 2 else None
    cards = []
    for key, label in SCORE_KEYS:
        value = current[key]
        delta = None
        if previous is not None and value is not None and previous.get(key) is not None:
            delta = value - previous[key]
        cards.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "delta": delta,
                "reasons": reasons.get(key, []),
            }
        )
    chart = None
    if len(trend) >= 2:
        chart = {
            "type": "line",
            "data": {
                "labels": _trend_labels([p["at"] for p in trend]),
                "datasets": [
                    {"label": label, "data": [_round(p.get(key)) for p in trend]}
                    for key, label in SCORE_KEYS
                ],
            },
            "options": {"scales": {"y": {"min": 0, "max": 100}}},
        }
    raw = account.score_reasons if isinstance(account.score_reasons, dict) else {}
    return {
        "cards": cards,
        "reasons": reasons,
        "why_now_text": raw.get("why_now") if isinstance(raw.get("why_now"), str) else "",
        "mqa": account.stage == "mqa",
        "chart": chart,
        "points": len(trend),
        "scored_at": account.scored_at,
    }


def _trend_labels(moments: list[dt.datetime]) -> list[str]:
    """Dates, or dates with times when several runs fell on one day."""
    local = [timezone.localtime(m) for m in moments]
    same_day = len({m.date() for m in local}) < len(local)
    return [m.strftime("%b %-d %H:%M" if same_day else "%b %-d") for m in local]


def _round(value):
    return None if value is None else round(value, 1)


def _trend(*, workspace: Workspace, account: Account) -> list[dict]:
    snapshot_model = optional_model("scoring", "ScoreSnapshot")
    if snapshot_model is None:
        return []
    rows = list(
        snapshot_model.objects.for_workspace(workspace)
        .filter(account=account)
        .order_by("-at")
        .values("at", "fit", "intent", "engagement", "priority")[:TREND_POINTS]
    )
    return list(reversed(rows))


_POINT_KEYS = ("points", "contribution", "impact", "effect", "weight", "delta", "value")
_SCORE_ALIASES = {"fit_score": "fit", "intent_score": "intent", "engagement_score": "engagement"}


def _reason(item) -> dict | None:
    if isinstance(item, str):
        return {"text": item, "points": None, "status": "", "max": None}
    if isinstance(item, dict):
        text = next(
            (str(item[k]) for k in ("text", "label", "reason", "name", "rule") if item.get(k)), ""
        )
        points = next((item[k] for k in _POINT_KEYS if isinstance(item.get(k), int | float)), None)
        return {
            "text": text or str(item),
            "points": points,
            "status": str(item.get("status", "")),
            "max": item.get("max"),
        }
    if isinstance(item, list | tuple) and item:
        points = item[1] if len(item) > 1 and isinstance(item[1], int | float) else None
        return {"text": str(item[0]), "points": points, "status": "", "max": None}
    return None


def _reason_lists(raw) -> dict[str, list[dict]]:
    """Score reasons as {score: [{"text", "points", "status", "max"}]}, whatever shape the
    scoring app stored (lists of strings or dicts); predictive-model reasons join fit's."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[dict]] = {}
    for key, items in raw.items():
        key = _SCORE_ALIASES.get(key, key)
        if not isinstance(items, list):
            continue  # flags and one-line summaries (mqa, why_now) are not reason lists
        parsed = [r for r in (_reason(item) for item in items) if r and r["text"]]
        if key == "predictive":
            for r in parsed:
                r["text"] = f"Model: {r['text']}"
            out.setdefault("fit", []).extend(parsed)
        else:
            out.setdefault(key, [])[:0] = parsed
    return out


def _intent_topics(*, workspace: Workspace, account: Account, now: dt.datetime) -> list[dict]:
    signal_model = optional_model("scoring", "IntentSignal")
    if signal_model is None:
        return []
    rows = list(
        signal_model.objects.for_workspace(workspace)
        .filter(account=account, observed_at__gte=now - dt.timedelta(days=INTENT_DAYS))
        .values("topic")
        .annotate(strength=Sum("strength"), signals=Count("pk"), last=Max("observed_at"))
        .order_by("-strength", "topic")[:12]
    )
    top = max((r["strength"] or 0 for r in rows), default=0)
    for row in rows:
        row["pct"] = round(100 * (row["strength"] or 0) / top) if top else 0
    return rows


def _triggers(*, workspace: Workspace, account: Account) -> list:
    trigger_model = optional_model("scoring", "TriggerEvent")
    if trigger_model is None:
        return []
    return list(
        trigger_model.objects.for_workspace(workspace)
        .filter(account=account)
        .order_by("-occurred_at")[:6]
    )


def _events(*, workspace: Workspace, account: Account, now: dt.datetime) -> dict:
    event_model = optional_model("campaigns", "EngagementEvent")
    if event_model is None:
        return {"timeline": [], "chart": None, "total_90d": 0}
    events = event_model.objects.for_workspace(workspace).filter(account=account)
    timeline = list(
        events.select_related("contact", "campaign").order_by("-occurred_at")[:TIMELINE_LIMIT]
    )
    for event in timeline:
        event.label = event.kind.removeprefix("sdr_").replace("_", " ").capitalize()
    since = now - dt.timedelta(weeks=12)
    weekly = {
        row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]: row
        for row in events.filter(occurred_at__gte=since)
        .annotate(week=TruncWeek("occurred_at"))
        .values("week")
        .annotate(
            touches=Count("pk", filter=~Q(channel="sdr_outreach")),
            outreach=Count("pk", filter=Q(channel="sdr_outreach")),
        )
    }
    start = (now - dt.timedelta(weeks=11)).date()
    start -= dt.timedelta(days=start.weekday())
    weeks = [start + dt.timedelta(weeks=i) for i in range(12)]
    chart = {
        "type": "bar",
        "data": {
            "labels": [w.strftime("%b %-d") for w in weeks],
            "datasets": [
                {
                    "label": "Their touches",
                    "data": [weekly.get(w, {}).get("touches", 0) for w in weeks],
                    "stack": "t",
                },
                {
                    "label": "SDR outreach",
                    "data": [weekly.get(w, {}).get("outreach", 0) for w in weeks],
                    "stack": "t",
                },
            ],
        },
        "options": {
            "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}
        },
    }
    total = events.filter(occurred_at__gte=now - dt.timedelta(days=ENGAGED_DAYS)).count()
    has_any = any(weekly.values())
    return {"timeline": timeline, "chart": chart if has_any else None, "total_90d": total}


def _committee(*, workspace: Workspace, account: Account, now: dt.datetime):
    since = now - dt.timedelta(days=ENGAGED_DAYS)
    people = list(
        Contact.objects.for_workspace(workspace)
        .filter(account=account)
        .exclude(lead_status="disqualified")
        .values(
            "pk", "first_name", "last_name", "email", "title", "seniority", "buying_role", "is_lead"
        )
    )
    last_engaged: dict[int, dt.datetime] = {}
    event_model = optional_model("campaigns", "EngagementEvent")
    if event_model is not None:
        last_engaged.update(
            event_model.objects.for_workspace(workspace)
            .filter(account=account, contact__isnull=False, occurred_at__gte=since)
            .values("contact_id")
            .annotate(at=Max("occurred_at"))
            .values_list("contact_id", "at")
        )
    for contact_id, at in (
        Activity.objects.for_workspace(workspace)
        .filter(account=account, contact__isnull=False, at__gte=since)
        .exclude(kind__in=("task", "note"))
        .values("contact_id")
        .annotate(at=Max("at"))
        .values_list("contact_id", "at")
    ):
        if contact_id not in last_engaged or at > last_engaged[contact_id]:
            last_engaged[contact_id] = at
    members = [
        Member(
            contact_id=p["pk"],
            name=f"{p['first_name']} {p['last_name']}".strip() or p["email"],
            title=p["title"],
            level=p["seniority"],
            role=p["buying_role"] or "",
            engaged=p["pk"] in last_engaged,
            last_engaged_at=last_engaged.get(p["pk"]),
            is_lead=p["is_lead"],
        )
        for p in people
    ]
    members.sort(key=lambda m: (not m.engaged, m.name))
    return committee_coverage(members)


def _leads(*, workspace: Workspace, account: Account) -> list[dict]:
    leads = list(
        Contact.objects.for_workspace(workspace)
        .filter(account=account, is_lead=True)
        .order_by(F("matched_at").desc(nulls_last=True), "-pk")[:50]
    )
    history = defaultdict(list)
    for change in (
        LeadStatusChange.objects.for_workspace(workspace)
        .filter(contact__in=leads)
        .select_related("user")
        .order_by("-at")
    ):
        history[change.contact_id].append(change)
    return [
        {
            "lead": lead,
            "moves": [
                {
                    "to": to,
                    "label": action_label(lead.lead_status, to),
                    "needs_reason": (lead.lead_status, to) in NEEDS_REASON,
                }
                for to in next_moves(lead.lead_status)
            ],
            "history": history.get(lead.pk, [])[:3],
        }
        for lead in leads
    ]


def _review_candidates(*, workspace: Workspace, account: Account) -> list:
    candidate_model = optional_model("matching", "MatchCandidate")
    if candidate_model is None:
        return []
    return list(
        candidate_model.objects.for_workspace(workspace)
        .filter(account=account, decision="review")
        .select_related("contact")
        .order_by("-score")[:10]
    )


def _campaigns(*, workspace: Workspace, account: Account) -> list[dict]:
    link_model = optional_model("campaigns", "CampaignAccount")
    if link_model is None:
        return []
    links = list(
        link_model.objects.for_workspace(workspace)
        .filter(account=account)
        .select_related("campaign")
        .order_by("-added_at")
    )
    touches: dict[int, int] = {}
    event_model = optional_model("campaigns", "EngagementEvent")
    if event_model is not None and links:
        touches = dict(
            event_model.objects.for_workspace(workspace)
            .filter(account=account, campaign_id__in=[link.campaign_id for link in links])
            .values("campaign_id")
            .annotate(n=Count("pk"))
            .values_list("campaign_id", "n")
        )
    return [
        {
            "campaign": link.campaign,
            "added_at": link.added_at,
            "touches": touches.get(link.campaign_id, 0),
        }
        for link in links
    ]
