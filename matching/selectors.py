"""Reads of matching: the review queue, runs and suggestions."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from abm.models import Workspace
from accounts.models import Account, Contact, MatchStatus
from matching.models import MatchCandidate, MatchRun


def review_queue(*, workspace: Workspace, q: str = "") -> QuerySet[Contact]:
    """Leads waiting for a person, best first, each with its suggested accounts."""
    candidates = (
        MatchCandidate.objects.for_workspace(workspace)
        .filter(decision=MatchCandidate.Decision.REVIEW)
        .select_related("account")
        .order_by("-score")
    )
    qs = (
        Contact.objects.for_workspace(workspace)
        .filter(match_status=MatchStatus.REVIEW)
        .prefetch_related(Prefetch("match_candidates", queryset=candidates, to_attr="suggestions"))
        .order_by("-match_confidence", "pk")
    )
    if q:
        qs = qs.filter(Q(company_name__icontains=q) | Q(email__icontains=q))
    return qs


def review_counts(*, workspace: Workspace) -> dict[str, int]:
    qs = Contact.objects.for_workspace(workspace)
    return {
        "review": qs.filter(match_status=MatchStatus.REVIEW).count(),
        "auto": qs.filter(match_status=MatchStatus.AUTO).count(),
        "none": qs.filter(match_status=MatchStatus.NONE).count(),
        "unmatched": qs.filter(match_status=MatchStatus.UNMATCHED, account__isnull=True).count(),
    }


def match_run_latest(*, workspace: Workspace) -> MatchRun | None:
    return MatchRun.objects.for_workspace(workspace).order_by("-pk").first()


def account_search(*, workspace: Workspace, q: str, limit: int = 8) -> list[Account]:
    q = q.strip()
    if len(q) < 2:
        return []
    qs = Account.objects.for_workspace(workspace)
    return list(qs.filter(Q(name__icontains=q) | Q(domain__icontains=q)).order_by("name")[:limit])
