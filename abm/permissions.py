"""Role checks for views: 403 for a role that may not see a page, login for anonymous users."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

ALL_ROLES = frozenset({"admin", "marketer", "sdr", "viewer"})

# Who may open each section (DESIGN.md's page table); templates and tests read this too.
SECTION_ROLES: dict[str, frozenset[str]] = {
    "queue": frozenset({"sdr", "admin"}),
    "accounts": ALL_ROLES,
    "matching": frozenset({"sdr", "admin"}),
    "imports": frozenset({"admin"}),
    "campaigns": ALL_ROLES,
    "campaigns_write": frozenset({"marketer", "admin"}),
    "scoring": frozenset({"marketer", "admin"}),
    "dashboards": ALL_ROLES,
    "settings": frozenset({"admin"}),
}


def has_role(request, roles) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership) and membership.role in roles


def check_roles(request, roles) -> None:
    if not has_role(request, roles):
        raise PermissionDenied("Your role does not give access to this page.")


class RoleRequiredMixin(LoginRequiredMixin):
    """Logged-in member of the current workspace with one of `allowed_roles`."""

    allowed_roles: frozenset[str] | set[str] = ALL_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        check_roles(request, self.allowed_roles)
        return super().dispatch(request, *args, **kwargs)


def role_required(*roles: str):
    allowed = frozenset(roles) if roles else ALL_ROLES

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_roles(request, allowed)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator
