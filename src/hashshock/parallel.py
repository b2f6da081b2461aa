"""Run the independent simulations of one call on an executor (:mod:`hashshock.execution`).

Each simulation's random numbers depend only on the seed, so results are the same bit
for bit in this process, on a local Dask cluster or on a remote one. By default the
simulations run one after the other in this process, each on the engine's own threads
(which use the cores already), with progress reported day by day; ``workers`` > 1
starts a local Dask cluster of that many single-threaded worker processes for the call,
and an :class:`~hashshock.execution.Executor` passed in is used as it is (progress then
advances as simulations finish, from the cluster's task stream).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hashshock.engine.output import EngineOutput
from hashshock.engine.policies import EconomyInputs
from hashshock.execution.base import Executor, InProcess, Task
from hashshock.plan import Plan


def default_workers() -> int:
    """Simulations at once by default: 1, in this process, each on the engine's own
    threads. A local Dask cluster costs about 2 s to start and its workers run one engine
    thread each; for the few simulations of a compare that does not pay off
    (docs/sweeps.md, "Execution"), and from a script its worker processes would import the
    script again."""
    return 1


def simulate_one(plan: Plan, paths: int, seed: int, economy: EconomyInputs | None) -> EngineOutput:
    """One simulation (a task on a cluster worker, where the engine runs one thread)."""
    from hashshock.engine import simulate

    return simulate(plan, paths, seed, None, economy)


def _in_process(
    plans: Sequence[Plan], paths: int, seed: int, economies: Sequence[EconomyInputs | None],
    progress: Callable[[int, int], None] | None,
) -> list[EngineOutput]:  # fmt: skip
    from hashshock.engine import simulate

    total = sum(p.horizon_days for p in plans)
    outputs = []
    done = 0
    for plan, economy in zip(plans, economies, strict=True):
        offset = done

        def tick(day: int, _total: int, offset: int = offset) -> None:
            if progress is not None:
                progress(offset + day, total)

        outputs.append(simulate(plan, paths, seed, tick, economy))
        done += plan.horizon_days
    return outputs


def _on_executor(
    executor: Executor, plans: Sequence[Plan], paths: int, seed: int,
    economies: Sequence[EconomyInputs | None], progress: Callable[[int, int], None] | None,
) -> list[EngineOutput]:  # fmt: skip
    total = sum(p.horizon_days for p in plans)
    tasks = [Task(simulate_one, (plan, paths, seed, economy), name="simulate")
             for plan, economy in zip(plans, economies, strict=True)]  # fmt: skip

    def days(done: int, count: int) -> None:
        if progress is not None:
            progress(total * done // max(count, 1), total)

    outputs: list[EngineOutput] = executor.run(tasks, days)
    return outputs


def simulate_many(
    plans: Sequence[Plan],
    paths: int,
    seed: int,
    executor: Executor | int = 1,
    progress: Callable[[int, int], None] | None = None,
    economies: Sequence[EconomyInputs | None] | None = None,
) -> list[EngineOutput]:
    """Simulate each plan with the same seed, on ``executor`` (module docstring).

    ``executor`` is an :class:`~hashshock.execution.Executor`, or a number of workers:
    1 runs here, more start a local Dask cluster for this call (closed before returning).
    ``progress`` gets (days done, days in total) over all plans.
    """
    econ = list(economies) if economies is not None else [None] * len(plans)
    if isinstance(executor, InProcess) or (isinstance(executor, int) and executor <= 1):
        return _in_process(plans, paths, seed, econ, progress)
    if isinstance(executor, int):
        if len(plans) <= 1:
            return _in_process(plans, paths, seed, econ, progress)
        from hashshock.execution.cluster import local_cluster

        with local_cluster(min(executor, len(plans))) as cluster:
            return _on_executor(cluster, plans, paths, seed, econ, progress)
    return _on_executor(executor, plans, paths, seed, econ, progress)
