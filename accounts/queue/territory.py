"""Territories, pure: country → sales zone, and whether an assignment rule covers an account."""

from __future__ import annotations

from collections.abc import Iterable

_ZONE_COUNTRIES = {
    "NA": "US CA",
    "LATAM": "MX BR AR CL CO PE UY EC VE CR PA DO GT",
    "EMEA": (
        "GB IE FR DE AT CH NL BE LU ES PT IT SE NO DK FI IS PL CZ SK HU RO BG GR HR SI RS EE LV"
        " LT UA TR IL AE SA QA KW BH OM EG MA ZA NG KE GH TN"
    ),
    "APAC": "AU NZ JP KR CN HK TW SG MY TH VN PH ID IN PK BD LK",
}
ZONE_OF_COUNTRY = {
    country: zone for zone, countries in _ZONE_COUNTRIES.items() for country in countries.split()
}
ZONES = tuple(_ZONE_COUNTRIES)


def zone_of(country: str) -> str:
    return ZONE_OF_COUNTRY.get((country or "").upper(), "")


def _norm(values: Iterable[str]) -> set[str]:
    return {v.strip().lower() for v in values if v and v.strip()}


def rule_covers(
    *,
    countries: Iterable[str],
    regions: Iterable[str],
    industries: Iterable[str],
    min_tier: int | None,
    account_country: str,
    account_region: str,
    account_industry: str,
    account_tier: int | None,
) -> bool:
    """Every non-empty criterion must hold. A region is a state/region of the account or a
    sales zone (NA, LATAM, EMEA, APAC) derived from its country."""
    wanted_countries = _norm(countries)
    if wanted_countries and (account_country or "").lower() not in wanted_countries:
        return False
    wanted_regions = _norm(regions)
    if wanted_regions:
        own = _norm([account_region, zone_of(account_country)])
        if not own & wanted_regions:
            return False
    wanted_industries = _norm(industries)
    if wanted_industries and (account_industry or "").strip().lower() not in wanted_industries:
        return False
    return not (min_tier is not None and (account_tier is None or account_tier > min_tier))


def next_in_rotation(candidates: list[int], last: int | None, has_room) -> int | None:
    """Round robin: the first candidate after `last` (wrapping) for whom `has_room(id)` holds."""
    if not candidates:
        return None
    start = candidates.index(last) + 1 if last in candidates else 0
    for offset in range(len(candidates)):
        candidate = candidates[(start + offset) % len(candidates)]
        if has_room(candidate):
            return candidate
    return None
