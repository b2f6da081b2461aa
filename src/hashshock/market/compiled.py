"""The chain's day (:func:`hashshock.market.chain.advance_paths`) compiled with numba.

The market simulation mines every path every day with it: one call a day instead of a
few dozen numpy operations. It is imported when the first market is mined, so that
commands that only read a market (``validate``, whose start state may carry a
snapshot on one path) do without numba. The arithmetic is the same operations in the
same order (no fast-math), so the compiled kernel gives the plain function's results
bit for bit.
"""

from __future__ import annotations

from typing import cast

import numba

from hashshock.market.chain import AdvanceKernel, advance_paths

#: :func:`~hashshock.market.chain.advance_paths`, compiled (cached on disk).
compiled_advance_paths = cast(AdvanceKernel, numba.njit(cache=True, nogil=True)(advance_paths))
