"""Executors: where independent pieces of work run, one interface for all of them.

An :class:`Executor` runs :class:`Task` objects and returns their results in the order
given. A task may name earlier tasks whose results it needs (``after``): a sweep's
points that share a baseline run wait for that one task. :class:`InProcess` runs the
tasks one after the other in this process (each simulation on the engine's own
threads); :class:`hashshock.execution.threads.Threads` runs several at once on Dask's
threaded scheduler in this process; :class:`hashshock.execution.cluster.DaskExecutor`
runs them on a Dask cluster, local or remote. Every task is deterministic given its
arguments, so results do not depend on the executor or on the number of workers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

#: Called with (tasks done, tasks in total).
Progress = Callable[[int, int], None]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Task:
    """One piece of work: ``fn(*args, *results of the tasks in after)``.

    ``after`` holds indices of *earlier* tasks of the same :meth:`Executor.run` call.
    ``name`` prefixes the task's key on a cluster (it shows on Dask's dashboard).
    ``keep=False``: the result is only needed by later tasks, not returned to the caller
    (``None`` in its place), so a cluster need not send it back. ``first``: start it
    before the others where workers have a choice (others wait for it).
    ``memory_bytes``: its estimated peak memory (0: not said); a running cluster checks
    that its workers hold the largest before any task is sent.
    """

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    after: tuple[int, ...] = ()
    name: str = "task"
    keep: bool = True
    first: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)
    memory_bytes: int = 0


def check_order(tasks: Sequence[Task]) -> None:
    """Every ``after`` index must name an earlier task."""
    for i, task in enumerate(tasks):
        bad = [j for j in task.after if not 0 <= j < i]
        if bad:
            raise ValueError(f"task {i} ({task.name}) waits for {bad}: only earlier tasks")


class Executor(ABC):
    """Runs tasks; a context manager that releases what it started (workers, a cluster)."""

    #: Short description for messages, e.g. "in-process" or "dask tcp://127.0.0.1:8786 (2 workers)".
    label: str = "executor"

    @abstractmethod
    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Any]:
        """Run ``tasks`` (dependencies first) and return their results in order."""

    def map(
        self, fn: Callable[[T], R], items: Iterable[T], progress: Progress | None = None
    ) -> list[R]:
        """``[fn(item) for item in items]``, in order, on this executor."""
        tasks = [Task(fn, (item,), name=getattr(fn, "__name__", "task")) for item in items]
        return self.run(tasks, progress)

    @property
    def workers(self) -> int:
        """Tasks that can run at the same time (1 in this process)."""
        return 1

    def close(self) -> None:  # noqa: B027 (optional: most executors start nothing)
        """Release what this executor started (nothing by default)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()


class InProcess(Executor):
    """The tasks one after the other in this process: no worker processes, so a user's
    script is never imported again; each simulation uses the engine's own threads."""

    label = "in-process"

    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Any]:
        check_order(tasks)
        results: list[Any] = []
        total = len(tasks)
        for done, task in enumerate(tasks, start=1):
            needed = tuple(results[j] for j in task.after)
            results.append(task.fn(*task.args, *needed, **task.kwargs))
            if progress is not None:
                progress(done, total)
        return [r if task.keep else None for r, task in zip(results, tasks, strict=True)]
