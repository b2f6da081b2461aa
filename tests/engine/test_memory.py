"""Memory for a run: arrays carved from one block, blocks kept for the next run, and a
simulation on kept state memory giving the numbers of one on fresh memory."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference.fleets import two_site_fleet

from hashshock.engine.core import Simulation
from hashshock.engine.memory import OUTPUT_BLOCKS, BlockRecycler, zeros_together
from hashshock.engine.output import EngineOutput
from hashshock.inputs.load import fleet_from_mapping, load_scenario
from hashshock.plan import compile_plan

_DTYPES = [np.float64, np.int64, np.int32, np.int8, np.bool_]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 7), min_size=1, max_size=3), st.sampled_from(_DTYPES)),
        min_size=1,
        max_size=6,
    )
)
def test_arrays_are_zeroed_aligned_and_do_not_overlap(
    specs: list[tuple[list[int], type]],
) -> None:
    shaped = [(tuple(shape), dtype) for shape, dtype in specs]
    arrays = zeros_together(shaped, OUTPUT_BLOCKS)
    for array, (shape, dtype) in zip(arrays, shaped, strict=True):
        assert array.shape == shape and array.dtype == np.dtype(dtype)
        assert array.flags.c_contiguous and array.flags.writeable
        assert not array.any()
        assert array.size == 0 or array.ctypes.data % 64 == 0
    # Writing each array leaves every other one as it was.
    for index, array in enumerate(arrays):
        array[...] = 1
        for other, before in enumerate(arrays):
            if other != index:
                assert not before.any()
        array[...] = 0


def _specs() -> list[tuple[tuple[int, ...], type]]:
    return [((40, 30, 4), np.int32), ((40, 30), np.float64)]


def test_a_dropped_block_is_reused_zeroed() -> None:
    recycler = BlockRecycler(keep_bytes=1 << 20)
    first = zeros_together(_specs(), recycler)
    address = first[0].ctypes.data
    for array in first:
        array[...] = 7
    del first, array
    assert recycler.kept_bytes > 0
    again = zeros_together(_specs(), recycler)
    assert again[0].ctypes.data == address  # the same memory ...
    assert not any(array.any() for array in again)  # ... zeroed
    assert recycler.kept_bytes == 0


def test_memory_a_caller_still_holds_is_never_reused() -> None:
    """A view of one array keeps the whole block out of reuse, and its values intact."""
    recycler = BlockRecycler(keep_bytes=1 << 20)
    first = zeros_together(_specs(), recycler)
    first[0][...] = 5
    kept_view = first[0][3, :, 1]
    del first
    assert recycler.kept_bytes == 0
    again = zeros_together(_specs(), recycler)
    again[0][...] = 9
    assert (kept_view == 5).all()
    del kept_view
    assert recycler.kept_bytes > 0


def test_blocks_beyond_the_budget_are_let_go() -> None:
    recycler = BlockRecycler(keep_bytes=1000)
    arrays = zeros_together(_specs(), recycler)  # some 57 kB
    del arrays
    assert recycler.kept_bytes == 0


def test_blocks_of_other_sizes_are_let_go_when_one_is_taken() -> None:
    recycler = BlockRecycler(keep_bytes=1 << 20)
    arrays = zeros_together(_specs(), recycler)
    del arrays
    assert recycler.kept_bytes > 0
    other = zeros_together([((10,), np.int64)], recycler)
    assert recycler.kept_bytes == 0
    assert not other[0].any()


def test_a_run_on_kept_state_memory_gives_the_numbers_of_a_fresh_one() -> None:
    """The state block of a finished run is taken by the next run of its size, and
    nothing of the old run's state is left in it."""
    plan = compile_plan(fleet_from_mapping(two_site_fleet()), load_scenario("sanctions"), 60)
    simulation = Simulation(plan, 12, seed=3)
    address = simulation.state.cohorts.running.ctypes.data
    first = simulation.run()
    del simulation
    simulation = Simulation(plan, 12, seed=3)
    assert simulation.state.cohorts.running.ctypes.data == address  # the kept block
    again = simulation.run()
    for field in dataclasses.fields(EngineOutput):
        assert np.array_equal(getattr(first, field.name), getattr(again, field.name)), field.name
