from django.contrib import admin

from abm.admin import WorkspaceScopedAdmin
from accounts.models import Account, AccountDomain, Activity, Contact, ImportJob, Opportunity


@admin.register(Account)
class AccountAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "domain", "workspace", "tier", "stage", "priority")
    list_filter = ("workspace", "tier", "stage")
    search_fields = ("name", "domain", "crm_id")
    raw_id_fields = ("parent", "owner")


@admin.register(AccountDomain)
class AccountDomainAdmin(WorkspaceScopedAdmin):
    list_display = ("domain", "account", "is_former", "workspace")
    raw_id_fields = ("account",)


@admin.register(Contact)
class ContactAdmin(WorkspaceScopedAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "account",
        "is_lead",
        "lead_status",
        "match_status",
    )
    list_filter = ("workspace", "is_lead", "lead_status", "match_status")
    search_fields = ("email", "last_name", "company_name")
    raw_id_fields = ("account", "owner")


@admin.register(Opportunity)
class OpportunityAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "account", "amount", "stage", "is_won", "close_date")
    list_filter = ("workspace", "is_closed", "is_won")
    raw_id_fields = ("account", "campaign", "owner")


@admin.register(Activity)
class ActivityAdmin(WorkspaceScopedAdmin):
    list_display = ("kind", "account", "user", "at", "outcome")
    raw_id_fields = ("account", "contact", "user")


@admin.register(ImportJob)
class ImportJobAdmin(WorkspaceScopedAdmin):
    list_display = ("pk", "kind", "original_name", "status", "workspace", "created_at")
    list_filter = ("workspace", "kind", "status")
