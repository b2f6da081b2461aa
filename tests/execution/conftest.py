"""A real Dask cluster for the tests: ``dask scheduler`` and ``dask worker`` processes on
127.0.0.1 (free ports, no dashboard, one thread each), ended in a ``finally``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Seconds a scheduler or worker may take to come up on a busy 2-core machine.
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _dask() -> list[str]:
    script = Path(sys.executable).with_name("dask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dask"]


@dataclass
class LocalProcesses:
    """A scheduler's address and its worker processes by name (``w0``, ``w1``)."""

    address: str
    #: The processes' scratch folder (Dask's default left dask-scratch-space in /tmp).
    scratch: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """``env`` (default this process's) with Dask's temporary folder the scratch one."""
        return {**(dict(os.environ) if env is None else env),
                "DASK_TEMPORARY_DIRECTORY": str(self.scratch)}  # fmt: skip

    def start_worker(self, name: str, log: Path, env: dict[str, str] | None = None,
                     *options: str) -> None:  # fmt: skip
        """A worker named ``name`` (``env``: its environment, default this one's; more
        ``options`` of ``dask worker``)."""
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [*_dask(), "worker", self.address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--host", "127.0.0.1", "--name", name,
                 "--death-timeout", "60", *options],
                stdout=sink, stderr=sink, cwd=ROOT, env=self.environment(env),
            )  # fmt: skip
        self.started.append(process)
        self.workers[name] = process

    def wait_for(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(count, timeout=START_TIMEOUT_S)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {process.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("dask scheduler did not start")


@pytest.fixture
def dask_processes(tmp_path: Path) -> Iterator[LocalProcesses]:
    """A scheduler and two single-threaded workers, all killed at the end."""
    yield from _cluster(tmp_path, 2)


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[LocalProcesses]:
    """A scheduler without workers (the test starts its own), all killed at the end."""
    yield from _cluster(tmp_path, 0)


def _cluster(tmp_path: Path, workers: int) -> Iterator[LocalProcesses]:
    port = free_port()
    log = tmp_path / "dask.log"
    cluster = LocalProcesses(f"tcp://127.0.0.1:{port}", tmp_path / "dask-scratch")
    try:
        with log.open("ab") as sink:
            scheduler = subprocess.Popen(
                [*_dask(), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                 "--no-dashboard"],
                stdout=sink, stderr=sink, cwd=ROOT, env=cluster.environment(),
            )  # fmt: skip
        cluster.started.append(scheduler)
        _wait_for_port(port, scheduler)
        for k in range(workers):
            cluster.start_worker(f"w{k}", log)
        if workers:
            cluster.wait_for(workers)
        yield cluster
    finally:
        for process in reversed(cluster.started):
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
