from django.contrib import admin

from abm.admin import WorkspaceScopedAdmin
from campaigns.models import (
    Campaign,
    CampaignAccount,
    ContentAsset,
    EngagementEvent,
    StageTransition,
)


@admin.register(Campaign)
class CampaignAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "kind", "status", "starts", "ends", "workspace")
    list_filter = ("workspace", "kind", "status")


@admin.register(CampaignAccount)
class CampaignAccountAdmin(WorkspaceScopedAdmin):
    list_display = ("campaign", "account", "added_at")
    raw_id_fields = ("campaign", "account")


@admin.register(ContentAsset)
class ContentAssetAdmin(WorkspaceScopedAdmin):
    list_display = ("title", "campaign", "level")


@admin.register(EngagementEvent)
class EngagementEventAdmin(WorkspaceScopedAdmin):
    list_display = ("external_id", "kind", "channel", "account", "occurred_at")
    list_filter = ("workspace", "kind", "channel")
    raw_id_fields = ("account", "contact", "campaign")


@admin.register(StageTransition)
class StageTransitionAdmin(WorkspaceScopedAdmin):
    list_display = ("account", "from_stage", "to_stage", "at")
    raw_id_fields = ("account",)
