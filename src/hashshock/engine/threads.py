"""Blocks of paths on threads: how a run's paths are cut, and the threads that run them."""

from __future__ import annotations

import contextlib
import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: Blocks of paths per thread for one phase of a day (each block is a kernel call).
BLOCKS_PER_THREAD = 4
#: Blocks of paths per thread for a span of days: progress is reported as blocks
#: finish, and uneven paths (e.g. with events) balance out.
SPAN_BLOCKS_PER_THREAD = 16


def path_blocks(
    paths: int, threads: int, per_thread: int = BLOCKS_PER_THREAD, taper: bool = False
) -> list[tuple[int, int]]:
    """Paths cut into blocks, ``per_thread`` a thread so that threads finishing early
    take more. With ``taper``, the last blocks shrink, down to an eighth of the others,
    so that the threads finish together: on the whole US fleet (1,000 paths × 730
    days, blocks of 3.7 s) one thread otherwise waited 1.9 s for the other at the end."""
    if paths < 2:
        return [(0, paths)]
    count = min(paths, per_thread * max(threads, 1))
    if not taper or threads < 2:
        edges = np.linspace(0, paths, count + 1).astype(int)
        return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    size = -(-paths // count)
    smallest = max(1, size // 8)
    blocks = []
    first = 0
    while first < paths:
        # Each block at most the share of what is left that lets every thread take two.
        step = min(size, max(smallest, -(-(paths - first) // (2 * threads))))
        blocks.append((first, min(first + step, paths)))
        first += step
    return blocks


#: The thread pools started so far, by their number of threads.
_POOLS: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    """The threads that run blocks of paths, each kept on a core of its own when there
    are enough (``_pin``); started on first use and kept."""
    pool = _POOLS.get(threads)
    if pool is None:
        pool = _POOLS[threads] = _start_pool(threads)
    return pool


def close_thread_pools() -> None:
    """End the pools' threads (they start again when next needed): the ``hashshock
    daemon`` calls it before it forks, so that its children do not start with the
    memory of idle threads (a forked child forgets the pools anyway, ``_forget_pools``)."""
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True)


def _forget_pools() -> None:
    """In a forked child: drop the pools copied from the parent without their threads (a
    run there waited for ever on them: a script's ``ProcessPoolExecutor`` after a run in
    the parent); the child starts its own when it needs them."""
    _POOLS.clear()


if hasattr(os, "register_at_fork"):  # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_forget_pools)


def _start_pool(threads: int) -> ThreadPoolExecutor:
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    started = itertools.count()
    pin = 1 < threads <= len(cpus)

    def start() -> None:
        if pin:
            _pin(cpus[next(started) % len(cpus)])

    return ThreadPoolExecutor(
        max_workers=threads, thread_name_prefix="hashshock-paths", initializer=start
    )


def _pin(cpu: int) -> None:
    """Keep the calling thread on ``cpu``. Why: a worker woken after a pause was at
    times placed on the core of the other worker or of the waiting main thread,
    and the two shared it until the scheduler moved one; a 1,000-path run of the
    reference fleet right after another job took 31–33 ms unpinned, 28–29 pinned
    (best of 8, ``docs/performance.md``)."""
    with contextlib.suppress(OSError):  # not allowed here: the scheduler places it
        os.sched_setaffinity(0, {cpu})
