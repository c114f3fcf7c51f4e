"""The engagement trend filtered to a campaign, read from `CampaignCube`.

It must equal grouping the target accounts' weekly rows on the spot for any period and filter,
stay right when a target list changes before the next refresh, follow new touches and re-tiered
accounts after a refresh exactly as a rebuild would, and never mix workspaces.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from accounts.models import Account
from campaigns.models import EngagementEvent
from dashboards.filters import DashboardFilters
from dashboards.models import CampaignCube, EngagementCube
from dashboards.selectors import engagement
from dashboards.services import rollups_rebuild, rollups_refresh
from tests.dashboards.test_campaign_reach import START, _at, _random_workspace
from tests.factories import AccountFactory, CampaignAccountFactory, EngagementEventFactory


def _filters(first: int, last: int, **extra) -> DashboardFilters:
    return DashboardFilters(
        date_from=START + dt.timedelta(days=first),
        date_to=START + dt.timedelta(days=last),
        **extra,
    )


def _trend(ws, filters, *, from_cube: bool, monkeypatch) -> dict:
    """The trend through the cube, or through the weekly rows (the cube declared stale)."""
    if not from_cube:
        monkeypatch.setattr(engagement, "_campaign_cube_fresh", lambda *a: False)
    try:
        return engagement.engagement_trend(workspace=ws, filters=filters)
    finally:
        monkeypatch.undo()


def _cube_rows(ws) -> list[tuple]:
    return sorted(
        CampaignCube.objects.for_workspace(ws).values_list(
            "campaign_id", "week", "tier", "segment", "owner_id", "channel", "accounts", "events"
        )
    )


def _tier_some(ws, rng: random.Random) -> None:
    for account in Account.objects.for_workspace(ws):
        Account.objects.filter(pk=account.pk).update(
            tier=rng.choice([1, 2, 3, None]), employees=rng.choice([50, 500, 5000, None])
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_cube_equals_grouping_the_targets_weekly_rows(workspace, seed, monkeypatch):
    # given
    rng = random.Random(seed)
    campaigns = _random_workspace(workspace, rng)
    _tier_some(workspace, rng)
    rollups_rebuild(workspace=workspace)
    assert CampaignCube.objects.for_workspace(workspace).exists()
    for campaign in campaigns:
        assert engagement._campaign_cube_fresh(workspace, campaign.pk)
        for first, last in [(0, 45), (-10, 100), (10, 20), (30, 44)]:
            for extra in ({}, {"tier": "1"}, {"tier": "none"}, {"segment": "enterprise"}):
                filters = _filters(first, last, campaign=campaign.pk, **extra)
                # when / then
                cube = _trend(workspace, filters, from_cube=True, monkeypatch=monkeypatch)
                weekly = _trend(workspace, filters, from_cube=False, monkeypatch=monkeypatch)
                assert cube == weekly, (campaign.pk, first, last, extra)
    # and the campaigns' trends do show engagement (the comparison is not between empties)
    busy = _trend(
        workspace,
        _filters(0, 45, campaign=campaigns[0].pk),
        from_cube=True,
        monkeypatch=monkeypatch,
    )
    assert sum(r["engaged_accounts"] for r in busy["rows"]) > 0


def test_an_edited_target_list_is_read_from_the_weekly_rows_until_the_refresh(
    workspace, monkeypatch
):
    # given
    rng = random.Random(4)
    campaigns = _random_workspace(workspace, rng)
    rollups_rebuild(workspace=workspace)
    edited = campaigns[0]
    newcomer = AccountFactory(workspace=workspace)
    EngagementEventFactory(
        workspace=workspace, account=newcomer, kind="meeting", weight=30, occurred_at=_at(20)
    )
    rollups_refresh(workspace=workspace)  # the newcomer's touch is in the weekly rows
    CampaignAccountFactory(workspace=workspace, campaign=edited, account=newcomer)
    filters = _filters(0, 45, campaign=edited.pk)
    # when
    before = engagement.engagement_trend(workspace=workspace, filters=filters)
    # then: the stale cube is not read; the newcomer's week counts it
    assert not engagement._campaign_cube_fresh(workspace, edited.pk)
    assert before == _trend(workspace, filters, from_cube=False, monkeypatch=monkeypatch)
    week = (START + dt.timedelta(days=20)) - dt.timedelta(
        days=(START + dt.timedelta(days=20)).weekday()
    )
    newcomer_week = next(r for r in before["rows"] if r["week"] == week.isoformat())
    assert newcomer_week["engaged_accounts"] >= 1
    # and after the refresh the cube answers again, with the same numbers
    rollups_refresh(workspace=workspace)
    assert engagement._campaign_cube_fresh(workspace, edited.pk)
    assert engagement.engagement_trend(workspace=workspace, filters=filters) == before


def test_new_touches_and_new_tiers_after_a_refresh_are_as_after_a_rebuild(workspace):
    # given
    rng = random.Random(8)
    campaigns = _random_workspace(workspace, rng)
    rollups_rebuild(workspace=workspace)
    account = campaigns[1].targets.first().account
    EngagementEventFactory(
        workspace=workspace, account=account, campaign=campaigns[1], kind="meeting", weight=30,
        occurred_at=_at(12),
    )  # fmt: skip
    # a re-tiered account moves to another cell in every week, with or without new touches
    retiered = Account.objects.for_workspace(workspace).exclude(pk=account.pk).first()
    Account.objects.filter(pk=retiered.pk).update(tier=1 if retiered.tier != 1 else 2)
    # when
    rollups_refresh(workspace=workspace, account_ids=[retiered.pk])
    refreshed = _cube_rows(workspace)
    refreshed_cube = sorted(EngagementCube.objects.for_workspace(workspace).values_list(
        "week", "tier", "segment", "owner_id", "channel", "accounts", "events"
    ))  # fmt: skip
    rollups_rebuild(workspace=workspace)
    # then
    assert refreshed == _cube_rows(workspace)
    assert refreshed_cube == sorted(EngagementCube.objects.for_workspace(workspace).values_list(
        "week", "tier", "segment", "owner_id", "channel", "accounts", "events"
    ))  # fmt: skip


def test_the_cube_stays_in_its_workspace(workspace, other_workspace):
    # given
    mine = _random_workspace(workspace, random.Random(9))
    theirs = _random_workspace(other_workspace, random.Random(10))
    rollups_rebuild(workspace=workspace)
    rollups_rebuild(workspace=other_workspace)
    # then: each workspace's rows are its own campaigns'
    assert {c for c, *_ in _cube_rows(workspace)} <= {c.pk for c in mine}
    assert {c for c, *_ in _cube_rows(other_workspace)} <= {c.pk for c in theirs}
    # and another workspace's campaign as a filter shows nothing
    trend = engagement.engagement_trend(
        workspace=workspace, filters=_filters(0, 45, campaign=theirs[0].pk)
    )
    assert sum(r["engaged_accounts"] for r in trend["rows"]) == 0


def test_a_re_tiered_account_without_campaign_touches_moves_cell_in_the_cube(workspace):
    # given: an account touched outside any campaign, on campaign 0's target list
    campaigns = _random_workspace(workspace, random.Random(11))
    loner = AccountFactory(workspace=workspace, tier=3)
    CampaignAccountFactory(workspace=workspace, campaign=campaigns[0], account=loner)
    EngagementEventFactory(
        workspace=workspace, account=loner, kind="meeting", weight=30, occurred_at=_at(15)
    )
    rollups_rebuild(workspace=workspace)
    # nothing else changed lately: the refresh looks at the loner alone
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Account.objects.for_workspace(workspace).update(updated_at=an_hour_ago)
    EngagementEvent.objects.for_workspace(workspace).update(created_at=an_hour_ago)
    Account.objects.filter(pk=loner.pk).update(tier=1)
    # when
    rollups_refresh(workspace=workspace, account_ids=[loner.pk])
    # then: both cubes count it in Tier 1 now, as a rebuild does
    week = START + dt.timedelta(days=15)
    week -= dt.timedelta(days=week.weekday())
    tier_one = EngagementCube.objects.for_workspace(workspace).filter(week=week, tier=1, channel="")
    assert sum(tier_one.values_list("accounts", flat=True)) >= 1
    refreshed = (
        _cube_rows(workspace),
        sorted(EngagementCube.objects.values_list("week", "tier", "accounts")),
    )
    rollups_rebuild(workspace=workspace)
    assert refreshed == (
        _cube_rows(workspace),
        sorted(EngagementCube.objects.values_list("week", "tier", "accounts")),
    )
