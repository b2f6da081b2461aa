"""A path's numbers do not depend on how many paths are run (docs/model.md, "Events and
randomness"): the first paths of a larger run are the paths of a smaller one, bit for bit,
with events whose occurrence, start and duration are random."""

from __future__ import annotations

import dataclasses

import numpy as np
from tests.reference.fleets import plan

from hashshock.engine import simulate
from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.orders import OrderPaths
from hashshock.streams import RandomTree


def test_event_and_order_draws_are_per_path() -> None:
    mixed = plan("mixed")
    small = EventPaths.realise(mixed.events, 40, RandomTree(9))
    large = EventPaths.realise(mixed.events, 160, RandomTree(9))
    for name in ("occurs", "start", "end"):
        np.testing.assert_array_equal(getattr(small, name), getattr(large, name)[:, :40])
    assert len(np.unique(large.start[0])) > 1 or len(np.unique(large.end[0])) > 1
    orders_small = OrderPaths.realise(mixed, small, 40, RandomTree(9))
    orders_large = OrderPaths.realise(mixed, large, 160, RandomTree(9))
    for field in dataclasses.fields(orders_small):
        np.testing.assert_array_equal(
            getattr(orders_small, field.name), getattr(orders_large, field.name)[..., :40]
        )


def test_a_whole_run_is_the_same_on_its_first_paths() -> None:
    mixed = plan("mixed")
    small = simulate(mixed, 24, 5)
    large = simulate(mixed, 96, 5)
    for field in dataclasses.fields(small):
        a, b = getattr(small, field.name), getattr(large, field.name)
        if isinstance(a, np.ndarray) and a.ndim >= 1:
            axis = 1 if field.name in ("order_arrival_day", "order_cancelled") else 0
            np.testing.assert_array_equal(a, np.take(b, range(24), axis=axis), err_msg=field.name)
