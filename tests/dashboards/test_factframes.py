"""The funnels, deal sizes and engagement trend from the fact columns each web process keeps equal what the
database computes, for every filter; and a refresh anywhere makes every process read the facts
again."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from accounts.models import Account, LeadStatusChange, Opportunity
from campaigns.models import StageTransition
from dashboards import factframes
from dashboards.filters import DashboardFilters
from dashboards.selectors import METRICS, PAGES
from dashboards.selectors.deals import DIMENSIONS, deal_size_breakdown, won_amount_distribution
from dashboards.selectors.engagement import engagement_trend
from dashboards.selectors.funnels import account_funnel, lead_funnel
from dashboards.selectors.team import sdr_performance
from dashboards.services import ACCOUNT_LADDER, ACCOUNT_RANK, rollups_rebuild
from tests.factories import (
    AccountFactory,
    CampaignAccountFactory,
    CampaignFactory,
    ContactFactory,
    EngagementEventFactory,
    MembershipFactory,
    OpportunityFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _journeys(workspace, rng: random.Random, *, accounts: int = 40) -> dict:
    """Accounts of every tier, segment and owner wandering the ladder, with leads; a campaign
    targeting a third of them."""
    owners = [MembershipFactory(workspace=workspace, role="sdr").user for _ in range(3)]
    campaign = CampaignFactory(workspace=workspace)
    for _ in range(accounts):
        account = AccountFactory(
            workspace=workspace,
            tier=rng.choice([1, 2, 3, None]),
            employees=rng.choice([50, 500, 5000, None]),
            owner=rng.choice([*owners, None]),
        )
        if rng.random() < 0.35:
            CampaignAccountFactory(workspace=workspace, campaign=campaign, account=account)
        previous, at = "", START - dt.timedelta(days=20)
        for _ in range(rng.randrange(1, 7)):
            stage = rng.choice([*ACCOUNT_LADDER, "churned"])
            at += dt.timedelta(days=rng.choice([0, 1, 3, 9, 20]), hours=rng.randrange(24))
            StageTransition.objects.create(
                workspace=workspace, account=account, from_stage=previous, to_stage=stage, at=at
            )
            previous = stage
        contact = ContactFactory(workspace=workspace, account=account, lead_status="mql")
        at, status = START - dt.timedelta(days=10), "mql"
        for _ in range(rng.randrange(1, 4)):
            status = rng.choice(["mql", "sal", "sql", "opportunity"])
            at += dt.timedelta(days=rng.choice([0, 2, 7, 15]), hours=rng.randrange(24))
            LeadStatusChange.objects.create(
                workspace=workspace, contact=contact, to_status=status, at=at
            )
        contact.lead_status, contact.lead_status_changed_at = status, at
        contact.save()
    rollups_rebuild(workspace=workspace)
    return {"owners": [o.pk for o in owners], "campaign": campaign.pk}


def _filters(rng: random.Random, made: dict) -> DashboardFilters:
    first = rng.randrange(-30, 60)
    return DashboardFilters(
        date_from=(START + dt.timedelta(days=first)).date(),
        date_to=(START + dt.timedelta(days=first + rng.choice([0, 6, 30, 90]))).date(),
        tier=rng.choice(["", "", "1", "2", "3", "none"]),
        segment=rng.choice(["", "", "smb", "mid_market", "enterprise", "unknown"]),
        owner=rng.choice([None, None, *made["owners"]]),
        campaign=rng.choice([None, None, made["campaign"]]),
    )


@pytest.mark.parametrize("seed", [11, 12])
def test_funnels_from_the_columns_equal_the_database_counts_for_every_filter(
    workspace, settings, seed
):
    rng = random.Random(seed)
    made = _journeys(workspace, rng)
    assert factframes.stage_columns(
        workspace_id=workspace.pk, kind="account", ladder=ACCOUNT_LADDER
    )  # the default cap holds this workspace's facts in memory
    compared = 0
    for _ in range(60):
        filters = _filters(rng, made)
        settings.DASHBOARD_FACT_COLUMNS_MAX = factframes.DEFAULT_MAX_FACTS
        columns = (
            account_funnel(workspace=workspace, filters=filters),
            lead_funnel(workspace=workspace, filters=filters),
        )
        settings.DASHBOARD_FACT_COLUMNS_MAX = 0
        database = (
            account_funnel(workspace=workspace, filters=filters),
            lead_funnel(workspace=workspace, filters=filters),
        )
        assert columns == database, filters
        compared += bool(columns[0]["entered"])
    assert compared >= 10  # many draws count something: the comparison is not of empty funnels


def test_a_refresh_in_another_process_makes_this_one_read_the_facts_again(workspace, monkeypatch):
    # given a process holding the columns of a workspace with one account at MQA
    account = AccountFactory(workspace=workspace)
    StageTransition.objects.create(
        workspace=workspace, account=account, from_stage="", to_stage="mqa", at=START
    )
    rollups_rebuild(workspace=workspace)
    filters = DashboardFilters(date_from=START.date(), date_to=(START + dt.timedelta(30)).date())
    before = account_funnel(workspace=workspace, filters=filters)
    assert [r["count"] for r in before["rows"]] == [1, 1, 1, 1, 0, 0]
    # when another process refreshes the rollups (this one is not told: no local forget)
    StageTransition.objects.create(
        workspace=workspace,
        account=account,
        from_stage="mqa",
        to_stage="opportunity",
        at=START + dt.timedelta(days=3),
    )
    monkeypatch.setattr(factframes, "forget", lambda **_kw: None)
    rollups_rebuild(workspace=workspace)
    # then the new rollup version reloads the columns
    after = account_funnel(workspace=workspace, filters=filters)
    assert [r["count"] for r in after["rows"]] == [1, 1, 1, 1, 1, 0]
    assert after["rows"][ACCOUNT_RANK["mqa"] - 1]["median_days_in_stage"] == 3.0


def test_columns_of_one_workspace_never_answer_for_another():
    # given two workspaces whose rollups are at the same version
    ours, theirs = WorkspaceFactory(), WorkspaceFactory()
    for workspace, stage in ((ours, "mqa"), (theirs, "engaged")):
        StageTransition.objects.create(
            workspace=workspace,
            account=AccountFactory(workspace=workspace),
            from_stage="",
            to_stage=stage,
            at=START,
        )
        rollups_rebuild(workspace=workspace)
    filters = DashboardFilters(date_from=START.date(), date_to=START.date())
    # when both are counted in one process
    counts = {
        w.slug: [r["count"] for r in account_funnel(workspace=w, filters=filters)["rows"]]
        for w in (ours, theirs, ours)
    }
    # then each shows its own account
    assert counts[ours.slug] == [1, 1, 1, 1, 0, 0]
    assert counts[theirs.slug] == [1, 1, 1, 0, 0, 0]


def test_a_workspace_over_the_cap_is_counted_by_the_database(workspace, settings):
    rng = random.Random(5)
    made = _journeys(workspace, rng, accounts=8)
    settings.DASHBOARD_FACT_COLUMNS_MAX = 3  # fewer than its facts
    assert (
        factframes.stage_columns(workspace_id=workspace.pk, kind="account", ladder=ACCOUNT_LADDER)
        is None
    )
    filters = _filters(rng, made)
    over = account_funnel(workspace=workspace, filters=filters)
    settings.DASHBOARD_FACT_COLUMNS_MAX = factframes.DEFAULT_MAX_FACTS
    assert account_funnel(workspace=workspace, filters=filters) == over


def _within_a_cent(ours, theirs) -> bool:
    """Equal, but for money that may differ by a cent where the true value is a half cent
    (exactly rounded sums here, PostgreSQL's float sums in scan order there)."""
    if isinstance(ours, dict):
        return ours.keys() == theirs.keys() and all(
            _within_a_cent(ours[k], theirs[k]) for k in ours
        )
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(map(_within_a_cent, ours, theirs))
    if isinstance(ours, float) and isinstance(theirs, float):
        return abs(ours - theirs) <= 0.0100001
    return ours == theirs


# The executive page's metrics: one revenue grid, from the columns or the database.
REVENUE = PAGES["executive"]["metrics"]


@pytest.mark.parametrize("seed", [21, 22])
def test_deal_sizes_from_the_columns_equal_the_database_for_every_filter(workspace, settings, seed):
    rng = random.Random(seed)
    made = _journeys(workspace, rng, accounts=30)
    # deals sourced by the campaign of the filters, by another one, or by none
    campaigns = [made["campaign"], CampaignFactory(workspace=workspace).pk]
    for account in Account.objects.for_workspace(workspace).order_by("pk"):
        for _ in range(rng.randrange(0, 4)):
            created = (START + dt.timedelta(days=rng.randrange(-60, 60))).date()
            won = rng.random() < 0.6
            OpportunityFactory(
                workspace=workspace,
                account=account,
                amount=rng.choice([999.99, 4_000, 12_345.67, 30_000, 75_000.5, 260_000]),
                created_date=created,
                close_date=created + dt.timedelta(days=rng.randrange(0, 90)),
                stage="Closed Won" if won else "Closed Lost",
                is_closed=True,
                is_won=won,
                campaign_id=rng.choice([None, *campaigns]),
            )
    rollups_rebuild(workspace=workspace)
    assert Opportunity.objects.for_workspace(workspace).filter(is_won=True).exists()
    counted = sqls = opportunities = 0
    for _ in range(40):
        filters = _filters(rng, made)

        def deal_sizes(filters=filters):
            return (
                [
                    deal_size_breakdown(workspace=workspace, filters=filters, dimension=d)
                    for d in DIMENSIONS
                ]
                + [METRICS[name].compute(workspace=workspace, filters=filters) for name in REVENUE]
                + [sdr_performance(workspace=workspace, filters=filters)]
                + [won_amount_distribution(workspace=workspace, filters=filters)]
            )

        settings.DASHBOARD_FACT_COLUMNS_MAX = factframes.DEFAULT_MAX_FACTS
        columns = deal_sizes()
        settings.DASHBOARD_FACT_COLUMNS_MAX = 0
        database = deal_sizes()
        assert _within_a_cent(columns, database), filters
        counted += bool(columns[-1]["deals"])
        sdr = columns[-2]["totals"]
        sqls += sdr["sqls"]
        opportunities += sdr["opportunities"]
    assert counted >= 10  # many draws hold won deals: the comparison is not of empty tables
    # the SDR table's SQLs and pipeline were compared too, not only zeros
    assert sqls > 0
    assert opportunities > 0


@pytest.mark.parametrize("seed", [31, 32])
def test_the_engagement_trend_from_the_cube_columns_equals_the_database(workspace, settings, seed):
    rng = random.Random(seed)
    made = _journeys(workspace, rng, accounts=30)
    for account in Account.objects.for_workspace(workspace).order_by("pk"):
        for _ in range(rng.randrange(4, 16)):
            EngagementEventFactory(
                workspace=workspace,
                account=account,
                kind=rng.choice(["web_visit", "email_open", "meeting"]),
                channel=rng.choice(["web", "email", "events", ""]),
                weight=rng.choice([1.0, 2.0, 4.5, 30.0]),
                occurred_at=START + dt.timedelta(days=rng.randrange(-40, 80), hours=3),
            )
    rollups_rebuild(workspace=workspace)
    counted = 0
    everything = DashboardFilters(
        date_from=(START - dt.timedelta(days=40)).date(),
        date_to=(START + dt.timedelta(days=80)).date(),
    )
    for filters in [everything] + [_filters(rng, made) for _ in range(40)]:
        settings.DASHBOARD_FACT_COLUMNS_MAX = factframes.DEFAULT_MAX_FACTS
        columns = engagement_trend(workspace=workspace, filters=filters)
        settings.DASHBOARD_FACT_COLUMNS_MAX = 0
        assert columns == engagement_trend(workspace=workspace, filters=filters), filters
        counted += any(row["engaged_accounts"] for row in columns["rows"])
    assert counted >= 5  # not only empty weeks compared


@pytest.mark.parametrize("seed", [41])
def test_campaign_credit_sums_from_the_columns_equal_the_database(workspace, settings, seed):
    from campaigns.attribution import MODELS
    from dashboards.models import CampaignCredit
    from dashboards.selectors.team import campaign_credit

    rng = random.Random(seed)
    made = _journeys(workspace, rng, accounts=25)
    campaigns = [made["campaign"], *(CampaignFactory(workspace=workspace).pk for _ in range(2))]
    for account in Account.objects.for_workspace(workspace).order_by("pk"):
        for _ in range(rng.randrange(1, 6)):
            EngagementEventFactory(
                workspace=workspace,
                account=account,
                campaign_id=rng.choice(campaigns),
                channel=rng.choice(["web", "email", "events"]),
                occurred_at=START + dt.timedelta(days=rng.randrange(-90, 0)),
            )
        for _ in range(rng.randrange(0, 3)):
            created = (START + dt.timedelta(days=rng.randrange(0, 60))).date()
            won = rng.random() < 0.5
            OpportunityFactory(
                workspace=workspace,
                account=account,
                amount=rng.choice([1_000.01, 12_345.67, 50_000]),
                created_date=created,
                close_date=created + dt.timedelta(days=rng.randrange(0, 60)),
                is_closed=True,
                is_won=won,
            )
    rollups_rebuild(workspace=workspace)
    assert CampaignCredit.objects.for_workspace(workspace).filter(is_won=True).exists()
    counted = 0
    for _ in range(30):
        filters = _filters(rng, made)
        for model in MODELS:
            settings.DASHBOARD_FACT_COLUMNS_MAX = factframes.DEFAULT_MAX_FACTS
            columns = campaign_credit(workspace=workspace, filters=filters, model=model)
            settings.DASHBOARD_FACT_COLUMNS_MAX = 0
            database = campaign_credit(workspace=workspace, filters=filters, model=model)
            assert _within_a_cent(columns, database), (filters, model)
            counted += bool(columns)
    assert counted >= 20  # credits in many of the periods compared


def test_a_process_keeps_its_columns_within_the_memory_budget(settings):
    # given two workspaces, each with facts, and room for about one of them
    workspaces = [WorkspaceFactory(), WorkspaceFactory()]
    for workspace in workspaces:
        StageTransition.objects.create(
            workspace=workspace,
            account=AccountFactory(workspace=workspace),
            from_stage="",
            to_stage="mqa",
            at=START,
        )
        rollups_rebuild(workspace=workspace)
    filters = DashboardFilters(date_from=START.date(), date_to=START.date())
    settings.DASHBOARD_FACT_COLUMNS_MB = 0  # every new load drops all the others
    # when both are counted, one after the other, twice
    counts = [
        [r["count"] for r in account_funnel(workspace=w, filters=filters)["rows"]]
        for w in workspaces * 2
    ]
    # then the answers stay right and only the last workspace's columns are kept
    assert counts == [[1, 1, 1, 1, 0, 0]] * 4
    kept = factframes.stage_columns(
        workspace_id=workspaces[1].pk, kind="account", ladder=ACCOUNT_LADDER
    )
    assert factframes.kept_bytes() == factframes._nbytes(kept) > 0


@pytest.mark.parametrize("max_table_id", [factframes.MAX_TABLE_ID, 10])
def test_target_list_lookup_agrees_with_isin(monkeypatch, max_table_id):
    # given: stays of accounts 1..400 and some with no account, a list with ids above them all
    rng = np.random.default_rng(3)
    account = rng.integers(1, 400, 5_000).astype(float)
    account[::7] = np.nan
    targets = np.array([3, 17, 250, 399, 10_000], dtype=np.int64)
    monkeypatch.setattr(factframes, "_targets", lambda campaign_id: targets)
    monkeypatch.setattr(factframes, "MAX_TABLE_ID", max_table_id)
    # when
    on_list = factframes._on_target_list(account, 9)
    # then: the same rows as np.isin, and no stay without an account
    assert np.array_equal(on_list, np.isin(account, targets))
    assert not on_list[np.isnan(account)].any()
    assert on_list.sum() > 0


def test_empty_target_list_keeps_no_row(monkeypatch):
    monkeypatch.setattr(factframes, "_targets", lambda campaign_id: np.array([], dtype=np.int64))
    assert not factframes._on_target_list(np.array([1.0, 2.0, np.nan]), 9).any()
