from django.contrib import admin

from abm.models import ApiToken, Membership, Workspace


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Staff see only rows of workspaces they belong to; superusers see all."""

    list_filter = ("workspace",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            workspace__memberships__user=request.user, workspace__memberships__role="admin"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace" and not request.user.is_superuser:
            kwargs["queryset"] = Workspace.objects.filter(
                memberships__user=request.user, memberships__role="admin"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(memberships__user=request.user)


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ("user", "workspace", "role")
    list_filter = ("workspace", "role")
    search_fields = ("user__email",)


@admin.register(ApiToken)
class ApiTokenAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "prefix", "user", "workspace", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash")
