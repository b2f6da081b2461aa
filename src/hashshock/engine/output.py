"""What one engine run produces: per-path, per-day arrays (no labels, no analysis)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

#: Byte alignment of each array carved by :func:`zeros_together` (a cache line).
_ALIGN = 64


class _Block(np.ndarray):
    """Owner of the memory a set of arrays is carved from: each array keeps it alive
    (numpy stops the chain of bases at a change of type), so it dies with the last."""


class BlockRecycler:
    """Memory of blocks whose arrays have all been dropped, kept for the next run.

    Why: fresh memory costs a page fault and the kernel's zeroing on first touch, and
    on a virtual machine that hands freed memory back to its host, a fault in the
    host as well; a kept block costs one pass of zeroing. On the reference fleet,
    1,000 paths × 180 days, that is 2 ms of a 30 ms run (``docs/performance.md``). A
    block comes back only when no array carved from it is alive, so nothing a caller
    holds is ever written. At most ``keep_bytes`` are kept, the newest first, and
    blocks of other sizes are let go when one is taken, so that what is kept never
    adds to the memory of a run of another size.
    """

    def __init__(self, keep_bytes: int) -> None:
        self.keep_bytes = keep_bytes
        self._free: list[NDArray[np.uint8]] = []
        self._lock = threading.Lock()

    def take(self, nbytes: int) -> NDArray[np.uint8]:
        """A zeroed block of ``nbytes`` bytes: a kept one of that size, else a new one."""
        with self._lock:
            sizes = [raw.nbytes for raw in self._free]
            kept = self._free.pop(sizes.index(nbytes)) if nbytes in sizes else None
            self._free = [raw for raw in self._free if raw.nbytes == nbytes]
        if kept is None:
            return np.zeros(nbytes, np.uint8)
        kept.fill(0)
        return kept

    def give_back(self, raw: NDArray[np.uint8]) -> None:
        """Keep ``raw`` (its arrays are gone) if it fits, dropping the oldest kept."""
        with self._lock:
            self._free.append(raw)
            while sum(block.nbytes for block in self._free) > self.keep_bytes:
                self._free.pop(0)

    @property
    def kept_bytes(self) -> int:
        with self._lock:
            return sum(block.nbytes for block in self._free)


#: The engine's output blocks (a block is a few hundred MiB on the whole US fleet).
RECYCLER = BlockRecycler(keep_bytes=1 << 30)


def zeros_together(
    specs: Sequence[tuple[tuple[int, ...], DTypeLike]], recycler: BlockRecycler = RECYCLER
) -> list[NDArray[Any]]:
    """Zeroed arrays of the given (shape, dtype), carved from one block of memory
    (from ``recycler``, which gets it back when the last of the arrays is dropped).

    Why one block: numpy asks the kernel for transparent huge pages on allocations of
    4 MiB and more, so one large block is mapped in 2 MiB pages on first touch instead
    of 4 KiB ones. Many output arrays of a few MiB each, allocated apart, cost one
    page fault per 4 KiB, which on small fleets is a fifth of the run
    (``docs/performance.md``).
    """
    offsets = []
    total = 0
    for shape, dtype in specs:
        offsets.append(total)
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        total += -(-nbytes // _ALIGN) * _ALIGN
    raw = recycler.take(total + _ALIGN)
    owner = raw.view(_Block)
    weakref.finalize(owner, recycler.give_back, raw).atexit = False
    start = -raw.ctypes.data % _ALIGN
    arrays = []
    for (shape, dtype), offset in zip(specs, offsets, strict=True):
        first = start + offset
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        carved = owner[first : first + nbytes].view(dtype).reshape(shape)
        arrays.append(carved.view(np.ndarray))
    return arrays


#: Causes on the ``machines_down`` axis, in order.
DOWN_CAUSES = ("waiting_for_part", "in_repair", "held_at_customs", "disabled")


@dataclass
class EngineOutput:
    """Arrays of one run. ``P`` paths, ``T`` days, part axis in ``PART_TYPES`` order.

    Counts are machines or parts; hashrate in TH/s; ``-1`` in a first-day array
    means "never within the horizon".
    """

    hashrate_ths: NDArray[np.float64]  # [P, T] delivered hashrate
    nameplate_ths: NDArray[np.float64]  # [P, T] nameplate of installed machines
    machines_installed: NDArray[np.int64]  # [P, T]
    spares_on_hand: NDArray[np.int32]  # [P, T, 4]
    backorders: NDArray[np.int32]  # [P, T, 4] machines (boards) waiting for a spare
    parts_in_repair: NDArray[np.int32]  # [P, T, 4] in-house, vendor, and their backlogs
    parts_on_order: NDArray[np.int32]  # [P, T, 4] replenishment ordered, not yet arrived
    machines_down: NDArray[np.int32]  # [P, T, 4] by DOWN_CAUSES
    first_customs_hold_day: NDArray[np.int64]  # [P]
    first_stockout_day: NDArray[np.int64]  # [P, 4]
    customs_held_unit_days: NDArray[np.float64]  # [P] units × days held (storage fees)
    failures: NDArray[np.int64]  # [P, 4] parts failed over the run
    scrapped: NDArray[np.int64]  # [P, 4] parts scrapped over the run
    swaps: NDArray[np.int64]  # [P, 4] swaps done over the run
    ordered: NDArray[np.int64]  # [P, 4] spares ordered from vendors over the run
    # Daily flows (what the money layer prices):
    power_mw: NDArray[np.float64]  # [P, T] power drawn by machines switched on
    swaps_daily: NDArray[np.int32]  # [P, T, 4] swaps done
    repairs_in_house: NDArray[np.int32]  # [P, T, 4] repairs started on site
    repairs_vendor: NDArray[np.int32]  # [P, T, 4] parts sent to the vendor repair centre
    parts_shipped: NDArray[np.int32]  # [P, T, 4] spares shipped by the vendor (paid)
    parts_shipped_grey: NDArray[np.int32]  # [P, T, 4] spares bought on the grey market
    storage_unit_days: NDArray[np.float64]  # [P, T] customs unit-days incurred by holds decided
    power_cost: NDArray[np.float64]  # [P, T] Σ MWh drawn × cohort power price (if given)
    parts_spend: NDArray[np.float64]  # [P, T] Σ spares shipped × pool unit cost (if given)
    grey_spend: NDArray[np.float64]  # [P, T] Σ grey spares bought × grey unit cost (if given)
    machines_bought: NDArray[np.int32]  # [P, T] replacement machines bought
    replacement_spend: NDArray[np.float64]  # [P, T] their cost (in the unit_cost's currency)
    order_arrival_day: NDArray[np.int64]  # [O, P] −1: cancelled
    order_cancelled: NDArray[np.bool_]  # [O, P]

    @property
    def paths(self) -> int:
        return int(self.hashrate_ths.shape[0])

    @property
    def days(self) -> int:
        return int(self.hashrate_ths.shape[1])
