"""The market's loops over days, compiled with numba (cached on disk).

The chain's day (:func:`hashshock.market.chain.advance_paths`): the market simulation
mines every path every day with it, one call a day instead of a few dozen numpy
operations; the used prices' smoothing and supply-cut level, one call instead of a
few numpy operations a day. This module is imported when the first market is mined,
so that commands that only read a market (``validate``, whose start state may carry a
snapshot on one path) do without numba. Each kernel does the same operations in the
same order as numpy did on whole arrays (no fast-math, nothing but + − × ÷), so the
results are the same bit for bit.
"""

from __future__ import annotations

from typing import cast

import numba
import numpy as np
from numpy.typing import NDArray

from hashshock.market.chain import AdvanceKernel, advance_paths

F64 = NDArray[np.float64]
B1 = NDArray[np.bool_]

#: :func:`~hashshock.market.chain.advance_paths`, compiled (cached on disk).
compiled_advance_paths = cast(AdvanceKernel, numba.njit(cache=True, nogil=True)(advance_paths))


@numba.njit(cache=True, nogil=True)
def ewma_rows(x: F64, alpha: float, initial: F64, out: F64) -> None:
    """Smoothing along each row of ``x`` [P, T]: ``out[i, k] = y_k``,
    ``y_k = y_{k-1} + alpha · (x[i, k] − y_{k-1})``, ``y_{-1} = initial[i]``."""
    for i in range(x.shape[0]):
        current = initial[i]
        for day in range(x.shape[1]):
            current += alpha * (x[i, day] - current)
            out[i, day] = current


@numba.njit(cache=True, nogil=True)
def supply_cut_level(cut: B1, rise: float, fade: float, out: F64) -> None:
    """The used-price jump level ``L`` [P, T] in [0, 1): on a day of ``cut`` it rises by
    ``rise · (1 − L)``, on other days it fades to ``fade · L``; 0 before day 0."""
    for i in range(cut.shape[0]):
        current = 0.0
        for day in range(cut.shape[1]):
            current = current + rise * (1.0 - current) if cut[i, day] else current * fade
            out[i, day] = current
