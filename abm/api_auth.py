"""API tokens bind a request to one user in one workspace."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from abm.models import ApiToken, Membership, hash_token


class WorkspaceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="ignore")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] not in ("Bearer", "Token"):
            return None
        token = (
            ApiToken.objects.select_related("user", "workspace")
            .filter(key_hash=hash_token(parts[1]), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        membership = Membership.objects.filter(user=token.user, workspace=token.workspace).first()
        if membership is None:
            raise exceptions.AuthenticationFailed(
                "The token's user is no longer in this workspace."
            )
        # The token's workspace wins over any session choice.
        django_request = request._request
        django_request._membership_cache = membership
        django_request.membership = membership
        django_request.workspace = token.workspace
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return (token.user, token)

    def authenticate_header(self, request):
        return self.keyword


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "abm.api_auth.WorkspaceTokenAuthentication"
    name = "WorkspaceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A workspace API token from Settings → API tokens.",
        }
