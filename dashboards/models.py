"""Rollups the dashboards read instead of the raw tables.

Every row is derived: `dashboards.services` rebuilds them from accounts, opportunities,
engagement events and stage transitions (all of it, or just what an import touched), so any
row here can be thrown away and recomputed.

Their links to accounts, contacts and opportunities have no database constraint: a rebuild
writes millions of rows, and deferred foreign-key checks queued one trigger per row and locked
every referenced account at commit. Deleting an account still removes its rollup rows (Django's
CASCADE), and the next rebuild starts from the source tables anyway.
"""

from django.db import models

from abm.tenancy import WorkspaceScopedModel

# The account's fields copied onto facts, which their covering indexes carry for the filters.
ACCOUNT_COPIES = ("account", "tier", "segment", "account_owner_id")
ALL_CHANNELS = ""  # channel value of the weekly / cube rows that count every channel together


class RollupState(models.Model):
    """One per workspace: progress and outcome of the last refresh (the pages show it)."""

    class Status(models.TextChoices):
        IDLE = "idle", "Never built"
        RUNNING = "running", "Refreshing"
        DONE = "done", "Up to date"
        FAILED = "failed", "Failed"

    workspace = models.OneToOneField(
        "abm.Workspace", on_delete=models.CASCADE, related_name="rollup_state"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDLE)
    version = models.PositiveBigIntegerField(default=0)
    events_through = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"rollups of {self.workspace_id}: {self.status} v{self.version}"


class EngagementDaily(WorkspaceScopedModel):
    """Touches per account, day and channel."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    day = models.DateField()
    channel = models.CharField(max_length=16, blank=True, default="")
    events = models.PositiveIntegerField(default=0)
    points = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "account", "day", "channel"], name="uniq_engdaily"
            )
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="engdaily_ws_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.channel}: {self.events}"


class EngagementWeekly(WorkspaceScopedModel):
    """Touches per account, ISO week (Monday) and channel; channel "" is every channel."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    week = models.DateField()
    channel = models.CharField(max_length=16, blank=True, default="")
    events = models.PositiveIntegerField(default=0)
    points = models.FloatField(default=0)
    # The account's tier, segment and owner, as on the cube (0 = untiered / unassigned): the
    # heat map and trend filter on them without joining 200,000 accounts (140 ms a request).
    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16, default="unknown")
    owner_id = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Covering too: a campaign filter reads its ~1,000 target accounts' rows through
            # this index, 16 heap visits per account without the included columns (70 ms; the
            # trend with a campaign and a segment, 50 ms before segment and owner were here).
            models.UniqueConstraint(
                fields=["workspace", "account", "week", "channel"],
                include=["events", "points", "tier", "segment", "owner_id"],
                name="uniq_engweekly",
            )
        ]
        indexes = [
            # Points as a key: the engagement rankings read each week's biggest accounts and
            # the accounts above a floor as index range scans (dashboards.selectors.engagement).
            # On PostgreSQL it covers account, events and the filters too: index-only scans.
            models.Index(
                fields=["workspace", "channel", "week", "points"],
                include=["account", "events", "tier", "segment", "owner_id"],
                name="engweekly_ws_ch_week_pts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.week} {self.channel or 'all'}: {self.events}"


class AccountCell(WorkspaceScopedModel):
    """How many accounts each (tier, segment, owner) holds: the SDR table's owned accounts
    without counting the accounts table per request (70 ms at 200,000 accounts). Rebuilt whole
    on every refresh (one GROUP BY). tier 0 = untiered, owner_id 0 = unassigned, as on the cube.
    """

    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16)
    owner_id = models.IntegerField(default=0)
    accounts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"t{self.tier} {self.segment} owner {self.owner_id}: {self.accounts}"


class ActivityDaily(WorkspaceScopedModel):
    """SDR activities and meetings per day (UTC), SDR and the account's tier and segment: the
    SDR table counted 148,000 activities per request for six months (54 ms). Rebuilt whole on
    every refresh (activities carry no creation time to refresh by)."""

    day = models.DateField()
    user_id = models.IntegerField()
    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16)
    activities = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "day"],
                include=["user_id", "tier", "segment", "activities", "meetings"],
                name="actdaily_ws_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.activities}"


class EngagementSurge(WorkspaceScopedModel):
    """An account's surge as of a week: its points in that week and the week before (`recent`)
    against the six weeks before those (`baseline`), as `dashboards.selectors.engagement`
    defines it. One row per account and week with recent points above zero, so the surging
    accounts of any period are the first rows of one week in surge order (ranking every
    engaged account per request cost ~400 ms of database time at 10M events). The account's
    tier, segment and owner are copied, as on the cube (0 = untiered / unassigned).
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    week = models.DateField()
    recent = models.FloatField()
    baseline = models.FloatField()
    surge = models.FloatField()
    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16, default="unknown")
    owner_id = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # Covering (PostgreSQL): a selective filter walks much of a week in surge order,
            # index-only instead of one heap visit per row (394 ms → see bench/RESULTS.md).
            models.Index(
                fields=["workspace", "week", "-surge", "-recent", "account"],
                include=["baseline", "tier", "segment", "owner_id"],
                name="engsurge_ws_week_rank",
            ),
            models.Index(fields=["workspace", "account"], name="engsurge_ws_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.week}: surge {self.surge:.2f}"


class CubeCells(WorkspaceScopedModel):
    """Engaged accounts, touches and points of one week, (tier, segment, owner) cell and channel
    ("" = every channel); tier 0 = untiered, owner_id 0 = unassigned."""

    week = models.DateField()
    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16)
    owner_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=16, blank=True, default="")
    accounts = models.PositiveIntegerField(default=0)
    events = models.PositiveIntegerField(default=0)
    points = models.FloatField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.week} t{self.tier} {self.segment} {self.channel or 'all'}: {self.accounts}"


class EngagementCube(CubeCells):
    """Engaged accounts per week by the account's tier, segment and owner, and by channel.

    Accounts belong to exactly one (tier, segment, owner) cell, so engaged-account counts add up
    across cells of one week and channel: the engagement trend for any tier/segment/owner filter
    is a sum over a few hundred rows.
    """

    class Meta:
        indexes = [models.Index(fields=["workspace", "week"], name="engcube_ws_week")]


class CampaignCube(CubeCells):
    """The engagement cube of one campaign's target accounts: engaged targets per week by tier,
    segment, owner and channel, as `EngagementCube` counts every account.

    The engagement trend filtered to a campaign read its ~1,000 targets' weekly rows (34,000
    for a year at 10M events) and grouped them per request: 30–130 ms of the page, the slowest
    tenth of its requests. These rows are about a tenth of that. A target account belongs to
    one (tier, segment, owner) cell, so counts add up across cells as on the cube. The rows
    are only good for the target list they were built from: `CampaignCubeBuild` keeps its
    digest, and a campaign whose list changed since is read from the weekly rows until the next
    refresh rebuilds it.
    """

    campaign_id = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "campaign_id", "week"],
                include=["tier", "segment", "owner_id", "channel", "accounts", "events", "points"],
                name="campcube_ws_campaign_week",
            )
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} {self.week} t{self.tier} {self.channel or 'all'}"


class CampaignCubeBuild(WorkspaceScopedModel):
    """The target list a campaign's `CampaignCube` rows were built from: how many targets and a
    hash of their account ids (`dashboards.selectors.team.campaign_targets_digest`)."""

    campaign_id = models.IntegerField()
    targets_count = models.IntegerField()
    targets_hash = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign_id"], name="uniq_campaign_cube_build"
            )
        ]

    def __str__(self) -> str:
        return f"cube of campaign {self.campaign_id}: {self.targets_count} targets"


class OpportunityFact(WorkspaceScopedModel):
    """One per opportunity: amount in USD, ABM flag and sales-cycle length precomputed.

    The account's tier, segment, industry and owner are copied here (like the cube's cells) so
    the revenue and deal-size queries filter and group without joining 200,000 accounts; a
    refresh rewrites the facts of accounts that changed.
    """

    opportunity = models.OneToOneField(
        "accounts.Opportunity", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    campaign_id = models.IntegerField(null=True, blank=True)
    owner_id = models.IntegerField(null=True, blank=True)
    amount_usd = models.FloatField(default=0)
    created_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    is_abm = models.BooleanField(default=False)
    cycle_days = models.IntegerField(null=True, blank=True)
    tier = models.PositiveSmallIntegerField(default=0)  # the account's; 0 = untiered
    segment = models.CharField(max_length=16, default="unknown")
    industry = models.CharField(max_length=128, blank=True, default="")
    account_owner_id = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "created_date"], name="oppfact_ws_created"),
            models.Index(fields=["workspace", "close_date"], name="oppfact_ws_close"),
            models.Index(fields=["workspace", "account"], name="oppfact_ws_account"),
        ]

    def __str__(self) -> str:
        return f"fact of opportunity {self.opportunity_id}"


class AccountStageFact(WorkspaceScopedModel):
    """One stay of an account in a journey stage, from `campaigns.StageTransition`.

    The account's tier, segment and owner are copied here, as on `OpportunityFact`, so the
    funnel's filters read no accounts; a refresh rewrites the facts of accounts that changed.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    stage = models.CharField(max_length=16)
    rank = models.PositiveSmallIntegerField()  # position on the ladder; churned = 0
    entered_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)
    days = models.FloatField(null=True, blank=True)  # length of a finished stay
    tier = models.PositiveSmallIntegerField(default=0)  # the account's; 0 = untiered
    segment = models.CharField(max_length=16, default="unknown")
    account_owner_id = models.IntegerField(null=True, blank=True)
    # prior_N: when the account last entered a stay of rank ≥ N before this one (None: never).
    # The funnel counts an account at step N once per period: on its first stay of rank ≥ N
    # in the period, the one whose prior_N is before the period (no GROUP BY account).
    prior_1 = models.DateTimeField(null=True, blank=True)
    prior_2 = models.DateTimeField(null=True, blank=True)
    prior_3 = models.DateTimeField(null=True, blank=True)
    prior_4 = models.DateTimeField(null=True, blank=True)
    prior_5 = models.DateTimeField(null=True, blank=True)
    prior_6 = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Covering (PostgreSQL): the funnel counts and medians are index-only scans.
            models.Index(
                fields=["workspace", "entered_at"],
                include=[
                    "rank",
                    *(f"prior_{n}" for n in range(1, 7)),
                    *ACCOUNT_COPIES,
                ],
                name="stagefact_ws_entered",
            ),
            models.Index(
                fields=["workspace", "exited_at"],
                include=["stage", "days", *ACCOUNT_COPIES],
                name="stagefact_ws_exited",
            ),
            models.Index(fields=["workspace", "account"], name="stagefact_ws_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.stage} from {self.entered_at:%Y-%m-%d}"


class LeadStageFact(WorkspaceScopedModel):
    """When a lead first reached each funnel step and when it moved on.

    MQL, SAL and SQL come from the lead status log (or the current status and its date);
    opportunity and won from the first deal (won deal) of the lead's account after it became SQL.
    The account and its tier, segment and owner are copied here (a lead without an account is
    untiered, of unknown size and unowned, as the join to no account read), so the funnel and
    the SDR table filter and group without joining contacts and accounts.
    """

    contact = models.ForeignKey(
        "accounts.Contact", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    status = models.CharField(max_length=16)
    rank = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)  # when the next status was reached
    days = models.FloatField(null=True, blank=True)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # as the contact's own link
        related_name="+",
        db_constraint=False,
    )
    tier = models.PositiveSmallIntegerField(default=0)
    segment = models.CharField(max_length=16, default="unknown")
    account_owner_id = models.IntegerField(null=True, blank=True)
    # As on AccountStageFact: when the lead last reached a step of rank ≥ N before this one.
    prior_1 = models.DateTimeField(null=True, blank=True)
    prior_2 = models.DateTimeField(null=True, blank=True)
    prior_3 = models.DateTimeField(null=True, blank=True)
    prior_4 = models.DateTimeField(null=True, blank=True)
    prior_5 = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "status"], name="uniq_leadstagefact"
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "status", "reached_at"],
                include=list(ACCOUNT_COPIES),
                name="leadfact_ws_status_reached",
            ),
            models.Index(
                fields=["workspace", "reached_at"],
                include=[
                    "rank",
                    "status",
                    *(f"prior_{n}" for n in range(1, 6)),
                    *ACCOUNT_COPIES,
                ],
                name="leadfact_ws_reached",
            ),
            models.Index(
                fields=["workspace", "exited_at"],
                include=["status", "days", *ACCOUNT_COPIES],
                name="leadfact_ws_exited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} reached {self.status} at {self.reached_at:%Y-%m-%d}"


class DealCredit(WorkspaceScopedModel):
    """What one campaign or channel earned of one opportunity under one attribution model.

    The deal's dates and won flag are copied so the period filters need no join.
    """

    opportunity = models.ForeignKey(
        "accounts.Opportunity", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    model = models.CharField(max_length=16)
    share = models.FloatField()
    amount = models.FloatField()
    created_date = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    is_won = models.BooleanField(default=False)

    class Meta:
        abstract = True


class CampaignCredit(DealCredit):
    """What one campaign earned of one opportunity under one attribution model.

    `campaigns.attribution` splits a deal over the touches of its account before it was
    created; doing that for every deal on every request read millions of touches (the campaigns
    dashboard timed out at 10M events). Here the split is done once per deal and model: `share`
    is the sum of the campaign's positive credits, `amount` that share of the deal's amount as
    stored (no currency conversion, as `campaigns.selectors.campaign_performance`). A row exists
    only when the campaign earned something, so counting rows counts credited opportunities.
    The deal's dates and won flag are copied so the period filters need no join.
    """

    campaign_id = models.IntegerField()

    class Meta:
        indexes = [
            # Covering (PostgreSQL): the per-campaign sums of a period are index-only scans.
            models.Index(
                fields=["workspace", "model", "created_date"],
                include=["campaign_id", "amount"],
                name="credit_ws_created",
            ),
            models.Index(
                fields=["workspace", "model", "close_date"],
                include=["campaign_id", "amount", "is_won"],
                name="credit_ws_close",
            ),
            models.Index(fields=["workspace", "account"], name="credit_ws_account"),
        ]

    def __str__(self) -> str:
        return f"{self.model} credit of campaign {self.campaign_id} on {self.opportunity_id}"


class CampaignReach(WorkspaceScopedModel):
    """How many accounts a campaign reached, engaged and turned MQA, for any period.

    The campaigns table counts, per campaign and period, accounts with a touch in the period
    (reached), those whose touches in the period reach the engaged threshold or raise a hand
    (engaged), those that became MQA in the period after their first touch in it (mqa), and the
    reached accounts on the target list. Counting that from the raw touches took 30 s per request
    at 10M events. Each count is a function of the period's first and last day that only changes
    on days the campaign touched someone, so it is stored once per such start day: `counts` is
    an int32 array of shape (4, n) — reached, engaged, mqa, reached targets — for the period
    ending on `start_day`, the day after, … (the last value holds for any later end).

    A row is only good for the rules and target list it was built with: `engaged_points` and the
    targets' count and id hash are compared on read, and a campaign that no longer matches is
    counted from the touches instead until the next refresh.
    """

    campaign_id = models.IntegerField()
    start_day = models.DateField()
    counts = models.BinaryField()
    engaged_points = models.FloatField()
    targets_count = models.IntegerField()
    targets_hash = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign_id", "start_day"], name="uniq_campaign_reach"
            )
        ]

    def __str__(self) -> str:
        return f"reach of campaign {self.campaign_id} from {self.start_day}"


class ChannelCredit(DealCredit):
    """What one channel earned of one opportunity under one attribution model: `CampaignCredit`
    split by the touches' channel instead of their campaign ("" for touches without one), so
    the campaigns page's channel table reads sums too.
    """

    channel = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "model", "created_date"],
                include=["channel", "amount"],
                name="chcredit_ws_created",
            ),
            models.Index(
                fields=["workspace", "model", "close_date"],
                include=["channel", "amount", "is_won"],
                name="chcredit_ws_close",
            ),
            models.Index(fields=["workspace", "account"], name="chcredit_ws_account"),
        ]

    def __str__(self) -> str:
        return f"{self.model} credit of channel {self.channel or '-'} on {self.opportunity_id}"


class CampaignTouchTotal(WorkspaceScopedModel):
    """Every touch a campaign ever had (with or without a matched account) and the last one:
    the campaign list's columns, counted once per refresh instead of over every touch on each
    request (1.8 s at 10M events). Maintained with `CampaignReach`."""

    campaign_id = models.IntegerField()
    touches = models.PositiveIntegerField(default=0)
    last_touch = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign_id"], name="uniq_campaign_touch_total"
            )
        ]

    def __str__(self) -> str:
        return f"campaign {self.campaign_id}: {self.touches} touches"
