"""Building blocks shared by the metric selectors: filter → Q, period → Q, result shapes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from dashboards.filters import DashboardFilters, change


def segment_q(segment: str, prefix: str) -> Q:
    field = f"{prefix}employees"
    if segment == "unknown":
        return Q(**{f"{field}__isnull": True})
    if segment == "smb":
        return Q(**{f"{field}__lt": 200})
    if segment == "mid_market":
        return Q(**{f"{field}__gte": 200, f"{field}__lt": 1000})
    if segment == "enterprise":
        return Q(**{f"{field}__gte": 1000})
    return Q()


def account_q(filters: DashboardFilters, *, prefix: str = "account__", owner: bool = True) -> Q:
    """Tier, segment, owner and campaign (target list) as a condition on a related account."""
    from campaigns.models import CampaignAccount

    q = Q()
    if filters.tier == "none":
        q &= Q(**{f"{prefix}tier__isnull": True})
    elif filters.tier:
        q &= Q(**{f"{prefix}tier": int(filters.tier)})
    if filters.segment:
        q &= segment_q(filters.segment, prefix)
    if filters.owner and owner:
        q &= Q(**{f"{prefix}owner_id": filters.owner})
    if filters.campaign:
        ref = f"{prefix}pk" if prefix else "pk"
        q &= Q(
            Exists(
                CampaignAccount.objects.filter(
                    campaign_id=filters.campaign, account_id=OuterRef(ref)
                )
            )
        )
    return q


def copies_q(filters: DashboardFilters, *, owner_field: str) -> Q:
    """Tier, segment and owner on a rollup's copies of the account's fields (tier 0 = untiered)."""
    q = Q()
    if filters.tier:
        q &= Q(tier=0 if filters.tier == "none" else int(filters.tier))
    if filters.segment:
        q &= Q(segment=filters.segment)
    if filters.owner:
        q &= Q(**{owner_field: filters.owner})
    return q


def fact_q(filters: DashboardFilters) -> Q:
    """Tier, segment, owner and campaign on a fact's copies of the account's fields
    (`OpportunityFact`, `AccountStageFact`, `LeadStageFact`)."""
    from campaigns.models import CampaignAccount

    q = copies_q(filters, owner_field="account_owner_id")
    if filters.campaign:
        q &= Q(
            Exists(
                CampaignAccount.objects.filter(
                    campaign_id=filters.campaign, account_id=OuterRef("account_id")
                )
            )
        )
    return q


def between(field: str, filters: DashboardFilters) -> Q:
    return Q(**{f"{field}__gte": filters.date_from, f"{field}__lte": filters.date_to})


def period_bounds(filters: DashboardFilters) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) instants (UTC midnights, end day included)."""
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(filters.date_to, dt.time.min, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return start, end


def between_dt(field: str, filters: DashboardFilters) -> Q:
    """Datetime field inside the period's days (UTC), end day included."""
    start, end = period_bounds(filters)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def comparison(current: float | None, previous: float | None, **extra) -> dict:
    return {
        "current": rounded(current),
        "previous": rounded(previous),
        "change": rounded(change(current, previous)),
        **extra,
    }


def cell_q(filters: DashboardFilters) -> Q:
    """Tier, segment, owner and campaign on a rollup's cell copies of the account's fields
    (`tier` 0 = untiered, `owner_id`, `segment`: the cube, weekly, surge and cell rollups). The
    campaign's target list is a semi-join on `account_id`, which PostgreSQL drives from the
    (short) list; callers on rollups without accounts leave the campaign filter out."""
    from campaigns.models import CampaignAccount

    q = copies_q(filters, owner_field="owner_id")
    if filters.campaign:
        q &= Q(
            account_id__in=CampaignAccount.objects.filter(campaign_id=filters.campaign).values(
                "account_id"
            )
        )
    return q
