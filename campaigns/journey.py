"""Account journey rules: target → aware → engaged → MQA → opportunity → customer (→ churned).

Pure functions, no database: `replay()` walks an account's history (touches, opportunities) in
time order and returns every stage move with its moment and reason. The services store those
moves as `StageTransition` rows, so conversion and velocity can be read for any period.

The rules, in the order they are checked at each moment:
1. **target** — where every account starts (the moment it was added, or its first fact if earlier).
2. **aware** — its first touch of any kind.
3. **engaged** — a hand-raiser touch (meeting, event or webinar attended, form fill) or
   `engaged_points` engagement points within the last `window_days`.
4. **MQA** — `mqa_points` points within the window from at least `mqa_min_contacts` different
   people (touches without a known person count as one anonymous person), and a fit score of at
   least `mqa_min_fit` (an account not scored yet is not held back by fit).
5. **opportunity** — an opportunity is created (from any earlier stage, churned included).
6. **customer** — an opportunity is won.
7. **churned** — a customer loses a renewal (an opportunity whose name or stage says "renew").
   A later win makes it a customer again.
8. **recycled** — when every opportunity of an account that never bought closes lost, it goes
   back to engaged and can earn MQA again.
An account passing several stages at one moment (a first touch that is a meeting) gets one row
per stage passed, all at that moment, so stage-to-stage conversion counts every account.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from campaigns.weights import HAND_RAISER_KINDS

TARGET, AWARE, ENGAGED, MQA, OPPORTUNITY, CUSTOMER, CHURNED = (
    "target",
    "aware",
    "engaged",
    "mqa",
    "opportunity",
    "customer",
    "churned",
)
RANK = {TARGET: 0, AWARE: 1, ENGAGED: 2, MQA: 3, OPPORTUNITY: 4, CUSTOMER: 5, CHURNED: 5}


@dataclass(frozen=True, slots=True)
class Rules:
    window_days: int = 90
    engaged_points: float = 10.0
    mqa_points: float = 40.0
    mqa_min_contacts: int = 2
    mqa_min_fit: float = 50.0

    @classmethod
    def from_settings(cls, values: dict | None) -> Rules:
        known = {k: v for k, v in (values or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Touch:
    at: dt.datetime
    kind: str
    weight: float
    contact_id: int | None = None


@dataclass(frozen=True, slots=True)
class Deal:
    name: str
    created: dt.date | None
    closed: dt.date | None = None
    is_closed: bool = False
    is_won: bool = False
    stage: str = ""

    @property
    def is_renewal(self) -> bool:
        return "renew" in f"{self.name} {self.stage}".lower()


@dataclass(frozen=True, slots=True)
class Move:
    from_stage: str
    to_stage: str
    at: dt.datetime
    reason: str


def _day(value: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(value, dt.time.min, tzinfo=tz)


def _facts(touches: Iterable[Touch], deals: Iterable[Deal], tz: dt.tzinfo) -> list[tuple]:
    """(moment, order, kind, payload) sorted; on one moment: deal created, touches, won, lost."""
    facts: list[tuple] = []
    for i, touch in enumerate(touches):
        facts.append((touch.at, 1, i, "touch", touch))
    for i, deal in enumerate(deals):
        created = deal.created or deal.closed
        if created is None:
            continue
        facts.append((_day(created, tz), 0, i, "created", deal))
        if deal.is_closed:
            closed = _day(max(deal.closed or created, created), tz)
            facts.append(
                (closed, 2 if deal.is_won else 3, i, "won" if deal.is_won else "lost", deal)
            )
    facts.sort(key=lambda f: (f[0], f[1], f[2]))
    return facts


def replay(
    *,
    touches: Iterable[Touch],
    deals: Iterable[Deal] = (),
    fit_score: float | None = None,
    added_at: dt.datetime | None = None,
    rules: Rules = Rules(),  # noqa: B008 — a frozen dataclass is a safe default
    tz: dt.tzinfo = dt.UTC,
) -> list[Move]:
    """Every stage move of one account, oldest first (the first one enters `target`)."""
    deals = list(deals)
    facts = _facts(touches, deals, tz)
    start = added_at
    if facts and (start is None or facts[0][0] < start):
        start = facts[0][0]
    if start is None:
        return []
    moves = [Move("", TARGET, start, "added as a target account")]
    stage = TARGET
    window: deque[Touch] = deque()
    points = 0.0
    open_deals = 0
    ever_won = False
    span = dt.timedelta(days=rules.window_days)
    fit_ok = fit_score is None or fit_score >= rules.mqa_min_fit

    def move(to: str, at: dt.datetime, reason: str) -> None:
        nonlocal stage
        moves.append(Move(stage, to, at, reason))
        stage = to

    for at, _, _, what, item in facts:
        if what == "touch":
            window.append(item)
            points += item.weight
            while window and window[0].at < at - span:
                points -= window.popleft().weight
            if stage == TARGET:
                move(AWARE, at, f"first touch: {item.kind}")
            if stage == AWARE:
                if item.kind in HAND_RAISER_KINDS:
                    move(ENGAGED, at, f"hand-raiser: {item.kind}")
                elif points >= rules.engaged_points - 1e-9:
                    move(ENGAGED, at, f"{points:g} engagement points in {rules.window_days} days")
            if stage == ENGAGED and fit_ok and points >= rules.mqa_points - 1e-9:
                people = {t.contact_id for t in window}
                if len(people) >= rules.mqa_min_contacts:
                    fit = "" if fit_score is None else f", fit {fit_score:g}"
                    move(
                        MQA,
                        at,
                        f"{points:g} points from {len(people)} people in "
                        f"{rules.window_days} days{fit}",
                    )
        elif what == "created":
            open_deals += 1
            if stage != CUSTOMER and (RANK[stage] < RANK[OPPORTUNITY] or stage == CHURNED):
                move(OPPORTUNITY, at, f"opportunity created: {item.name}")
        elif what == "won":
            open_deals -= 1
            ever_won = True
            if stage != CUSTOMER:
                move(CUSTOMER, at, f"won: {item.name}")
        else:  # lost
            open_deals -= 1
            if stage == CUSTOMER and item.is_renewal:
                move(CHURNED, at, f"renewal lost: {item.name}")
            elif stage == OPPORTUNITY and open_deals <= 0 and not ever_won:
                move(ENGAGED, at, f"recycled: {item.name} closed lost")
    return moves
