"""Blocks of paths on threads (:mod:`hashshock.engine.threads`): any thread count gives
the same numbers, blocks cover every path once, progress comes as blocks finish, and
the threads keep to cores of their own."""

from __future__ import annotations

import itertools
import os
import threading

import numba
import numpy as np
import pytest
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for

from hashshock.engine import simulate
from hashshock.engine.core import Simulation
from hashshock.engine.threads import _pool, path_blocks


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2,
                    reason="one thread only: nothing to compare it with")  # fmt: skip
@pytest.mark.parametrize("mechanism", ["none", "repair-bench", "repair-bench-exponential",
                                       "donors", "steady-pipelines"])  # fmt: skip
def test_results_do_not_depend_on_the_number_of_threads(mechanism: str) -> None:
    fleet = small_fleet(repair_routes={"psu": {"in_house_share": 0.8}})
    if mechanism == "steady-pipelines":  # drawn on the threads before day 0
        fleet["pipelines_at_start"] = "steady"
    if mechanism == "repair-bench":  # a fixed service time: no draws
        fleet["sites"][0]["repair_bench"] = {"technicians": 1, "service_days": 5}
    if mechanism == "repair-bench-exponential":  # its own stream of service draws
        fleet["sites"][0]["repair_bench"] = {
            "technicians": 1,
            "service_days": {"dist": "exponential", "mean": 2.5},
        }
    if mechanism == "donors":
        fleet["sites"][0]["donors"] = {"antminer-s19j-pro": 10}
    plan = plan_for(fleet, horizon=120)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(plan, 30, seed=4)
        numba.set_num_threads(max(2, threads))
        many = simulate(plan, 30, seed=4)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(one.hashrate_ths, many.hashrate_ths)
    assert np.array_equal(one.spares_on_hand, many.spares_on_hand)
    assert np.array_equal(one.failures, many.failures)
    assert np.array_equal(one.bench_waits, many.bench_waits)
    assert np.array_equal(one.parts_from_donors, many.parts_from_donors)
    assert np.array_equal(one.parts_on_order, many.parts_on_order)
    assert np.array_equal(one.parts_in_repair, many.parts_in_repair)


@pytest.mark.parametrize(("paths", "threads"), [(1, 2), (7, 1), (7, 2), (1000, 2), (5, 8)])
@pytest.mark.parametrize("per_thread", [1, 4, 16])
@pytest.mark.parametrize("taper", [False, True])
def test_path_blocks_cover_every_path_once(
    paths: int, threads: int, per_thread: int, taper: bool
) -> None:
    blocks = path_blocks(paths, threads, per_thread, taper)
    covered = [p for first, last in blocks for p in range(first, last)]
    assert covered == list(range(paths))
    assert all(last > first for first, last in blocks)
    if taper and threads > 1:  # no block after a smaller one is larger
        sizes = [last - first for first, last in blocks]
        assert all(later <= earlier for earlier, later in itertools.pairwise(sizes[:-1]))


def test_progress_comes_as_blocks_of_paths_finish() -> None:
    """A run that is one span still reports progress along the way, never backwards."""
    plan = plan_for(horizon=60)
    seen: list[tuple[int, int]] = []
    simulation = Simulation(plan, 40, seed=1)
    assert not simulation.hook_days().any()  # the whole horizon is one span
    simulation.run(lambda done, total: seen.append((done, total)))
    done = [d for d, _ in seen]
    assert len(seen) > 1
    assert done == sorted(done)
    assert seen[-1] == (60, 60)


@pytest.mark.skipif(
    len(getattr(os, "sched_getaffinity", lambda _: set())(0)) < 2, reason="needs two cores"
)
def test_the_path_threads_keep_to_cores_of_their_own() -> None:
    barrier = threading.Barrier(2)

    def where() -> set[int]:
        barrier.wait(timeout=10)  # both workers busy at once: one task each
        return os.sched_getaffinity(0)

    pool = _pool(2)
    cores = [future.result() for future in [pool.submit(where) for _ in range(2)]]
    assert all(len(core) == 1 for core in cores)
    assert cores[0] != cores[1]


def _forked_run(seed: int) -> list[float]:
    """One small run, in a forked child (module level: a pool's task is pickled)."""
    return simulate(plan_for(horizon=60), 10, seed=seed).hashrate_ths[:, -1].tolist()


@pytest.mark.skipif(not hasattr(os, "register_at_fork"), reason="no fork on this platform")
def test_a_forked_child_runs_after_its_parent_has() -> None:
    """A script's ProcessPoolExecutor (fork, Linux's default) after a run in the parent
    waited for ever: the child had the parent's thread pools without their threads. It
    runs, and gets the parent's numbers for the same seed."""
    import multiprocessing

    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(max(2, threads))  # the pools are used with two or more
        here = _forked_run(3)
        with multiprocessing.get_context("fork").Pool(1) as pool:
            there = pool.apply_async(_forked_run, (3,)).get(timeout=120)
    finally:
        numba.set_num_threads(threads)
    assert there == here
