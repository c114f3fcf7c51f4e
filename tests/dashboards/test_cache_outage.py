"""The result cache is a shortcut: with the cache server down, every number is still served."""

import pytest

from abm import cache_guard
from dashboards.filters import filters_parse
from dashboards.selectors import METRICS
from dashboards.tasks import rollups_refresh_soon
from tests.dashboards.conftest import PERIOD, day
from tests.dashboards.unreachable_cache import UNREACHABLE, UnreachableCache

PAGES = ["executive", "engagement", "conversion", "deal-size", "campaigns", "sdr-team"]


@pytest.fixture
def cache_down(settings):
    """The result cache on, as in production, and its server refusing every connection."""
    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.CACHES = UNREACHABLE
    cache_guard.forget_failures()
    UnreachableCache.calls = 0
    yield
    cache_guard.forget_failures()


@pytest.mark.usefixtures("cache_down")
def test_pages_exports_and_the_api_serve_the_computed_numbers_when_the_cache_is_down(
    dataset, admin_client
):
    # when an admin opens every dashboard, an export and a metric through the API
    pages = {p: admin_client.get(f"/dashboards/{p}/?{PERIOD}") for p in PAGES}
    export = admin_client.get(f"/dashboards/executive/export.csv?{PERIOD}&metric=win_rate")
    api = admin_client.get(f"/api/v1/metrics/win_rate?{PERIOD}")
    # then everything answers, with the numbers computed from the rollups
    assert {p: r.status_code for p, r in pages.items()} == dict.fromkeys(PAGES, 200)
    assert export.status_code == 200
    assert api.status_code == 200
    filters = filters_parse({"from": "2026-01-01", "to": "2026-03-31"}, today=day("2026-04-01"))
    expected = METRICS["win_rate"].compute(workspace=dataset.ws, filters=filters)
    assert api.json()["result"]["value"] == expected["value"] == pytest.approx(3 / 5)


@pytest.mark.usefixtures("cache_down")
def test_a_cache_outage_costs_one_attempt_then_the_cache_is_left_alone_for_a_while(
    dataset, admin_client, monkeypatch
):
    # given the first page found the cache down
    admin_client.get(f"/dashboards/executive/?{PERIOD}")
    attempts = UnreachableCache.calls
    # when more pages are opened within the retry window
    for page in PAGES:
        admin_client.get(f"/dashboards/{page}/?{PERIOD}")
    # then none of them asked the cache again; after the window it is tried once more
    assert attempts == 1
    assert UnreachableCache.calls == 1
    monkeypatch.setattr(cache_guard, "_down_until", 0.0)
    admin_client.get(f"/dashboards/executive/?{PERIOD}")
    assert UnreachableCache.calls == 2


@pytest.mark.usefixtures("cache_down")
def test_a_refresh_is_scheduled_when_the_cache_cannot_say_one_is_pending(workspace, monkeypatch):
    from dashboards import tasks

    queued = []
    monkeypatch.setattr(
        tasks.rollups_refresh_task, "apply_async", lambda **kw: queued.append(kw["kwargs"])
    )
    # when an import finishes while the cache is down
    rollups_refresh_soon(workspace_id=workspace.pk)
    # then the refresh is queued rather than lost
    assert queued == [{"workspace_id": workspace.pk}]
