"""Scoring data: ICP profiles (versioned), predictive fit models, intent and trigger signals,
score history and scoring runs. Workflows live in services.py; pure scoring in engine/."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from abm.tenancy import WorkspaceScopedModel


def reason_set_reasons(row) -> dict:
    """The reasons dict of a row pointing at a ReasonSet ({} without one). The foreign key has
    no database constraint, so a missing set reads as no reasons rather than an error."""
    if row.reason_set_id is None:
        return {}
    try:
        reason_set = row.reason_set  # None when select_related found no set
    except ObjectDoesNotExist:
        return {}
    reasons = reason_set.reasons if reason_set is not None else None
    return reasons if isinstance(reasons, dict) else {}


class ScoringSettings(WorkspaceScopedModel):
    """One row per workspace: the knobs marketers tune (weights, tiers, MQA, half-lives)."""

    weight_fit = models.FloatField(default=0.5)
    weight_intent = models.FloatField(default=0.25)
    weight_engagement = models.FloatField(default=0.25)
    # Tiers are ranks within the workspace: the top tier1_share % of scored accounts (at most
    # tier1_cap) are Tier 1, the next tier2_share % (at most tier2_cap) Tier 2. Absolute
    # priorities drift with the data, so a fixed line left big workspaces with a handful of
    # Tier-1 accounts; the floors only keep weak accounts out of a tier in a weak workspace.
    tier1_share = models.FloatField(default=5.0, help_text="Percent of accounts in Tier 1")
    tier2_share = models.FloatField(default=20.0, help_text="Percent of accounts in Tier 2")
    tier1_cap = models.PositiveIntegerField(
        default=50, null=True, blank=True, help_text="At most this many Tier-1 accounts"
    )
    tier2_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many Tier-2 accounts"
    )
    tier1_min = models.FloatField(default=0.0, help_text="Tier 1 needs at least this priority")
    tier2_min = models.FloatField(default=0.0, help_text="Tier 2 needs at least this priority")
    # MQA is decided by the account journey (campaigns/journey.py) with these thresholds:
    # engagement points (the event weights) within the journey window, from enough people.
    mqa_fit_min = models.FloatField(default=50.0)
    mqa_points = models.FloatField(default=40.0)
    mqa_min_contacts = models.PositiveSmallIntegerField(default=2)
    intent_half_life_days = models.FloatField(default=14.0)
    engagement_half_life_days = models.FloatField(default=30.0)
    trigger_half_life_days = models.FloatField(default=45.0)
    surge_ratio = models.FloatField(
        default=1.5, help_text="Recent vs baseline ratio that counts as a surge"
    )
    use_predictive_fit = models.BooleanField(
        default=True, help_text="Blend the active predictive model into fit when one is active"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_scoring_settings_ws"),
        ]
        verbose_name_plural = "scoring settings"

    def __str__(self) -> str:
        return f"Scoring settings for {self.workspace_id}"


class IcpProfile(WorkspaceScopedModel):
    """A named ideal customer profile: weighted criteria; one per workspace is active."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    criteria = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_icp_profile_name"),
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(is_active=True), name="uniq_icp_profile_active"
            ),
        ]
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class IcpProfileVersion(WorkspaceScopedModel):
    """Every saved change of a profile, so a score can always be traced to its rules."""

    profile = models.ForeignKey(IcpProfile, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    criteria = models.JSONField(default=list)
    note = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "profile", "version"], name="uniq_icp_profile_version"
            ),
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class FitModel(WorkspaceScopedModel):
    """A trained predictive fit model (a pickled scikit-learn pipeline) and its evaluation."""

    name = models.CharField(max_length=120)
    artifact = models.BinaryField()
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    trained_at = models.DateTimeField()
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(is_active=True), name="uniq_fit_model_active"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "trained_at"], name="fitmodel_ws_trained")]
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def auc(self) -> float | None:
        return self.metrics.get("cv_auc")


class IntentSignal(WorkspaceScopedModel):
    """A topic an account researches (third-party intent feeds, imports, the API)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="intent_signals"
    )
    topic = models.CharField(max_length=200)
    strength = models.FloatField(default=1.0)
    observed_at = models.DateTimeField()
    source = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "account", "observed_at"], name="intent_ws_acc_obs"),
            models.Index(fields=["workspace", "observed_at"], name="intent_ws_obs"),
        ]
        ordering = ["-observed_at"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.strength:g})"


class TriggerEvent(WorkspaceScopedModel):
    """Why now: funding, an acquisition, a new leader, a hiring wave."""

    class Kind(models.TextChoices):
        FUNDING = "funding", "New funding"
        ACQUISITION = "acquisition", "Acquisition"
        LEADERSHIP_CHANGE = "leadership_change", "Leadership change"
        HIRING = "hiring", "Hiring surge"
        EXPANSION = "expansion", "Expansion"
        PRODUCT_LAUNCH = "product_launch", "Product launch"
        OTHER = "other", "Other"

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="trigger_events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    detail = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "account", "occurred_at"], name="trigger_ws_acc_at"),
        ]
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d})"


class ReasonSet(WorkspaceScopedModel):
    """One distinct `score_reasons` value of a workspace, shared by every account and snapshot
    that has it word for word.

    A million accounts hold about a hundred thousand distinct reasons (most share their fit
    pattern and have no signals), and the JSON was three quarters of an account row: a scoring
    run rewriting every row spent its time copying it. Rows now carry the set's id. `digest`
    is the md5 of the database's canonical JSON text (PostgreSQL: `jsonb::text`; elsewhere
    sorted keys, compact), so the same reasons map to one set whichever path writes them.
    Sets are immutable; nothing deletes them but their workspace."""

    digest = models.CharField(max_length=32)
    reasons = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "digest"], name="uniq_reason_set_digest"),
        ]

    def __str__(self) -> str:
        return f"Reason set {self.digest}"


class ScoreSnapshot(WorkspaceScopedModel):
    """An account's scores after a run that changed them: the history the account page charts."""

    # A first run writes a snapshot per account (a million rows in one go), so its foreign keys
    # have no database constraints, as on engagement events: each is a deferred trigger run at
    # commit for every row — measured at 100k snapshots, the commit's checks took as long as
    # the INSERT itself. The ids come from the run's own rows in the same workspace; on_delete
    # still runs through the ORM. No index on run: nothing looks snapshots up by run.
    workspace = models.ForeignKey(
        "abm.Workspace", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        related_name="score_snapshots",
        db_constraint=False,
        db_index=False,  # snapshot_account_at leads with the account
    )
    run = models.ForeignKey(
        "scoring.ScoringRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    fit = models.FloatField(null=True)
    predictive_fit = models.FloatField(null=True)
    intent = models.FloatField(null=True)
    engagement = models.FloatField(null=True)
    priority = models.FloatField(null=True)
    health = models.FloatField(null=True)
    tier = models.PositiveSmallIntegerField(null=True)
    # The reasons as they were (a shared set, see ReasonSet; no constraint or index for the same
    # reason as above, and sets are only deleted with their workspace).
    reason_set = models.ForeignKey(
        ReasonSet,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    at = models.DateTimeField()

    class Meta:
        # One index: an account's history (the account page, the API's ?account=) and the
        # cascade when an account is deleted both look snapshots up by account; account ids
        # are unique across workspaces, so a workspace column in front added nothing but a
        # second index entry for each of a first run's million snapshots.
        indexes = [models.Index(fields=["account", "at"], name="snapshot_account_at")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def reasons(self) -> dict:
        return reason_set_reasons(self)


class ScoringRun(WorkspaceScopedModel):
    """One scoring pass over a workspace (or some of its accounts); the UI reads its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        NIGHTLY = "nightly", "Nightly"
        IMPORT = "import", "After an import"
        PROFILE = "profile", "After an ICP change"
        MODEL = "model", "After a model change"
        COMMAND = "command", "Command line"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    account_ids = models.JSONField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"], name="scoringrun_ws_created")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} ({self.status})"

    @property
    def progress(self) -> int:
        """Percent done, for progress bars."""
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed / self.total))
