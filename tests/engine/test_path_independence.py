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
    """Paths 0–9, 10–29 and 30–95 run apart (``first_path``) give the 96-path run, remote
    disabling included (its draws were a block's together, from a stream of the
    block's own)."""
    mixed = plan("mixed")
    assert any(e.kind == "remote_disable" for e in mixed.events)
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


def test_grey_market_parts_dead_on_arrival_are_per_path() -> None:
    """A path's grey-market parts dead on arrival come from its own stream: paths 0–7 and
    8–23 run apart give the 24-path run (they were drawn for a block's buying paths
    together, so a path's dead parts hung on which other paths bought that day)."""
    from tests.engine.helpers import plan_for
    from tests.engine.test_step import EVERY_EVENT

    from hashshock.engine.policies import EconomyInputs, GreyMarket

    stopped = plan_for(events=[EVERY_EVENT[1]], horizon=150)

    def economy(paths: int) -> EconomyInputs:
        return EconomyInputs(
            hashprice_usd_per_ph_day=np.full((paths, stopped.horizon_days), 50.0),
            grey_market=GreyMarket(lead_days=10, doa_share=0.3),
            pool_unit_cost=np.full((stopped.n_pools, stopped.horizon_days), 100.0),
            grey_unit_cost=np.full(stopped.n_pools, 180.0),
        )  # fmt: skip

    whole = simulate(stopped, 24, 7, economy=economy(24))
    blocks = [simulate(stopped, b - a, 7, economy=economy(b - a), first_path=a)
              for a, b in ((0, 8), (8, 24))]  # fmt: skip
    assert whole.parts_shipped_grey.sum() > 0
    for name in ("parts_shipped_grey", "scrapped", "hashrate_ths"):
        joined = np.concatenate([getattr(b, name) for b in blocks], axis=0)
        np.testing.assert_array_equal(joined, getattr(whole, name), err_msg=name)
