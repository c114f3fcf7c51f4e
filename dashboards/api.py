"""`GET /api/v1/metrics/<name>`: any dashboard metric as JSON, with the pages' URL filters."""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from abm.api import WorkspaceRolePermission
from abm.permissions import SECTION_ROLES
from dashboards.results import metric_by_name, metric_result, request_filters, rollup_state
from dashboards.selectors import METRICS

FILTER_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First day (ISO date); default 90 days before `to`"
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (ISO date); default today"),
    OpenApiParameter("tier", str, enum=["1", "2", "3", "none"], description="Account tier"),
    OpenApiParameter(
        "segment",
        str,
        enum=["enterprise", "mid_market", "smb", "unknown"],
        description="Company size band",
    ),
    OpenApiParameter("campaign", int, description="Campaign id: accounts on its target list"),
    OpenApiParameter("owner", int, description="Account owner (user id)"),
    OpenApiParameter("model", str, description="Attribution model (campaign_performance only)"),
]


class MetricView(APIView):
    read_roles = SECTION_ROLES["dashboards"]
    write_roles = frozenset()
    permission_classes = [permissions.IsAuthenticated, WorkspaceRolePermission]

    @extend_schema(
        operation_id="metrics_retrieve",
        summary="One dashboard metric",
        description=(
            "The numbers a dashboard shows, computed by the same selector as the page and its "
            "CSV export. Metrics: " + ", ".join(sorted(METRICS))
        ),
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(METRICS)),
            *FILTER_PARAMETERS,
        ],
        responses={
            200: inline_serializer(
                "MetricResult",
                {
                    "metric": serializers.CharField(),
                    "title": serializers.CharField(),
                    "filters": serializers.JSONField(),
                    "result": serializers.JSONField(),
                },
            )
        },
        tags=["metrics"],
    )
    def get(self, request, name: str):
        metric = metric_by_name(name)
        if metric is None:
            raise NotFound(f"No metric named {name!r}.")
        workspace = request._request.workspace
        filters = request_filters(request.query_params)
        result = metric_result(
            metric,
            workspace=workspace,
            filters=filters,
            params=request.query_params,
            state=rollup_state(workspace=workspace),
        )
        return Response(
            {
                "metric": metric.name,
                "title": metric.title,
                "filters": filters.as_json(),
                "result": result,
            }
        )


def register(router) -> None:
    """Metrics are not a model resource; they live in `extra_urls`."""


extra_urls = [re_path(r"^metrics/(?P<name>[^/]+)/?$", MetricView.as_view(), name="api-metric")]
