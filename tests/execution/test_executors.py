"""The execution layer: order, dependencies, progress, errors, and the choice of executor."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from hashshock.execution import InProcess, Task, Threads, make_executor
from hashshock.execution.base import Executor
from hashshock.execution.choose import SCHEDULER_ENV, scheduler_address
from hashshock.execution.cluster import DaskExecutor, check_address, local_cluster
from hashshock.inputs.errors import InputError
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.parallel import simulate_many
from hashshock.plan import compile_plan


def _refuse(value: int) -> int:
    raise InputError("spec.yaml", "inputs[0]", f"{value} is wrong", "use another")


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    with local_cluster(2) as executor:
        yield executor


def _executors(cluster: DaskExecutor) -> list[Executor]:
    return [InProcess(), Threads(2), cluster]


def test_map_keeps_the_order(cluster: DaskExecutor) -> None:
    for executor in _executors(cluster):
        assert executor.map(abs, [-3, 1, -2, 0]) == [3, 1, 2, 0]


def test_tasks_get_the_results_they_wait_for(cluster: DaskExecutor) -> None:
    tasks = [
        Task(operator.add, (1, 2)),
        Task(operator.mul, (10,), after=(0,)),          # 10 * 3
        Task(operator.add, (), after=(0, 1), keep=False),  # 3 + 30, not returned
        Task(operator.sub, (100,), after=(1,), first=True),
    ]  # fmt: skip
    for executor in _executors(cluster):
        assert executor.run(tasks) == [3, 30, None, 70]


def test_a_task_may_only_wait_for_earlier_tasks() -> None:
    with pytest.raises(ValueError, match="only earlier tasks"):
        InProcess().run([Task(abs, (1,), after=(1,)), Task(abs, (2,))])


def test_progress_counts_tasks_to_the_total(cluster: DaskExecutor) -> None:
    for executor in _executors(cluster):
        seen: list[tuple[int, int]] = []
        executor.map(abs, range(7), lambda done, total, seen=seen: seen.append((done, total)))
        assert seen[-1] == (7, 7)
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_input_error_in_a_task_reaches_the_caller(cluster: DaskExecutor) -> None:
    for executor in _executors(cluster):
        with pytest.raises(InputError) as caught:
            executor.map(_refuse, [5])
        assert caught.value.message == "spec.yaml: inputs[0]: 5 is wrong — fix: use another"


def test_simulations_are_identical_on_any_executor(cluster: DaskExecutor) -> None:
    loaded = load_fleet(EXAMPLES / "small-farm" / "fleet.yaml")
    plans = [compile_plan(loaded, load_scenario(s), 40) for s in ("baseline", "sanctions")]
    days: list[tuple[int, int]] = []
    here = simulate_many(plans, 16, 3, InProcess())
    for executor in (Threads(2), cluster):
        days.clear()
        there = simulate_many(plans, 16, 3, executor, lambda d, t: days.append((d, t)))
        assert days[-1] == (80, 80)
        for a, b in zip(here, there, strict=True):
            for name in ("hashrate_ths", "spares_on_hand", "failures", "first_stockout_day"):
                assert (getattr(a, name) == getattr(b, name)).all(), name


def test_one_worker_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with make_executor(1) as executor:
        assert isinstance(executor, InProcess)
    with make_executor(None, threads=1) as executor:
        assert isinstance(executor, InProcess)
    with make_executor(None, threads=2) as executor:
        assert isinstance(executor, Threads) and executor.workers == 2


def test_the_scheduler_comes_from_the_option_else_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.0.0.5:8786")
    assert scheduler_address(None) == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://127.0.0.1:9000") == "tcp://127.0.0.1:9000"
    monkeypatch.delenv(SCHEDULER_ENV)
    assert scheduler_address(None) is None


@pytest.mark.parametrize(
    "address",
    [
        "localhost",
        "tcp://host",
        "http://x:80",
        "tcp://a b:1",
        "tcp://127.0.0.1:99999",
        "tcp://127.0.0.1:0",
    ],
)
def test_a_malformed_address_is_refused(address: str) -> None:
    with pytest.raises(InputError, match="is not a scheduler address"):
        check_address(address)


def test_workers_go_with_a_local_cluster_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    with pytest.raises(InputError, match=r"workers \(--workers\): .* not with --scheduler"):
        make_executor(2, "tcp://127.0.0.1:1")


def test_workers_beside_a_scheduler_from_the_environment_name_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The user gave no --scheduler: the message says where the scheduler came from and
    both ways out."""
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:19999")
    for workers in (1, 2):
        with pytest.raises(InputError) as caught:
            make_executor(workers)
        message = caught.value.message
        assert message.startswith("workers (--workers): ") and "\n" not in message
        assert f"{SCHEDULER_ENV} is set (tcp://127.0.0.1:19999)" in message
        assert f"unset {SCHEDULER_ENV}" in message and "drop --workers" in message
        assert "--scheduler" not in message


@pytest.mark.parametrize("workers", [0, 65, True])
def test_a_bad_worker_count_is_refused(workers: int) -> None:
    with pytest.raises(InputError, match="--workers"):
        make_executor(workers)


def test_an_unreachable_scheduler_says_how_to_start_one() -> None:
    from tests.execution.conftest import free_port

    with pytest.raises(InputError) as caught:
        make_executor(None, f"tcp://127.0.0.1:{free_port()}")
    message = caught.value.message
    assert message.startswith("--scheduler: cannot reach a Dask scheduler at tcp://127.0.0.1:")
    assert "`dask scheduler`" in message and "`dask worker ADDRESS`" in message
    assert "\n" not in message


def test_a_local_cluster_beside_another_says_nothing_of_ports() -> None:
    """A local cluster's scheduler bound Dask's HTTP port 8787: with it taken (here by
    the test, as by a user's own `dask scheduler`) it warned "Port 8787 is already in use
    … Hosting the HTTP server on port … instead" on every command."""
    import contextlib
    import socket
    import warnings

    with contextlib.ExitStack() as held:
        taken = held.enter_context(socket.socket())
        with contextlib.suppress(OSError):  # held by someone else already: as well
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with local_cluster(1) as executor:
                assert executor.map(abs, [-2]) == [2]


def test_a_local_cluster_leaves_nothing_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dask's default scratch space left dask-scratch-space/{global,purge}.lock in the
    system's temporary folder: written where nobody asked. The cluster's own folder goes
    with it."""
    import tempfile

    system = tmp_path / "tmp"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    with local_cluster(1) as executor:
        assert executor.map(abs, [-1]) == [1]
    assert list(system.iterdir()) == []
