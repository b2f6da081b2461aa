"""A sweep on a real cluster — ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 — gives the in-process numbers bit for bit, also when a worker is killed
(SIGKILL) mid-sweep and its tasks run again on the other."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import yaml
from distributed import get_task_stream
from tests.conftest import small_fleet
from tests.execution.conftest import LocalProcesses

import hashshock
import hashshock.sweep
from hashshock.execution import connect
from hashshock.execution.cluster import DaskExecutor
from hashshock.sweep.result import SweepResult


def _spec(tmp_path: Path) -> dict[str, Any]:
    fleet = small_fleet(finance={"cash_usd": 900_000, "covenants": [
        {"name": "liquidity", "type": "min_liquidity", "value": 600_000}]})  # fmt: skip
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    return {
        "base": {"fleet": str(path), "scenario": "sanctions"}, "method": "tornado",
        "paths": 30, "horizon_days": 120, "seed": 5,
        "metrics": ["covenant_breach:liquidity", "hashrate_lost:90", "availability:119"],
        "inputs": [
            {"path": "scenario.events[border-enforcement].hold_days.mode", "low": 40, "high": 150},
            {"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1},
            {"path": "fleet.sites[a].technicians", "low": 1, "high": 5},
            {"path": "fleet.operations.failure_rate_multiplier", "low": 0.5, "high": 2.0},
            {"path": "market.price.volatility_per_year", "low": 0.2, "high": 0.8},
        ],
    }  # fmt: skip


def _same(a: SweepResult, b: SweepResult) -> None:
    assert [p.to_dict() for p in a.points] == [p.to_dict() for p in b.points]
    assert a.analysis == b.analysis


def test_a_sweep_on_two_dask_workers_equals_the_local_run(
    dask_processes: LocalProcesses, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    here = hashshock.sweep(spec, with_runs=False)
    with connect(dask_processes.address) as executor:
        assert isinstance(executor, DaskExecutor) and executor.worker_count == 2
        with get_task_stream(client=executor.client) as stream:
            there = hashshock.sweep(spec, executor, with_runs=False)
    assert len({task["worker"] for task in stream.data}) == 2  # both workers took part
    _same(here, there)


def test_a_worker_killed_mid_sweep_is_replaced_and_the_numbers_stay(
    dask_processes: LocalProcesses, tmp_path: Path
) -> None:
    spec = _spec(tmp_path)
    here = hashshock.sweep(spec, with_runs=False)
    killed: list[tuple[str, int]] = []
    with connect(dask_processes.address) as executor:
        names = {addr: info["name"] for addr, info in
                 executor.client.scheduler_info()["workers"].items()}  # fmt: skip

        def kill_a_busy_worker(done: int, total: int) -> None:
            if killed or done < 1 or done >= total:
                return
            busy = {a: keys for a, keys in executor.client.processing().items() if keys}
            if not busy:
                return
            address, keys = next(iter(busy.items()))
            name = names[address]
            dask_processes.workers[name].send_signal(signal.SIGKILL)
            killed.append((name, len(keys)))

        there = hashshock.sweep(spec, executor, progress=kill_a_busy_worker, with_runs=False)
        left = executor.worker_count
    assert killed and killed[0][1] >= 1, "no worker was busy when the sweep was under way"
    assert dask_processes.workers[killed[0][0]].wait(timeout=30) == -signal.SIGKILL
    assert left == 1
    _same(here, there)


def test_the_decisions_on_the_cluster_equal_the_local_ones(
    dask_processes: LocalProcesses,
) -> None:
    """optimise's evaluations and strategies' runs go to a cluster by `scheduler` (the
    command line's --scheduler) with the local answers, bit for bit."""
    from tests.conftest import EXAMPLES

    fleet = EXAMPLES / "midsize-public-miner" / "fleet.yaml"
    sizes = {"paths": 12, "horizon_days": 60, "seed": 3}
    for decide in (lambda **a: hashshock.optimise(fleet, "sanctions", **sizes, **a),
                   lambda **a: hashshock.strategies(fleet, "sanctions", **sizes, **a)):  # fmt: skip
        assert decide(scheduler=dask_processes.address).to_dict() == decide().to_dict()


def _package_copy(tmp_path: Path, change: str) -> dict[str, str]:
    """The environment of a worker importing a copy of hashshock with ``change`` appended
    to its ``__init__.py``."""
    import os
    import shutil

    source = Path(hashshock.__file__).parent
    target = tmp_path / "other" / "hashshock"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    with (target / "__init__.py").open("a", encoding="utf-8") as init:
        init.write(change)
    return {**os.environ, "PYTHONPATH": str(target.parent)}


def test_workers_running_other_hashshock_code_are_refused_before_any_task(
    dask_scheduler: LocalProcesses, tmp_path: Path
) -> None:
    """A worker on other files of hashshock gave other numbers under this version's
    name; one that cannot import it died on its first task and the sweep waited for
    ever. Both are refused before a task is sent, naming the worker."""
    import pytest

    from hashshock.inputs.errors import InputError

    spec = _spec(tmp_path)
    cases = [
        ("# an edit\nSCALE = 0.9\n", "other files of hashshock"),
        ("raise ImportError('broken install')\n", "cannot import hashshock"),
    ]
    for k, (change, said) in enumerate(cases):
        env = _package_copy(tmp_path / str(k), change)
        dask_scheduler.start_worker(f"odd{k}", tmp_path / "dask.log", env)
        dask_scheduler.wait_for(1)
        with connect(dask_scheduler.address) as executor, pytest.raises(InputError) as caught:
            hashshock.sweep(spec, executor, with_runs=False)
        assert caught.value.field == "--scheduler" and said in caught.value.problem
        assert "install this hashshock" in caught.value.fix
        dask_scheduler.workers[f"odd{k}"].kill()
        dask_scheduler.workers[f"odd{k}"].wait(timeout=30)
        with connect(dask_scheduler.address) as executor:  # gone before the next case
            deadline = time.monotonic() + 60
            while executor.worker_count and time.monotonic() < deadline:
                time.sleep(0.2)


def test_a_scheduler_lost_mid_sweep_is_one_line_not_a_traceback(
    dask_processes: LocalProcesses, tmp_path: Path
) -> None:
    """The scheduler killed while the sweep runs: an InputError naming --scheduler (the
    command line's exit 2 and one line), not Dask's FutureCancelledError."""
    import pytest

    from hashshock.inputs.errors import InputError

    spec = _spec(tmp_path)
    scheduler = dask_processes.started[0]
    with connect(dask_processes.address) as executor:

        def kill_the_scheduler(done: int, total: int) -> None:
            if scheduler.poll() is None:
                scheduler.send_signal(signal.SIGKILL)

        with pytest.raises(InputError) as caught:
            hashshock.sweep(spec, executor, progress=kill_the_scheduler, with_runs=False)
    assert caught.value.field == "--scheduler"
    assert "was lost mid-run" in caught.value.problem and "wrote nothing" in caught.value.problem


def test_points_larger_than_a_workers_memory_are_refused_by_the_workers_limit(
    dask_scheduler: LocalProcesses, tmp_path: Path
) -> None:
    """With --scheduler the points' memory was checked against this machine's (a large
    cluster refused from a small laptop, a small worker let through): it is checked
    against the workers' limits, before any task is sent."""
    import pytest

    from hashshock.inputs.errors import InputError

    dask_scheduler.start_worker("small", tmp_path / "dask.log", None, "--memory-limit", "300MB")
    dask_scheduler.wait_for(1)
    spec = {**_spec(tmp_path), "paths": 60_000, "horizon_days": 365}
    with connect(dask_scheduler.address) as executor, pytest.raises(InputError) as caught:
        hashshock.sweep(spec, executor, with_runs=False)
    assert caught.value.field == "--scheduler"
    assert "a task needs an estimated" in caught.value.problem
    assert "on worker tcp://127.0.0.1:" in caught.value.problem


def test_a_task_that_kills_its_workers_is_one_line_not_a_traceback() -> None:
    """A task that outgrew a worker's memory killed it on each retry, and Dask's
    KilledWorker came out as a traceback with exit 1: one line naming --scheduler (or
    --workers) and what to change, as a lost scheduler's."""
    from distributed.scheduler import KilledWorker

    executor = DaskExecutor.__new__(DaskExecutor)  # _lost reads only which option chose it
    executor.cluster, executor.label = None, "dask tcp://127.0.0.1:1"
    error = executor._lost(KilledWorker("sweep-base-1", "tcp://127.0.0.1:2", 3))
    assert error is not None and error.field == "--scheduler"
    assert "KilledWorker" in error.problem and "wrote nothing" in error.problem
    assert error.fix is not None and "--memory-limit" in error.fix
    assert executor._lost(ValueError("not the cluster's")) is None


def test_a_workers_memory_in_use_is_not_there_for_a_task() -> None:
    """The check counted a worker's whole limit, but its imports hold ≈ 80 MB of a 100 MB
    worker: a 40 MB task passed and then killed it. What the worker holds is left out."""
    import types

    import pytest

    from hashshock.execution.cluster import check_worker_memory
    from hashshock.inputs.errors import InputError

    def executor(in_use: int) -> DaskExecutor:
        worker = {"memory_limit": 100 * 2**20, "nthreads": 1, "metrics": {"memory": in_use}}
        info = {"workers": {"tcp://127.0.0.1:3": worker}}
        fake = DaskExecutor.__new__(DaskExecutor)
        fake.cluster = None
        fake.client = types.SimpleNamespace(scheduler_info=lambda: info)  # type: ignore[assignment]
        return fake

    check_worker_memory(executor(0), 40 * 2**20)  # 80 % of 100 MB
    with pytest.raises(InputError) as caught:
        check_worker_memory(executor(80 * 2**20), 40 * 2**20)
    assert "less 80 MiB in use" in caught.value.problem
