"""Campaign reach curves: reached, engaged, MQA and reached-target counts for every period.

Pure numpy/pandas, no database: `dashboards.services` feeds it the touches grouped per
campaign, account and day and stores what it returns as `CampaignReach` rows.

Why rectangles: take one account and one campaign whose touches fall on days t0 < t1 < … .
A period [s, e] whose first day s lies in (t(i-1), ti] sees ti as its first touch day, so the
account counts as reached exactly when e ≥ ti, as engaged when e reaches the first day on which
the touches from ti on add up to the threshold (or a hand was raised), and as MQA when e reaches
the day of its first MQA move at or after the first touch of day ti. Each is a rectangle in the
(s, e) plane; summing the rectangles of every account with a 2-D difference array gives each
count for every (s, e) at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

METRICS = ("reached", "engaged", "mqa", "reached_targets")
_EPSILON = 1e-7  # float sums of the same touches in another order differ in the last bits


@dataclass(frozen=True)
class ReachRow:
    campaign_id: int
    start_day: dt.date
    counts: np.ndarray  # int32, shape (len(METRICS), n): period ending start_day + k days


def encode(counts: np.ndarray) -> bytes:
    return np.ascontiguousarray(counts, dtype="<i4").tobytes()


def decode(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<i4").reshape(len(METRICS), -1)


def value_at(start_day: dt.date, blob: bytes | memoryview, end_day: dt.date) -> dict[str, int]:
    """The counts of a period that starts on or before `start_day` (and after the campaign's
    previous touch day) and ends on `end_day`."""
    if end_day < start_day:
        return dict.fromkeys(METRICS, 0)
    counts = decode(blob)
    column = min((end_day - start_day).days, counts.shape[1] - 1)
    return {name: int(counts[i, column]) for i, name in enumerate(METRICS)}


def _engaged_ends(frame: pd.DataFrame, engaged_points: float) -> np.ndarray:
    """Per row (a first touch day ti), the first day on which the account's touches from ti on
    make it engaged, or -1 when they never do. Rows are sorted by campaign, account, day and
    every points value is ≥ 0, so the running sum only grows and a binary search finds it."""
    n = len(frame)
    points = frame["points"].to_numpy(dtype=float)
    group_end = frame["group_end"].to_numpy()
    days = frame["day"].to_numpy()
    cumulative = np.cumsum(points)
    before = cumulative - points
    first_enough = np.searchsorted(cumulative, before + engaged_points - _EPSILON, side="left")
    first_enough = np.maximum(first_enough, np.arange(n))
    by_points = first_enough <= group_end
    raiser_at = np.where(frame["raiser"].to_numpy(), np.arange(n), n)
    next_raiser = np.minimum.accumulate(raiser_at[::-1])[::-1]
    by_raiser = next_raiser <= group_end
    end = np.full(n, np.iinfo(np.int64).max)
    end[by_points] = days[np.minimum(first_enough[by_points], n - 1)]
    end = np.where(by_raiser, np.minimum(end, days[np.minimum(next_raiser, n - 1)]), end)
    return np.where(by_points | by_raiser, end, -1)


def _engaged_runs(days, points, raisers, engaged_points) -> list[tuple[int, int, int]]:
    """The general case for an account with negative points (a workspace may weigh an
    unsubscribe below zero): the window sum can fall again, so for each first day the engaged
    end days form runs. Returns (row index i, first end day, end day after the run or -1)."""
    out = []
    k = len(days)
    for i in range(k):
        total, raised, run_start = 0.0, False, None
        for j in range(i, k):
            total += points[j]
            raised = raised or raisers[j]
            ok = raised or total >= engaged_points - _EPSILON
            if ok and run_start is None:
                run_start = days[j]
            elif not ok and run_start is not None:
                out.append((i, run_start, days[j]))
                run_start = None
        if run_start is not None:
            out.append((i, run_start, -1))
    return out


def reach_rows(
    touches: pd.DataFrame,
    *,
    engaged_points: float,
    mqa: pd.DataFrame,
    targets: set[tuple[int, int]],
) -> list[ReachRow]:
    """`touches`: one row per campaign, account and day with columns campaign_id, account_id,
    day (date ordinal), points (sum of weights), raiser (bool), first (int64 ns of the day's
    first touch). `mqa`: account_id, at (int64 ns), day (date ordinal) of every move to MQA.
    `targets`: (campaign_id, account_id) pairs of the target lists."""
    if touches.empty:
        return []
    frame = touches.sort_values(["campaign_id", "account_id", "day"], kind="stable")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    campaign = frame["campaign_id"].to_numpy()
    account = frame["account_id"].to_numpy()
    days = frame["day"].to_numpy(dtype=np.int64)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (campaign[1:] != campaign[:-1]) | (account[1:] != account[:-1])
    group_id = np.cumsum(new_group) - 1
    group_last = np.flatnonzero(np.append(new_group[1:], True))
    frame["group_end"] = group_last[group_id]
    previous_day = np.where(new_group, np.iinfo(np.int64).min, np.roll(days, 1))

    negative_groups = np.unique(group_id[frame["points"].to_numpy() < 0])
    has_negative = np.isin(group_id, negative_groups)
    engaged_end = np.full(n, -1, dtype=np.int64)
    if (~has_negative).any():
        clean = frame.assign(points=frame["points"].clip(lower=0))
        ends = _engaged_ends(clean, engaged_points)
        engaged_end[~has_negative] = ends[~has_negative]
    finite_engaged: list[tuple[int, int, int]] = []  # (row, first end day, end day after run)
    for gid in negative_groups:
        rows = np.flatnonzero(group_id == gid)
        for i, start, stop in _engaged_runs(
            days[rows],
            frame["points"].to_numpy()[rows],
            frame["raiser"].to_numpy()[rows],
            engaged_points,
        ):
            finite_engaged.append((int(rows[i]), int(start), int(stop)))

    mqa_end = np.full(n, -1, dtype=np.int64)
    if not mqa.empty:
        left = pd.DataFrame(
            {"row": np.arange(n), "account_id": account, "first": frame["first"].to_numpy()}
        ).sort_values("first", kind="stable")
        right = mqa.sort_values("at", kind="stable")[["account_id", "at", "day"]]
        joined = pd.merge_asof(
            left.astype({"first": "int64", "account_id": "int64"}),
            right.astype({"at": "int64", "account_id": "int64"}),
            left_on="first",
            right_on="at",
            by="account_id",
            direction="forward",
        )
        found = joined["day"].notna().to_numpy()
        mqa_end[joined["row"].to_numpy()[found]] = joined["day"].to_numpy()[found].astype(np.int64)

    targeted = np.fromiter(
        ((int(c), int(a)) in targets for c, a in zip(campaign, account, strict=True)),
        dtype=bool,
        count=n,
    )

    out: list[ReachRow] = []
    bounds = np.flatnonzero(np.append(True, campaign[1:] != campaign[:-1]))
    bounds = np.append(bounds, n)
    finite_by_row: dict[int, list[tuple[int, int]]] = {}
    for row, start, stop in finite_engaged:
        finite_by_row.setdefault(row, []).append((start, stop))
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        out.extend(
            _campaign_rows(
                int(campaign[lo]),
                days[lo:hi],
                previous_day[lo:hi],
                ends=(
                    days[lo:hi],
                    engaged_end[lo:hi],
                    mqa_end[lo:hi],
                    np.where(targeted[lo:hi], days[lo:hi], -1),
                ),
                finite_engaged=[
                    (row - lo, start, stop)
                    for row in range(lo, hi)
                    for start, stop in finite_by_row.get(row, ())
                ],
            )
        )
    return out


def _campaign_rows(campaign_id, days, previous_day, *, ends, finite_engaged) -> list[ReachRow]:
    start_days = np.unique(days)
    base = int(start_days[0])
    last = max(int(start_days[-1]), *(int(e.max()) for e in ends))
    for _row, start, stop in finite_engaged:
        last = max(last, start, stop)
    width = last - base + 1
    s_hi = np.searchsorted(start_days, days) + 1  # exclusive end of the start-day rows
    s_lo = np.searchsorted(start_days, previous_day, side="right")
    diff = np.zeros((len(METRICS), len(start_days) + 1, width + 1), dtype=np.int64)
    for metric, end in enumerate(ends):
        hit = end >= 0
        column = end[hit] - base
        np.add.at(diff[metric], (s_lo[hit], column), 1)
        np.add.at(diff[metric], (s_hi[hit], column), -1)
    engaged = METRICS.index("engaged")
    for row, start, stop in finite_engaged:
        for value, column in ((1, start - base), (-1, (stop - base) if stop >= 0 else width)):
            diff[engaged, s_lo[row], column] += value
            diff[engaged, s_hi[row], column] -= value
    counts = diff.cumsum(axis=1).cumsum(axis=2)[:, : len(start_days), :width]
    out = []
    for index, start in enumerate(start_days):
        offset = int(start) - base
        out.append(
            ReachRow(
                campaign_id=campaign_id,
                start_day=dt.date.fromordinal(int(start)),
                counts=counts[:, index, offset:].astype(np.int32),
            )
        )
    return out
