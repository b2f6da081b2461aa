"""A path's numbers do not depend on how many paths are run (docs/model.md, "Events and
randomness"): the first paths of a larger run are the paths of a smaller one, bit for bit,
with events whose occurrence, start and duration are random; and a run cut into blocks of
paths (``first_path``) is the whole run."""

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
            axis = _per_path_axis(field.name)
            np.testing.assert_array_equal(a, np.take(b, range(24), axis=axis), err_msg=field.name)


def _per_path_axis(name: str) -> int:
    return 1 if name in ("order_arrival_day", "order_cancelled") else 0


def test_blocks_of_paths_are_the_whole_run() -> None:
    """Paths 0–9, 10–29 and 30–95 run apart (``first_path``) give the 96-path run. (Not
    with remote disabling: the driver's numpy draws for it are drawn for a block's paths
    together, from a stream of the block's own.)"""
    mixed = plan("mixed")
    mixed = dataclasses.replace(
        mixed, events=tuple(e for e in mixed.events if e.kind != "remote_disable")
    )
    whole = simulate(mixed, 96, 5)
    blocks = [simulate(mixed, b - a, 5, first_path=a) for a, b in ((0, 10), (10, 30), (30, 96))]
    for field in dataclasses.fields(whole):
        value = getattr(whole, field.name)
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            axis = _per_path_axis(field.name)
            joined = np.concatenate([getattr(b, field.name) for b in blocks], axis=axis)
            np.testing.assert_array_equal(joined, value, err_msg=field.name)
    events = EventPaths.realise(mixed.events, 20, RandomTree(9), first_path=30)
    later = EventPaths.realise(mixed.events, 60, RandomTree(9))
    np.testing.assert_array_equal(events.start, later.start[:, 30:50])
