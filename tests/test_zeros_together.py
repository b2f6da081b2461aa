"""Arrays carved from one block: zeroed, of the asked shapes, aligned, and apart."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.engine.output import zeros_together

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
    arrays = zeros_together(shaped)
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
