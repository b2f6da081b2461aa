"""Which executor a call gets: a running scheduler, a local cluster, threads, or one
task at a time in this process.

In order: a scheduler address (``--scheduler`` or the ``DASK_SCHEDULER_ADDRESS``
environment variable, Dask's own) connects to that cluster; ``workers`` > 1 starts a
local Dask cluster of that many single-threaded worker processes; ``workers`` = 1 runs
the tasks one after the other here (:class:`~hashshock.execution.base.InProcess`, each
simulation on the engine's own threads). Without either, ``threads`` > 1 runs that many
tasks at once on Dask's threaded scheduler here
(:class:`~hashshock.execution.threads.Threads`), else one at a time. Callers choose the
default (the Python API: one at a time; ``hashshock sweep``: threads, one per core —
what was measured fastest, docs/sweeps.md "Execution").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from hashshock.execution.base import Executor, InProcess
from hashshock.inputs.errors import InputError, shown

#: The environment variable Dask itself reads for the scheduler's address.
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: Most local worker processes one call may start.
MAX_WORKERS = 64


def scheduler_from(given: str | None, option: str = "--scheduler") -> tuple[str | None, str]:
    """The scheduler to use and where it came from, for messages to name: ``given``
    (from ``option``), else ``$DASK_SCHEDULER_ADDRESS`` (from :data:`SCHEDULER_ENV`), else
    None (from ``option``, which would give one)."""
    if given is not None and not isinstance(given, str):
        raise InputError(None, "scheduler (--scheduler)", f"{given!r} is not an address",
                         "give it as text, e.g. 'tcp://127.0.0.1:8786', or None")  # fmt: skip
    if given is not None and given.strip():
        return given.strip(), option
    env = os.environ.get(SCHEDULER_ENV, "").strip()
    return (env, SCHEDULER_ENV) if env else (None, option)


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: ``given``, else ``$DASK_SCHEDULER_ADDRESS``, else None."""
    return scheduler_from(given)[0]


def runs_remote(executor: Executor | None = None, scheduler: str | None = None) -> bool:
    """Whether tasks go to a running cluster not started here (``executor``'s, or the
    scheduler :func:`make_executor` would connect to): their memory is its workers',
    not this machine's."""
    if executor is not None:
        return getattr(executor, "client", None) is not None and not getattr(
            executor, "cluster", None
        )
    return scheduler_address(scheduler) is not None


def at_once_here(
    executor: Executor | None = None, workers: int | None = None,
    scheduler: str | None = None, threads: int = 1,
) -> int:  # fmt: skip
    """Tasks that run at the same time in this machine's memory, for a size check: an
    executor's width, unless it is a cluster's that was not started here (its tasks take
    their workers' memory, each task its own); else as :func:`make_executor` would
    choose — 1 on a scheduler's cluster, ``workers`` local worker processes, or
    ``threads``."""
    if executor is not None:
        return 1 if runs_remote(executor) else max(1, executor.workers)
    if runs_remote(None, scheduler):
        return 1
    return max(1, workers if workers is not None else threads)


def cores() -> int:
    """Cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_workers(workers: object, option: str = "workers (--workers)") -> int | None:
    """``workers`` if it is None or a whole number in 1..MAX_WORKERS, else an InputError."""
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise InputError(None, option, f"{workers!r} is not a number of workers",
                         f"use 1 (this process) to {MAX_WORKERS}")  # fmt: skip
    return workers


def check_executor(
    executor: object, argument: str = "executor", workers: object = None,
    scheduler: object = None,
) -> None:  # fmt: skip
    """An API's ``executor`` must be None or one of :mod:`hashshock.execution`'s, and not
    given beside ``workers`` or ``scheduler`` (each says where the runs go: one would be
    ignored)."""
    if executor is not None and not isinstance(executor, Executor):
        raise InputError(None, argument, f"{executor!r} is not an executor",
                         "give one of hashshock.execution (InProcess(), Threads(2), "
                         "local_cluster(2), connect(ADDRESS)), or None")  # fmt: skip
    if executor is not None and workers is not None:
        raise InputError(None, argument, f"given with workers={workers!r}: both say where "
                         "the runs go", "give workers (a local cluster of that many) or an "
                         "executor, not both")  # fmt: skip
    if executor is not None and scheduler is not None:
        raise InputError(None, argument, f"given with scheduler={scheduler!r}: both say "
                         "where the runs go",
                         "give a scheduler or an executor, not both")  # fmt: skip


def check_progress(
    progress: object, argument: str = "progress", takes: str = "(done, total)",
    arguments: int = 2,
) -> None:  # fmt: skip
    """An API's ``progress`` must be None or something to call with ``arguments``
    positional arguments (``takes`` says what they are): checked before any work, not
    found wrong at the first step of a long run."""
    if progress is None:
        return
    fix = f"give a function of {takes}, or None"
    if not callable(progress):
        raise InputError(None, argument, f"{progress!r} cannot be called", fix)
    import inspect

    try:
        signature = inspect.signature(progress)
    except (TypeError, ValueError):  # a builtin without one: it is called as it is
        return
    try:
        signature.bind(*[None] * arguments)
    except TypeError:
        raise InputError(None, argument, f"{shown(progress)} does not take {takes}",
                         fix) from None  # fmt: skip


def check_placement(workers: object, scheduler: str | None) -> str | None:
    """``workers`` and ``scheduler`` checked as :func:`make_executor` takes them, without
    reaching the scheduler (a command checks them before any work): the scheduler's
    address, or None to run locally."""
    return _placement(workers, scheduler)[0]


def _placement(
    workers: object, scheduler: str | None, scheduler_option: str = "--scheduler"
) -> tuple[str | None, str]:
    """:func:`check_placement`'s address and where it came from (:func:`scheduler_from`)."""
    check_workers(workers)
    address, origin = scheduler_from(scheduler, scheduler_option)
    if address is not None and workers is not None:
        if origin == SCHEDULER_ENV:  # not on the command line: say where it was set
            raise InputError(
                None, "workers (--workers)", f"is for a local cluster, and {SCHEDULER_ENV} is set "
                f"({address}): the tasks would run on that scheduler's cluster",
                f"unset {SCHEDULER_ENV} to run on local workers, or drop --workers to run "
                "on that cluster",
            )  # fmt: skip
        raise InputError(None, "workers (--workers)", f"is for a local cluster, not with {origin}",
                         "drop --workers: the cluster's own workers run the tasks")  # fmt: skip
    return address, origin


def make_executor(
    workers: int | None = None, scheduler: str | None = None, threads: int = 1,
    scheduler_option: str = "--scheduler",
) -> Executor:  # fmt: skip
    """The executor for ``workers`` / ``scheduler`` / ``threads`` (module docstring); the
    caller closes it. ``workers`` with a scheduler is refused: the cluster has the workers
    it has."""
    address, origin = _placement(workers, scheduler, scheduler_option)
    if address is not None:
        from hashshock.execution.cluster import connect

        return connect(address, origin)
    if workers is None:
        if threads > 1:
            from hashshock.execution.threads import Threads

            return Threads(threads)
        return InProcess()
    if workers <= 1:
        return InProcess()
    from hashshock.execution.cluster import local_cluster

    return local_cluster(workers)


@contextmanager
def open_executor(
    workers: int | None = None, scheduler: str | None = None, threads: int = 1
) -> Iterator[Executor]:
    """:func:`make_executor` as a context manager that closes it."""
    executor = make_executor(workers, scheduler, threads)
    try:
        yield executor
    finally:
        executor.close()
