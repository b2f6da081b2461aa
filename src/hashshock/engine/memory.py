"""Memory for a run's arrays: carved from one block, and the block kept for the next run.

A run's daily series and its state are each carved from one block
(:func:`zeros_together`); when every array carved from a block has been dropped, the
block goes back to its :class:`BlockRecycler`, and the next run of the same size takes
it instead of fresh memory.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Sequence
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


#: The blocks of the engine's daily series (a few hundred MiB on the whole US fleet).
OUTPUT_BLOCKS = BlockRecycler(keep_bytes=1 << 30)
#: The blocks of the engine's state: counts, delay rings and scratch (on the reference
#: fleet under ``sanctions``, 1,000 paths, 17 MB of rings alone).
STATE_BLOCKS = BlockRecycler(keep_bytes=1 << 30)


def zeros_together(
    specs: Sequence[tuple[tuple[int, ...], DTypeLike]], recycler: BlockRecycler
) -> list[NDArray[Any]]:
    """Zeroed arrays of the given (shape, dtype), carved from one block of memory
    (from ``recycler``, which gets it back when the last of the arrays is dropped).

    Why one block: numpy asks the kernel for transparent huge pages on allocations of
    4 MiB and more, so one large block is mapped in 2 MiB pages on first touch instead
    of 4 KiB ones. Many output arrays of a few MiB each, allocated apart, cost one
    page fault per 4 KiB, which on small fleets is a fifth of the run
    (``docs/performance.md``).
    """
    # Sizes with math.prod, once: np.prod on a shape is a ufunc reduction, ~10 µs a call,
    # a few ms of every run of a small fleet (two blocks of some 30 arrays each).
    sizes = [int(math.prod(shape)) * np.dtype(dtype).itemsize for shape, dtype in specs]
    offsets = []
    total = 0
    for nbytes in sizes:
        offsets.append(total)
        total += -(-nbytes // _ALIGN) * _ALIGN
    raw = recycler.take(total + _ALIGN)
    owner = raw.view(_Block)
    weakref.finalize(owner, recycler.give_back, raw).atexit = False
    start = -raw.ctypes.data % _ALIGN
    arrays = []
    for (shape, dtype), offset, nbytes in zip(specs, offsets, sizes, strict=True):
        first = start + offset
        carved = owner[first : first + nbytes].view(dtype).reshape(shape)
        arrays.append(carved.view(np.ndarray))
    return arrays
