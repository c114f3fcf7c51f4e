"""Executive numbers against the hand-computed data set in conftest.py."""

import pytest

from dashboards.filters import filters_parse
from dashboards.selectors import METRICS
from tests.dashboards.conftest import day

FILTERS = filters_parse({"from": "2026-01-01", "to": "2026-03-31"}, today=day("2026-04-01"))


def metric(name, dataset, filters=FILTERS):
    return METRICS[name].compute(workspace=dataset.ws, filters=filters)


def rows(result):
    return {r["group"]: r for r in result["rows"]}


def test_previous_period_has_equal_length_and_ends_the_day_before():
    # then
    prev = FILTERS.previous()
    assert (prev.date_from, prev.date_to) == (day("2025-10-03"), day("2025-12-31"))
    assert prev.days == FILTERS.days == 90


def test_pipeline_from_target_accounts_with_change_against_previous_period(dataset):
    # when
    result = metric("pipeline", dataset)
    # then: ABM created O1 100k + O2 (46k EUR = 50k USD); previously O7 60k + O3 30k
    by = rows(result)
    assert result["value"] == 150_000
    assert result["previous"] == 90_000
    assert result["change"] == pytest.approx(150 / 90 - 1, abs=1e-4)
    assert by["other"]["current"] == 35_000
    assert by["other"]["deals"] == 3
    assert by["all"]["current"] == 185_000
    assert by["all"]["previous"] == 102_000
    assert result["share"] == pytest.approx(150 / 185, abs=1e-4)


def test_won_revenue_from_target_accounts(dataset):
    result = metric("won_revenue", dataset)
    # then: O1 100k + O3 30k won this period (O3 was created before it); O7 60k before
    assert (result["value"], result["previous"]) == (130_000, 60_000)
    assert result["change"] == pytest.approx(130 / 60 - 1, abs=1e-4)
    assert rows(result)["other"]["current"] == 20_000


def test_win_rate_abm_other_and_all(dataset):
    result = metric("win_rate", dataset)
    by = rows(result)
    # then: closed this period O1 W, O2 L, O3 W (ABM); O4 W, O6 L (other)
    assert by["abm"]["current"] == pytest.approx(2 / 3, abs=1e-4)
    assert by["other"]["current"] == 0.5
    assert result["value"] == 0.6
    assert (by["all"]["won"], by["all"]["closed"]) == (3, 5)
    # previous: O7 W (ABM); O8 W, O9 L (other) → 2/3 overall; change 0.6 / (2/3) − 1 = −10%
    assert by["abm"]["previous"] == 1.0
    assert result["previous"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["change"] == pytest.approx(-0.1, abs=1e-4)


def test_average_and_median_deal_size_abm_vs_other(dataset):
    result = metric("avg_deal_size", dataset)
    by = rows(result)
    # then: ABM won 100k and 30k → 65k; other 20k; all (100k, 30k, 20k) → mean 50k, median 30k
    assert result["value"] == 65_000
    assert result["previous"] == 60_000
    assert result["change"] == pytest.approx(65 / 60 - 1, abs=1e-4)
    assert by["other"]["current"] == 20_000
    assert by["all"]["current"] == 50_000
    assert by["all"]["median"] == 30_000
    assert by["abm"]["median"] == 65_000
    assert result["abm_multiple"] == 3.25


def test_sales_cycle_average_and_median(dataset):
    result = metric("sales_cycle", dataset)
    by = rows(result)
    # then: won this period after 50 (O1), 76 (O3), 59 (O4) days; before: 61 and 61
    assert result["value"] == pytest.approx(185 / 3, abs=1e-4)
    assert by["all"]["median"] == 59
    assert by["abm"]["current"] == 63
    assert by["other"]["current"] == 59
    assert result["previous"] == 61
    assert result["change"] == pytest.approx((185 / 3) / 61 - 1, abs=1e-4)


def test_pipeline_velocity_is_opportunities_times_deal_times_win_rate_over_cycle(dataset):
    result = metric("pipeline_velocity", dataset)
    # then: 5 created × 50,000 × 0.6 ÷ (185/3) days; before: 4 × 34,000 × (2/3) ÷ 61
    current = 5 * 50_000 * 0.6 / (185 / 3)
    previous = 4 * 34_000 * (2 / 3) / 61
    assert result["value"] == pytest.approx(current, abs=1e-2)
    assert result["previous"] == pytest.approx(previous, abs=1e-2)
    assert result["change"] == pytest.approx(current / previous - 1, abs=1e-4)
    assert rows(result)["all"]["opportunities"] == 5


def test_tier_filter_keeps_only_tier_one_accounts(dataset):
    filters = filters_parse(
        {"from": "2026-01-01", "to": "2026-03-31", "tier": "1"}, today=day("2026-04-01")
    )
    # when
    win = metric("win_rate", dataset, filters)
    pipeline = metric("pipeline", dataset, filters)
    # then: A1 only — O1 won, O2 lost; pipeline O1 + O2
    assert win["value"] == 0.5
    assert pipeline["value"] == 150_000
    assert rows(pipeline)["other"]["current"] == 0


def test_segment_owner_and_campaign_filters(dataset):
    def won(**extra):
        f = filters_parse(
            {"from": "2026-01-01", "to": "2026-03-31", **extra}, today=day("2026-04-01")
        )
        return rows(metric("won_revenue", dataset, f))["all"]["current"]

    # then: SMB = A3 (O4); sdr1 owns A1 and A4 (O1); C1 targets A2 and sourced O3
    assert won(segment="smb") == 20_000
    assert won(segment="enterprise") == 100_000
    assert won(owner=str(dataset.sdr1.pk)) == 100_000
    assert won(campaign=str(dataset.c1.pk)) == 30_000
    assert won(tier="none") == 20_000
