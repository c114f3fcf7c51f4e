"""Rollup maintenance: incremental refresh after new events and deals, idempotence, the task."""

from campaigns.models import EngagementEvent
from dashboards.filters import filters_parse
from dashboards.models import EngagementDaily, OpportunityFact, RollupState
from dashboards.results import metric_result, rollup_state
from dashboards.selectors import METRICS
from dashboards.services import rollups_rebuild, rollups_refresh
from dashboards.tasks import rollups_rebuild_task, rollups_refresh_task
from tests.dashboards.conftest import at, day
from tests.factories import EngagementEventFactory, OpportunityFactory

FILTERS = filters_parse({"from": "2026-01-01", "to": "2026-03-31"}, today=day("2026-04-01"))


def engaged(dataset, week):
    rows = METRICS["engagement_trend"].compute(workspace=dataset.ws, filters=FILTERS)["rows"]
    return next(r for r in rows if r["week"] == week)["engaged_accounts"]


def test_refresh_rolls_up_new_events_without_touching_other_days(dataset):
    # given: the events already rolled up were ingested long ago
    EngagementEvent.objects.for_workspace(dataset.ws).update(created_at=at("2026-03-31"))
    before = (
        EngagementDaily.objects.for_workspace(dataset.ws).exclude(day=day("2026-01-13")).count()
    )
    EngagementEventFactory(
        workspace=dataset.ws, account=dataset.a4, occurred_at=at("2026-01-13", 10)
    )
    # when
    counts = rollups_refresh(workspace=dataset.ws)
    # then: one new day recomputed; Delta now engaged in the week of 12 Jan
    assert counts["days"] == 1
    assert engaged(dataset, "2026-01-12") == 1
    assert (
        EngagementDaily.objects.for_workspace(dataset.ws).exclude(day=day("2026-01-13")).count()
        == before
    )


def test_refresh_and_rebuild_are_idempotent(dataset):
    # given
    EngagementEventFactory(
        workspace=dataset.ws, account=dataset.a4, occurred_at=at("2026-03-24", 10)
    )
    rollups_refresh(workspace=dataset.ws)
    first = engaged(dataset, "2026-03-23")
    # when
    rollups_refresh(workspace=dataset.ws)
    rollups_rebuild(workspace=dataset.ws)
    # then: Alpha, Charlie and now Delta — counted once however often we refresh
    assert first == engaged(dataset, "2026-03-23") == 3


def test_refresh_picks_up_a_new_deal_and_a_tier_change(dataset):
    # given
    OpportunityFactory(
        workspace=dataset.ws,
        account=dataset.a4,
        amount=7_000,
        created_date=day("2026-03-01"),
        close_date=day("2026-03-30"),
        is_closed=True,
        is_won=True,
    )
    dataset.a3.tier = 1
    dataset.a3.save()
    # when
    rollups_refresh(workspace=dataset.ws)
    # then
    won = METRICS["won_revenue"].compute(workspace=dataset.ws, filters=FILTERS)
    assert won["rows"][2]["current"] == 157_000
    tier1 = filters_parse(
        {"from": "2026-01-01", "to": "2026-03-31", "tier": "1"}, today=day("2026-04-01")
    )
    rows = METRICS["engagement_trend"].compute(workspace=dataset.ws, filters=tier1)["rows"]
    assert next(r for r in rows if r["week"] == "2026-03-23")["engaged_accounts"] == 2


def test_tasks_record_their_outcome_for_the_page(dataset):
    # when
    rollups_refresh_task.delay(workspace_id=dataset.ws.pk)
    rollups_rebuild_task.delay(workspace_id=dataset.ws.pk)
    rollups_refresh_task.delay(workspace_id=999_999)  # a deleted workspace is skipped
    # then
    state = RollupState.objects.get(workspace=dataset.ws)
    assert state.status == "done"
    assert state.version >= 3
    assert state.counts["has"] == {
        "opportunities": True,
        "engagement": True,
        "stages": True,
        "leads": True,
    }
    assert OpportunityFact.objects.for_workspace(dataset.ws).count() == 9


def test_cached_results_follow_the_rollup_version(dataset, settings):
    # given: the result cache is on
    settings.DASHBOARD_CACHE_SECONDS = 300
    metric = METRICS["won_revenue"]
    first = metric_result(
        metric, workspace=dataset.ws, filters=FILTERS, state=rollup_state(workspace=dataset.ws)
    )
    OpportunityFactory(
        workspace=dataset.ws,
        account=dataset.a3,
        amount=1_000,
        created_date=day("2026-03-01"),
        close_date=day("2026-03-02"),
        is_closed=True,
        is_won=True,
    )
    # when: the refresh bumps the version
    rollups_refresh(workspace=dataset.ws)
    second = metric_result(
        metric, workspace=dataset.ws, filters=FILTERS, state=rollup_state(workspace=dataset.ws)
    )
    # then
    assert first["rows"][2]["current"] == 150_000
    assert second["rows"][2]["current"] == 151_000


def test_refresh_button_queues_a_rebuild_for_marketers_only(dataset, client_for, make_member):
    # given
    viewer = client_for(make_member(dataset.ws, "viewer"))
    assert viewer.post("/dashboards/refresh/").status_code == 403
    marketer = client_for(make_member(dataset.ws, "marketer"))
    # when
    response = marketer.post("/dashboards/refresh/", {"next": "https://evil.test/"})
    # then: tasks run eagerly in tests; an outside `next` is not followed
    assert response.status_code == 302
    assert response["Location"] == "/dashboards/"
