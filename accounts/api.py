import json

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from abm.api import (
    WorkspaceModelViewSet,
    WorkspaceReadOnlyViewSet,
    WorkspaceScopedModelSerializer,
)
from accounts import services
from accounts.import_services import (
    import_cancel,
    import_job_create,
    import_job_queue,
    import_undo,
)
from accounts.importing.errors import ImportRefused
from accounts.models import Account, Contact, ImportJob, Opportunity
from accounts.selectors import in_tiers, tier_value
from accounts.views_imports import error_report_response


class AccountSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "domain",
            "website",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "region",
            "city",
            "technologies",
            "parent",
            "tier",
            "stage",
            "fit_score",
            "intent_score",
            "engagement_score",
            "priority",
            "scored_at",
            "crm_source",
            "crm_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "tier",
            "stage",
            "fit_score",
            "intent_score",
            "engagement_score",
            "priority",
            "scored_at",
        ]


class ContactSerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "is_lead",
            "first_name",
            "last_name",
            "email",
            "title",
            "seniority",
            "department",
            "buying_role",
            "lead_status",
            "company_name",
            "website",
            "country",
            "phone",
            "match_status",
            "match_confidence",
            "crm_source",
            "crm_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["match_status", "match_confidence"]

    def validate_email(self, value: str) -> str:
        value = (value or "").strip().lower()
        if not value:
            return value
        request = self.context["request"]
        others = Contact.objects.for_workspace(request._request.workspace).filter(email=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(
                "A person with this email already exists in this workspace."
            )
        return value


class OpportunitySerializer(WorkspaceScopedModelSerializer):
    class Meta:
        model = Opportunity
        fields = [
            "id",
            "account",
            "name",
            "amount",
            "currency",
            "stage",
            "is_closed",
            "is_won",
            "created_date",
            "close_date",
            "campaign",
            "crm_source",
            "crm_id",
        ]


class AccountFilter(django_filters.FilterSet):
    """`?tier=1` (or `none`): a narrow tier through the tier index (`AccountTier`)."""

    tier = django_filters.CharFilter(method="filter_tier", help_text="1, 2, 3 or none")

    class Meta:
        model = Account
        fields = ["stage", "country", "industry", "owner"]

    def filter_tier(self, queryset, name, value):
        tier = tier_value(value)
        if tier is None:
            return queryset.none()
        workspace = getattr(self.request, "_request", self.request).workspace
        return queryset.filter(in_tiers(workspace, [tier]))


class AccountViewSet(WorkspaceModelViewSet):
    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    write_roles = frozenset({"admin", "marketer"})
    filterset_class = AccountFilter
    ordering_fields = ["name", "priority", "fit_score", "created_at"]


class ContactViewSet(WorkspaceModelViewSet):
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    write_roles = frozenset({"admin", "marketer", "sdr"})
    filterset_fields = ["account", "is_lead", "lead_status", "match_status", "seniority"]
    ordering_fields = ["last_name", "created_at"]

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(
            workspace=self.workspace, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(
            contact=serializer.instance, **serializer.validated_data
        )


class OpportunityViewSet(WorkspaceModelViewSet):
    queryset = Opportunity.objects.all()
    serializer_class = OpportunitySerializer
    filterset_fields = ["account", "is_closed", "is_won", "campaign"]
    ordering_fields = ["amount", "close_date", "created_date"]

    def scope_queryset(self, queryset):
        return queryset.select_related("account")


class ImportJobSerializer(serializers.ModelSerializer):
    object = serializers.CharField(source="kind", read_only=True)
    rows_done = serializers.IntegerField(read_only=True)
    error_report = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "object",
            "source",
            "resolved_source",
            "original_name",
            "status",
            "counts",
            "rows_done",
            "total_rows",
            "error_message",
            "error_report",
            "page",
            "created_at",
            "started_at",
            "finished_at",
            "undone_at",
        ]
        read_only_fields = fields

    def get_error_report(self, job: ImportJob) -> str | None:
        """Where the rejected rows can be downloaded, or null when none were rejected."""
        if not job.error_report:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/imports/{job.pk}/errors/")

    def get_page(self, job: ImportJob) -> str:
        """The job's page: mapping when columns are missing, progress and result otherwise."""
        return self.context["request"].build_absolute_uri(f"/imports/{job.pk}/")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    object = serializers.ChoiceField(choices=ImportJob.Kind.values)
    source = serializers.ChoiceField(
        choices=["auto", "salesforce", "hubspot", "generic"], default="auto"
    )
    mapping = serializers.CharField(
        required=False,
        help_text='JSON object {"file column": "field"} for columns that do not map themselves.',
    )
    start = serializers.BooleanField(
        default=True, help_text="Queue the import at once when every required field is mapped."
    )

    def validate_mapping(self, value: str) -> dict[str, str]:
        try:
            mapping = json.loads(value)
        except ValueError as exc:
            raise serializers.ValidationError(f"Not JSON: {exc}") from exc
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            raise serializers.ValidationError('Expected {"file column": "field", …}.')
        return mapping


class ImportJobViewSet(mixins.CreateModelMixin, WorkspaceReadOnlyViewSet):
    """CRM imports for scripts: upload a file, follow the job, fetch the rejected rows.

    The same service runs behind the web upload and `manage.py import_crm`, so counts, error
    reports, resume and undo behave identically. Admins only, like the Imports pages.
    """

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    read_roles = frozenset({"admin"})
    write_roles = frozenset({"admin"})
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status"]
    ordering_fields = ["created_at"]

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            job = import_job_create(
                workspace=self.workspace,
                kind=data["object"],
                upload=data["file"],
                source=data["source"],
                mapping=data.get("mapping"),
                created_by=request.user,
            )
        except ImportRefused as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        if data["start"] and job.status == ImportJob.Status.MAPPED:
            job = import_job_queue(job=job)
        body = self.get_serializer(job).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(self.get_serializer(import_cancel(job=self.get_object())).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        return Response(self.get_serializer(import_undo(job=self.get_object())).data)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(description="The rejected rows with line numbers")
        }
    )
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        return error_report_response(self.get_object())


def register(router) -> None:
    router.register("accounts", AccountViewSet, basename="account")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("imports", ImportJobViewSet, basename="import")
