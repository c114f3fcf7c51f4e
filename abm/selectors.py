from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from abm.models import Membership, Workspace

SESSION_KEY = "workspace_id"


def memberships_for_user(*, user: AbstractBaseUser) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def membership_for_request(request) -> Membership | None:
    """The session's chosen workspace if the user still belongs to it, else their first one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(request, "_membership_cache", None)
    if cached is not None:
        return cached
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    qs = Membership.objects.filter(user=user).select_related("workspace")
    membership = None
    if wanted:
        membership = qs.filter(workspace_id=wanted).first()
    if membership is None:
        membership = qs.order_by("workspace__name").first()
    request._membership_cache = membership
    return membership


def workspace_by_slug(*, slug: str) -> Workspace:
    return Workspace.objects.get(slug=slug)
