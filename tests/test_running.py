"""Running sums along rows (hashshock.running.cumsum_rows) against numpy's cumsum."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hashshock.running import cumsum_rows

_values = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 5), st.integers(0, 40)), elements=_values))
def test_the_running_sums_are_numpys_bit_for_bit(values: np.ndarray) -> None:
    """Each row summed left to right from its first value, as numpy's cumsum along the
    last axis: the same bits, signed zeros, infinities and NaNs included."""
    with np.errstate(over="ignore", invalid="ignore"):  # sums of huge values overflow
        want = np.cumsum(values, axis=1)
    got = cumsum_rows(values)
    assert got.tobytes() == want.tobytes()


def test_in_place_on_a_view_and_other_types() -> None:
    """Summed in place (``out`` the array itself), on a strided view, and for integer or
    1-D input (left to numpy), the numbers are numpy's."""
    rng = np.random.default_rng(3)
    values = rng.normal(size=(4, 365)) * 1e6
    want = np.cumsum(values, axis=1)
    in_place = values.copy()
    assert cumsum_rows(in_place, out=in_place) is in_place
    assert in_place.tobytes() == want.tobytes()
    view = values[::2, 5:]
    assert cumsum_rows(view).tobytes() == np.cumsum(view, axis=1).tobytes()
    counts = rng.integers(0, 9, (3, 7))
    assert np.array_equal(cumsum_rows(counts), np.cumsum(counts, axis=1))  # type: ignore[arg-type]
