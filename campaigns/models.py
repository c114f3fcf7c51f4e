from django.conf import settings
from django.db import models

from abm.tenancy import WorkspaceScopedModel
from accounts.models import JourneyStage, Seniority


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    ADS = "ads", "Ads"
    WEB = "web", "Web"
    EVENTS = "events", "Events"
    WEBINARS = "webinars", "Webinars"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    SDR_OUTREACH = "sdr_outreach", "SDR outreach"


class Campaign(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "1:1"
        ONE_TO_FEW = "one_to_few", "1:few"
        ONE_TO_MANY = "one_to_many", "1:many"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ONE_TO_MANY)
    channels = models.JSONField(default=list, blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    segment = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_campaign_name")
        ]
        ordering = ["-starts", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.channels or []]


class Segment(WorkspaceScopedModel):
    """A saved account filter (tier, scores, industry, stage, country, technologies).

    Only the filter JSON is stored; the accounts it holds are computed live, so the count on the
    page is always today's (see `selectors.segment_accounts`).
    """

    name = models.CharField(max_length=200)
    filters = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_segment_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignAccount(WorkspaceScopedModel):
    class Source(models.TextChoices):
        SEGMENT = "segment", "Segment"
        UPLOAD = "upload", "Uploaded list"
        MANUAL = "manual", "Added by hand"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="campaign_links"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign", "account"], name="uniq_campaign_account"
            )
        ]
        indexes = [models.Index(fields=["workspace", "account"], name="campacc_ws_account")]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.account_id}"


class ContentAsset(WorkspaceScopedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assets")
    level = models.CharField(max_length=16, choices=Seniority.choices, default=Seniority.UNKNOWN)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["workspace", "campaign"], name="asset_ws_campaign")]

    def __str__(self) -> str:
        return self.title


class TargetListUpload(WorkspaceScopedModel):
    """One uploaded list of company names/domains and how each row matched (shown on the page)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255, blank=True, default="")
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "campaign"], name="tlupload_ws_campaign")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.matched}/{self.rows})"


class EngagementEvent(WorkspaceScopedModel):
    """One touch. `(workspace, external_id)` is unique so a re-sent event is not counted twice."""

    # Events are the largest, append-only table, so its foreign keys have no database
    # constraints (db_constraint=False): each constraint is a deferred trigger that takes a
    # FOR KEY SHARE row lock on the parent at commit, for every inserted event — measured on
    # 500-row batches that was most of the commit time (≈150 ms of ≈170 ms under load), and the
    # workspace row was a hot spot for concurrent batches. The ids are safe anyway: workspace
    # comes from the authenticated token or session, account/contact/campaign ids from look-ups
    # in the same workspace a moment before the insert. on_delete still runs through the ORM
    # (deleting an account deletes its events, a contact or campaign is set to NULL); only a
    # delete racing an ingest can leave a dangling id, which every reader tolerates.
    workspace = models.ForeignKey(
        "abm.Workspace", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        db_constraint=False,
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_constraint=False,
    )
    # No single-column index: (workspace, campaign, occurred_at) serves reads, and each index
    # costs every ingested event; deleting a campaign (rare) may scan that composite index.
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=32)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True, default="")
    weight = models.FloatField(default=1.0)
    occurred_at = models.DateTimeField()
    external_id = models.CharField(max_length=128)
    ip = models.GenericIPAddressField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="uniq_event_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "occurred_at"], name="event_ws_occurred"),
            models.Index(
                fields=["workspace", "account", "occurred_at"], name="event_ws_account_occurred"
            ),
            models.Index(
                fields=["workspace", "campaign", "occurred_at"], name="event_ws_campaign_occurred"
            ),
        ]
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class StageTransition(WorkspaceScopedModel):
    """Every journey move with its time, so conversion and velocity work for any period."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="stage_transitions"
    )
    from_stage = models.CharField(
        max_length=16, choices=JourneyStage.choices, blank=True, default=""
    )
    to_stage = models.CharField(max_length=16, choices=JourneyStage.choices)
    at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "at"], name="stagetr_ws_at"),
            models.Index(fields=["workspace", "account", "at"], name="stagetr_ws_account_at"),
        ]
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_stage} → {self.to_stage}"


class JourneyRun(WorkspaceScopedModel):
    """One recompute of the workspace's journeys; the campaigns page shows the latest."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["workspace", "started_at"], name="journeyrun_ws_started")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"journeys at {self.started_at:%Y-%m-%d %H:%M}"
