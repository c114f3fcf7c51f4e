"""The campaigns table's reach, engaged and MQA counts read from `CampaignReach`.

They must equal counting the touches on the spot (`campaigns.selectors.campaign_performance`
without the rollup) for any period, stay right when a target list or the engaged threshold
changes before the next refresh, and never mix workspaces.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from campaigns.models import StageTransition
from campaigns.selectors import campaign_performance
from dashboards.filters import DashboardFilters
from dashboards.models import CampaignReach
from dashboards.reach import METRICS, reach_rows, value_at
from dashboards.selectors.team import campaign_reach
from dashboards.services import rollups_rebuild, rollups_refresh
from tests.factories import (
    AccountFactory,
    CampaignAccountFactory,
    CampaignFactory,
    EngagementEventFactory,
)

START = dt.date(2026, 1, 1)
KINDS = (
    ("email_open", 1),
    ("web_visit", 2),
    ("email_click", 5),
    ("form_fill", 15),
    ("meeting", 30),
)
COUNTED = ("targeted", "reached", "engaged", "mqa")


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(START + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)


def _period(first: int, last: int) -> DashboardFilters:
    return DashboardFilters(
        date_from=START + dt.timedelta(days=first), date_to=START + dt.timedelta(days=last)
    )


def _counted_from_touches(ws, filters) -> dict[int, dict]:
    return {
        row["campaign_id"]: {key: row[key] for key in COUNTED}
        for row in campaign_performance(
            workspace=ws, date_from=filters.date_from, date_to=filters.date_to, credited={}
        )
    }


# -- the curves on their own -----------------------------------------------------------------
def _touches(rows) -> pd.DataFrame:
    """(campaign, account, day offset, points, raiser, hour of the first touch)"""
    return pd.DataFrame(
        [
            (c, a, (START + dt.timedelta(days=d)).toordinal(), p, r, _ns(d, h))
            for c, a, d, p, r, h in rows
        ],
        columns=["campaign_id", "account_id", "day", "points", "raiser", "first"],
    )


def _ns(day: int, hour: int) -> int:
    return int(pd.Timestamp(_at(day, hour)).value)


def _mqa(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, _ns(d, h), (START + dt.timedelta(days=d)).toordinal()) for a, d, h in rows],
        columns=["account_id", "at", "day"],
    )


def _counts(rows, first: int, last: int) -> dict[int, dict[str, int]]:
    """What a period [first, last] reads: the first stored start day on or after `first`."""
    out = {}
    for campaign_id in {r.campaign_id for r in rows}:
        mine = sorted((r for r in rows if r.campaign_id == campaign_id), key=lambda r: r.start_day)
        begin, end = START + dt.timedelta(days=first), START + dt.timedelta(days=last)
        row = next((r for r in mine if begin <= r.start_day <= end), None)
        out[campaign_id] = (
            dict.fromkeys(METRICS, 0)
            if row is None
            else value_at(row.start_day, row.counts.astype("<i4").tobytes(), end)
        )
    return out


def test_hand_computed_curves_for_one_account():
    # Campaign 7 touches account 1 on day 0 (1 point), day 4 (2 points) and day 8 (a meeting,
    # 30 points, a raised hand); engaged needs 10 points. The account became MQA on day 6 at
    # noon, after the day-0 and day-4 touches and before the day-8 one.
    rows = reach_rows(
        _touches([(7, 1, 0, 1.0, False, 9), (7, 1, 4, 2.0, False, 9), (7, 1, 8, 30.0, True, 9)]),
        engaged_points=10,
        mqa=_mqa([(1, 6, 12)]),
        targets={(7, 1)},
    )
    # one row per touch day: a period starting between two touches reads the later one's row
    assert [r.start_day for r in rows] == [START + dt.timedelta(days=d) for d in (0, 4, 8)]
    expect = {
        (0, 3): (1, 0, 0, 1),  # only the 1-point open: reached, not engaged
        (0, 7): (1, 0, 1, 1),  # MQA on day 6 after the first touch of the period (day 0)
        (0, 8): (1, 1, 1, 1),  # the meeting raises a hand
        (1, 5): (1, 0, 0, 1),  # starts after day 0: day 4 is the first touch, no MQA yet
        (5, 8): (1, 1, 0, 1),  # first touch day 8, after the MQA move: not counted as MQA
        (5, 7): (0, 0, 0, 0),  # no touch in the period
        (9, 30): (0, 0, 0, 0),
        (3, 60): (1, 1, 1, 1),  # the last stored value holds for any later end
    }
    for (first, last), counts in expect.items():
        got = _counts(rows, first, last).get(7, dict.fromkeys(METRICS, 0))
        assert tuple(got[m] for m in METRICS) == counts, (first, last)


def test_points_add_up_within_the_period_only():
    # 6 + 6 points on days 0 and 3 reach a threshold of 10 together, never apart
    rows = reach_rows(
        _touches([(1, 5, 0, 6.0, False, 8), (1, 5, 3, 6.0, False, 8)]),
        engaged_points=10,
        mqa=_mqa([]),
        targets=set(),
    )
    assert _counts(rows, 0, 2)[1]["engaged"] == 0
    assert _counts(rows, 0, 3)[1]["engaged"] == 1
    assert _counts(rows, 1, 3)[1]["engaged"] == 0
    assert _counts(rows, 0, 3)[1]["reached_targets"] == 0


def test_negative_points_can_drop_an_account_below_the_threshold_again():
    # 12 points on day 0, then an unsubscribe weighed −5 on day 2: engaged in [0, 0] and
    # [0, 1], not in [0, 2]
    rows = reach_rows(
        _touches([(1, 5, 0, 12.0, False, 8), (1, 5, 2, -5.0, False, 8)]),
        engaged_points=10,
        mqa=_mqa([]),
        targets=set(),
    )
    assert [_counts(rows, 0, last)[1]["engaged"] for last in (0, 1, 2, 5)] == [1, 1, 0, 0]
    assert _counts(rows, 1, 5)[1] == {
        "reached": 1,
        "engaged": 0,
        "mqa": 0,
        "reached_targets": 0,
    }


# -- against counting the touches ------------------------------------------------------------
def _random_workspace(ws, rng: random.Random, *, negative: bool = False) -> list:
    campaigns = [CampaignFactory(workspace=ws, name=f"Campaign {i}") for i in range(3)]
    accounts = [AccountFactory(workspace=ws) for _ in range(14)]
    for campaign in campaigns:
        for account in rng.sample(accounts, 4):
            CampaignAccountFactory(workspace=ws, campaign=campaign, account=account)
    for n in range(90):
        kind, weight = rng.choice(KINDS)
        if negative and n % 11 == 0:
            kind, weight = "unsubscribe", -8
        EngagementEventFactory(
            workspace=ws,
            account=rng.choice(accounts),
            campaign=rng.choice(campaigns + [None]),
            kind=kind,
            weight=weight,
            occurred_at=_at(rng.randrange(40), rng.randrange(24)),
        )
    for account in rng.sample(accounts, 6):
        StageTransition.objects.create(
            workspace=ws,
            account=account,
            from_stage="engaged",
            to_stage="mqa",
            at=_at(rng.randrange(45), rng.randrange(24)),
        )
    return campaigns


@pytest.mark.parametrize(("seed", "negative"), [(1, False), (2, False), (3, True)])
def test_reach_equals_counting_the_touches_for_any_period(workspace, seed, negative):
    # given
    rng = random.Random(seed)
    campaigns = _random_workspace(workspace, rng, negative=negative)
    rollups_rebuild(workspace=workspace)
    periods = [(0, 45), (-10, 100), (50, 60)] + [
        tuple(sorted((rng.randrange(-5, 48), rng.randrange(-5, 48)))) for _ in range(40)
    ]
    for first, last in periods:
        filters = _period(first, last)
        # when
        stored = campaign_reach(workspace=workspace, filters=filters)
        # then: every campaign answered by the rollup, with the touches' numbers
        assert set(stored) == {c.pk for c in campaigns}, (first, last)
        assert stored == _counted_from_touches(workspace, filters), (first, last)


def test_an_edited_target_list_is_counted_from_the_touches_until_the_refresh(workspace):
    # given
    rng = random.Random(5)
    campaigns = _random_workspace(workspace, rng)
    rollups_rebuild(workspace=workspace)
    edited = campaigns[0]
    newcomer = AccountFactory(workspace=workspace)
    CampaignAccountFactory(workspace=workspace, campaign=edited, account=newcomer)
    filters = _period(0, 45)
    # when
    before_refresh = campaign_reach(workspace=workspace, filters=filters)
    # then: the edited campaign is left to the slow path, the others still come from the rollup
    assert edited.pk not in before_refresh
    assert set(before_refresh) == {c.pk for c in campaigns[1:]}
    page = {
        row["campaign_id"]: {key: row[key] for key in COUNTED}
        for row in campaign_performance(
            workspace=workspace,
            date_from=filters.date_from,
            date_to=filters.date_to,
            credited={},
            reach=before_refresh,
        )
    }
    assert page == _counted_from_touches(workspace, filters)
    # and after the refresh it is answered again, the newcomer among its targeted accounts
    rollups_refresh(workspace=workspace)
    after = campaign_reach(workspace=workspace, filters=filters)
    assert after == _counted_from_touches(workspace, filters)
    assert after[edited.pk]["targeted"] == page[edited.pk]["targeted"]


def test_a_new_engaged_threshold_is_not_read_from_rows_built_for_the_old_one(workspace):
    # given
    campaigns = _random_workspace(workspace, random.Random(6))
    rollups_rebuild(workspace=workspace)
    workspace.settings = {**(workspace.settings or {}), "journey_rules": {"engaged_points": 3}}
    workspace.save()
    filters = _period(0, 45)
    # when / then
    assert campaign_reach(workspace=workspace, filters=filters) == {}
    rollups_refresh(workspace=workspace)
    fresh = campaign_reach(workspace=workspace, filters=filters)
    assert set(fresh) == {c.pk for c in campaigns}
    assert fresh == _counted_from_touches(workspace, filters)


def test_new_touches_are_counted_after_a_refresh_as_after_a_rebuild(workspace):
    # given
    rng = random.Random(8)
    campaigns = _random_workspace(workspace, rng)
    rollups_rebuild(workspace=workspace)
    account = AccountFactory(workspace=workspace)
    EngagementEventFactory(
        workspace=workspace, account=account, campaign=campaigns[1], kind="meeting", weight=30
    )
    EngagementEventFactory(
        workspace=workspace,
        account=account,
        campaign=campaigns[2],
        kind="web_visit",
        weight=2,
        occurred_at=_at(3),
    )
    # when
    rollups_refresh(workspace=workspace)
    refreshed = _rows(workspace)
    rollups_rebuild(workspace=workspace)
    # then
    assert refreshed == _rows(workspace)
    today = timezone.localdate()
    filters = DashboardFilters(date_from=START, date_to=today)
    assert campaign_reach(workspace=workspace, filters=filters) == _counted_from_touches(
        workspace, filters
    )


def _rows(ws) -> list[tuple]:
    return sorted(
        (r.campaign_id, r.start_day, bytes(r.counts), r.targets_count, r.targets_hash)
        for r in CampaignReach.objects.for_workspace(ws)
    )


def test_reach_stays_in_its_workspace(workspace, other_workspace):
    # given: the same kind of data in two workspaces
    mine = _random_workspace(workspace, random.Random(9))
    _random_workspace(other_workspace, random.Random(10))
    rollups_rebuild(workspace=workspace)
    rollups_rebuild(workspace=other_workspace)
    filters = _period(0, 45)
    # when
    stored = campaign_reach(workspace=workspace, filters=filters)
    # then
    assert set(stored) == {c.pk for c in mine}
    assert stored == _counted_from_touches(workspace, filters)
    theirs = set(
        CampaignReach.objects.for_workspace(other_workspace).values_list("campaign_id", flat=True)
    )
    assert not theirs & set(
        CampaignReach.objects.for_workspace(workspace).values_list("campaign_id", flat=True)
    )


def test_curves_are_stored_as_int32_per_metric():
    rows = reach_rows(
        _touches([(1, 5, 0, 6.0, False, 8)]), engaged_points=10, mqa=_mqa([]), targets=set()
    )
    assert rows[0].counts.dtype == np.int32
    assert rows[0].counts.shape[0] == len(METRICS)
