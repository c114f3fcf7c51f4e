"""The URL filters: parsing, defaults, fallbacks, previous period (pure, no database)."""

import datetime as dt

from dashboards.filters import filters_parse, segment_of, weeks_between

TODAY = dt.date(2026, 4, 1)


def test_defaults_are_the_last_90_days_to_today():
    f = filters_parse({}, today=TODAY)
    assert (f.date_from, f.date_to, f.days) == (dt.date(2026, 1, 2), TODAY, 90)
    assert f.querystring() == "from=2026-01-02&to=2026-04-01"


def test_filters_round_trip_through_the_querystring():
    params = {
        "from": "2026-01-01",
        "to": "2026-03-31",
        "tier": "2",
        "segment": "smb",
        "campaign": "7",
        "owner": "3",
    }
    f = filters_parse(params, today=TODAY)
    assert filters_parse(dict(p.split("=") for p in f.querystring().split("&")), today=TODAY) == f


def test_malformed_values_fall_back_instead_of_failing():
    f = filters_parse(
        {
            "from": "0001-01-01",
            "to": "99999",
            "tier": "7",
            "segment": "huge",
            "campaign": "99999999999",
            "owner": "-4",
        },
        today=TODAY,
    )
    assert f.date_to == TODAY
    assert f.days == 90
    assert (f.tier, f.segment, f.campaign, f.owner) == ("", "", None, None)
    assert f.previous().days == 90


def test_swapped_dates_are_put_in_order_and_very_long_ranges_are_capped():
    f = filters_parse({"from": "2026-03-31", "to": "2026-01-01"}, today=TODAY)
    assert (f.date_from, f.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    long = filters_parse({"from": "1995-01-01", "to": "2026-01-01"}, today=TODAY)
    assert long.days == 366 * 3


def test_segments_by_head_count_and_weeks_start_on_monday():
    assert [segment_of(n) for n in (None, 1, 199, 200, 999, 1000)] == [
        "unknown",
        "smb",
        "smb",
        "mid_market",
        "mid_market",
        "enterprise",
    ]
    assert weeks_between(dt.date(2026, 1, 1), dt.date(2026, 1, 12)) == [
        dt.date(2025, 12, 29),
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 12),
    ]
