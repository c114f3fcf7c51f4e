from django.conf import settings
from django.db import models

from abm.tenancy import WorkspaceScopedModel


class MatchRun(WorkspaceScopedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    counts = models.JSONField(default=dict, blank=True)
    params = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    # Unknown corporate domains shared by several unmatched leads: [{domain, name, leads, …}]
    suggestions = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True, default="")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-started_at"], name="matchrun_ws_started")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Match run #{self.pk}"


class MatchCandidate(WorkspaceScopedModel):
    class Decision(models.TextChoices):
        AUTO = "auto", "Auto-linked"
        REVIEW = "review", "Needs review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="match_candidates"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="match_candidates"
    )
    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    score = models.FloatField()
    signals = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True, default="")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "account"], name="uniq_match_candidate"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "decision", "-score"], name="matchcand_ws_decision")
        ]
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.account_id} ({self.score:.2f})"
