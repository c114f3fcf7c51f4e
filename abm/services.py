from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from abm.models import ApiToken, Membership, Role, Workspace, hash_token

User = get_user_model()


@transaction.atomic
def workspace_create(
    *, slug: str, name: str, admin_email: str | None = None
) -> tuple[Workspace, bool]:
    """Idempotent on slug so scripts and `seed_demo` can repeat safely."""
    workspace, created = Workspace.objects.get_or_create(slug=slug, defaults={"name": name})
    if not created and workspace.name != name:
        workspace.name = name
        workspace.save(update_fields=["name"])
    if admin_email:
        user = user_get_or_create(email=admin_email)
        membership_set(user=user, workspace=workspace, role=Role.ADMIN)
    return workspace, created


def user_get_or_create(
    *, email: str, first_name: str = "", last_name: str = "", password: str | None = None
):
    email = email.strip().lower()
    user, created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    if password is not None and (created or not user.check_password(password)):
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def membership_set(*, user, workspace: Workspace, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": role}
    )
    return membership


def api_token_create(*, user, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """Returns the raw key once; only its hash is kept."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, workspace=workspace, name=name, prefix=raw[:10], key_hash=hash_token(raw)
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
