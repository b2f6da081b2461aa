"""The hashrate-decline stage: a lasting drop below baseline, not a dip (README stages)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.analysis.stages import DECLINE_PERSIST_DAYS, first_decline_day

DAYS = 200


def _path(drop_from: int, drop_days: int, level: float = 0.5) -> np.ndarray:
    values = np.full((1, DAYS), 100.0)
    values[0, drop_from : drop_from + drop_days] = 100.0 * level
    return values


def test_a_lasting_drop_is_dated_on_its_first_day() -> None:
    base = np.full((1, DAYS), 100.0)
    assert first_decline_day(_path(50, 120), base, window=1)[0] == 50


def test_a_dip_shorter_than_the_persistence_is_no_decline() -> None:
    """A growth order a week late at a fleet mostly switched off: delivered a quarter
    below baseline for seven days, then level again."""
    base = np.full((1, DAYS), 100.0)
    assert first_decline_day(_path(50, 7, 0.75), base)[0] == -1
    assert first_decline_day(_path(50, DECLINE_PERSIST_DAYS + 7, 0.75), base)[0] >= 50


def test_a_drop_to_the_horizons_end_counts_however_late() -> None:
    base = np.full((1, DAYS), 100.0)
    assert first_decline_day(_path(DAYS - 10, 10), base, window=1)[0] == DAYS - 10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 200.0), min_size=DAYS, max_size=DAYS))
def test_persistence_only_ever_delays_or_drops_the_stage(values: list[float]) -> None:
    """Requiring 30 days never dates a decline earlier than the day-by-day rule, and a
    dated decline is below baseline on that day."""
    base = np.full((1, DAYS), 100.0)
    path = np.array([values])
    lasting = first_decline_day(path, base, window=1)[0]
    daily = first_decline_day(path, base, window=1, persist=1)[0]
    assert lasting == -1 or (daily != -1 and lasting >= daily and path[0, lasting] <= 90.0)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=25, max_size=25), min_size=1, max_size=6),
       st.integers(1, 30))  # fmt: skip
def test_the_first_day_is_the_definitions(rows: list[list[bool]], persist: int) -> None:
    """Against the definition read literally, path by path: the first day t below baseline
    with every day of t … t + persist − 1 below too, or every day from t to the horizon's
    end (with a 1-day window, so "below" is the day's own value)."""
    below = np.array(rows)
    base = np.full(below.shape, 100.0)
    path = np.where(below, 50.0, 100.0)
    days = below.shape[1]
    want = [next((t for t in range(days) if below[p, t : min(t + persist, days)].all()), -1)
            for p in range(below.shape[0])]  # fmt: skip
    got = first_decline_day(path, base, window=1, persist=persist)
    assert got.tolist() == want
