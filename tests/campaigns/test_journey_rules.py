"""Each journey stage rule on hand-computed cases (no database)."""

import datetime as dt

from campaigns.journey import Deal, Rules, Touch, replay

ADDED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def day(n: int, hour: int = 10) -> dt.datetime:
    return ADDED + dt.timedelta(days=n, hours=hour)


def stages(moves):
    return [(m.from_stage, m.to_stage) for m in moves]


def test_an_untouched_account_stays_target():
    moves = replay(touches=[], added_at=ADDED)
    assert stages(moves) == [("", "target")]
    assert moves[0].at == ADDED


def test_first_touch_makes_it_aware():
    moves = replay(touches=[Touch(day(3), "email_open", 1, 11)], added_at=ADDED)
    assert stages(moves) == [("", "target"), ("target", "aware")]
    assert moves[1].at == day(3)
    assert moves[1].reason == "first touch: email_open"


def test_ten_points_within_the_window_make_it_engaged():
    # 2 + 2 + 2 + 5 = 11 points within 90 days: engaged at the click
    touches = [
        Touch(day(1), "web_visit", 2, None),
        Touch(day(2), "web_visit", 2, None),
        Touch(day(3), "web_visit", 2, None),
        Touch(day(4), "email_click", 5, 11),
    ]
    moves = replay(touches=touches, added_at=ADDED)
    assert stages(moves)[-1] == ("aware", "engaged")
    assert moves[-1].at == day(4)
    assert moves[-1].reason == "11 engagement points in 90 days"


def test_points_older_than_the_window_fall_out():
    # 6 points in January, 5 in June: never 10 inside 90 days
    touches = [
        Touch(day(1), "web_visit", 2, None),
        Touch(day(2), "web_visit", 2, None),
        Touch(day(3), "web_visit", 2, None),
        Touch(day(160), "email_click", 5, 11),
    ]
    assert stages(replay(touches=touches, added_at=ADDED))[-1] == ("target", "aware")


def test_a_hand_raiser_is_engaged_at_once():
    moves = replay(touches=[Touch(day(5), "meeting", 30, 11)], added_at=ADDED)
    assert stages(moves) == [("", "target"), ("target", "aware"), ("aware", "engaged")]
    assert moves[1].at == moves[2].at == day(5)
    assert moves[2].reason == "hand-raiser: meeting"


def test_mqa_needs_points_from_two_people_and_fit():
    touches = [
        Touch(day(1), "form_fill", 15, 11),
        Touch(day(2), "webinar_attended", 20, 11),
        Touch(day(3), "email_click", 5, 11),  # 40 points, but one person
        Touch(day(4), "email_open", 1, 12),  # a second person: 41 points from 2
    ]
    fit = replay(touches=touches, fit_score=70, added_at=ADDED)
    assert stages(fit)[-1] == ("engaged", "mqa")
    assert fit[-1].at == day(4)
    assert fit[-1].reason == "41 points from 2 people in 90 days, fit 70"
    poor_fit = replay(touches=touches, fit_score=30, added_at=ADDED)
    assert stages(poor_fit)[-1] == ("aware", "engaged")


def test_an_unscored_account_is_not_held_back_by_fit():
    touches = [Touch(day(1), "meeting", 30, 11), Touch(day(2), "form_fill", 15, 12)]
    assert stages(replay(touches=touches, fit_score=None, added_at=ADDED))[-1] == ("engaged", "mqa")


def test_thresholds_come_from_rules():
    touches = [Touch(day(1), "web_visit", 2, 11), Touch(day(2), "web_visit", 2, 12)]
    rules = Rules(engaged_points=4, mqa_points=4, mqa_min_contacts=2)
    assert stages(replay(touches=touches, added_at=ADDED, rules=rules))[-1] == ("engaged", "mqa")


def test_an_opportunity_moves_it_to_opportunity_then_a_win_to_customer():
    deal = Deal("Platform", dt.date(2026, 2, 1), dt.date(2026, 3, 1), is_closed=True, is_won=True)
    moves = replay(touches=[Touch(day(3), "email_open", 1, 11)], deals=[deal], added_at=ADDED)
    assert stages(moves) == [
        ("", "target"),
        ("target", "aware"),
        ("aware", "opportunity"),
        ("opportunity", "customer"),
    ]
    assert moves[2].at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert moves[3].at == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert moves[3].reason == "won: Platform"


def test_losing_every_opportunity_recycles_to_engaged():
    deal = Deal("Pilot", dt.date(2026, 2, 1), dt.date(2026, 2, 20), is_closed=True)
    moves = replay(touches=[], deals=[deal], added_at=ADDED)
    assert stages(moves)[-2:] == [("target", "opportunity"), ("opportunity", "engaged")]
    assert moves[-1].reason == "recycled: Pilot closed lost"


def test_one_lost_deal_while_another_is_open_stays_opportunity():
    deals = [
        Deal("A", dt.date(2026, 2, 1), dt.date(2026, 2, 20), is_closed=True),
        Deal("B", dt.date(2026, 2, 5)),
    ]
    assert replay(touches=[], deals=deals, added_at=ADDED)[-1].to_stage == "opportunity"


def test_a_lost_renewal_churns_a_customer_and_a_new_win_brings_it_back():
    deals = [
        Deal(
            "New business", dt.date(2026, 1, 10), dt.date(2026, 2, 1), is_closed=True, is_won=True
        ),
        Deal("Renewal 2027", dt.date(2026, 6, 1), dt.date(2026, 7, 1), is_closed=True),
        Deal("Win-back", dt.date(2026, 9, 1), dt.date(2026, 10, 1), is_closed=True, is_won=True),
    ]
    moves = replay(touches=[], deals=deals, added_at=ADDED)
    assert stages(moves) == [
        ("", "target"),
        ("target", "opportunity"),
        ("opportunity", "customer"),
        ("customer", "churned"),
        ("churned", "opportunity"),
        ("opportunity", "customer"),
    ]
    assert moves[3].reason == "renewal lost: Renewal 2027"


def test_a_customer_touching_us_stays_customer():
    deal = Deal("Deal", dt.date(2026, 1, 5), dt.date(2026, 1, 20), is_closed=True, is_won=True)
    touches = [Touch(day(40), "meeting", 30, 11)]
    assert replay(touches=touches, deals=[deal], added_at=ADDED)[-1].to_stage == "customer"


def test_history_before_the_account_was_added_starts_the_journey_earlier():
    early = ADDED - dt.timedelta(days=30)
    moves = replay(touches=[Touch(early, "email_open", 1, 11)], added_at=ADDED)
    assert moves[0].at == early
