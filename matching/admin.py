from django.contrib import admin

from abm.admin import WorkspaceScopedAdmin
from matching.models import MatchCandidate, MatchRun


@admin.register(MatchRun)
class MatchRunAdmin(WorkspaceScopedAdmin):
    list_display = ("pk", "status", "started_at", "finished_at", "workspace")


@admin.register(MatchCandidate)
class MatchCandidateAdmin(WorkspaceScopedAdmin):
    list_display = ("contact", "account", "score", "decision", "workspace")
    list_filter = ("workspace", "decision")
    raw_id_fields = ("contact", "account", "run")
