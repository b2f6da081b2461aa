"""The settlement's loop over path-days, compiled with numba (cached on disk).

Where a member's replacement machines mine (:class:`hashshock.industry.room.Room`) is
asked for every member in every round of a settlement, on every path and day: as whole
arrays it took a dozen numpy passes over [P, T] each time, the largest share of the
settlement's time at full scale. The kernel makes one pass with the same operations in
the same order (no fast-math, nothing but + − × and min, max), so the results are the
same bit for bit (``tests/industry/test_replacement_economics.py`` compares). Imported
on first use, so that commands that never settle an industry do without it.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I32 = NDArray[np.int32]


@numba.njit(cache=True, nogil=True)
def room_mining(
    waiting: I32, baseline: I32, each: float,
    new_ths: F64, new_reached: NDArray[np.integer], new_running: F64, new_drawn: F64,
    used_ths: F64, used_reached: NDArray[np.integer], used_running: F64, used_drawn: F64,
    delivered: F64, power: F64,
) -> None:  # fmt: skip
    """Fill ``delivered`` and ``power`` [P, T]: the TH/s the replacements owned (``new_ths``,
    ``used_ths`` [P, T] nameplate TH/s; an empty array: none of that kind) deliver and the
    USD of power they draw a day, in the room ``max(waiting − baseline, 0) · each`` TH/s,
    the new ones first; each kind at the levels (``*_running``, ``*_drawn``) of the slices
    its ``*_reached`` [P, T] says run that day."""
    has_new = new_ths.shape[0] > 0
    has_used = used_ths.shape[0] > 0
    for p in range(waiting.shape[0]):
        for t in range(waiting.shape[1]):
            room = max(np.float64(waiting[p, t]) - np.float64(baseline[p, t]), 0.0) * each
            mined = 0.0
            drawn = 0.0
            if has_new:
                mining = min(new_ths[p, t], room)
                room = room - mining
                mined = mined + mining * new_running[new_reached[p, t]]
                drawn = drawn + mining * new_drawn[new_reached[p, t]]
            if has_used:
                mining = min(used_ths[p, t], room)
                mined = mined + mining * used_running[used_reached[p, t]]
                drawn = drawn + mining * used_drawn[used_reached[p, t]]
            delivered[p, t] = mined
            power[p, t] = drawn
