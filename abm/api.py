"""Workspace-scoped API base: the filtering happens once, here, and cannot be skipped."""

from __future__ import annotations

from rest_framework import permissions, serializers, viewsets

from abm.permissions import ALL_ROLES


class WorkspaceRolePermission(permissions.BasePermission):
    """Read for `read_roles`, write for `write_roles` of the request's workspace."""

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)
        if not membership:
            return False
        roles = view.read_roles if request.method in permissions.SAFE_METHODS else view.write_roles
        return membership.role in roles


class WorkspaceScopedViewSetMixin:
    """Subclasses set `queryset`; they may not override `get_queryset` (PostHog's rule)."""

    read_roles: frozenset[str] = ALL_ROLES
    write_roles: frozenset[str] = frozenset({"admin"})
    permission_classes = [permissions.IsAuthenticated, WorkspaceRolePermission]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset; use scope_queryset()")

    @property
    def workspace(self):
        return self.request._request.workspace

    def get_queryset(self):
        return self.scope_queryset(self.queryset.model.objects.for_workspace(self.workspace))

    def scope_queryset(self, queryset):
        return queryset

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)


class WorkspaceReadOnlyViewSet(WorkspaceScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class WorkspaceModelViewSet(WorkspaceScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class WorkspaceScopedModelSerializer(serializers.ModelSerializer):
    """Related ids resolve only inside the request's workspace: another workspace's id is invalid."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        workspace = getattr(getattr(request, "_request", request), "workspace", None)
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is None or not hasattr(queryset, "for_workspace"):
                continue
            target.queryset = queryset.for_workspace(workspace) if workspace else queryset.none()
        return fields
