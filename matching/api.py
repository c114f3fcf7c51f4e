"""`/api/v1/matches`: match suggestions and decisions; accept or reject one (SDR, admin)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from abm.api import WorkspaceReadOnlyViewSet, WorkspaceScopedModelSerializer
from abm.permissions import SECTION_ROLES
from matching import services
from matching.models import MatchCandidate


class MatchCandidateSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = MatchCandidate
        fields = [
            "id", "contact", "account", "run", "score", "signals", "reason", "decision",
            "decided_by", "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MatchCandidateViewSet(WorkspaceReadOnlyViewSet):
    queryset = MatchCandidate.objects.all()
    serializer_class = MatchCandidateSerializer
    write_roles = SECTION_ROLES["matching"]
    filterset_fields = ["decision", "contact", "account", "run"]
    ordering_fields = ["score", "created_at"]

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "account")

    @extend_schema(request=None, responses=MatchCandidateSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        candidate = services.match_candidate_accept(candidate=self.get_object(), user=request.user)
        return Response(self.get_serializer(candidate).data)

    @extend_schema(request=None, responses=MatchCandidateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        candidate = services.match_candidate_reject(candidate=self.get_object(), user=request.user)
        return Response(self.get_serializer(candidate).data)


def register(router) -> None:
    router.register("matches", MatchCandidateViewSet, basename="match")
