from django.conf import settings
from django.db import models

from abm.tenancy import WorkspaceScopedModel


class ImportJob(WorkspaceScopedModel):
    """One uploaded file on its way in; the UI reads progress and outcome from this row."""

    class Kind(models.TextChoices):
        ACCOUNTS = "accounts", "Accounts"
        CONTACTS = "contacts", "Contacts"
        LEADS = "leads", "Leads"
        OPPORTUNITIES = "opportunities", "Opportunities"
        EVENTS = "events", "Engagement events"
        INTENT = "intent", "Intent signals"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        MAPPED = "mapped", "Mapped"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        UNDONE = "undone", "Undone"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=32, blank=True, default="auto")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=500, blank=True)
    original_name = models.CharField(max_length=255, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    counts = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    error_report = models.FileField(upload_to="import-errors/%Y/%m/", max_length=500, blank=True)
    error_message = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="importjob_ws_created")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk}"
