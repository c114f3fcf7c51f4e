"""The rollups added for speed: campaign credit per deal, the account fields copied onto stage
and lead facts, and the engagement rankings that rank only accounts able to make the top.

Each must give what the slow path gave: credit equal to attributing the touches on the spot,
an incremental refresh equal to a full rebuild, nothing from another workspace, and rankings
equal to ranking every account.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from campaigns import attribution
from campaigns.selectors import attributed_revenue, campaign_performance
from dashboards.filters import filters_parse
from dashboards.models import (
    AccountCell,
    AccountStageFact,
    ActivityDaily,
    CampaignCredit,
    CampaignReach,
    EngagementSurge,
    EngagementWeekly,
    LeadStageFact,
    OpportunityFact,
)
from dashboards.selectors import METRICS, engagement
from dashboards.selectors.team import campaign_credit
from dashboards.services import rollups_rebuild, rollups_refresh
from tests.dashboards.conftest import at, day
from tests.factories import (
    AccountFactory,
    CampaignFactory,
    EngagementEventFactory,
    OpportunityFactory,
)

FILTERS = filters_parse({"from": "2026-01-01", "to": "2026-03-31"}, today=day("2026-04-01"))
COPIES = (
    AccountCell,
    ActivityDaily,
    CampaignCredit,
    CampaignReach,
    EngagementSurge,
    EngagementWeekly,
    AccountStageFact,
    LeadStageFact,
    OpportunityFact,
)


def snapshot(ws) -> dict[str, list[tuple]]:
    """Every row of the rollups under test, without ids (a rebuild renumbers them)."""
    out = {}
    for model in COPIES:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.for_workspace(ws).values_list(*fields)
        out[model.__name__] = sorted(
            (tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows),
            key=repr,
        )
    return out


def campaign_touches(dataset):
    """C1 and a second campaign touch Alpha before its deals, Bravo before O3 (hand-checked
    against the models in the test below)."""
    c2 = CampaignFactory(workspace=dataset.ws, name="Autumn Push")
    for account, campaign, kind, weight, when in (
        (dataset.a1, dataset.c1, "email_open", 1, "2026-01-02"),
        (dataset.a1, c2, "form_fill", 15, "2026-01-05"),
        (dataset.a1, dataset.c1, "meeting", 30, "2026-01-09"),
        (dataset.a1, c2, "web_visit", 2, "2026-01-25"),
        (dataset.a2, dataset.c1, "webinar_attended", 20, "2025-11-20"),
    ):
        EngagementEventFactory(
            workspace=dataset.ws,
            account=account,
            campaign=campaign,
            kind=kind,
            weight=weight,
            occurred_at=at(when, 10),
        )
    return c2


@pytest.mark.parametrize("model", list(attribution.MODELS))
def test_campaign_credit_equals_attributing_the_touches(dataset, model):
    # given
    campaign_touches(dataset)
    rollups_rebuild(workspace=dataset.ws)
    # when
    rolled = campaign_credit(workspace=dataset.ws, filters=FILTERS, model=model)
    direct = attributed_revenue(
        workspace=dataset.ws, model=model, date_from=FILTERS.date_from, date_to=FILTERS.date_to
    )["campaigns"]
    # then: the same campaigns, amounts and credited deal counts
    direct = {k: v for k, v in direct.items() if k is not None}
    assert set(rolled) == set(direct)
    for campaign_id, values in direct.items():
        assert rolled[campaign_id] == pytest.approx(values), campaign_id


def test_campaign_credit_hand_computed(dataset):
    # given: O1 (100,000, created 10 Jan) sees C1 open 2 Jan, C2 form 5 Jan, C1 meeting 9 Jan;
    # O2 (50,000 USD as 46,000 stored, created 1 Feb) sees those plus C2 visit 25 Jan.
    c2 = campaign_touches(dataset)
    rollups_rebuild(workspace=dataset.ws)
    # when
    linear = campaign_credit(workspace=dataset.ws, filters=FILTERS, model="linear")
    first = campaign_credit(workspace=dataset.ws, filters=FILTERS, model="first_touch")
    # then, linear: O1 2/3 C1 + 1/3 C2; O2 (stored amount 46,000) 2/4 C1 + 2/4 C2;
    # O3 (created 1 Dec 2025) is out of the period's pipeline but won in it: all C1 (30,000)
    assert linear[dataset.c1.pk]["pipeline"] == pytest.approx(100_000 * 2 / 3 + 46_000 / 2)
    assert linear[c2.pk]["pipeline"] == pytest.approx(100_000 / 3 + 46_000 / 2)
    assert linear[dataset.c1.pk]["opportunities"] == 2
    assert linear[dataset.c1.pk]["won"] == pytest.approx(100_000 * 2 / 3 + 30_000)
    assert linear[dataset.c1.pk]["won_opportunities"] == 2
    assert linear[c2.pk]["won"] == pytest.approx(100_000 / 3)
    # first touch: everything of Alpha's deals to C1's open
    assert first[dataset.c1.pk]["pipeline"] == pytest.approx(146_000)
    assert c2.pk not in first


def test_the_campaigns_page_reads_the_same_table_as_the_campaigns_app(dataset):
    # given
    campaign_touches(dataset)
    rollups_rebuild(workspace=dataset.ws)
    # when
    page = METRICS["campaign_performance"].compute(
        workspace=dataset.ws, filters=FILTERS, params={"model": "u_shaped"}
    )["rows"]
    direct = campaign_performance(
        workspace=dataset.ws,
        model="u_shaped",
        date_from=FILTERS.date_from,
        date_to=FILTERS.date_to,
    )
    # then
    assert len(page) == len(direct) == 2
    for mine, theirs in zip(page, direct, strict=True):
        for key in ("targeted", "reached", "engaged", "mqa", "opportunities"):
            assert mine[key] == theirs[key], key
        for key in ("pipeline", "won_revenue", "roi"):
            assert mine[key] == pytest.approx(theirs[key]), key


def test_refresh_after_new_touches_deals_and_account_changes_equals_a_rebuild(dataset):
    # given: rolled up; then a touch back-dated before Alpha's deals, a new deal for Bravo,
    # Charlie re-tiered and handed to Dana, Alpha's owner changed (its leads move with it)
    c2 = campaign_touches(dataset)
    rollups_rebuild(workspace=dataset.ws)
    EngagementEventFactory(
        workspace=dataset.ws,
        account=dataset.a1,
        campaign=c2,
        kind="meeting",
        weight=30,
        occurred_at=at("2026-01-08", 9),
    )
    OpportunityFactory(
        workspace=dataset.ws,
        account=dataset.a2,
        amount=12_000,
        created_date=day("2026-03-02"),
    )
    dataset.a3.tier = 1
    dataset.a3.owner = dataset.sdr2
    dataset.a3.save()
    dataset.a1.owner = dataset.sdr2
    dataset.a1.save()
    # when
    rollups_refresh(workspace=dataset.ws)
    refreshed = snapshot(dataset.ws)
    rollups_rebuild(workspace=dataset.ws)
    # then
    assert refreshed == snapshot(dataset.ws)
    assert {f.account_owner_id for f in LeadStageFact.objects.filter(account=dataset.a1)} == {
        dataset.sdr2.pk
    }
    assert {
        (f.tier, f.account_owner_id) for f in AccountStageFact.objects.filter(account=dataset.a3)
    } == {(1, dataset.sdr2.pk)}


def test_the_copies_stay_in_their_workspace(dataset, other_workspace):
    # given: another workspace with its own account, journey, lead, deal and campaign touches
    theirs = AccountFactory(workspace=other_workspace, tier=1, employees=5000)
    campaign = CampaignFactory(workspace=other_workspace)
    EngagementEventFactory(
        workspace=other_workspace, account=theirs, campaign=campaign, occurred_at=at("2026-01-03")
    )
    OpportunityFactory(
        workspace=other_workspace, account=theirs, amount=1_000, created_date=day("2026-01-10")
    )
    mine = snapshot(dataset.ws)
    # when
    rollups_rebuild(workspace=other_workspace)
    rollups_refresh(workspace=dataset.ws)
    # then: nothing of theirs in mine, and their credit goes to their campaign only
    assert snapshot(dataset.ws) == mine
    credits = CampaignCredit.objects.for_workspace(other_workspace)
    assert {c.campaign_id for c in credits} == {campaign.pk}
    assert campaign.pk not in campaign_credit(workspace=dataset.ws, filters=FILTERS, model="linear")


def _brute_force_rankings(events, last_week: dt.date):
    """Surge and heat-map ranking over every account, straight from the touches."""
    weekly: dict[tuple[int, dt.date], float] = {}
    for account, when, weight in events:
        week = when.date() - dt.timedelta(days=when.weekday())
        weekly[(account, week)] = weekly.get((account, week), 0.0) + weight
    accounts = {a for a, _ in weekly}
    recent = [last_week - dt.timedelta(weeks=1), last_week]
    baseline = [last_week - dt.timedelta(weeks=i) for i in range(2, 8)]
    surges = []
    for a in accounts:
        r = sum(weekly.get((a, w), 0.0) for w in recent)
        b = sum(weekly.get((a, w), 0.0) for w in baseline)
        if r > 0:
            surges.append((-(r / 2 / max(b / 6, 1.0)), -r, a))
    heat_weeks = [last_week - dt.timedelta(weeks=i) for i in range(13)]
    totals = []
    for a in accounts:
        if any((a, w) in weekly for w in heat_weeks):
            totals.append((-sum(weekly.get((a, w), 0.0) for w in heat_weeks), a))
    return [a for *_, a in sorted(surges)[:10]], [a for _, a in sorted(totals)[:15]]


@pytest.mark.parametrize("seed_factor", [1, 3])
def test_engagement_rankings_equal_ranking_every_account(workspace, monkeypatch, seed_factor):
    # given, over 14 weeks: 20 steady heavy accounts (90 points every week) that fill the
    # seeds of the last two weeks; 4 accounts with one 1,500-point week early on (heat-map
    # top, never seeds); 4 accounts whose only touch is a meeting in the last week (top surge,
    # never seeds); 50 light accounts at random (seeded, reproducible)
    monkeypatch.setattr(engagement, "SEED_FACTOR", seed_factor)
    rng = random.Random(8)
    first_day = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)  # a Monday
    events = []

    def touch(account, week, weight, day_of_week=0):
        when = first_day + dt.timedelta(weeks=week, days=day_of_week)
        EngagementEventFactory(
            workspace=workspace, account=account, weight=weight, occurred_at=when
        )
        events.append((account.pk, when, weight))

    for _ in range(20):
        account = AccountFactory(workspace=workspace)
        for week in range(14):
            touch(account, week, 90.0)
    for i in range(4):
        touch(AccountFactory(workspace=workspace), 2 + i, 1500.0)
        touch(AccountFactory(workspace=workspace), 13, 30.0, day_of_week=i)
    for _ in range(50):
        account = AccountFactory(workspace=workspace)
        for week in range(14):
            if rng.random() < 0.5:
                touch(account, week, float(rng.choice([1, 2, 5, 15, 30])), rng.randint(0, 6))
    rollups_rebuild(workspace=workspace)
    filters = filters_parse({"from": "2026-01-05", "to": "2026-04-12"}, today=day("2026-04-13"))
    # when
    surging = METRICS["surging_accounts"].compute(workspace=workspace, filters=filters)
    heat = METRICS["engagement_heatmap"].compute(workspace=workspace, filters=filters)
    # then
    top_surge, top_heat = _brute_force_rankings(events, day("2026-04-06"))
    assert [r["account_id"] for r in surging["rows"]] == top_surge
    assert [r["account_id"] for r in heat["rows"]] == top_heat


@pytest.mark.parametrize("params", [{}, {"tier": "1"}, {"segment": "smb"}, {"tier": "none"}])
def test_owned_accounts_from_the_cells_equal_counting_the_accounts(dataset, params):
    # given: the accounts re-tiered and re-assigned after the rebuild, then refreshed
    from accounts.models import Account, Activity
    from dashboards.filters import segment_of
    from dashboards.selectors.team import sdr_performance

    dataset.a3.tier = 1
    dataset.a3.owner = dataset.sdr2
    dataset.a3.save()
    rollups_refresh(workspace=dataset.ws)
    filters = filters_parse(
        {"from": "2026-01-01", "to": "2026-03-31", **params}, today=day("2026-04-01")
    )
    # when
    rows = sdr_performance(workspace=dataset.ws, filters=filters)["rows"]
    # then
    for row in rows:
        mine = [
            a
            for a in Account.objects.for_workspace(dataset.ws).filter(owner_id=row["user_id"])
            if (
                not filters.tier
                or (a.tier or "none")
                == (filters.tier if filters.tier == "none" else int(filters.tier))
            )
            and (not filters.segment or segment_of(a.employees) == filters.segment)
        ]
        assert row["accounts"] == len(mine), (row["name"], params)
        assert row["tier1_accounts"] == sum(1 for a in mine if a.tier == 1)
        # and their activities in the period, from the daily rollup
        acts = [
            a
            for a in Activity.objects.for_workspace(dataset.ws).filter(user_id=row["user_id"])
            if filters.date_from <= a.at.date() <= filters.date_to
            and (
                not filters.tier
                or (a.account.tier or "none")
                == (filters.tier if filters.tier == "none" else int(filters.tier))
            )
            and (not filters.segment or segment_of(a.account.employees) == filters.segment)
        ]
        assert row["activities"] == len(acts), (row["name"], params)
        assert row["meetings"] == sum(1 for a in acts if a.kind == "meeting")
    assert sum(r["accounts"] for r in rows) > 0 or params
    assert sum(r["activities"] for r in rows) > 0 or params


@pytest.mark.parametrize("few_accounts", [0, 1000], ids=["bounded", "account-first"])
@pytest.mark.parametrize("which", ["tier_1", "untiered", "campaign", "segment"])
def test_filtered_engagement_rankings_equal_ranking_the_matching_accounts(
    workspace, which, few_accounts, monkeypatch
):
    # given: 60 accounts of mixed tiers and sizes touched at random over 14 weeks, 15 of them
    # on a campaign's target list; the heat map ranks a narrow filter's accounts directly
    # (account-first) or bounds the ranking over everyone (bounded): the same top either way
    from tests.factories import CampaignAccountFactory

    monkeypatch.setattr(engagement, "FEW_ACCOUNTS", few_accounts)

    rng = random.Random(11)
    first_day = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    campaign = CampaignFactory(workspace=workspace)
    accounts, events = [], []
    for _ in range(60):
        account = AccountFactory(
            workspace=workspace,
            tier=rng.choice([1, 2, None]),
            employees=rng.choice([50, 500, 5000]),
        )
        accounts.append(account)
        for week in range(14):
            if rng.random() < 0.4:
                when = first_day + dt.timedelta(weeks=week, days=rng.randint(0, 6))
                weight = float(rng.choice([1, 2, 5, 15, 30, 200]))
                EngagementEventFactory(
                    workspace=workspace, account=account, weight=weight, occurred_at=when
                )
                events.append((account, when, weight))
    targets = rng.sample(accounts, 15)
    for account in targets:
        CampaignAccountFactory(workspace=workspace, campaign=campaign, account=account)
    rollups_rebuild(workspace=workspace)
    params, keep = {
        "tier_1": ({"tier": "1"}, lambda a: a.tier == 1),
        "untiered": ({"tier": "none"}, lambda a: a.tier is None),
        "campaign": ({"campaign": str(campaign.pk)}, lambda a: a in targets),
        "segment": ({"segment": "mid_market"}, lambda a: a.employees == 500),
    }[which]
    filters = filters_parse(
        {"from": "2026-01-05", "to": "2026-04-12", **params}, today=day("2026-04-13")
    )
    # when
    surging = METRICS["surging_accounts"].compute(workspace=workspace, filters=filters)
    heat = METRICS["engagement_heatmap"].compute(workspace=workspace, filters=filters)
    # then
    top_surge, top_heat = _brute_force_rankings(
        [(a.pk, when, weight) for a, when, weight in events if keep(a)], day("2026-04-06")
    )
    assert top_surge
    assert top_heat
    assert [r["account_id"] for r in surging["rows"]] == top_surge
    assert [r["account_id"] for r in heat["rows"]] == top_heat


@pytest.mark.parametrize("model", list(attribution.MODELS))
def test_channel_credit_equals_attributing_the_touches(dataset, model):
    # given
    from dashboards.selectors.team import channel_credit

    campaign_touches(dataset)
    rollups_rebuild(workspace=dataset.ws)
    # when
    rolled = channel_credit(workspace=dataset.ws, filters=FILTERS, model=model)
    direct = attributed_revenue(
        workspace=dataset.ws, model=model, date_from=FILTERS.date_from, date_to=FILTERS.date_to
    )["channels"]
    # then
    assert direct
    assert set(rolled) == set(direct)
    for channel, values in direct.items():
        for key in ("pipeline", "won"):
            assert rolled[channel][key] == pytest.approx(values[key]), (channel, key)
        assert rolled[channel]["opportunities"] == values["opportunities"]
        assert rolled[channel]["won_opportunities"] == values["won_opportunities"]


def test_the_campaigns_app_pages_show_the_same_numbers_from_the_rollups(
    dataset, admin_client, monkeypatch
):
    # given: the campaign list and a campaign's page counted from the touches (a small database)
    from dashboards.selectors import team

    client = admin_client
    c2 = campaign_touches(dataset)
    query = "?date_from=2026-01-01&date_to=2026-03-31&model=linear"
    pages = [f"/campaigns/{query}", f"/campaigns/{c2.pk}/{query}"]
    live = [client.get(page) for page in pages]
    # when: the database counts as big, and the rollups hold the touches
    monkeypatch.setattr(team, "LIVE_CAMPAIGN_TOUCHES_LIMIT", 0)
    rollups_rebuild(workspace=dataset.ws)
    rolled = [client.get(page) for page in pages]
    # then: the numbers shown are the same
    assert "146" in _numbers(live[0].content.decode())  # the list's pipeline, in thousands
    for before, after in zip(live, rolled, strict=True):
        assert before.status_code == after.status_code == 200
        assert _numbers(before.content.decode()) == _numbers(after.content.decode())


def _numbers(html: str) -> list[str]:
    import re

    body = html[html.index("<main") :]
    return re.findall(r"\d[\d,.]*", re.sub(r"<[^>]+>", " ", body))
