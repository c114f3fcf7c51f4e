"""A workspace's stage and deal facts as numpy columns held in the web process.

The conversion page counts every stay that began in the period and takes medians of every stay
that ended in it. For a year of a 200,000-account workspace (~450,000 stays) PostgreSQL spent
~90 ms counting and ~120 ms sorting for the medians on every request, whatever the filters.
The same numbers from columns in memory take a few milliseconds. Facts only change when the
rollups are refreshed, and every refresh bumps `RollupState.version`, so a process keeps the
columns of its recently used workspaces (up to `DASHBOARD_FACT_COLUMNS_MB`) under that version
(read before the facts, so a refresh committing in between can only make the copy look older,
never newer, than it is) and loads them again once the version moves. Workspaces with more
facts than `DASHBOARD_FACT_COLUMNS_MAX` are counted by the database as before (`None` from
`stage_columns`).

The deal-size page groups the period's won deals five ways and bins them: six queries over the
same ~8,000 deals (~40 ms of database time a request at 200,000 accounts), one pass here. The
engagement trend sums a year of the cube (~57,000 rows) into ~1,700 (week, tier, channel)
groups: ~14 ms of hashing in the database, ~2 ms here. The campaigns page sums a year of
campaign credits (~100,000 rows per attribution model) per campaign: ~20 ms there, ~2 ms here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from django.conf import settings

from campaigns.models import CampaignAccount
from dashboards.filters import DashboardFilters
from dashboards.models import (
    AccountStageFact,
    ActivityDaily,
    CampaignCredit,
    EngagementCube,
    LeadStageFact,
    OpportunityFact,
    RollupState,
)

DEFAULT_MAX_FACTS = 3_000_000  # about 200 MB of columns per process at the cap
DEFAULT_BUDGET_MB = 256  # per process, all workspaces and kinds: least recently used go first
EPOCH_DAY = dt.date(1970, 1, 1)

_lock = threading.Lock()
_kept: OrderedDict[tuple, FactColumns] = OrderedDict()


@dataclass(frozen=True)
class FactColumns:
    """One kind of fact of a workspace, a row per stay. Times are epoch seconds (NaN: none).

    Rows are ordered by step, then days: each step's stays are one block (`blocks[i]` to
    `blocks[i + 1]`), sorted, so a median is picked by position instead of sorting per request.
    """

    steps: tuple[str, ...]  # the ladder: step n (1-based) is rank n
    began: np.ndarray  # entered_at / reached_at
    ended: np.ndarray  # exited_at
    days: np.ndarray
    step: np.ndarray  # index into `steps` of the stay's stage; len(steps): off the ladder
    rank: np.ndarray
    priors: tuple[np.ndarray, ...]  # prior_1 … prior_N
    tier: np.ndarray
    segment: np.ndarray  # codes into `segments`
    segments: dict[str, int]
    owner: np.ndarray  # account_owner_id; NaN: none
    account: np.ndarray  # account_id; NaN: none
    blocks: np.ndarray  # where each step's rows begin (len(steps) + 1 bounds)

    def matching(self, filters: DashboardFilters) -> np.ndarray | None:
        """Rows whose account copies pass the tier, segment, owner and campaign filters
        (None: every row), as `fact_q` selects them in the database."""
        if not filters.has_account_filter:
            return None
        keep = _copies(np.ones(len(self.rank), dtype=bool), filters, self)
        if filters.campaign:
            keep &= _on_target_list(self.account, filters.campaign)
        return keep

    def step_counts(self, filters: DashboardFilters, start: float, end: float) -> list[int]:
        """Entities reaching each step or a later one in [start, end): counted on their first
        stay of rank ≥ n in the period, the one whose prior_n lies before it (or is none)."""
        rows = (self.began >= start) & (self.began < end)
        keep = self.matching(filters)
        if keep is not None:
            rows &= keep
        return [
            int(np.count_nonzero(rows & (self.rank >= n) & ~(prior >= start)))
            for n, prior in enumerate(self.priors, start=1)
        ]

    def reached_by_owner(
        self, filters: DashboardFilters, step: str, start: float, end: float, owners: list[int]
    ) -> dict[int, int]:
        """Stays of `step` that began in [start, end) per account owner among `owners`, behind
        the tier, segment and campaign filters (`filters.owner` is not applied)."""
        rows = (self.began >= start) & (self.began < end) & (self.step == self.steps.index(step))
        keep = self.matching(replace(filters, owner=None))
        if keep is not None:
            rows &= keep
        return _count_by(self.owner[rows], owners)

    def medians(self, filters: DashboardFilters, start: float, end: float) -> dict[str, float]:
        """Median days of the stays of each step that ended in [start, end): the middle one of
        the step's block (sorted by days) among those rows, or the mean of the middle two."""
        rows = (self.ended >= start) & (self.ended < end) & ~np.isnan(self.days)
        keep = self.matching(filters)
        if keep is not None:
            rows &= keep
        out = {}
        for i, name in enumerate(self.steps):
            lo, hi = self.blocks[i], self.blocks[i + 1]
            picked = np.flatnonzero(rows[lo:hi])
            if len(picked):
                n = len(picked)
                low, high = self.days[lo + picked[(n - 1) // 2]], self.days[lo + picked[n // 2]]
                out[name] = float((low + high) / 2)
        return out


@dataclass(frozen=True)
class DealColumns:
    """Opportunity facts of a workspace, a row per deal. Dates are days since 1970 (NaN: none)."""

    close: np.ndarray
    won: np.ndarray
    amount: np.ndarray  # amount_usd
    tier: np.ndarray
    segment: np.ndarray  # codes into `segments`
    segments: dict[str, int]
    industry: np.ndarray  # codes into `industries`
    industries: tuple[str, ...]
    campaign: np.ndarray  # the campaign that sourced the deal; NaN: none
    owner: np.ndarray  # account_owner_id; NaN: none
    account: np.ndarray
    created: np.ndarray  # days since 1970; NaN: none
    closed: np.ndarray  # is_closed
    abm: np.ndarray  # is_abm
    cycle: np.ndarray  # cycle_days; NaN: none

    def behind(self, filters: DashboardFilters) -> np.ndarray:
        """Deals behind the tier, segment, owner and campaign filters, as
        `selectors.revenue.facts` selects them (a campaign: its target accounts' deals or the
        deals it sourced)."""
        rows = _copies(np.ones(len(self.won), dtype=bool), filters, self)
        if filters.campaign:
            rows &= _on_target_list(self.account, filters.campaign) | (
                self.campaign == float(filters.campaign)
            )
        return rows

    def pipeline_by_owner(self, filters: DashboardFilters, owners: list[int]) -> dict[int, dict]:
        """Deals created in the period per account owner among `owners`: how many, their amount
        and the won part of it, behind the tier, segment and campaign filters as `fact_q` reads
        them (a campaign: its target accounts only; `filters.owner` is not applied)."""
        first = (filters.date_from - EPOCH_DAY).days
        last = (filters.date_to - EPOCH_DAY).days
        rows = _copies(
            (self.created >= first) & (self.created <= last), replace(filters, owner=None), self
        )
        if filters.campaign:
            rows &= _on_target_list(self.account, filters.campaign)
        rows &= np.isin(self.owner, owners)
        out: dict[int, dict] = {}
        owner, amount, won = self.owner[rows], self.amount[rows], self.won[rows]
        for pk in np.unique(owner).tolist():
            mine = owner == pk
            out[int(pk)] = {
                "n": int(np.count_nonzero(mine)),
                "amount": float(amount[mine].sum()),
                "won": float(amount[mine & won].sum()),
            }
        return out

    def revenue_grid(self, filters: DashboardFilters) -> dict:
        """Every revenue aggregate for (current, previous) × (abm, other, all), as
        `selectors.revenue._compute_grid` reads them from the database: sums and counts of the
        deals created, closed and won in each period, the won deals' mean and median amount and
        cycle (a median is the mean of the middle two, as percentile_cont(0.5))."""
        rows = self.behind(filters)
        grid: dict = {}
        for pname, period in (("cur", filters), ("prev", filters.previous())):
            first = (period.date_from - EPOCH_DAY).days
            last = (period.date_to - EPOCH_DAY).days
            created = rows & (self.created >= first) & (self.created <= last)
            closed = rows & self.closed & (self.close >= first) & (self.close <= last)
            won = closed & self.won
            for gname, group in (("abm", self.abm), ("other", ~self.abm), ("all", True)):
                c, w = created & group, won & group
                amounts, cycles = self.amount[w], self.cycle[w]
                cycles = cycles[~np.isnan(cycles)]
                grid[(pname, gname)] = {
                    "created_amount": float(self.amount[c].sum()),
                    "created_n": int(np.count_nonzero(c)),
                    "won_amount": float(amounts.sum()),
                    "won_n": len(amounts),
                    "closed_n": int(np.count_nonzero(closed & group)),
                    "avg_amount": float(amounts.mean()) if len(amounts) else None,
                    "median_amount": float(np.median(amounts)) if len(amounts) else None,
                    "avg_cycle": float(cycles.mean()) if len(cycles) else None,
                    "median_cycle": float(np.median(cycles)) if len(cycles) else None,
                }
        return grid

    def won_in(self, filters: DashboardFilters) -> np.ndarray:
        """Won deals closed in the period (end day included) behind the filters, as
        `selectors.revenue.facts` selects them: a campaign means its target accounts' deals
        or the deals it sourced."""
        first = (filters.date_from - EPOCH_DAY).days
        last = (filters.date_to - EPOCH_DAY).days
        return self.won & (self.close >= first) & (self.close <= last) & self.behind(filters)


def _count_by(values: np.ndarray, keys: list[int]) -> dict[int, int]:
    """How many of `values` (float ids, NaN: none) equal each of `keys`, for those present."""
    found, counts = np.unique(values[np.isin(values, keys)], return_counts=True)
    return {int(k): int(n) for k, n in zip(found.tolist(), counts.tolist(), strict=True)}


def _copies(rows: np.ndarray, filters: DashboardFilters, columns) -> np.ndarray:
    """`rows` narrowed by tier, segment and owner on the columns' copies of the account's
    fields, as `selectors.common.copies_q` narrows rollups in the database (tier 0: untiered)."""
    if filters.tier:
        rows = rows & (columns.tier == (0 if filters.tier == "none" else int(filters.tier)))
    if filters.segment:
        rows = rows & (columns.segment == columns.segments.get(filters.segment, -1))
    if filters.owner:
        rows = rows & (columns.owner == float(filters.owner))
    return rows


def _targets(campaign_id: int) -> np.ndarray:
    """The campaign's target accounts, read once per page render (`memoized`)."""
    from dashboards.selectors.memo import memoized  # the selectors package imports this module

    return memoized(
        ("campaign_targets", int(campaign_id)),
        lambda: np.fromiter(
            CampaignAccount.objects.filter(campaign_id=campaign_id).values_list(
                "account_id", flat=True
            ),
            dtype=np.int64,
        ),
    )


# Above this account id a lookup table would cost more memory than np.isin costs time.
MAX_TABLE_ID = 50_000_000


def _on_target_list(account: np.ndarray, campaign_id: int) -> np.ndarray:
    """Rows whose account (float ids, NaN: none) is on the campaign's target list.

    A lookup table indexed by account id: np.isin sorts every row with the list, 84 ms for
    450,000 stays and 1,000 targets on session 7's machine, against 2.5 ms for the table.
    """
    targets = _targets(campaign_id)
    if not len(targets) or not len(account):
        return np.zeros(len(account), dtype=bool)
    top = int(max(targets.max(), np.nanmax(account, initial=0)))
    if top > MAX_TABLE_ID:
        return np.isin(account, targets)
    table = np.zeros(top + 2, dtype=bool)  # the last slot, never a target, takes the NaNs
    table[targets] = True
    ids = np.nan_to_num(account, nan=top + 1).astype(np.int64)
    return table[ids]


@dataclass(frozen=True)
class CubeColumns:
    """`EngagementCube` rows of a workspace. Weeks are days since 1970 (their Monday)."""

    week: np.ndarray
    tier: np.ndarray
    segment: np.ndarray  # codes into `segments`
    segments: dict[str, int]
    owner: np.ndarray  # owner_id; 0: unassigned
    channel: np.ndarray  # codes into `channels`
    channels: tuple[str, ...]
    accounts: np.ndarray
    events: np.ndarray
    points: np.ndarray

    def trend(self, filters: DashboardFilters, first: dt.date, last: dt.date) -> list[tuple]:
        """(week, tier, channel, accounts, events, points) summed over the cells behind the
        tier, segment and owner filters, for the weeks first..last: what `_trend_rows` reads
        from the cube in the database (the campaign filter is not a cube's)."""
        rows = (self.week >= (first - EPOCH_DAY).days) & (self.week <= (last - EPOCH_DAY).days)
        rows = _copies(rows, filters, self)
        week, tier, channel = self.week[rows], self.tier[rows], self.channel[rows]
        tiers, channels = int(self.tier.max(initial=0)) + 1, len(self.channels)
        key = ((week - week.min(initial=0)) * tiers + tier) * channels + channel
        groups, inverse = np.unique(key, return_inverse=True)
        sums = [
            np.bincount(inverse, weights=values[rows], minlength=len(groups))
            for values in (self.accounts, self.events, self.points)
        ]
        start = int(week.min(initial=0))
        return [
            (
                EPOCH_DAY + dt.timedelta(days=start + int(g) // channels // tiers),
                int(g) // channels % tiers,
                self.channels[int(g) % channels],
                int(a),
                int(n),
                float(pts),
            )
            for g, a, n, pts in zip(groups, *sums, strict=True)
        ]


@dataclass(frozen=True)
class ActivityColumns:
    """`ActivityDaily` rows of a workspace (a row per day, SDR, tier and segment; days since
    1970): the SDR table's activities and meetings, ~14 ms of database time for a year at
    200,000 accounts, a few masks here."""

    day: np.ndarray
    user: np.ndarray
    tier: np.ndarray
    segment: np.ndarray  # codes into `segments`
    segments: dict[str, int]
    activities: np.ndarray
    meetings: np.ndarray

    def by_user(self, filters: DashboardFilters, users: list[int]) -> dict[int, dict]:
        """Activities and meetings in the period per SDR among `users`, behind the tier and
        segment filters (`filters.owner` and `filters.campaign` are not applied)."""
        first = (filters.date_from - EPOCH_DAY).days
        last = (filters.date_to - EPOCH_DAY).days
        rows = (self.day >= first) & (self.day <= last) & np.isin(self.user, users)
        rows = _copies(rows, replace(filters, owner=None), self)
        user = self.user[rows]
        found, inverse = np.unique(user, return_inverse=True)
        sums = [
            np.bincount(inverse, weights=values[rows], minlength=len(found))
            for values in (self.activities, self.meetings)
        ]
        return {
            int(u): {"n": int(n), "meetings": int(m)}
            for u, n, m in zip(found.tolist(), *(x.tolist() for x in sums), strict=True)
        }


@dataclass(frozen=True)
class CreditColumns:
    """`CampaignCredit` rows of a workspace. Dates are days since 1970 (NaN: none)."""

    model: np.ndarray  # codes into `models`
    models: dict[str, int]
    campaign: np.ndarray
    created: np.ndarray
    close: np.ndarray
    won: np.ndarray
    amount: np.ndarray
    # Rows are ordered by model: model i's rows are `blocks[i]` to `blocks[i + 1]`, so a sum
    # under one model reads its block only (a sixth of the rows with six models).
    blocks: np.ndarray

    def sums(self, filters: DashboardFilters, model: str) -> dict[int, dict]:
        """Per campaign under `model`: pipeline and opportunities of the deals created in the
        period, won revenue and won opportunities of the won deals closed in it (the campaign
        filter keeps one campaign), as `selectors.team._credit_sums` reads them."""
        first = (filters.date_from - EPOCH_DAY).days
        last = (filters.date_to - EPOCH_DAY).days
        code = self.models.get(model)
        out: dict[int, dict] = {}
        if code is None:
            return out
        block = slice(int(self.blocks[code]), int(self.blocks[code + 1]))
        ids, created, close = self.campaign[block], self.created[block], self.close[block]
        amount = self.amount[block]
        mine = np.ones(len(ids), dtype=bool)
        if filters.campaign:
            mine &= ids == int(filters.campaign)
        for rows, count_key, amount_key in (
            (mine & (created >= first) & (created <= last), "opportunities", "pipeline"),
            (
                mine & self.won[block] & (close >= first) & (close <= last),
                "won_opportunities",
                "won",
            ),
        ):
            campaigns, inverse = np.unique(ids[rows], return_inverse=True)
            counts = np.bincount(inverse, minlength=len(campaigns))
            totals = np.bincount(inverse, weights=amount[rows], minlength=len(campaigns))
            for campaign, n, total in zip(
                campaigns.tolist(), counts.tolist(), totals.tolist(), strict=True
            ):
                row = out.setdefault(
                    campaign,
                    {"pipeline": 0.0, "opportunities": 0, "won": 0.0, "won_opportunities": 0},
                )
                row[count_key], row[amount_key] = n, total
        return out


def stage_columns(*, workspace_id: int, kind: str, ladder: tuple[str, ...]) -> FactColumns | None:
    """The workspace's `kind` ("account" or "lead") facts as columns, loaded at most once per
    rollup version per process; None when the workspace has more facts than the cap."""
    model = AccountStageFact if kind == "account" else LeadStageFact
    return _kept_or_load(
        kind, workspace_id, model, lambda facts: _load(facts, kind=kind, ladder=ladder)
    )


def deal_columns(*, workspace_id: int) -> DealColumns | None:
    """The workspace's opportunity facts as columns, as `stage_columns`."""
    return _kept_or_load("deal", workspace_id, OpportunityFact, _load_deals)


def credit_columns(*, workspace_id: int) -> CreditColumns | None:
    """The workspace's campaign credits as columns, as `stage_columns`."""
    return _kept_or_load("credit", workspace_id, CampaignCredit, _load_credits)


def activity_columns(*, workspace_id: int) -> ActivityColumns | None:
    """The workspace's daily SDR activities as columns, as `stage_columns`."""
    return _kept_or_load("activity", workspace_id, ActivityDaily, _load_activity)


def cube_columns(*, workspace_id: int) -> CubeColumns | None:
    """The workspace's engagement cube as columns, as `stage_columns`."""
    return _kept_or_load("cube", workspace_id, EngagementCube, _load_cube)


def _kept_or_load(kind: str, workspace_id: int, model, load):
    cap = getattr(settings, "DASHBOARD_FACT_COLUMNS_MAX", DEFAULT_MAX_FACTS)
    if not cap:
        return None
    from dashboards.selectors.memo import memoized  # the selectors package imports this module

    # Read once per page render: its metrics then see one version of the rollups.
    stamp = memoized(
        ("rollup_stamp", workspace_id),
        lambda: (
            RollupState.objects.filter(workspace_id=workspace_id)
            .values_list("version", "finished_at")
            .first()
        ),
    )
    key = (kind, workspace_id, stamp)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    facts = model.objects.for_workspace(workspace_id)
    if facts.count() > cap:
        return None
    columns = load(facts)
    budget = getattr(settings, "DASHBOARD_FACT_COLUMNS_MB", DEFAULT_BUDGET_MB) * 2**20
    with _lock:
        for stale in [k for k in _kept if k[:2] == key[:2]]:
            del _kept[stale]
        _kept[key] = columns
        while len(_kept) > 1 and sum(map(_nbytes, _kept.values())) > budget:
            del _kept[next(iter(_kept))]  # the least recently used (never the one just loaded)
    return columns


def kept_bytes() -> int:
    """What this process holds in fact columns."""
    with _lock:
        return sum(map(_nbytes, _kept.values()))


def _nbytes(columns) -> int:
    total = 0
    for value in vars(columns).values():
        for array in value if isinstance(value, tuple) else (value,):
            total += array.nbytes if isinstance(array, np.ndarray) else 0
    return total


def forget(*, workspace_id: int | None = None) -> None:
    """Drop this process's columns (of one workspace): its rollups were just rewritten here."""
    with _lock:
        for key in [k for k in _kept if workspace_id is None or k[1] == workspace_id]:
            del _kept[key]


def _load(facts, *, kind: str, ladder: tuple[str, ...]) -> FactColumns:
    from scoring.pipeline import Epoch, read_frame

    began, state = ("entered_at", "stage") if kind == "account" else ("reached_at", "status")
    priors = [f"prior_{n}" for n in range(1, len(ladder) + 1)]
    times = [began, "exited_at", *priors]
    names = [*times, "days", state, "rank", "tier", "segment", "account_owner_id", "account_id"]
    frame = read_frame(
        facts.order_by()
        .annotate(**{f"t_{name}": Epoch(name) for name in times})
        .values_list(*[f"t_{name}" for name in times], *names[len(times) :]),
        names,
    )

    def floats(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=float, na_value=np.nan)

    position = {name: i for i, name in enumerate(ladder)}
    step = np.array(
        [position.get(s, len(ladder)) for s in frame[state].astype(str)], dtype=np.int16
    )  # off the ladder (churned): after the last block
    days = floats("days")
    codes, names = pd.factorize(frame["segment"].astype(str))
    order = np.lexsort((np.nan_to_num(days, nan=np.inf), step))
    step = step[order]

    def ordered(values: np.ndarray) -> np.ndarray:
        return values[order]

    return FactColumns(
        steps=ladder,
        began=ordered(floats(began)),
        ended=ordered(floats("exited_at")),
        days=days[order],
        step=step,
        rank=ordered(frame["rank"].to_numpy(dtype=np.int16)),
        priors=tuple(ordered(floats(p)) for p in priors),
        tier=ordered(frame["tier"].to_numpy(dtype=np.int16)),
        segment=ordered(codes.astype(np.int16)),
        segments={str(name): i for i, name in enumerate(names)},
        owner=ordered(floats("account_owner_id")),
        account=ordered(floats("account_id")),
        blocks=np.searchsorted(step, np.arange(len(ladder) + 1), side="left"),
    )


def _load_deals(facts) -> DealColumns:
    from scoring.pipeline import Epoch, read_frame

    names = ["close", "is_won", "amount_usd", "tier", "segment", "industry", "campaign_id"]
    names += ["account_owner_id", "account_id", "created", "is_closed", "is_abm", "cycle_days"]
    frame = read_frame(
        facts.order_by()
        .annotate(t_close=Epoch("close_date"), t_created=Epoch("created_date"))
        .values_list("t_close", *names[1:9], "t_created", *names[10:]),
        names,
    )
    segment_codes, segment_names = pd.factorize(frame["segment"].astype(str))
    industry_codes, industry_names = pd.factorize(frame["industry"].fillna("").astype(str))

    def floats(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=float, na_value=np.nan)

    return DealColumns(
        close=np.floor(floats("close") / 86400.0),
        won=frame["is_won"].map(_truthy).to_numpy(dtype=bool),
        amount=floats("amount_usd"),
        tier=frame["tier"].to_numpy(dtype=np.int16),
        segment=segment_codes.astype(np.int16),
        segments={str(name): i for i, name in enumerate(segment_names)},
        industry=industry_codes.astype(np.int32),
        industries=tuple(str(name) for name in industry_names),
        campaign=floats("campaign_id"),
        owner=floats("account_owner_id"),
        account=floats("account_id"),
        created=np.floor(floats("created") / 86400.0),
        closed=frame["is_closed"].map(_truthy).to_numpy(dtype=bool),
        abm=frame["is_abm"].map(_truthy).to_numpy(dtype=bool),
        cycle=floats("cycle_days"),
    )


def _truthy(value) -> bool:
    """A boolean as COPY (t/f) or the ORM (True/1) gives it."""
    return value in (True, 1, "t", "true", "True", "1")


def _load_cube(cube) -> CubeColumns:
    from scoring.pipeline import Epoch, read_frame

    names = ["week", "tier", "segment", "owner_id", "channel", "accounts", "events", "points"]
    frame = read_frame(
        cube.order_by().annotate(t_week=Epoch("week")).values_list("t_week", *names[1:]), names
    )
    segment_codes, segment_names = pd.factorize(frame["segment"].astype(str))
    channel_codes, channel_names = pd.factorize(frame["channel"].fillna("").astype(str))
    return CubeColumns(
        week=np.floor(frame["week"].to_numpy(dtype=float) / 86400.0).astype(np.int64),
        tier=frame["tier"].to_numpy(dtype=np.int64),
        segment=segment_codes.astype(np.int16),
        segments={str(name): i for i, name in enumerate(segment_names)},
        owner=frame["owner_id"].to_numpy(dtype=np.int64),
        channel=channel_codes.astype(np.int64),
        channels=tuple(str(name) for name in channel_names),
        accounts=frame["accounts"].to_numpy(dtype=np.int64),
        events=frame["events"].to_numpy(dtype=np.int64),
        points=frame["points"].to_numpy(dtype=float),
    )


def _load_activity(days) -> ActivityColumns:
    from scoring.pipeline import Epoch, read_frame

    names = ["day", "user_id", "tier", "segment", "activities", "meetings"]
    frame = read_frame(
        days.order_by().annotate(t_day=Epoch("day")).values_list("t_day", *names[1:]), names
    )
    segment_codes, segment_names = pd.factorize(frame["segment"].astype(str))
    return ActivityColumns(
        day=np.floor(frame["day"].to_numpy(dtype=float) / 86400.0).astype(np.int64),
        user=frame["user_id"].to_numpy(dtype=np.int64),
        tier=frame["tier"].to_numpy(dtype=np.int64),
        segment=segment_codes.astype(np.int16),
        segments={str(name): i for i, name in enumerate(segment_names)},
        activities=frame["activities"].to_numpy(dtype=np.int64),
        meetings=frame["meetings"].to_numpy(dtype=np.int64),
    )


def _load_credits(credits) -> CreditColumns:
    from scoring.pipeline import Epoch, read_frame

    names = ["model", "campaign_id", "created", "close", "is_won", "amount"]
    frame = read_frame(
        credits.order_by()
        .annotate(t_created=Epoch("created_date"), t_close=Epoch("close_date"))
        .values_list("model", "campaign_id", "t_created", "t_close", "is_won", "amount"),
        names,
    )
    model_codes, model_names = pd.factorize(frame["model"].astype(str))
    order = np.argsort(model_codes, kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    model_codes = model_codes[order]

    def days(name: str) -> np.ndarray:
        return np.floor(frame[name].to_numpy(dtype=float, na_value=np.nan) / 86400.0)

    return CreditColumns(
        model=model_codes.astype(np.int16),
        models={str(name): i for i, name in enumerate(model_names)},
        campaign=frame["campaign_id"].to_numpy(dtype=np.int64),
        created=days("created"),
        close=days("close"),
        won=frame["is_won"].map(_truthy).to_numpy(dtype=bool),
        amount=frame["amount"].to_numpy(dtype=float),
        blocks=np.searchsorted(model_codes, np.arange(len(model_names) + 1)),
    )
