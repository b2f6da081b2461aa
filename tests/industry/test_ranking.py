"""Who breaks first: group days, pairwise and first-of-all shares."""

from __future__ import annotations

import numpy as np

from hashshock.industry.ranking import break_before, first_to_break, group_first_day


def test_group_reaches_an_event_when_half_its_nameplate_has() -> None:
    days = np.array([[10, -1, 5], [20, 30, -1], [-1, -1, 7]])
    # weights 1, 1, 2: the third member alone is half
    assert group_first_day(days, np.array([1.0, 1.0, 2.0])).tolist() == [20, -1, 7]
    assert group_first_day(days[:1], np.array([3.0])).tolist() == [10, -1, 5]


def test_pairwise_and_first_shares() -> None:
    days = {"a": np.array([1, 5, -1, 3]), "b": np.array([2, 4, -1, 3]), "c": np.full(4, -1)}
    before = break_before(days)
    assert before["a"]["b"] == (1 + 0 + 0 + 0.5) / 4
    assert before["b"]["a"] == (0 + 1 + 0 + 0.5) / 4
    assert before["a"]["c"] == 3 / 4 and before["c"]["a"] == 0.0
    rows = {r["group"]: r for r in first_to_break(days)}
    assert rows["a"]["probability_first"] == (1 + 0 + 0 + 0.5) / 4
    assert rows["b"]["probability_first"] == (0 + 1 + 0 + 0.5) / 4
    assert rows["c"]["probability_first"] == 0.0
    assert rows["a"]["probability_break"] == 0.75
