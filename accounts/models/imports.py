from django.conf import settings
from django.db import models
from django.utils import timezone

from abm.tenancy import WorkspaceScopedModel

STALE_AFTER_SECONDS = 120


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
    # The command line imports a local file in place instead of copying it into storage.
    source_path = models.CharField(max_length=1000, blank=True, default="")
    original_name = models.CharField(max_length=255, blank=True, default="")
    headers = models.JSONField(default=list, blank=True)
    resolved_source = models.CharField(max_length=32, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    counts = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    error_report = models.FileField(upload_to="import-errors/%Y/%m/", max_length=500, blank=True)
    error_message = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    # Whoever last claimed the job; a chunk commits only while its run still holds the claim.
    run_token = models.CharField(max_length=32, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
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

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.CANCELLED,
            self.Status.UNDONE,
        )

    @property
    def is_stale(self) -> bool:
        """Running, but no chunk committed for two minutes: its worker is probably gone."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        return (timezone.now() - self.heartbeat_at).total_seconds() > STALE_AFTER_SECONDS

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.rows_done / self.total_rows))


class ImportMapping(WorkspaceScopedModel):
    """A saved column mapping an admin can reuse for the next export of the same layout."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=ImportJob.Kind.choices)
    columns = models.JSONField(default=dict)  # header -> field
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "name"], name="uniq_import_mapping"
            )
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRowChange(models.Model):
    """What a job did to one record, so the job can be undone: created, or updated from `before`."""

    class Action(models.TextChoices):
        CREATED = "c", "Created"
        UPDATED = "u", "Updated"

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    model = models.CharField(max_length=24)  # account|contact|opportunity|event|campaign|intent
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=1, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "model", "action"], name="importchange_job_model")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model} {self.object_id}"


class ImportRejectedRow(models.Model):
    """A row that was not imported: its line in the file, its values as they came, and why."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rejected_rows", db_index=False
    )
    line = models.PositiveIntegerField()
    values = models.JSONField(default=list)
    reason = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["job", "line"], name="importreject_job_line")]
        ordering = ["line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
