from django.conf import settings
from django.db import models
from django.db.models import Q

from abm.tenancy import WorkspaceManager, WorkspaceScopedModel


class JourneyStage(models.TextChoices):
    TARGET = "target", "Target"
    AWARE = "aware", "Aware"
    ENGAGED = "engaged", "Engaged"
    MQA = "mqa", "MQA"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    CHURNED = "churned", "Churned"


class Seniority(models.TextChoices):
    C_LEVEL_VP = "c_level_vp", "C-level / VP"
    DIRECTOR = "director", "Director"
    PRACTITIONER = "practitioner", "Practitioner"
    UNKNOWN = "unknown", "Unknown"


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    CHAMPION = "champion", "Champion"
    INFLUENCER = "influencer", "Influencer"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"
    NONE = "", "—"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    MQL = "mql", "MQL"
    SAL = "sal", "SAL"
    SQL = "sql", "SQL"
    DISQUALIFIED = "disqualified", "Disqualified"


class MatchStatus(models.TextChoices):
    UNMATCHED = "unmatched", "Not matched yet"
    AUTO = "auto", "Auto-linked"
    REVIEW = "review", "In review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    NONE = "none", "No account"
    MANUAL = "manual", "Linked by hand"


# Statuses the matching pages list and count; the others are settled (see `contact_ws_match_open`).
OPEN_MATCH_STATUSES = [
    MatchStatus.UNMATCHED,
    MatchStatus.AUTO,
    MatchStatus.REVIEW,
    MatchStatus.NONE,
]


class Account(WorkspaceScopedModel):
    name = models.CharField(max_length=255)
    normalized_name = models.CharField(max_length=255, blank=True, default="")
    domain = models.CharField(max_length=255, blank=True, default="")
    website = models.CharField(max_length=500, blank=True, default="")
    industry = models.CharField(max_length=120, blank=True, default="")
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, default="")
    region = models.CharField(max_length=64, blank=True, default="")
    city = models.CharField(max_length=120, blank=True, default="")
    phone = models.CharField(max_length=64, blank=True, default="")
    technologies = models.JSONField(default=list, blank=True)
    account_type = models.CharField(max_length=32, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    is_target = models.BooleanField(default=False)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    stage = models.CharField(
        max_length=16, choices=JourneyStage.choices, default=JourneyStage.TARGET
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    fit_score = models.FloatField(null=True, blank=True)
    predictive_fit = models.FloatField(null=True, blank=True)
    intent_score = models.FloatField(null=True, blank=True)
    engagement_score = models.FloatField(null=True, blank=True)
    priority = models.FloatField(null=True, blank=True)
    health_score = models.FloatField(null=True, blank=True)
    # Why the scores are what they are: a set shared by every account with the same reasons
    # (scoring.ReasonSet; read through `score_reasons`). No constraint and no index: a scoring
    # run points a million rows at sets, and an index or a constraint check per row would cost
    # as much as the narrower row saves. Sets are only deleted with their workspace.
    reason_set = models.ForeignKey(
        "scoring.ReasonSet",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    crm_source = models.CharField(max_length=32, blank=True, default="")
    crm_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "crm_source", "crm_id"],
                condition=~Q(crm_id=""),
                name="uniq_account_crm_id",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "domain"], name="account_ws_domain"),
            models.Index(fields=["workspace", "normalized_name"], name="account_ws_normname"),
            # Not on priority: a scoring run rewrites every account's scores, and an update
            # that changes no indexed column stays on its page (HOT) without touching any
            # index (scoring.pipeline). The queues sort by priority DESC NULLS LAST, which
            # this index's order could not give anyway.
            models.Index(fields=["workspace", "owner"], name="account_ws_owner"),
            # Nor on tier, for the same reason: a first scoring run gives every account its
            # tier, and with tier indexed here each of its million updates added an entry to
            # all nine indexes (1.4 s of every 50,000-row write chunk, against ~0.3 s HOT).
            # Tier lookups go through `AccountTier`, its own narrow index.
            models.Index(fields=["workspace", "stage"], name="account_ws_stage"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def score_reasons(self) -> dict:
        """The reasons dict of the last scoring ({} if never scored). Read-only: scoring writes
        reasons through scoring.services.reason_set_get_or_create. Lists that show reasons
        should select_related("reason_set")."""
        from scoring.models import reason_set_reasons

        return reason_set_reasons(self)


class AccountTier(models.Model):
    """Each account's tier (0 = not tiered), indexed for the tier filters of lists, queues,
    segments and the API, so that `accounts_account` itself carries no index on tier.

    Database triggers keep it equal to `Account.tier` whoever writes accounts (the ORM, an
    import's bulk statements, COPY): a row per account on insert, its tier on every change,
    gone with the account (migration 0010). The scoring write-back, which changes a million
    tiers at once, sets `beacon.account_tiers_kept` and upserts its rows set-wise instead of
    firing the row trigger a million times (`scoring.pipeline`).
    """

    account = models.OneToOneField(
        Account,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the delete trigger removes the row
        related_name="tier_row",
        db_constraint=False,
    )
    workspace = models.ForeignKey(
        "abm.Workspace", on_delete=models.DO_NOTHING, db_index=False, db_constraint=False
    )
    tier = models.PositiveSmallIntegerField(default=0)

    objects = WorkspaceManager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "tier"], name="accounttier_ws_tier")]

    def __str__(self) -> str:
        return f"account {self.account_id}: tier {self.tier or '-'}"


class AccountDomain(WorkspaceScopedModel):
    """Extra domains an account owns or used to own (a company that moved domains)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="extra_domains")
    domain = models.CharField(max_length=255)
    is_former = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain", "account"], name="uniq_account_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class AccountIpRange(WorkspaceScopedModel):
    """A CIDR block an account's offices browse from; web visits resolve through it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ip_ranges")
    cidr = models.CharField(max_length=64)
    start = models.DecimalField(max_digits=39, decimal_places=0)
    end = models.DecimalField(max_digits=39, decimal_places=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "start", "end"], name="ipr_ws_range")]

    def __str__(self) -> str:
        return self.cidr


class Contact(WorkspaceScopedModel):
    """A person. Leads are contacts that came in as leads (`is_lead`) and may lack an account."""

    # No database constraint on the workspace, as on engagement events and score snapshots: an
    # import inserts a million people at a time, and the constraint is a deferred check run at
    # commit for every row (a third of each 50,000-row chunk's PostgreSQL time, with the account
    # check, in bench/RESULTS.md's import profile). Every writer sets the workspace from the
    # request or the job; deleting a workspace still cascades through the ORM.
    workspace = models.ForeignKey(
        "abm.Workspace", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    is_lead = models.BooleanField(default=False)
    first_name = models.CharField(max_length=120, blank=True, default="")
    last_name = models.CharField(max_length=120, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    email_domain = models.CharField(max_length=255, blank=True, default="")
    title = models.CharField(max_length=255, blank=True, default="")
    seniority = models.CharField(
        max_length=16, choices=Seniority.choices, default=Seniority.UNKNOWN
    )
    department = models.CharField(max_length=120, blank=True, default="")
    buying_role = models.CharField(
        max_length=16, choices=BuyingRole.choices, blank=True, default=""
    )
    lead_status = models.CharField(
        max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    lead_status_changed_at = models.DateTimeField(null=True, blank=True)
    lead_source = models.CharField(max_length=120, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    website = models.CharField(max_length=500, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    city = models.CharField(max_length=120, blank=True, default="")
    phone = models.CharField(max_length=64, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        db_index=False,  # partial index `contact_owner` below
    )
    match_status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.UNMATCHED
    )
    match_confidence = models.FloatField(null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    crm_source = models.CharField(max_length=32, blank=True, default="")
    crm_id = models.CharField(max_length=64, blank=True, default="")
    crm_account_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "crm_source", "crm_id"],
                condition=~Q(crm_id=""),
                name="uniq_contact_crm_id",
            ),
            models.UniqueConstraint(
                fields=["workspace", "email"], condition=~Q(email=""), name="uniq_contact_email"
            ),
        ]
        # Every index costs each imported person an insertion (~1.5 s of PostgreSQL CPU per
        # index per million people), so each one below serves queries the product runs, and the
        # partial ones hold only the rows those queries look for. A person imported with a
        # known account, no owner and no lead stage (a CRM contact export) enters four indexes:
        # the key, the two identities an import upserts by, and `account_id` (the account
        # page, and SET NULL when an account is deleted).
        indexes = [
            # Matching and suggested accounts look up people without an account by email domain.
            models.Index(
                fields=["workspace", "email_domain"],
                condition=Q(account__isnull=True),
                name="contact_ws_domain_unlinked",
            ),
            # The review queue and its counts; settled people (accepted, linked by hand,
            # rejected) are found through their account or not at all.
            models.Index(
                fields=["workspace", "match_status"],
                condition=Q(match_status__in=OPEN_MATCH_STATUSES),
                name="contact_ws_match_open",
            ),
            # The lead inbox (leads only) and the funnel dashboards (MQL, SAL, SQL).
            models.Index(
                fields=["workspace", "lead_status"],
                condition=Q(is_lead=True) | ~Q(lead_status=LeadStatus.NEW),
                name="contact_ws_leadstatus",
            ),
            # SET NULL when a user is deleted; most people have no owner.
            models.Index(fields=["owner"], condition=Q(owner__isnull=False), name="contact_owner"),
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Opportunity(WorkspaceScopedModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="USD")
    stage = models.CharField(max_length=64, blank=True, default="")
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    created_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    crm_source = models.CharField(max_length=32, blank=True, default="")
    crm_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "crm_source", "crm_id"],
                condition=~Q(crm_id=""),
                name="uniq_opportunity_crm_id",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "account"], name="opp_ws_account"),
            models.Index(fields=["workspace", "close_date"], name="opp_ws_close"),
            models.Index(fields=["workspace", "created_date"], name="opp_ws_created"),
        ]
        ordering = ["-created_date", "name"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.name


class Activity(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        LINKEDIN = "linkedin", "LinkedIn touch"
        NOTE = "note", "Note"
        TASK = "task", "Next step"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    outcome = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField()
    note = models.TextField(blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "account", "at"], name="activity_ws_account_at"),
            # Covering (PostgreSQL): the SDR dashboard counts a period's activities per SDR
            # with an index-only scan.
            models.Index(
                fields=["workspace", "user", "at"],
                include=["kind", "account"],
                name="activity_ws_user_at",
            ),
        ]
        ordering = ["-at"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.account_id} at {self.at:%Y-%m-%d}"
