"""Run independent simulations of one call in worker processes (one per core).

Each simulation's random numbers depend only on the seed, so results are the
same bit for bit whether simulations run in one process or several. Progress
from the workers reaches the caller through a shared counter.

Workers come from a fork server that has imported the engine but never run it:
the engine's thread pool does not survive a ``fork`` of a process that has used
it, and a fresh server keeps worker start-up cheap. The cores are
shared out, so workers × kernel threads never exceeds them.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.sharedctypes import Synchronized
from typing import Any

import numba

from hashshock.engine import EngineOutput, simulate
from hashshock.engine.policies import EconomyInputs
from hashshock.plan import Plan

_counter: Any = None


def _init(counter: Synchronized[int], threads: int) -> None:
    global _counter
    _counter = counter
    numba.set_num_threads(threads)


def _work(plan: Plan, paths: int, seed: int, economy: EconomyInputs | None) -> EngineOutput:
    reported = 0

    def tick(day: int, _total: int) -> None:
        # The engine reports days done, in steps of any size: add what is new.
        nonlocal reported
        if day > reported:
            with _counter.get_lock():
                _counter.value += day - reported
            reported = day

    return simulate(plan, paths, seed, tick, economy)


def default_workers() -> int:
    """Simulations at once by default: 1, in this process, each on the engine's own
    threads (which use the cores already). Worker processes only pay off for many
    simulations, and from a script they re-import its ``__main__``."""
    return 1


def simulate_many(
    plans: Sequence[Plan],
    paths: int,
    seed: int,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
    economies: Sequence[EconomyInputs | None] | None = None,
) -> list[EngineOutput]:
    """Simulate each plan with the same seed; in parallel when ``workers`` > 1."""
    total = sum(p.horizon_days for p in plans)
    econ = list(economies) if economies is not None else [None] * len(plans)
    if workers <= 1 or len(plans) <= 1:
        outputs = []
        done = 0
        for plan, economy in zip(plans, econ, strict=True):
            offset = done

            def tick(day: int, _total: int, offset: int = offset) -> None:
                if progress is not None:
                    progress(offset + day, total)

            outputs.append(simulate(plan, paths, seed, tick, economy))
            done += plan.horizon_days
        return outputs
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(["hashshock.parallel"])
    counter = context.Value("i", 0)
    n_workers = min(workers, len(plans))
    threads = max(1, int(numba.config.NUMBA_NUM_THREADS) // n_workers)  # type: ignore[attr-defined]
    with ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context,
        initializer=_init, initargs=(counter, threads),
    ) as pool:  # fmt: skip
        futures: list[Future[EngineOutput]] = [
            pool.submit(_work, plan, paths, seed, economy)
            for plan, economy in zip(plans, econ, strict=True)
        ]
        pending: set[Future[EngineOutput]] = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if progress is not None:
                progress(min(int(counter.value), total), total)
            if pending:
                time.sleep(0.05)
        return [f.result() for f in futures]
