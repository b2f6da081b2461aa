"""One seeded random-number tree with an independent stream per concern and day.

Light (numpy only): the plan's event draws, the money layer and the engine share it.

Each (concern, day) pair gives the compiled kernels a 64-bit key from which every path
and cell draws its own counter-based stream (:meth:`RandomTree.keys`); each (concern,
name) pair, for draws made once per run, its own ``numpy.random.Generator`` from
``SeedSequence(seed, spawn_key)``. Two runs with the same seed therefore draw the same
failures on day 10 even if a scenario changed what happened on day 9, which keeps
compared scenarios on common random numbers.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
from numpy.typing import NDArray

#: splitmix64's increment γ (Steele, Lea & Flood 2014); also the kernels' (engine.kernel_random).
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
MIX_2 = np.uint64(0x94D049BB133111EB)


def mix64_each(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's output function of each value (uint64 arithmetic wraps mod 2⁶⁴),
    the same mixer as the compiled :func:`hashshock.engine.kernel_random.mix64`."""
    z = np.asarray(values, dtype=np.uint64).copy()
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= MIX_1
        z ^= z >> np.uint64(27)
        z *= MIX_2
        z ^= z >> np.uint64(31)
    return z


CONCERNS = {
    "events": 1,
    "failures": 2,
    "routing": 3,
    "repair_delay": 4,
    "customs": 5,
    "orders": 6,
    "supply": 7,
    "disable": 8,
    # Keys of the compiled kernels' counter-based streams (hashshock.engine.kernel_random):
    "cohorts": 9,
    "items": 10,
    "lots": 11,
    "disable_boards": 12,  # dead boards that go with remotely disabled machines
    "bench": 13,  # in-house repair benches: arrival times, pools, service times
    "donors": 14,  # donors bought during the run that arrive dead
    "warm": 15,  # pipelines started in their steady state: counts, customs decisions
}


@functools.lru_cache(maxsize=512)
def _kernel_keys(seed: int, concern: str, first: int, count: int) -> NDArray[np.uint64]:
    """The kernels' keys of ``seed`` and ``concern`` for ``first`` … ``first + count − 1``:
    one ``SeedSequence`` per concern, its first 64 bits the root, mixed with each key by
    splitmix64. Kept: an industry runs every member's engine for each scenario and block
    of paths with the same keys (read-only; :meth:`RandomTree.keys` hands out copies)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(CONCERNS[concern],))
    root = np.uint64(int(sequence.generate_state(1, np.uint64)[0]))
    steps = np.arange(first + 1, first + count + 1, dtype=np.uint64)
    # uint64 arrays wrap modulo 2**64, as splitmix64's counter does.
    keys = mix64_each(root + steps * GOLDEN)
    keys.flags.writeable = False
    return keys


class RandomTree:
    """Streams keyed by concern and day (or name), all derived from one ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def key(self, concern: str, key: int) -> np.uint64:
        """A 64-bit key for the compiled kernels' per-cell streams of ``concern`` and ``key``.

        One ``SeedSequence`` per concern (cached), mixed with ``key`` by splitmix64.
        """
        return np.uint64(self.keys(concern, key, 1)[0])

    def keys(self, concern: str, first: int, count: int) -> NDArray[np.uint64]:
        """:meth:`key` for ``first``, ``first + 1``, … ``first + count − 1`` at once (a
        copy of :func:`_kernel_keys`'s: every run of a seed takes the same keys)."""
        return _kernel_keys(self.seed, concern, first, count).copy()

    def named(self, concern: str, name: str) -> np.random.Generator:
        """The stream for ``concern`` and a stable name (e.g. an event group)."""
        key = 1_000_000 + zlib.crc32(name.encode("utf-8"))
        sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(CONCERNS[concern], key))
        return np.random.Generator(np.random.PCG64(sequence))

    def per_path(
        self, concern: str, name: str, paths: int, k: int, first_path: int = 0
    ) -> NDArray[np.float64]:
        """``[k, paths]`` uniforms from the named stream for paths ``first_path`` … on,
        path ``i`` taking the ``k`` draws at ``k·i … k·i + k − 1``: a path's uniforms do
        not depend on how many paths there are, nor on which of them run together."""
        return self.named(concern, name).random((first_path + paths, k))[first_path:].T
