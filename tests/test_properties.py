"""Monotonicity properties (hypothesis): more spares never hurt.

Compared on common random numbers, path by path; the paired difference of the
path means must not be negative beyond three of its own standard errors.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for

from hashshock.engine import simulate

PARTS = ("hashboard", "fan", "psu", "control_board")
PATHS = 40
DAYS = 150
CUT = [{"type": "parts_supply_stop", "start_day": 10}, {"type": "repair_centre_closed"}]


def _run(spares: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    fleet = small_fleet(spares=[{"site": "a", "part": p, "on_hand": n} for p, n in spares.items()])
    out = simulate(plan_for(fleet, CUT, horizon=DAYS), PATHS, seed=17)
    availability = (out.hashrate_ths / out.nameplate_ths).mean(axis=1)
    lost_ths_days = (out.nameplate_ths - out.hashrate_ths).sum(axis=1)
    return availability, lost_ths_days


def _not_worse(better: np.ndarray, worse: np.ndarray) -> bool:
    diff = better - worse
    se = diff.std(ddof=1) / np.sqrt(diff.size) if np.any(diff != diff[0]) else 0.0
    return bool(diff.mean() >= -3 * se - 1e-12)


@settings(max_examples=8, deadline=None)
@given(
    base=st.fixed_dictionaries({p: st.integers(0, 12) for p in PARTS}),
    part=st.sampled_from(PARTS),
    extra=st.integers(1, 40),
)
def test_more_spares_never_lower_availability_nor_raise_downtime(
    base: dict[str, int], part: str, extra: int
) -> None:
    more = dict(base)
    more[part] += extra
    avail_base, lost_base = _run(base)
    avail_more, lost_more = _run(more)
    assert _not_worse(avail_more, avail_base)
    # Downtime cost is proportional to lost TH·days at any hashprice.
    assert _not_worse(-lost_more, -lost_base)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 30), min_size=4, max_size=4), min_size=1, max_size=40))
def test_first_to_break_days_are_the_days_each_part_broke_first(days: list[list[int]]) -> None:
    """``first_day_p50`` is the median day over the paths where the part is first (ties
    included), rounded as the stages' days are (it was cut: 11.5 gave 11); shares of being
    first sum to the share of paths with any stock-out."""
    from hashshock.analysis.stages import first_to_break

    first = np.array(days, dtype=np.int64)
    parts = ("hashboard", "fan", "psu", "control_board")
    rows = {r["part"]: r for r in first_to_break(first, parts)}
    happened = first >= 0
    earliest = np.where(happened, first, 10**9).min(axis=1)
    for k, part in enumerate(parts):
        mine = happened[:, k] & (first[:, k] == earliest)
        expected = round(float(np.median(first[mine, k]))) if mine.any() else None
        assert rows[part]["first_day_p50"] == expected
    total = sum(float(r["probability_first"]) for r in rows.values())  # type: ignore[arg-type]
    assert abs(total - happened.any(axis=1).mean()) < 1e-3
