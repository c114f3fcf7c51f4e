from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from abm.models import Workspace
from accounts.models import Account

ACCOUNT_SORTS = {
    "name": "name",
    "-priority": "-priority",
    "-fit": "-fit_score",
    "-engagement": "-engagement_score",
    "-intent": "-intent_score",
    "-employees": "-employees",
}


def account_list(
    *, workspace: Workspace, filters: dict[str, str] | None = None
) -> QuerySet[Account]:
    """Accounts of one workspace, filtered the way the list page and the API filter them."""
    filters = filters or {}
    qs = Account.objects.for_workspace(workspace).select_related("owner")
    if q := filters.get("q", "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if tier := filters.get("tier"):
        qs = qs.filter(tier=None) if tier == "none" else qs.filter(tier=tier)
    if stage := filters.get("stage"):
        qs = qs.filter(stage=stage)
    if country := filters.get("country"):
        qs = qs.filter(country=country.upper())
    if industry := filters.get("industry"):
        qs = qs.filter(industry=industry)
    if owner := filters.get("owner"):
        qs = qs.filter(owner__isnull=True) if owner == "none" else qs.filter(owner_id=owner)
    sort = ACCOUNT_SORTS.get(filters.get("sort", ""), "-priority")
    return _ordered(qs, sort)


def _ordered(qs: QuerySet[Account], sort: str) -> QuerySet[Account]:
    field = sort.lstrip("-")
    if sort.startswith("-"):
        return qs.order_by(F(field).desc(nulls_last=True), "name")
    return qs.order_by(F(field).asc(nulls_last=True), "pk")


def account_filter_options(*, workspace: Workspace) -> dict[str, list[str]]:
    base = Account.objects.for_workspace(workspace)
    return {
        "industries": list(
            base.exclude(industry="")
            .values_list("industry", flat=True)
            .distinct()
            .order_by("industry")
        ),
        "countries": list(
            base.exclude(country="")
            .values_list("country", flat=True)
            .distinct()
            .order_by("country")
        ),
    }


def account_detail(*, workspace: Workspace, account_id: int) -> Account:
    return (
        Account.objects.for_workspace(workspace)
        .select_related("owner", "parent")
        .annotate(contact_count=Count("contacts", distinct=True))
        .get(pk=account_id)
    )
