"""REST resources for scoring signals and history (workspace-scoped through abm.api)."""

from __future__ import annotations

from django.db import transaction
from rest_framework import serializers

from abm.api import WorkspaceModelViewSet, WorkspaceReadOnlyViewSet, WorkspaceScopedModelSerializer
from scoring.models import IntentSignal, ScoreSnapshot, TriggerEvent

WRITERS = frozenset({"admin", "marketer"})


class IntentSignalSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = IntentSignal
        fields = ["id", "account", "topic", "strength", "observed_at", "source"]

    def validate_strength(self, value: float) -> float:
        if not 0 <= value <= 100:
            raise serializers.ValidationError("strength is a 0–100 score")
        return value


class TriggerEventSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = TriggerEvent
        fields = ["id", "account", "kind", "occurred_at", "detail", "source"]


class ScoreSnapshotSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = ScoreSnapshot
        fields = ["id", "account", "fit", "predictive_fit", "intent", "engagement", "priority",
                  "health", "tier", "at"]  # fmt: skip


class _RefreshesAccount:
    """A new signal re-scores its account's intent and engagement right away (after commit)."""

    def perform_create(self, serializer):
        from scoring.tasks import account_engagement_refresh

        row = serializer.save(workspace=self.workspace)
        workspace_id, account_id = row.workspace_id, row.account_id
        transaction.on_commit(
            lambda: account_engagement_refresh.delay(
                workspace_id=workspace_id, account_id=account_id
            )
        )


class _ByAccount:
    def scope_queryset(self, queryset):
        account = self.request.query_params.get("account")
        return queryset.filter(account_id=account) if account and account.isdigit() else queryset


class IntentSignalViewSet(_ByAccount, _RefreshesAccount, WorkspaceModelViewSet):
    queryset = IntentSignal.objects.all()
    serializer_class = IntentSignalSerializer
    write_roles = WRITERS


class TriggerEventViewSet(_ByAccount, _RefreshesAccount, WorkspaceModelViewSet):
    queryset = TriggerEvent.objects.all()
    serializer_class = TriggerEventSerializer
    write_roles = WRITERS


class ScoreSnapshotViewSet(_ByAccount, WorkspaceReadOnlyViewSet):
    queryset = ScoreSnapshot.objects.order_by("-at")
    serializer_class = ScoreSnapshotSerializer


def register(router) -> None:
    router.register("intent-signals", IntentSignalViewSet, basename="intent-signal")
    router.register("trigger-events", TriggerEventViewSet, basename="trigger-event")
    router.register("score-snapshots", ScoreSnapshotViewSet, basename="score-snapshot")
