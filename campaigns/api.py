"""Campaigns and engagement events over the API (`/api/v1/campaigns`, `/api/v1/events`)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm.api import (
    WorkspaceModelViewSet,
    WorkspaceScopedModelSerializer,
    WorkspaceScopedViewSetMixin,
)
from abm.permissions import SECTION_ROLES
from campaigns.ingest import MAX_BATCH
from campaigns.models import Campaign, Channel, EngagementEvent
from campaigns.services import events_ingest


class CampaignSerializer(WorkspaceScopedModelSerializer):
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "channels",
            "budget",
            "starts",
            "ends",
            "status",
            "owner",
            "segment",
            "created_at",
        ]
        read_only_fields = ["segment", "created_at"]

    def validate(self, attrs):
        starts = attrs.get("starts", getattr(self.instance, "starts", None))
        ends = attrs.get("ends", getattr(self.instance, "ends", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends": "The end date is before the start date."})
        name = attrs.get("name")
        workspace = self.context["request"]._request.workspace
        if name:
            clash = Campaign.objects.for_workspace(workspace).filter(name=name)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"name": "A campaign with this name exists."})
        return attrs


class CampaignViewSet(WorkspaceModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    read_roles = SECTION_ROLES["campaigns"]
    write_roles = SECTION_ROLES["campaigns_write"]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["name", "starts", "created_at"]

    def scope_queryset(self, queryset):
        return queryset.order_by("-created_at", "pk")


class EngagementEventSerializer(serializers.ModelSerializer):
    # Declared because DRF drops allow_blank from read-only model fields, and a kind a workspace
    # added itself has no channel (""): the schema must admit the blank it serves.
    channel = serializers.ChoiceField(choices=Channel.choices, allow_blank=True, read_only=True)

    class Meta:
        model = EngagementEvent
        fields = [
            "id",
            "external_id",
            "kind",
            "channel",
            "weight",
            "occurred_at",
            "account",
            "contact",
            "campaign",
            "ip",
            "meta",
            "created_at",
        ]
        read_only_fields = fields


_EVENT_FIELDS = {
    "external_id": serializers.CharField(max_length=128),
    "kind": serializers.CharField(
        help_text="meeting, event_attended, webinar_attended, form_fill, …"
    ),
    "occurred_at": serializers.DateTimeField(),
    "email": serializers.EmailField(required=False),
    "domain": serializers.CharField(required=False),
    "account_id": serializers.IntegerField(required=False),
    "campaign_id": serializers.IntegerField(required=False),
    "ip": serializers.IPAddressField(required=False),
    "meta": serializers.DictField(required=False),
}
EventBatchSchema = inline_serializer(
    "EventBatch",
    {
        "events": serializers.ListField(
            child=inline_serializer("EventIn", _EVENT_FIELDS), max_length=MAX_BATCH
        )
    },
)
EventBatchResultSchema = inline_serializer(
    "EventBatchResult",
    {
        "accepted": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "rejected": serializers.ListField(
            child=inline_serializer(
                "EventRejection",
                {"index": serializers.IntegerField(), "reason": serializers.CharField()},
            )
        ),
    },
)


class EngagementEventViewSet(
    WorkspaceScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Read touches; POST a batch of up to 1,000 (idempotent on `external_id`)."""

    queryset = EngagementEvent.objects.all()
    serializer_class = EngagementEventSerializer
    read_roles = SECTION_ROLES["campaigns"]
    write_roles = SECTION_ROLES["campaigns_write"]
    filterset_fields = ["kind", "channel", "account", "campaign", "contact"]
    ordering_fields = ["occurred_at", "created_at"]

    @extend_schema(
        request=EventBatchSchema,
        responses={200: EventBatchResultSchema},
        examples=[
            OpenApiExample(
                "One visit and one meeting",
                value={
                    "events": [
                        {
                            "external_id": "web-81723",
                            "kind": "web_visit",
                            "occurred_at": "2026-11-20T14:03:00Z",
                            "ip": "203.0.113.7",
                            "meta": {"url": "/pricing"},
                        },
                        {
                            "external_id": "mtg-1188",
                            "kind": "meeting",
                            "occurred_at": "2026-11-21T10:00:00Z",
                            "email": "ann@initech.com",
                            "campaign_id": 3,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        body = request.data
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise ValidationError({"events": ["Send a JSON object with an `events` list."]})
        if len(events) > MAX_BATCH:
            raise ValidationError({"events": [f"At most {MAX_BATCH:,} events per request."]})
        result = events_ingest(workspace=self.workspace, events=events)
        return Response(result.as_response(), status=status.HTTP_200_OK)


def register(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")


# DESIGN.md's address has no trailing slash; `events/` works too (left out of the schema so each
# operation is documented once).
extra_urls = [
    path(
        "events",
        EngagementEventViewSet.as_view({"get": "list", "post": "create"}),
        name="event-list",
    ),
    path(
        "events/",
        EngagementEventViewSet.as_view({"get": "list", "post": "create"}, schema=None),
        name="event-list-slash",
    ),
    re_path(
        r"^events/(?P<pk>[^/.]+)/$",  # as the router does: any id reaches DRF's JSON 404
        EngagementEventViewSet.as_view({"get": "retrieve"}),
        name="event-detail",
    ),
]
