"""Tasks on Dask's threaded scheduler: threads of this process, one engine thread each.

The engine's compiled kernels release the GIL, so ``workers`` tasks run their
simulations side by side with no worker processes: nothing to start, nothing to pickle,
one market cache for all, and a user's script is never imported again. Each task sets
``numba.set_num_threads(1)`` on its thread (numba's setting is per thread), so tasks ×
engine threads stay at ``workers``; what holds the GIL — the market simulation's day
loop, money in numpy — takes turns. On the 2-core development machine this ran the
20-input tornado about 1.25× faster than one task at a time on two engine threads, and
faster than a local cluster of two processes (docs/sweeps.md, "Execution").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hashshock.execution.base import Executor, Progress, Task, check_order


@dataclass(frozen=True)
class _Call:
    """A task's function and arguments, opaque to Dask's graph (only dependencies are
    keys it substitutes)."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def _run(call: _Call, *needed: Any) -> Any:
    import numba

    numba.set_num_threads(1)
    return call.fn(*call.args, *needed, **call.kwargs)


class Threads(Executor):
    """Up to ``workers`` tasks at once on Dask's threaded scheduler (``dask.threaded``)."""

    def __init__(self, workers: int) -> None:
        self._workers = max(1, workers)
        self.label = f"{self._workers} threads in this process"

    @property
    def workers(self) -> int:
        return self._workers

    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Any]:
        from dask.callbacks import Callback
        from dask.threaded import get

        check_order(tasks)
        keys = [f"{task.name}-{i}" for i, task in enumerate(tasks)]
        graph: dict[str, Any] = {
            key: (_run, _Call(task.fn, task.args, task.kwargs), *(keys[j] for j in task.after))
            for key, task in zip(keys, tasks, strict=True)
        }  # fmt: skip
        total = len(tasks)
        done = [0]

        def finished(*_: Any) -> None:
            done[0] += 1
            if progress is not None:
                progress(done[0], total)

        with Callback(posttask=finished):
            results = get(graph, keys, num_workers=self._workers)
        return [r if task.keep else None for r, task in zip(results, tasks, strict=True)]
