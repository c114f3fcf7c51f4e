"""SDR queue data: saved views, snoozes, assignment rules, SDR capacity, SLA clocks and the
lead-status history. Next-step tasks reuse `Activity` (kind "task" with `due_at`/`done_at`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from abm.tenancy import WorkspaceScopedModel


class SavedQueueView(WorkspaceScopedModel):
    """A named set of queue filters one SDR keeps (e.g. "Tier 1 in DACH")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_views"
    )
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "name"], name="uniq_saved_queue_view"
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountSnooze(WorkspaceScopedModel):
    """One SDR hides one account from their queue until a date (per user, not per account)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_snoozes"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="snoozes"
    )
    until = models.DateField()
    note = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "account"], name="uniq_account_snooze"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "user", "until"], name="snooze_ws_user_until"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} snoozed until {self.until}"


class SdrCapacity(WorkspaceScopedModel):
    """How many accounts an SDR may own, and whether automatic assignment may give them more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sdr_capacities"
    )
    capacity = models.PositiveIntegerField(default=150)
    accepts_assignments = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="uniq_sdr_capacity"),
        ]
        verbose_name_plural = "SDR capacities"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.capacity}"


class AssignmentRule(WorkspaceScopedModel):
    """Accounts matching every non-empty criterion go round robin to the rule's SDRs.

    Empty criteria match everything; an empty SDR list means every SDR of the workspace.
    Rules are tried in `position` order; the first rule with an SDR under capacity wins.
    """

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=100)
    countries = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    industries = models.JSONField(default=list, blank=True)
    min_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    sdrs = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    # The SDR who got the last account from this rule: round robin resumes after them.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_assignment_rule"),
        ]
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class SlaClock(WorkspaceScopedModel):
    """Time to first SDR touch after a lead is matched to an account or the account turns MQA.

    A clock stops at the first outreach activity logged on the account after it started; it is
    breached when that touch came after `due_at`, or when none came and `due_at` has passed.
    """

    class Kind(models.TextChoices):
        NEW_LEAD = "new_lead", "New matched lead"
        MQA = "mqa", "New MQA"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    touched_at = models.DateTimeField(null=True, blank=True)
    touched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # One clock per matched lead, one per MQA moment: syncing twice adds nothing.
            models.UniqueConstraint(
                fields=["workspace", "contact"],
                condition=Q(kind="new_lead"),
                name="uniq_sla_clock_lead",
            ),
            models.UniqueConstraint(
                fields=["workspace", "account", "started_at"],
                condition=Q(kind="mqa"),
                name="uniq_sla_clock_mqa",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "account", "touched_at"], name="sla_ws_acc_touched"),
            models.Index(fields=["workspace", "owner", "due_at"], name="sla_ws_owner_due"),
        ]
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.account_id} due {self.due_at:%Y-%m-%d %H:%M}"


class LeadStatusChange(WorkspaceScopedModel):
    """Every move of a lead through MQL → SAL → SQL (or out), with who did it and why."""

    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=255, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "contact", "at"], name="leadchg_ws_contact_at"),
            models.Index(fields=["workspace", "to_status", "at"], name="leadchg_ws_status_at"),
        ]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.from_status} → {self.to_status}"
