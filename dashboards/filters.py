"""Dashboard filters: parsed from the URL (`from`, `to`, `tier`, `segment`, `campaign`, `owner`).

Pure: no database. The same object drives the page, the JSON API and the CSV export, so a
link (or an API call with the same query string) always shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 3
MIN_YEAR, MAX_YEAR = 1990, 2999
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer match nothing and must not reach SQL

# Segment = company size band by employees (what sales teams call SMB / mid-market / enterprise).
SEGMENTS: dict[str, str] = {
    "enterprise": "Enterprise (1,000+)",
    "mid_market": "Mid-market (200–999)",
    "smb": "SMB (<200)",
    "unknown": "Size unknown",
}
SEGMENT_BOUNDS = (("smb", 0, 200), ("mid_market", 200, 1000), ("enterprise", 1000, None))
TIERS: dict[str, str] = {"1": "Tier 1", "2": "Tier 2", "3": "Tier 3", "none": "Untiered"}


def segment_of(employees: int | None) -> str:
    if employees is None:
        return "unknown"
    for name, low, high in SEGMENT_BOUNDS:
        if employees >= low and (high is None or employees < high):
            return name
    return "unknown"  # negative head counts do not exist; be safe anyway


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    # far-off years would overflow the previous-period arithmetic; no CRM has deals there
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class DashboardFilters:
    date_from: dt.date
    date_to: dt.date
    tier: str = ""  # "1" | "2" | "3" | "none" | ""
    segment: str = ""  # a SEGMENTS key or ""
    campaign: int | None = None
    owner: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> DashboardFilters:
        """The period of equal length that ends the day before this one starts."""
        end = self.date_from - dt.timedelta(days=1)
        return replace(self, date_from=end - dt.timedelta(days=self.days - 1), date_to=end)

    @property
    def has_account_filter(self) -> bool:
        return bool(self.tier or self.segment or self.campaign or self.owner)

    def as_params(self) -> dict[str, str]:
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for key, value in (
            ("tier", self.tier),
            ("segment", self.segment),
            ("campaign", self.campaign),
            ("owner", self.owner),
        ):
            if value:
                params[key] = str(value)
        return params

    def querystring(self) -> str:
        return urlencode(self.as_params())

    def cache_key(self) -> str:
        return self.querystring()

    def as_json(self) -> dict:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "tier": self.tier or None,
            "segment": self.segment or None,
            "campaign": self.campaign,
            "owner": self.owner,
        }


def filters_parse(params, *, today: dt.date) -> DashboardFilters:
    """Unknown or malformed values fall back to defaults (a shared link never errors)."""
    date_to = _date(params.get("to")) or today
    date_from = _date(params.get("from")) or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days >= MAX_DAYS:
        date_from = date_to - dt.timedelta(days=MAX_DAYS - 1)
    tier = str(params.get("tier") or "").strip().lower()
    segment = str(params.get("segment") or "").strip().lower()
    return DashboardFilters(
        date_from=date_from,
        date_to=date_to,
        tier=tier if tier in TIERS else "",
        segment=segment if segment in SEGMENTS else "",
        campaign=_int(params.get("campaign")),
        owner=_int(params.get("owner")),
    )


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week holding `day` (weeks are the unit of every trend chart)."""
    return day - dt.timedelta(days=day.weekday())


def weeks_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    first, last = week_start(date_from), week_start(date_to)
    out = []
    while first <= last:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change (0.12 = +12%); None when there is nothing to compare against."""
    if current is None or previous in (None, 0):
        return None
    return (current - previous) / abs(previous)
