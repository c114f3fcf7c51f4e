"""The pages, the JSON API and the CSV export: same numbers, filters in the URL, roles, tenancy."""

import csv
import io
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from dashboards.filters import filters_parse
from dashboards.selectors import METRICS
from tests.dashboards.conftest import PERIOD, day
from tests.factories import AccountFactory, OpportunityFactory

PAGES = ["executive", "engagement", "conversion", "deal-size", "campaigns", "sdr-team"]


def read_csv(response):
    text = (
        b"".join(response).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("role", ["admin", "marketer", "sdr", "viewer"])
def test_every_role_can_open_every_dashboard(dataset, client_for, make_member, role):
    client = client_for(make_member(dataset.ws, role))
    for page in PAGES:
        # when
        response = client.get(f"/dashboards/{page}/?{PERIOD}")
        # then
        assert response.status_code == 200, page


def test_executive_page_shows_the_selector_numbers_and_keeps_filters_in_links(
    dataset, admin_client
):
    # when
    body = admin_client.get(f"/dashboards/executive/?{PERIOD}&tier=1").content.decode()
    # then: tier 1 = A1: pipeline O1 + O2 = $150K, won O1 $100K, win rate 1 of 2
    assert "$150K" in body
    assert "$100K" in body
    assert "50%" in body
    assert 'href="/dashboards/engagement/?from=2026-01-01&amp;to=2026-03-31&amp;tier=1"' in body
    assert "metric=win_rate" in body  # CSV menu carries the same filters


def test_executive_page_compares_with_the_previous_period(dataset, admin_client):
    body = admin_client.get(f"/dashboards/executive/?{PERIOD}").content.decode()
    # then: pipeline from targets $150K vs $90K → ↑ 67%; win rate 60% vs 66.7% → ↓ 10%
    assert "$150K" in body
    assert "67%" in body
    assert "60.0%" in body
    assert "10%" in body
    assert "3.2× other accounts" in body  # 65k ABM vs 20k other average deal


def test_engagement_page_lists_surging_accounts_sorted_by_the_url(dataset, admin_client):
    body = admin_client.get(f"/dashboards/engagement/?{PERIOD}&sort=account").content.decode()
    # then: sorted by name, not by surge
    assert body.index(">Alpha<") < body.index(">Bravo<") < body.index(">Charlie<")
    body = admin_client.get(f"/dashboards/engagement/?{PERIOD}").content.decode()
    assert body.index("17.0×") < body.index("2.0×") < body.index("0.5×")


def test_conversion_and_deal_size_pages_render_their_tables(dataset, admin_client):
    conversion = admin_client.get(f"/dashboards/conversion/?{PERIOD}").content.decode()
    deals = admin_client.get(f"/dashboards/deal-size/?{PERIOD}").content.decode()
    # then
    assert "66.7%" in conversion
    assert "51.5" in conversion
    assert "25.5" in conversion
    assert "Spring Launch" in deals
    assert "$60K" in deals
    assert "Healthcare" in deals


def test_sdr_page_shows_each_sdr(dataset, admin_client):
    body = admin_client.get(f"/dashboards/sdr-team/?{PERIOD}").content.decode()
    assert "Sam Rivera" in body
    assert "Dana Okafor" in body
    assert "$155K" in body


@pytest.mark.parametrize(
    "name",
    [
        "avg_deal_size",
        "win_rate",
        "account_funnel",
        "lead_funnel",
        "engagement_trend",
        "campaign_performance",
        "sales_cycle",
        "pipeline_velocity",
    ],
)
def test_metrics_api_returns_what_the_selector_computes(dataset, admin_client, name):
    # when
    response = admin_client.get(f"/api/v1/metrics/{name}?{PERIOD}&segment=enterprise")
    # then
    assert response.status_code == 200
    data = response.json()
    filters = filters_parse(
        {"from": "2026-01-01", "to": "2026-03-31", "segment": "enterprise"}, today=day("2026-04-01")
    )
    expected = METRICS[name].compute(workspace=dataset.ws, filters=filters)
    assert data["result"] == json.loads(json.dumps(expected, cls=DjangoJSONEncoder))
    assert data["filters"] == {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "tier": None,
        "segment": "enterprise",
        "campaign": None,
        "owner": None,
    }


def test_metrics_api_answers_404_for_unknown_metrics_and_refuses_anonymous(
    dataset, admin_client, client
):
    assert admin_client.get("/api/v1/metrics/no_such_metric").status_code == 404
    client.logout()
    assert client.get("/api/v1/metrics/win_rate").status_code in (401, 403)


def test_csv_export_has_the_page_numbers(dataset, admin_client):
    # when
    response = admin_client.get(f"/dashboards/executive/export.csv?{PERIOD}&metric=win_rate")
    rows = read_csv(response)
    # then
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert rows[0] == ["Accounts", "This period", "Previous period", "Change", "Won", "Closed"]
    assert rows[3] == ["All accounts", "0.6", "0.6667", "-0.1", "3", "5"]


def test_csv_export_neutralises_formulas_in_names(dataset, admin_client):
    # given: an account named like a spreadsheet formula, surging in the last two weeks
    from dashboards.services import rollups_rebuild
    from tests.dashboards.conftest import at
    from tests.factories import EngagementEventFactory

    evil = AccountFactory(workspace=dataset.ws, name='=HYPERLINK("http://x.test","pwn")', tier=1)
    EngagementEventFactory(
        workspace=dataset.ws, account=evil, weight=500, occurred_at=at("2026-03-30", 9)
    )
    rollups_rebuild(workspace=dataset.ws)
    # when
    rows = read_csv(
        admin_client.get(f"/dashboards/engagement/export.csv?{PERIOD}&metric=surging_accounts")
    )
    # then
    names = [r[0] for r in rows[1:]]
    assert names[0] == '\'=HYPERLINK("http://x.test","pwn")'
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names)


def test_csv_export_refuses_metrics_of_other_pages_and_unknown_pages(dataset, admin_client):
    assert (
        admin_client.get("/dashboards/executive/export.csv?metric=lead_funnel").status_code == 404
    )
    assert admin_client.get("/dashboards/nope/export.csv").status_code == 404
    assert admin_client.get("/dashboards/nope/").status_code == 404


def test_another_workspace_sees_none_of_these_numbers(
    dataset, other_workspace, client_for, make_member
):
    # given: the other workspace has its own deal and rollups
    from dashboards.services import rollups_rebuild

    theirs = AccountFactory(workspace=other_workspace, is_target=True)
    OpportunityFactory(
        workspace=other_workspace,
        account=theirs,
        amount=999_000,
        created_date=day("2026-02-01"),
        close_date=day("2026-02-20"),
        is_closed=True,
        is_won=True,
    )
    rollups_rebuild(workspace=other_workspace)
    client = client_for(make_member(other_workspace, "admin"))
    # when
    mine = client.get(f"/api/v1/metrics/won_revenue?{PERIOD}").json()["result"]
    # then: only their own deal; ours (130k ABM) never leaks in, and theirs never leaks into ours
    assert mine["value"] == 999_000
    ours = METRICS["won_revenue"].compute(
        workspace=dataset.ws,
        filters=filters_parse({"from": "2026-01-01", "to": "2026-03-31"}, today=day("2026-04-01")),
    )
    assert ours["value"] == 130_000


def test_a_campaign_of_another_workspace_as_filter_matches_nothing(
    dataset, other_workspace, admin_client
):
    from tests.factories import CampaignFactory

    foreign = CampaignFactory(workspace=other_workspace)
    response = admin_client.get(f"/api/v1/metrics/won_revenue?{PERIOD}&campaign={foreign.pk}")
    assert response.json()["result"]["rows"][2]["current"] == 0


def test_bad_filter_values_fall_back_instead_of_erroring(dataset, admin_client):
    response = admin_client.get(
        "/dashboards/executive/?from=yesterday&to=2026-13-45&tier=9&segment=x&owner=abc&campaign=-1"
    )
    assert response.status_code == 200


def test_empty_workspace_says_which_import_fills_each_page(workspace, admin_client):
    for page, words in (
        ("executive", "Import opportunities"),
        ("engagement", "Import engagement events"),
        ("conversion", "Import accounts and leads"),
        ("deal-size", "Import opportunities"),
        ("campaigns", "No campaigns yet"),
    ):
        body = admin_client.get(f"/dashboards/{page}/").content.decode()
        assert words in body, page


# engagement: the heat map reads two weeks' seed accounts, ranks the seeds, then either reads
# the candidates and ranks them or (as on this small data set) ranks everyone; surging accounts
# is one read of the surge rollup and one of the names. conversion: once the first request has
# loaded the fact columns, each funnel only reads the rollup version. deal-size: the campaign
# breakdown reads the campaigns' names once instead of one per deal. Every page: the filter
# bar's campaigns and owners come from the cache after the first request, and the fact columns'
# rollup version is read once per render.
@pytest.mark.parametrize(
    ("page", "queries"),
    [("executive", 6), ("engagement", 14), ("conversion", 6), ("deal-size", 7), ("sdr-team", 9)],
)
def test_page_query_counts_are_pinned(
    dataset, admin_client, django_assert_num_queries, page, queries
):
    admin_client.get(f"/dashboards/{page}/?{PERIOD}")  # warm the session
    with django_assert_num_queries(queries):
        assert admin_client.get(f"/dashboards/{page}/?{PERIOD}").status_code == 200


def test_filter_bar_lists_a_campaign_created_after_the_page_was_shown(dataset, admin_client):
    from tests.factories import CampaignFactory

    # given: the page rendered once, so its filter lists are kept
    assert b"Spring Launch Q9" not in admin_client.get(f"/dashboards/executive/?{PERIOD}").content
    # when
    campaign = CampaignFactory(workspace=dataset.ws, name="Spring Launch Q9")
    # then
    body = admin_client.get(f"/dashboards/executive/?{PERIOD}").content.decode()
    assert f'<option value="{campaign.pk}"' in body
    assert "Spring Launch Q9" in body
