from abm.permissions import SECTION_ROLES
from abm.selectors import memberships_for_user


def workspace(request):
    membership = getattr(request, "membership", None)
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    role = membership.role if membership else None
    return {
        "membership": membership,
        "current_workspace": membership.workspace if membership else None,
        "user_workspaces": [m.workspace for m in memberships_for_user(user=request.user)],
        "nav_sections": {name: role in roles for name, roles in SECTION_ROLES.items()},
    }
