"""One execution layer for every many-simulation job: compares, sweeps, and later the
industry's operator classes and the optimiser's evaluations.

>>> from hashshock.execution import InProcess
>>> InProcess().map(abs, [-2, 3])
[2, 3]

:class:`Executor` runs :class:`Task` objects (``map`` for the plain case) and returns
results in order; :class:`InProcess` runs them here, one after the other, each
simulation on the engine's threads; :class:`Threads` runs several at once here on Dask's
threaded scheduler, one engine thread each; :func:`local_cluster` starts a local Dask
cluster of worker processes and :func:`connect` reaches a running one.
:func:`make_executor` / :func:`open_executor` choose between them from ``workers``,
``scheduler`` (or ``DASK_SCHEDULER_ADDRESS``) and ``threads``. Dask loads only when one
of its executors is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.execution.base import Executor, InProcess, Progress, Task
    from hashshock.execution.choose import (
        SCHEDULER_ENV,
        make_executor,
        open_executor,
        scheduler_address,
    )
    from hashshock.execution.cluster import DaskExecutor, connect, local_cluster
    from hashshock.execution.threads import Threads

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "Executor": "hashshock.execution.base",
        "InProcess": "hashshock.execution.base",
        "Progress": "hashshock.execution.base",
        "Task": "hashshock.execution.base",
        "SCHEDULER_ENV": "hashshock.execution.choose",
        "make_executor": "hashshock.execution.choose",
        "open_executor": "hashshock.execution.choose",
        "scheduler_address": "hashshock.execution.choose",
        "DaskExecutor": "hashshock.execution.cluster",
        "connect": "hashshock.execution.cluster",
        "local_cluster": "hashshock.execution.cluster",
        "Threads": "hashshock.execution.threads",
    },
)
__all__ = [
    "SCHEDULER_ENV",
    "DaskExecutor",
    "Executor",
    "InProcess",
    "Progress",
    "Task",
    "Threads",
    "connect",
    "local_cluster",
    "make_executor",
    "open_executor",
    "scheduler_address",
]
