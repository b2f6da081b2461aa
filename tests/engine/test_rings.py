"""Delay rings (:mod:`hashshock.engine.rings`): arrival days, ring rows, and a
pipeline over memory the caller gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.engine.rings import Pipeline, row


def test_a_zero_day_delay_arrives_the_next_day() -> None:
    """Today's arrivals are already in, so a lot sent with no delay arrives tomorrow."""
    pipeline = Pipeline(length=5, paths=1, width=1, horizon=20)
    pipeline.add(3, 0, np.array([[4]], np.int64))
    arrivals = [int(pipeline.pop(day)[0, 0]) for day in range(4, 10)]
    assert arrivals == [4, 0, 0, 0, 0, 0]
    assert int(pipeline.in_transit.sum()) == 0


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.data())
def test_a_ring_row_ahead_is_the_day_modulo_the_length(length: int, data: st.DataObject) -> None:
    """``row`` finds the row ``ahead`` days on without a division, for what lands
    within the ring's reach."""
    day = data.draw(st.integers(0, 10_000))
    ahead = data.draw(st.integers(0, length - 1))
    assert row(day % length, ahead, length) == (day + ahead) % length


def test_a_pipeline_over_given_memory_checks_its_shapes() -> None:
    ring = np.zeros((3, 5, 2), np.int32)
    pipeline = Pipeline.over(ring, np.zeros((3, 2), np.int64), horizon=20)
    assert pipeline.length == 5 and pipeline.ring is ring
    assert pipeline.arrays.by_day is ring
    with pytest.raises(ValueError, match="disagree"):
        Pipeline.over(ring, np.zeros((3, 4), np.int64), horizon=20)
