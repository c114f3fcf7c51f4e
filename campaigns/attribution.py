"""Multi-touch attribution: how much of each opportunity every earlier touch earns.

Pure functions, no database. The selectors feed them an account's touches and opportunities and
sum the credits per campaign and per channel.

Models (credits always sum to 1 for an opportunity with at least one touch):
- ``first_touch``: everything to the earliest touch.
- ``last_touch``: everything to the latest touch on or before the opportunity's creation.
- ``linear``: equal shares.
- ``u_shaped``: 40 % first, 40 % last, 20 % spread over the touches between. With two touches
  50/50; with one, 100 %.
- ``w_shaped``: 30 % first, 30 % lead creation, 30 % last (opportunity creation), 10 % spread
  over the others. The lead-creation touch is the first form fill strictly between first and
  last; without one, the middle touch (index n // 2). With exactly three touches the leftover
  10 % is shared by the three (1/3 each); with two, 50/50; with one, 100 %.
- ``time_decay``: weight 2^(-age / half_life) where age is the time from the touch to the
  opportunity's creation; normalised to 1.

Which touches count: those of the opportunity's account that happened on or before the day the
opportunity was created (touches later that day count: the demo request that created it is
usually one of them), and not more than `lookback_days` earlier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MODELS: dict[str, str] = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "u_shaped": "U-shaped (40/20/40)",
    "w_shaped": "W-shaped (30/30/30 + 10)",
    "time_decay": "Time decay",
}
DEFAULT_MODEL = "w_shaped"
DEFAULT_HALF_LIFE_DAYS = 7.0
DEFAULT_LOOKBACK_DAYS = 365


@dataclass(frozen=True, slots=True)
class Touch:
    at: dt.datetime
    campaign_id: int | None = None
    channel: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Deal:
    """An opportunity as attribution sees it."""

    id: int
    account_id: int
    created: dt.date
    amount: float
    is_won: bool = False


@dataclass(slots=True)
class Credit:
    """What one campaign (or channel) earned, summed over opportunities."""

    pipeline: float = 0.0
    won: float = 0.0
    opportunities: set[int] = field(default_factory=set)
    won_opportunities: set[int] = field(default_factory=set)


def _spread(n: int, ends: float, middle: float) -> list[float]:
    """U-shape: `ends` to first and last each, `middle` shared by the ones between."""
    if n == 1:
        return [1.0]
    if n == 2:
        return [0.5, 0.5]
    share = middle / (n - 2)
    return [ends] + [share] * (n - 2) + [ends]


def _w_shaped(touches: Sequence[Touch], lead_kinds: frozenset[str]) -> list[float]:
    n = len(touches)
    if n <= 3:
        return [1.0 / n] * n
    milestone = next(
        (i for i in range(1, n - 1) if touches[i].kind in lead_kinds),
        n // 2,
    )
    rest = 0.1 / (n - 3)
    credits = [rest] * n
    for i in (0, milestone, n - 1):
        credits[i] = 0.3
    return credits


def _time_decay(touches: Sequence[Touch], at: dt.datetime, half_life_days: float) -> list[float]:
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    raw = [
        2.0 ** (-max((at - t.at).total_seconds(), 0.0) / 86400.0 / half_life_days) for t in touches
    ]
    total = sum(raw)
    return [r / total for r in raw]


def credits(
    model: str,
    touches: Sequence[Touch],
    *,
    conversion_at: dt.datetime | None = None,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    lead_kinds: frozenset[str] = frozenset({"form_fill"}),
) -> list[float]:
    """The share of credit each touch earns (same order as `touches`, sorted by time)."""
    n = len(touches)
    if n == 0:
        return []
    if model == "first_touch":
        return [1.0] + [0.0] * (n - 1)
    if model == "last_touch":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear":
        return [1.0 / n] * n
    if model == "u_shaped":
        return _spread(n, 0.4, 0.2)
    if model == "w_shaped":
        return _w_shaped(touches, lead_kinds)
    if model == "time_decay":
        return _time_decay(touches, conversion_at or touches[-1].at, half_life_days)
    raise ValueError(f"unknown attribution model {model!r}; expected one of {', '.join(MODELS)}")


def touches_before(
    touches: Iterable[Touch],
    created: dt.date,
    *,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    tz: dt.tzinfo = dt.UTC,
) -> list[Touch]:
    """Touches of one account that count for a deal created on `created`, oldest first."""
    start = created - dt.timedelta(days=lookback_days)
    return sorted(
        (t for t in touches if start <= t.at.astimezone(tz).date() <= created),
        key=lambda t: t.at,
    )


def conversion_moment(created: dt.date, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    """Time decay measures ages up to the end of the creation day."""
    return dt.datetime.combine(created, dt.time.max, tzinfo=tz)


def deal_shares(
    model: str,
    deal: Deal,
    touches: Iterable[Touch],
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> list[tuple[Touch, float]]:
    """The touches of one deal's account that earn credit under `model`, with their share
    (positive shares only, oldest touch first). `attribute` sums these over deals; the
    dashboards' `CampaignCredit` rollup stores them per deal."""
    window = touches_before(touches, deal.created, lookback_days=lookback_days)
    if not window:
        return []
    shares = credits(
        model,
        window,
        conversion_at=conversion_moment(deal.created),
        half_life_days=half_life_days,
    )
    return [(t, share) for t, share in zip(window, shares, strict=True) if share > 0]


def attribute(
    *,
    model: str,
    deals: Iterable[Deal],
    touches_by_account: dict[int, list[Touch]],
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> tuple[dict[int | None, Credit], dict[str, Credit]]:
    """Pipeline and won revenue per campaign id and per channel under `model`.

    Touches without a campaign earn credit under the key ``None`` (and under their channel), so
    the per-channel totals add up to all attributed pipeline. A deal without any touch in its
    window is not attributed to anything.
    """
    by_campaign: dict[int | None, Credit] = defaultdict(Credit)
    by_channel: dict[str, Credit] = defaultdict(Credit)
    for deal in deals:
        for touch, share in deal_shares(
            model,
            deal,
            touches_by_account.get(deal.account_id, ()),
            half_life_days=half_life_days,
            lookback_days=lookback_days,
        ):
            for bucket in (by_campaign[touch.campaign_id], by_channel[touch.channel]):
                bucket.pipeline += share * deal.amount
                bucket.opportunities.add(deal.id)
                if deal.is_won:
                    bucket.won += share * deal.amount
                    bucket.won_opportunities.add(deal.id)
    return dict(by_campaign), dict(by_channel)
