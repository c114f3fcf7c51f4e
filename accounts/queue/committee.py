"""Buying-committee coverage, pure: who we know at each level and role, and what is missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LEVELS = [
    ("c_level_vp", "C-level / VP"),
    ("director", "Director"),
    ("practitioner", "Practitioner"),
]
ROLES = [
    ("decision_maker", "Decision maker"),
    ("champion", "Champion"),
    ("influencer", "Influencer"),
    ("user", "User"),
    ("blocker", "Blocker"),
]
# Below this many engaged people an account is single-threaded: one departure ends the deal.
MULTI_THREAD_MIN = 3


@dataclass(frozen=True)
class Member:
    contact_id: int
    name: str
    title: str
    level: str
    role: str
    engaged: bool
    last_engaged_at: dt.datetime | None = None
    is_lead: bool = False


@dataclass(frozen=True)
class Gap:
    tone: str  # danger | warning | info
    text: str


@dataclass
class LevelRow:
    key: str
    label: str
    members: list[Member] = field(default_factory=list)

    @property
    def engaged(self) -> int:
        return sum(1 for m in self.members if m.engaged)

    def by_role(self) -> list[tuple[str, list[Member]]]:
        keys = [k for k, _ in ROLES] + [""]
        return [(k, [m for m in self.members if (m.role or "") == k]) for k in keys]


@dataclass
class Coverage:
    levels: list[LevelRow]
    unknown_level: list[Member]
    gaps: list[Gap]
    engaged_people: int
    known_people: int
    covered_levels: int


def committee_coverage(members: list[Member]) -> Coverage:
    rows = [LevelRow(key=k, label=label) for k, label in LEVELS]
    by_key = {row.key: row for row in rows}
    unknown = []
    for member in members:
        row = by_key.get(member.level)
        (row.members if row else unknown).append(member)

    gaps: list[Gap] = []
    for row in rows:
        if not row.members:
            gaps.append(Gap("danger", f"No {row.label} engaged — no {row.label} contact known"))
        elif not row.engaged:
            known = len(row.members)
            gaps.append(
                Gap("warning", f"No {row.label} engaged — {known} known, none engaged recently")
            )
    roles_present = {m.role for m in members}
    if "decision_maker" not in roles_present:
        gaps.append(Gap("warning", "No decision maker identified"))
    if "champion" not in roles_present:
        gaps.append(Gap("warning", "No champion identified"))
    for member in members:
        if member.role == "blocker":
            gaps.append(
                Gap("danger", f"Blocker: {member.name or 'unnamed'} ({member.title or '—'})")
            )
    engaged = sum(1 for m in members if m.engaged)
    if members and engaged < MULTI_THREAD_MIN:
        gaps.append(
            Gap(
                "info",
                f"Only {engaged} {'person' if engaged == 1 else 'people'} engaged — "
                f"work at least {MULTI_THREAD_MIN} to multi-thread",
            )
        )
    return Coverage(
        levels=rows,
        unknown_level=unknown,
        gaps=gaps,
        engaged_people=engaged,
        known_people=len(members),
        covered_levels=sum(1 for row in rows if row.engaged),
    )
