"""Funnel step counts from the facts' `prior_N` columns equal counting distinct accounts (leads)
per step, for journeys that go back and forth and periods that start in the middle of them;
both from the in-process fact columns and (above their cap) from the database."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from accounts.models import LeadStatusChange
from campaigns.models import StageTransition
from dashboards.filters import DashboardFilters
from dashboards.models import AccountStageFact, LeadStageFact
from dashboards.selectors.funnels import account_funnel, lead_funnel
from dashboards.services import ACCOUNT_LADDER, ACCOUNT_RANK, LEAD_RANK, rollups_rebuild
from tests.factories import AccountFactory, ContactFactory

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True, params=["fact columns", "database"])
def funnel_source(request, settings):
    if request.param == "database":
        settings.DASHBOARD_FACT_COLUMNS_MAX = 0
    return request.param


STAGES = [*ACCOUNT_LADDER, "churned"]


def _period(first: int, last: int) -> DashboardFilters:
    return DashboardFilters(
        date_from=(START + dt.timedelta(days=first)).date(),
        date_to=(START + dt.timedelta(days=last)).date(),
    )


def _distinct_at_or_above(facts: list[tuple[int, int, dt.datetime]], filters, steps: int):
    """facts: (entity, rank, entered) → entities with a fact of rank ≥ N entered in the period."""
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(filters.date_to, dt.time.min, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return [
        len({e for e, rank, at in facts if rank >= n and start <= at < end})
        for n in range(1, steps + 1)
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_account_funnel_counts_each_account_once_per_step(workspace, seed):
    # given: accounts wandering up and down the ladder, some moves on the same instant
    rng = random.Random(seed)
    for _ in range(25):
        account = AccountFactory(workspace=workspace, tier=rng.choice([1, 2, None]))
        previous, at = "", START - dt.timedelta(days=20)
        for _ in range(rng.randrange(1, 7)):
            stage = rng.choice(STAGES)
            at += dt.timedelta(days=rng.choice([0, 1, 3, 9, 20]), hours=rng.randrange(24))
            StageTransition.objects.create(
                workspace=workspace, account=account, from_stage=previous, to_stage=stage, at=at
            )
            previous = stage
    rollups_rebuild(workspace=workspace)
    facts = [
        (f.account_id, f.rank, f.entered_at, f.tier)
        for f in AccountStageFact.objects.for_workspace(workspace)
    ]
    assert any(ACCOUNT_RANK["mqa"] <= rank for _, rank, _, _ in facts)
    for first, last in [(0, 60), (-30, 90), (5, 12)] + [
        tuple(sorted((rng.randrange(-25, 90), rng.randrange(-25, 90)))) for _ in range(25)
    ]:
        for tier in ("", "1"):
            filters = DashboardFilters(**{**_period(first, last).__dict__, "tier": tier})
            wanted = [(a, r, t) for a, r, t, ft in facts if not tier or ft == int(tier)]
            # when
            rows = account_funnel(workspace=workspace, filters=filters)["rows"]
            # then
            assert [r["count"] for r in rows] == _distinct_at_or_above(
                wanted, filters, len(ACCOUNT_LADDER)
            ), (first, last, tier)


def test_lead_funnel_counts_each_lead_once_per_step(workspace):
    # given: leads whose status log goes MQL → SAL → back to MQL → SQL …
    rng = random.Random(4)
    statuses = ["mql", "sal", "sql"]
    for _ in range(30):
        account = AccountFactory(workspace=workspace)
        contact = ContactFactory(workspace=workspace, account=account, lead_status="mql")
        at = START - dt.timedelta(days=10)
        status = "mql"
        for _ in range(rng.randrange(1, 5)):
            status = rng.choice(statuses)
            at += dt.timedelta(days=rng.choice([0, 2, 7, 15]), hours=rng.randrange(24))
            LeadStatusChange.objects.create(
                workspace=workspace, contact=contact, to_status=status, at=at
            )
        contact.lead_status = status
        contact.lead_status_changed_at = at
        contact.save()
    rollups_rebuild(workspace=workspace)
    facts = [
        (f.contact_id, f.rank, f.reached_at) for f in LeadStageFact.objects.for_workspace(workspace)
    ]
    assert any(rank == LEAD_RANK["sql"] for _, rank, _ in facts)
    for first, last in [(0, 60)] + [
        tuple(sorted((rng.randrange(-12, 70), rng.randrange(-12, 70)))) for _ in range(25)
    ]:
        filters = _period(first, last)
        rows = lead_funnel(workspace=workspace, filters=filters)["rows"]
        assert [r["count"] for r in rows] == _distinct_at_or_above(
            facts, filters, len(LEAD_RANK)
        ), (first, last)


@pytest.mark.parametrize("seed", [3, 5, 6])
def test_median_days_in_stage_equal_the_median_of_the_stays(workspace, seed):
    # given: stays of random lengths, many within the same whole day, odd and even counts
    import statistics

    rng = random.Random(seed)
    for _ in range(rng.randrange(15, 30)):
        account = AccountFactory(workspace=workspace)
        at = START - dt.timedelta(days=rng.randrange(0, 30))
        previous = ""
        for stage in rng.sample(ACCOUNT_LADDER, rng.randrange(2, 5)):
            StageTransition.objects.create(
                workspace=workspace, account=account, from_stage=previous, to_stage=stage, at=at
            )
            previous = stage
            at += dt.timedelta(days=rng.choice([0, 1, 1, 2, 5]), hours=rng.randrange(24))
    rollups_rebuild(workspace=workspace)
    stays = list(AccountStageFact.objects.for_workspace(workspace).exclude(days=None))
    for first, last in [(-40, 60), (0, 10), (5, 30)]:
        filters = _period(first, last)
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(filters.date_to, dt.time.min, tzinfo=dt.UTC) + dt.timedelta(
            days=1
        )
        # when
        rows = account_funnel(workspace=workspace, filters=filters)["rows"]
        # then
        for row in rows:
            days = [f.days for f in stays if f.stage == row["step"] and start <= f.exited_at < end]
            expected = round(statistics.median(days), 1) if days else None
            assert row["median_days_in_stage"] == expected, (first, last, row["step"])
