"""Dashboards in a real browser: every chart draws, the filter bar keeps the URL, no errors."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboards.services import rollups_rebuild
from tests.factories import AccountFactory, EngagementEventFactory, OpportunityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = ["executive", "engagement", "conversion", "deal-size", "campaigns", "sdr-team"]


def test_every_dashboard_draws_its_charts_without_errors(live_server, login, admin_user, workspace):
    # given a little data, rolled up
    today = timezone.now().date()
    account = AccountFactory(workspace=workspace, tier=1, is_target=True)
    OpportunityFactory(
        workspace=workspace,
        account=account,
        amount=40_000,
        created_date=today - dt.timedelta(days=40),
        close_date=today - dt.timedelta(days=3),
        is_closed=True,
        is_won=True,
    )
    for days in (2, 9, 16):
        EngagementEventFactory(
            workspace=workspace,
            account=account,
            occurred_at=timezone.now() - dt.timedelta(days=days),
        )
    rollups_rebuild(workspace=workspace)
    page = login(admin_user)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for name in PAGES:
        # when
        page.goto(f"{live_server.url}/dashboards/{name}/")
        # then every canvas on the page holds a Chart.js chart
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every(c => window.Chart.getChart(c) !== undefined)"
        )
        assert drawn, name
    # and changing a filter reloads the page with it in the URL
    page.goto(f"{live_server.url}/dashboards/executive/")
    with page.expect_navigation():
        page.select_option("#f-tier", "1")  # the select submits the filter form on change
    assert "tier=1" in page.url
    assert "$40K" in page.inner_text(".dash-kpis")
    assert errors == []
