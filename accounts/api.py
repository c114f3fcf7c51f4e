from rest_framework import serializers

from abm.api import WorkspaceModelViewSet, WorkspaceScopedModelSerializer
from accounts import services
from accounts.models import Account, Contact, Opportunity


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


class AccountViewSet(WorkspaceModelViewSet):
    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    write_roles = frozenset({"admin", "marketer"})
    filterset_fields = ["tier", "stage", "country", "industry", "owner"]
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


def register(router) -> None:
    router.register("accounts", AccountViewSet, basename="account")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
