"""Engagement, funnels, deal size and SDR numbers against the hand-computed data set."""

import pytest

from dashboards.filters import filters_parse
from dashboards.selectors import METRICS
from tests.dashboards.conftest import day


def compute(name, dataset, **extra):
    filters = filters_parse(
        {"from": "2026-01-01", "to": "2026-03-31", **extra}, today=day("2026-04-01")
    )
    return METRICS[name].compute(workspace=dataset.ws, filters=filters)


def by_week(result):
    return {r["week"]: r for r in result["rows"]}


def test_engaged_accounts_per_week_by_tier_and_channel(dataset):
    # when
    trend = compute("engagement_trend", dataset)
    weeks = by_week(trend)
    # then: 14 Monday weeks overlap the period (29 Dec … 30 Mar)
    assert len(trend["rows"]) == 14
    assert trend["rows"][0]["week"] == "2025-12-29"
    busy = weeks["2026-03-23"]
    assert busy["engaged_accounts"] == 2
    assert busy["events"] == 4
    assert (busy["tier_1"], busy["tier_none"], busy["tier_2"]) == (1, 1, 0)
    assert (busy["channel_web"], busy["channel_sdr_outreach"], busy["channel_ads"]) == (1, 1, 1)
    assert weeks["2026-03-30"]["engaged_accounts"] == 1
    assert weeks["2026-03-30"]["channel_email"] == 1
    assert weeks["2026-01-12"]["engaged_accounts"] == 0
    assert sum(r["engaged_accounts"] for r in trend["rows"]) == 6
    assert trend["total_events"] == 8


def test_engagement_trend_filters_by_tier_and_by_campaign_target_list(dataset):
    tier1 = compute("engagement_trend", dataset, tier="1")
    campaign = compute("engagement_trend", dataset, campaign=str(dataset.c1.pk))
    # then: tier 1 = A1 (weeks of 2 Feb and 23 Mar); C1 targets A2 (5 Jan, 9 Feb, 30 Mar)
    assert [r["week"] for r in tier1["rows"] if r["engaged_accounts"]] == [
        "2026-02-02",
        "2026-03-23",
    ]
    assert [r["week"] for r in campaign["rows"] if r["engaged_accounts"]] == [
        "2026-01-05",
        "2026-02-09",
        "2026-03-30",
    ]
    assert by_week(campaign)["2026-02-09"]["tier_2"] == 1


def test_surging_accounts_compare_last_two_weeks_with_own_baseline(dataset):
    rows = compute("surging_accounts", dataset)["rows"]
    # then: A1 34 points recently, no baseline → 17/week ÷ floor 1 = 17
    #       A3 4 points → 2;  A2 5 points recently vs 30 in the baseline (5/week) → 2.5 ÷ 5 = 0.5
    assert [(r["account"], r["surge"]) for r in rows] == [
        ("Alpha", 17.0),
        ("Charlie", 2.0),
        ("Bravo", 0.5),
    ]
    assert rows[2]["baseline_weekly"] == 5.0
    assert rows[0]["recent_points"] == 34


def test_heat_map_rows_are_most_engaged_accounts_by_week(dataset):
    heat = compute("engagement_heatmap", dataset)
    # then: totals Bravo 2 + 30 + 5 = 37, Alpha 1 + 34 = 35, Charlie 4
    assert [(r["account"], r["total"]) for r in heat["rows"]] == [
        ("Bravo", 37),
        ("Alpha", 35),
        ("Charlie", 4),
    ]
    weeks = heat["weeks"]
    bravo = dict(zip(weeks, heat["rows"][0]["weeks"], strict=True))
    assert bravo["2026-01-05"] == 2
    assert bravo["2026-02-09"] == 30
    assert bravo["2026-03-30"] == 5
    assert heat["max"] == 34


def test_account_funnel_counts_conversion_drop_off_and_median_time_in_stage(dataset):
    funnel = compute("account_funnel", dataset)
    rows = {r["step"]: r for r in funnel["rows"]}
    # then: moved in period — A1 up to MQA, A2 up to aware, A3 up to customer (skipping MQA)
    assert [r["count"] for r in funnel["rows"]] == [3, 3, 2, 2, 1, 1]
    assert rows["aware"]["conversion_to_next"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows["mqa"]["conversion_to_next"] == 0.5
    assert rows["mqa"]["drop_off"] == 1
    assert rows["customer"]["conversion_to_next"] is None
    assert funnel["overall_conversion"] == pytest.approx(1 / 3, abs=1e-4)
    # stays that ended in the period: target 26 (A1) and 20 (A2); aware 22 (A1) and 81 (A3);
    # engaged 28 (A1) and 18 (A3); opportunity 20 (A3); MQA none ended
    assert rows["target"]["median_days_in_stage"] == 23
    assert rows["aware"]["median_days_in_stage"] == 51.5
    assert rows["engaged"]["median_days_in_stage"] == 23
    assert rows["opportunity"]["median_days_in_stage"] == 20
    assert rows["mqa"]["median_days_in_stage"] is None


def test_lead_funnel_from_status_log_current_status_and_account_deals(dataset):
    funnel = compute("lead_funnel", dataset)
    rows = {r["step"]: r for r in funnel["rows"]}
    # then: MQL L1 L2 L3 L4 L6; SAL L1 L2 L4; SQL L1 L4; opportunity L1 (O2 on 1 Feb) and
    # L4 (SQL in Nov, O6 opened 5 Jan); won L1 (O1 won 1 Mar)
    assert [r["count"] for r in funnel["rows"]] == [5, 3, 2, 2, 1]
    assert rows["mql"]["conversion_to_next"] == 0.6
    assert rows["mql"]["drop_off"] == 2
    assert rows["opportunity"]["conversion_to_next"] == 0.5
    # time in stage: MQL 10 d, SAL 17 d, SQL 0 d (L1) and 51 d (L4), opportunity 28 d
    assert rows["mql"]["median_days_in_stage"] == 10
    assert rows["sal"]["median_days_in_stage"] == 17
    assert rows["sql"]["median_days_in_stage"] == 25.5
    assert rows["opportunity"]["median_days_in_stage"] == 28


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        (
            "tier",
            [
                ("Tier 1", 1, 100_000, 100_000),
                ("Tier 2", 1, 30_000, 30_000),
                ("Untiered", 1, 20_000, 20_000),
            ],
        ),
        (
            "segment",
            [
                ("Enterprise (1,000+)", 1, 100_000, 100_000),
                ("Mid-market (200–999)", 1, 30_000, 30_000),
                ("SMB (<200)", 1, 20_000, 20_000),
            ],
        ),
        ("industry", [("Software", 2, 60_000, 60_000), ("Healthcare", 1, 30_000, 30_000)]),
        ("campaign", [("No campaign", 2, 60_000, 60_000), ("Spring Launch", 1, 30_000, 30_000)]),
        ("quarter", [("2026-Q1", 3, 50_000, 30_000)]),
    ],
)
def test_deal_size_by_dimension_average_and_median(dataset, dimension, expected):
    result = compute(f"deal_size_by_{dimension}", dataset)
    # then: won this period O1 100k (A1), O3 30k (A2, C1), O4 20k (A3)
    assert [(r["group"], r["deals"], r["average"], r["median"]) for r in result["rows"]] == expected


def test_deals_of_a_deleted_campaign_count_as_no_campaign(dataset):
    # given the campaign behind O3 is deleted (its facts keep the campaign's id)
    from campaigns.models import Campaign

    Campaign.objects.filter(pk=dataset.c1.pk).delete()
    # when
    result = compute("deal_size_by_campaign", dataset)
    # then O3 joins O1 and O4 in one group, with their median
    assert [(r["group"], r["deals"], r["average"], r["median"]) for r in result["rows"]] == [
        ("No campaign", 3, 50_000, 30_000)
    ]


def test_deal_size_by_quarter_splits_close_quarters(dataset):
    filters = filters_parse({"from": "2025-10-01", "to": "2026-03-31"}, today=day("2026-04-01"))
    rows = METRICS["deal_size_by_quarter"].compute(workspace=dataset.ws, filters=filters)["rows"]
    # then: Q4 2025 won O7 60k and O8 8k; Q1 2026 O1, O3, O4
    assert [(r["group"], r["deals"], r["average"], r["median"]) for r in rows] == [
        ("2025-Q4", 2, 34_000, 34_000),
        ("2026-Q1", 3, 50_000, 30_000),
    ]


def test_distribution_of_won_amounts(dataset):
    dist = compute("won_amount_distribution", dataset)
    bands = {r["band"]: r["deals"] for r in dist["rows"]}
    # then: 100k, 30k, 20k
    assert bands == {
        "< $5K": 0,
        "$5K–10K": 0,
        "$10K–25K": 1,
        "$25K–50K": 1,
        "$50K–100K": 0,
        "$100K–250K": 1,
        "$250K+": 0,
    }
    assert dist["deals"] == 3


def test_sdr_team_activities_meetings_sqls_and_pipeline(dataset):
    team = compute("sdr_performance", dataset)
    rows = {r["name"]: r for r in team["rows"]}
    sam, dana = rows["Sam Rivera"], rows["Dana Okafor"]
    # then: Sam logged 3 calls + 1 meeting in the period; L1 (A1) became SQL on 1 Feb;
    # A1 and A4 opened O1, O2 (50k USD) and O6 → 155k. Dana: 2 meetings, A2 opened nothing.
    assert (sam["activities"], sam["meetings"], sam["sqls"], sam["opportunities"]) == (4, 1, 1, 3)
    assert sam["pipeline"] == 155_000
    assert sam["accounts"] == 2
    assert sam["tier1_accounts"] == 1
    assert (dana["activities"], dana["meetings"], dana["sqls"], dana["pipeline"]) == (2, 2, 0, 0)
    assert team["totals"]["meetings"] == 3


def test_sql_lead_imported_without_status_date_counts_its_accounts_deals(dataset):
    # given: a lead imported as SQL today, no status date; its account (Charlie) won O4 in March
    from dashboards.models import LeadStageFact
    from dashboards.services import rollups_rebuild
    from tests.factories import ContactFactory

    lead = ContactFactory(workspace=dataset.ws, account=dataset.a3, is_lead=True, lead_status="sql")
    # when
    rollups_rebuild(workspace=dataset.ws)
    # then: it reached opportunity and won (when exactly is unknown, so no time passes in SQL)
    steps = dict(
        LeadStageFact.objects.for_workspace(dataset.ws)
        .filter(contact=lead)
        .values_list("status", "days")
    )
    assert set(steps) == {"sql", "opportunity", "won"}
    assert steps["sql"] == 0
