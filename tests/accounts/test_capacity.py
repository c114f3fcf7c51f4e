"""Capacity planner: the arithmetic (pure) and the page that shows it."""

import pytest

from accounts.queue.capacity import DealBand, plan_capacity


def test_two_million_arr_ten_sdrs_twenty_percent_close_rate_needs_83333_mrr_per_sdr():
    # given the textbook example: one band of 5,000 MRR deals closing at 20%
    plan = plan_capacity(
        arr_target=2_000_000,
        sdr_count=10,
        bands=[DealBand("All deals", avg_mrr=5_000, close_rate=0.2, share=1.0)],
        account_to_opportunity_rate=0.25,
    )
    # then
    assert round(plan.mrr_target) == 166_667
    assert round(plan.won_mrr_per_sdr) == 16_667
    assert round(plan.pipeline_mrr_per_sdr) == 83_333
    assert plan.opportunities_per_sdr == 17  # 16.7 opportunities round up
    assert plan.accounts_per_sdr == 67  # 16.67 / 25 % = 66.7 accounts
    assert plan.team_opportunities == 170
    assert "83,333" in " ".join(plan.steps)


def test_close_rates_by_deal_size_band_blend_by_pipeline_share():
    # given half the pipeline in small deals closing at 30%, half in large at 10%
    plan = plan_capacity(
        arr_target=1_200_000,
        sdr_count=5,
        bands=[
            DealBand("Small", avg_mrr=1_000, close_rate=0.3, share=0.5),
            DealBand("Large", avg_mrr=10_000, close_rate=0.1, share=0.5),
        ],
        account_to_opportunity_rate=0.5,
    )
    # then: 100,000 MRR / 5 SDRs = 20,000 won each; blended 20% → 100,000 pipeline each
    assert plan.blended_close_rate == pytest.approx(0.2)
    assert plan.pipeline_mrr_per_sdr == pytest.approx(100_000)
    small, large = plan.bands
    assert small.pipeline_mrr == pytest.approx(50_000)
    assert small.opportunities == 50
    assert large.opportunities == 5
    assert small.won_mrr + large.won_mrr == pytest.approx(plan.won_mrr_per_sdr)
    assert plan.opportunities_per_sdr == 55
    assert plan.accounts_per_sdr == 110
    assert any("50% × 30% + 50% × 10% = 20%" in step for step in plan.steps)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sdr_count": 0}, "SDR"),
        ({"arr_target": 0}, "ARR"),
        ({"bands": [DealBand("x", 5_000, 0.2, 0.6)]}, "100%"),
        ({"bands": [DealBand("x", 5_000, 0, 1)]}, "close rate"),
        ({"account_to_opportunity_rate": 0}, "account-to-opportunity"),
    ],
)
def test_impossible_inputs_are_refused_with_a_reason(kwargs, message):
    args = {
        "arr_target": 1_000_000,
        "sdr_count": 4,
        "bands": [DealBand("x", 5_000, 0.2, 1.0)],
    } | kwargs
    with pytest.raises(ValueError, match=message):
        plan_capacity(**args)


@pytest.mark.django_db
def test_planner_page_shows_the_arithmetic_for_the_default_example(client_for, sdr_user):
    response = client_for(sdr_user).get("/queue/capacity/")
    html = response.content.decode()
    assert response.status_code == 200
    assert round(response.context["plan"].pipeline_mrr_per_sdr) == 83_333
    assert "2,000,000 ARR ÷ 12 months = 166,667 MRR" in html
    assert "166,667 ÷ 10 SDRs = 16,667 MRR" in html
    assert "83,333" in html


@pytest.mark.django_db
def test_planner_page_recalculates_from_the_url_and_reports_bad_shares(client_for, admin_user):
    client = client_for(admin_user)
    query = {
        "arr_target": 600_000,
        "sdr_count": 2,
        "account_rate": 20,
        "small_mrr": 1_500,
        "small_rate": 30,
        "small_share": 0,
        "mid_mrr": 5_000,
        "mid_rate": 25,
        "mid_share": 100,
        "large_mrr": 15_000,
        "large_rate": 10,
        "large_share": 0,
    }
    plan = client.get("/queue/capacity/", query).context["plan"]
    assert plan.pipeline_mrr_per_sdr == pytest.approx(100_000)  # 50,000 MRR / 2 / 25 %
    assert plan.opportunities_per_sdr == 20
    bad = client.get("/queue/capacity/", query | {"small_share": 10})
    assert bad.context["plan"] is None
    assert "must add up to 100%" in bad.content.decode()
