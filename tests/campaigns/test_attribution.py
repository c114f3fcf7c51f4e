"""Each attribution model on hand-computed cases (no database)."""

import datetime as dt

import pytest

from campaigns.attribution import Deal, Touch, attribute, credits, touches_before


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


# Five touches over March; campaign ids 1..3, the fourth touch is a form fill.
TOUCHES = [
    Touch(at(1), 1, "email", "email_open"),
    Touch(at(3), 2, "ads", "ad_click"),
    Touch(at(5), 1, "email", "email_click"),
    Touch(at(8), 3, "web", "form_fill"),
    Touch(at(10), 2, "ads", "ad_click"),
]


def approx(values):
    return pytest.approx(values, abs=1e-9)


def test_first_touch_gives_everything_to_the_first():
    assert credits("first_touch", TOUCHES) == [1, 0, 0, 0, 0]


def test_last_touch_gives_everything_to_the_last():
    assert credits("last_touch", TOUCHES) == [0, 0, 0, 0, 1]


def test_linear_splits_evenly():
    assert credits("linear", TOUCHES) == approx([0.2] * 5)


def test_u_shaped_is_40_20_40():
    # 0.2 shared by the three middle touches: 0.0666…
    assert credits("u_shaped", TOUCHES) == approx([0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4])


@pytest.mark.parametrize(("n", "expected"), [(1, [1.0]), (2, [0.5, 0.5])])
def test_u_shaped_with_one_or_two_touches(n, expected):
    assert credits("u_shaped", TOUCHES[:n]) == approx(expected)


def test_w_shaped_puts_the_middle_30_on_the_lead_creating_form_fill():
    # first 0.3, form fill (index 3) 0.3, last 0.3; 0.1 shared by indexes 1 and 2
    assert credits("w_shaped", TOUCHES) == approx([0.3, 0.05, 0.05, 0.3, 0.3])


def test_w_shaped_without_a_form_fill_uses_the_middle_touch():
    touches = [Touch(at(d), 1, "email", "email_open") for d in (1, 2, 3, 4, 5, 6)]
    # n = 6: milestone at index 3; the other three share 0.1
    assert credits("w_shaped", touches) == approx([0.3, 0.1 / 3, 0.1 / 3, 0.3, 0.1 / 3, 0.3])


def test_w_shaped_with_three_touches_is_a_third_each():
    assert credits("w_shaped", TOUCHES[:3]) == approx([1 / 3] * 3)


def test_time_decay_halves_per_half_life():
    # conversion at day 10 noon; ages 9, 7, 5, 2, 0 days; half-life 2 days
    raw = [2 ** (-9 / 2), 2 ** (-7 / 2), 2 ** (-5 / 2), 2 ** (-2 / 2), 1.0]
    total = sum(raw)
    assert credits("time_decay", TOUCHES, conversion_at=at(10), half_life_days=2) == approx(
        [r / total for r in raw]
    )


def test_time_decay_two_touches_one_half_life_apart():
    touches = [Touch(at(1), 1), Touch(at(8), 2)]
    # weights 0.5 and 1 → 1/3 and 2/3
    assert credits("time_decay", touches, conversion_at=at(8), half_life_days=7) == approx(
        [1 / 3, 2 / 3]
    )


def test_unknown_model_is_an_error():
    with pytest.raises(ValueError, match="unknown attribution model"):
        credits("made_up", TOUCHES)


def test_only_touches_up_to_the_creation_day_count():
    window = touches_before(TOUCHES, dt.date(2026, 3, 8))
    assert [t.at.day for t in window] == [1, 3, 5, 8]
    assert [t.at.day for t in touches_before(TOUCHES, dt.date(2026, 3, 8), lookback_days=4)] == [
        5,
        8,
    ]


def test_pipeline_and_revenue_per_campaign_and_channel():
    # given two deals of one account: 10,000 created 8 March (won), 6,000 created 10 March (open)
    deals = [
        Deal(id=1, account_id=7, created=dt.date(2026, 3, 8), amount=10_000, is_won=True),
        Deal(id=2, account_id=7, created=dt.date(2026, 3, 10), amount=6_000),
    ]
    # when
    by_campaign, by_channel = attribute(
        model="linear", deals=deals, touches_by_account={7: TOUCHES}
    )
    # then deal 1 sees 4 touches (2,500 each), deal 2 sees 5 (1,200 each)
    assert by_campaign[1].pipeline == pytest.approx(2 * 2_500 + 2 * 1_200)
    assert by_campaign[2].pipeline == pytest.approx(2_500 + 2 * 1_200)
    assert by_campaign[3].pipeline == pytest.approx(2_500 + 1_200)
    assert by_campaign[1].won == pytest.approx(5_000)
    assert by_campaign[2].won == pytest.approx(2_500)
    assert by_campaign[1].opportunities == {1, 2}
    assert by_campaign[1].won_opportunities == {1}
    assert by_channel["ads"].pipeline == pytest.approx(2_500 + 2 * 1_200)
    total = sum(c.pipeline for c in by_campaign.values())
    assert total == pytest.approx(16_000)


def test_first_touch_credits_only_the_first_campaign():
    deals = [Deal(id=1, account_id=7, created=dt.date(2026, 3, 31), amount=9_000, is_won=True)]
    by_campaign, _ = attribute(model="first_touch", deals=deals, touches_by_account={7: TOUCHES})
    assert {k: v.pipeline for k, v in by_campaign.items()} == {1: 9_000}


def test_a_deal_without_touches_is_not_attributed():
    deals = [Deal(id=1, account_id=8, created=dt.date(2026, 3, 31), amount=9_000)]
    by_campaign, by_channel = attribute(
        model="linear", deals=deals, touches_by_account={7: TOUCHES}
    )
    assert by_campaign == {}
    assert by_channel == {}
