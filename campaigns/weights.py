"""Engagement event kinds: how much each touch counts and which channel it belongs to.

Pure data and lookups, no database. A workspace can override weights (and add kinds) with
`workspace.settings["event_weights"] = {"meeting": 40, "podcast_listen": 2}`.
"""

from __future__ import annotations

from collections.abc import Mapping

# Ordered by strength of buying signal: meeting > webinar/event attended > form fill > click >
# visit > open. The numbers are engagement points (the journey thresholds are in the same unit).
DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "meeting": 30.0,
    "event_attended": 20.0,
    "webinar_attended": 20.0,
    "form_fill": 15.0,
    "call": 8.0,
    "email_click": 5.0,
    "ad_click": 4.0,
    "direct_mail": 3.0,
    "web_visit": 2.0,
    "email_open": 1.0,
}

KIND_CHANNEL: dict[str, str] = {
    "meeting": "sdr_outreach",
    "call": "sdr_outreach",
    "event_attended": "events",
    "webinar_attended": "webinars",
    "form_fill": "web",
    "web_visit": "web",
    "email_click": "email",
    "email_open": "email",
    "ad_click": "ads",
    "direct_mail": "direct_mail",
}

# Touches that show a person raised a hand (used by the journey's "engaged" rule).
HAND_RAISER_KINDS = frozenset({"meeting", "event_attended", "webinar_attended", "form_fill"})

# The touch that turns an anonymous visitor into a known lead (W-shaped attribution's middle).
LEAD_CREATION_KINDS = frozenset({"form_fill"})


def event_weights(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Defaults with a workspace's overrides applied (overrides may add new kinds)."""
    weights = dict(DEFAULT_EVENT_WEIGHTS)
    for kind, value in (overrides or {}).items():
        try:
            weights[str(kind)] = float(value)
        except (TypeError, ValueError):
            continue  # a bad override keeps the default rather than breaking ingestion
    return weights


def workspace_event_weights(workspace) -> dict[str, float]:
    return event_weights((getattr(workspace, "settings", None) or {}).get("event_weights"))


def channel_for(kind: str, default: str = "") -> str:
    return KIND_CHANNEL.get(kind, default)
