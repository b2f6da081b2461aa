"""Tasks on a Dask cluster: a local one started here, or a running one by its address.

Every task runs on a worker thread with **one engine thread**
(``numba.set_num_threads(1)`` in :func:`run_on_worker`), so workers × engine threads
never exceed the cores the cluster was given. A worker that dies mid-task is replaced
by the scheduler, which runs its tasks again elsewhere; tasks that raise are retried
``RETRIES`` times. Results do not depend on where a task ran: each is deterministic
given its arguments (and its seed).

Importing this module imports nothing of Dask; :func:`local_cluster` and :func:`connect`
do, so ``hashshock --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import shutil
import socket
import sys
import tempfile
import types
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from hashshock.execution.base import Executor, Progress, Task, check_order
from hashshock.inputs.errors import InputError

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

#: Times a task that raised is submitted again (a worker that died does not count).
RETRIES = 2
#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT_S = 5.0
#: Priority of tasks marked ``first`` (others wait for them).
FIRST_PRIORITY = 10

_ADDRESS = re.compile(r"^(?:(tcp|tls|ws|wss|ucx)://)?\[?[A-Za-z0-9_.\-:]+\]?:\d{1,5}$")
HOW_TO_START = (
    "start one with `dask scheduler` and workers with `dask worker ADDRESS` "
    "(docs/sweeps.md), or leave out --scheduler and DASK_SCHEDULER_ADDRESS to run locally"
)


class _Refused:
    """An :class:`InputError` raised in a task, carried back as data (the exception's
    constructor does not survive pickling)."""

    def __init__(self, exc: InputError) -> None:
        self.file, self.field, self.problem, self.fix = exc.file, exc.field, exc.problem, exc.fix

    def error(self) -> InputError:
        return InputError(self.file, self.field, self.problem, self.fix)


def run_on_worker(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                  *needed: Any) -> Any:  # fmt: skip
    """The wrapper every task runs in on a worker: one engine thread, then ``fn``."""
    import numba

    numba.set_num_threads(1)
    refused = next((n for n in needed if isinstance(n, _Refused)), None)
    if refused is not None:
        return refused  # a task this one needs was refused: so is this one
    try:
        return fn(*args, *needed, **kwargs)
    except InputError as exc:
        return _Refused(exc)


class DaskExecutor(Executor):
    """Tasks on a ``distributed`` cluster through ``client``; ``cluster``, when given,
    was started here and is closed with the executor. A running cluster's workers are
    checked to run this installation's hashshock before each batch of tasks
    (:func:`check_workers`): other code would give other results, and a worker that
    cannot import hashshock dies on its first task, leaving the run waiting."""

    def __init__(
        self, client: Client, cluster: LocalCluster | None = None, label: str = "",
        on_close: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        self.client = client
        self.cluster = cluster
        self.label = label or f"dask {client.scheduler.address}"
        self._on_close = on_close

    @property
    def worker_count(self) -> int:
        """Workers connected to the scheduler now (0 while an adaptive cluster scales up)."""
        return len(self.client.scheduler_info().get("workers", {}))

    @property
    def workers(self) -> int:
        """Threads the cluster's workers have in all (at least 1)."""
        info = self.client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))

    @property
    def option(self) -> str:
        """The option that chose this cluster, for messages."""
        return "--workers" if self.cluster is not None else "--scheduler"

    def run(self, tasks: Sequence[Task], progress: Progress | None = None) -> list[Any]:
        from distributed import as_completed

        check_order(tasks)
        if self.cluster is None:
            check_workers(self)
            check_worker_memory(self, max((t.memory_bytes for t in tasks), default=0))
        token = uuid.uuid4().hex[:10]
        futures: list[Future[Any]] = []
        try:
            for i, task in enumerate(tasks):
                needed = [futures[j] for j in task.after]
                futures.append(self.client.submit(
                    run_on_worker, task.fn, task.args, task.kwargs, *needed,
                    key=f"{task.name}-{token}-{i}", retries=RETRIES, pure=False,
                    priority=FIRST_PRIORITY if task.first else 0,
                ))  # fmt: skip
            total = len(futures)
            stream = as_completed(futures, loop=self.client.loop)
            for done, _ in enumerate(stream, start=1):
                if progress is not None:
                    progress(done, total)
            kept = [f for f, t in zip(futures, tasks, strict=True) if t.keep]
            values = iter(self.client.gather(kept))
            results = [next(values) if t.keep else None for t in tasks]
        except BaseException as exc:
            with contextlib.suppress(Exception):  # the connection may be gone
                self.client.cancel(futures)
            lost = self._lost(exc)
            if lost is not None:
                raise lost from None
            raise
        finally:
            futures.clear()  # release the results on the cluster
        for result in results:
            if isinstance(result, _Refused):
                raise result.error()
        return results

    def _lost(self, exc: BaseException) -> InputError | None:
        """``exc`` as an :class:`InputError` when it says the cluster was lost mid-run
        (the scheduler stopped, the connection dropped) or a task killed every worker it
        ran on (its memory, usually): one line, not Dask's traceback."""
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker
        from distributed.utils import CancelledError

        if isinstance(exc, KilledWorker):
            return InputError(
                None, self.option, "a task's workers died under it, again on each retry "
                "(Dask's KilledWorker; a worker's nanny restarts it past 95 % of its memory "
                "limit, the usual cause); the run stopped and wrote nothing",
                "give the workers more memory (dask worker --memory-limit) or fewer threads "
                "each, or fewer paths or a shorter horizon; the workers' logs say why"
                if self.cluster is None else "run with fewer --workers (each has a share "
                "of this machine's memory), fewer paths or a shorter horizon",
            )  # fmt: skip
        if not isinstance(exc, CancelledError | CommClosedError):
            return None
        reason = getattr(exc, "reason", None) or type(exc).__name__
        return InputError(
            None, self.option, f"the {self.label} was lost mid-run ({reason}); the run "
            "stopped and wrote nothing",
            "check that the scheduler and its workers are running and run again, or run "
            "here (leave out --scheduler and DASK_SCHEDULER_ADDRESS)" if self.cluster is None
            else "run again, or with fewer --workers",
        )  # fmt: skip

    def close(self) -> None:
        try:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            if self._on_close is not None:
                self._on_close()


def local_cluster(workers: int) -> DaskExecutor:
    """A ``LocalCluster`` of ``workers`` processes, one thread each, on 127.0.0.1 only and
    without a dashboard; closed with the executor.

    The worker processes do not run the caller's script: while the cluster lives (a
    worker that dies is started again then), ``sys.modules["__main__"]`` is a stand-in
    without the script's file or name (:func:`_main_hidden`)."""
    import dask
    from distributed import Client, LocalCluster

    # the workers' scratch space in a folder of the cluster's own, removed with it
    # (Dask's default left dask-scratch-space/*.lock in the system's temporary folder)
    scratch = tempfile.mkdtemp(prefix="hashshock-dask-")
    _SCRATCH.add(scratch)
    put_back = _main_hidden()

    def restore() -> None:
        put_back()
        shutil.rmtree(scratch, ignore_errors=True)
        _SCRATCH.discard(scratch)

    try:
        # the scheduler's scratch too (it took the system folder's, whatever the workers')
        with dask.config.set({"temporary-directory": scratch}):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, host="127.0.0.1", silence_logs=logging.ERROR,
                local_directory=scratch,
                # no dashboard, but the scheduler's HTTP server (health, metrics) still
                # starts: on a free port, not Dask's 8787 (a user's own cluster may hold
                # it, and Dask warns of the clash)
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )  # fmt: skip
    except BaseException:
        restore()
        raise
    try:
        client = Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        restore()
        raise
    label = f"local Dask cluster ({workers} workers)"
    return DaskExecutor(client, cluster, label, on_close=restore)


#: Scratch folders of the local clusters alive in this process.
_SCRATCH: set[str] = set()


def remove_scratch() -> None:
    """Remove the scratch folders of this process's local clusters (a command stopped
    by a signal exits at once, before the clusters are closed; their workers are gone)."""
    for folder in list(_SCRATCH):
        shutil.rmtree(folder, ignore_errors=True)
        _SCRATCH.discard(folder)


def _main_hidden() -> Callable[[], None]:
    """Put a bare module in place of ``__main__`` and return what puts it back.

    A worker process is started by multiprocessing's spawn, which imports the parent's
    ``__main__`` again in the child (by its file, or by its name under ``python -m``):
    a script without an ``if __name__ == "__main__":`` guard would run again in every
    worker and start workers of its own. The tasks are hashshock's functions, so the
    workers need nothing of the script. The script's own code keeps its globals (its
    functions hold their module's dict, not ``sys.modules``)."""
    main = sys.modules.get("__main__")
    if main is None or (getattr(main, "__file__", None) is None and main.__spec__ is None):
        return lambda: None  # an interactive session: nothing would be imported again
    sys.modules["__main__"] = types.ModuleType("__main__")

    def restore() -> None:
        if sys.modules.get("__main__") is not main:
            sys.modules["__main__"] = main

    return restore


def check_address(address: str, option: str = "--scheduler") -> str:
    """``address`` if it looks like a scheduler address (``tcp://HOST:PORT``), else an
    :class:`InputError`."""
    text = address.strip()
    if not _ADDRESS.match(text):
        raise InputError(
            None, option, f"{address!r} is not a scheduler address",
            "write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786",
        )  # fmt: skip
    port = int(text.rpartition(":")[2])
    if not 0 < port <= 65535:
        raise InputError(None, option, f"{address!r} is not a scheduler address (port {port} "
                         "is not one of 1 to 65535)",
                         "give the port the scheduler listens on, 8786 by default")  # fmt: skip
    return text


def connect(address: str, option: str = "--scheduler",
            timeout_s: float = CONNECT_TIMEOUT_S) -> DaskExecutor:  # fmt: skip
    """An executor on the running scheduler at ``address``; an :class:`InputError` within
    ``timeout_s`` seconds when it cannot be reached."""
    from distributed import Client

    text = check_address(address, option)
    _probe(text, option, timeout_s)
    try:
        _handshake(text, timeout_s)
        client = Client(text, timeout=f"{timeout_s}s", set_as_default=False)
    except Exception as exc:  # OSError on a timeout; anything else on a stranger there
        reason = (f"no answer within {timeout_s:g} s" if isinstance(exc, OSError | TimeoutError)
                  else "something answers there, but not a Dask scheduler")  # fmt: skip
        raise InputError(None, option, f"cannot reach a Dask scheduler at {text} ({reason})",
                         HOW_TO_START) from None  # fmt: skip
    return DaskExecutor(client, None, f"Dask scheduler {text}")


def _handshake(address: str, timeout_s: float) -> None:
    """Ask whoever listens at ``address`` who they are, as a client first does; raises
    unless a Dask scheduler answers (a failed ``Client`` would linger and stall exit)."""
    import asyncio

    from distributed.comm import connect as open_comm

    async def identity() -> None:
        comm = await open_comm(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            answer = await comm.read()
        finally:
            comm.abort()
        if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
            raise ValueError("not a scheduler")

    # On a thread of its own: the caller may be inside an event loop (a notebook).
    with ThreadPoolExecutor(1, thread_name_prefix="hashshock-handshake") as thread:
        thread.submit(asyncio.run, asyncio.wait_for(identity(), timeout_s)).result()


def _probe(address: str, option: str, timeout_s: float) -> None:
    """For a tcp:// address, fail at once when nothing listens there (the client itself
    would retry until its timeout)."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        reason = "nothing listens there" if isinstance(exc, ConnectionRefusedError) else (
            f"no answer within {timeout_s:g} s" if isinstance(exc, TimeoutError)
            else exc.strerror or str(exc))  # fmt: skip
        raise InputError(None, option, f"cannot reach a Dask scheduler at {address} "
                         f"({reason})", HOW_TO_START) from None  # fmt: skip


#: The files whose content :func:`code_digest` covers: the code and the bundled data.
_CODE_SUFFIXES = (".py", ".csv", ".yaml")


@functools.cache
def code_digest() -> str:
    """A digest of this installation's hashshock: its version and the content of its code
    and bundled data files (by path within the package, so that two installations of
    the same files agree wherever they are)."""
    import hashlib
    from pathlib import Path

    from hashshock import __version__

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def worker_identities(executor: DaskExecutor) -> dict[str, tuple[str, str]]:
    """Each connected worker's hashshock: ``(version, code digest)``, or ``("missing",
    why)`` where it cannot be imported. The function sent is defined here, inside, so
    that the worker rebuilds it without importing hashshock."""

    def identity() -> tuple[str, str]:
        try:
            from hashshock import __version__
            from hashshock.execution.cluster import code_digest as digest_of_worker
        except Exception as exc:  # absent, broken, or too old to have the digest
            return "missing", f"{type(exc).__name__}: {exc}"
        return __version__, digest_of_worker()

    answers: dict[str, tuple[str, str]] = executor.client.run(identity)
    return {address: (str(a[0]), str(a[1])) for address, a in answers.items()}


def check_worker_memory(executor: DaskExecutor, task_bytes: int) -> None:
    """Refuse tasks of an estimated ``task_bytes`` each that the smallest share of a
    worker's memory cannot hold: its memory limit less what the worker uses already (its
    imports, ≈ 80 MB), over its threads (a task on each), within
    :data:`~hashshock.sizing.MEMORY_HEADROOM`. Workers without a limit, or none connected
    yet, are not checked. This machine's memory is not the workers'."""
    from hashshock.sizing import MEMORY_HEADROOM, gib

    shares = [(max(0, int(info["memory_limit"]) - _in_use(info))
               // max(1, int(info.get("nthreads", 1))), address, info)
              for address, info in executor.client.scheduler_info().get("workers", {}).items()
              if info.get("memory_limit")]  # fmt: skip
    if not task_bytes or not shares:
        return
    share, address, info = min(shares, key=lambda s: s[0])
    limit = int(MEMORY_HEADROOM * share)
    if task_bytes <= limit:
        return
    raise InputError(
        None, executor.option, f"a task needs an estimated {gib(task_bytes)}, more than the "
        f"{gib(limit)} it may use on worker {address} ({MEMORY_HEADROOM:.0%} of its "
        f"{gib(int(info['memory_limit']))} less {gib(_in_use(info))} in use, over "
        f"{info.get('nthreads', 1)} threads)",
        "give fewer paths or a shorter horizon, or workers with more memory or fewer "
        "threads each (dask worker --memory-limit, --nthreads)",
    )  # fmt: skip


def _in_use(worker: dict[str, Any]) -> int:
    """Bytes a worker's process holds now, as the scheduler last heard (0: not said)."""
    return int((worker.get("metrics") or {}).get("memory") or 0)


def check_workers(executor: DaskExecutor) -> None:
    """Refuse a cluster whose workers run other hashshock code than this installation,
    or none: their results would not be this version's (the run would say they were), or
    the run would wait for ever on a worker that dies on its first task."""
    from hashshock import __version__

    mine = (__version__, code_digest())
    other = {a: i for a, i in worker_identities(executor).items() if i != mine}
    if not other:
        return
    address, (version, detail) = min(other.items())
    count = f"{len(other)} of the scheduler's workers" if len(other) > 1 else "a worker"
    if version == "missing":
        problem = f"{count} cannot import hashshock ({address}: {detail})"
    else:
        what = (
            f"hashshock {version}"
            if version != __version__
            else f"other files of hashshock {version}"
        )
        verb = "run" if len(other) > 1 else "runs"
        problem = f"{count} {verb} {what}, not this one's ({address})"
    raise InputError(None, executor.option, problem,
                     f"install this hashshock ({__version__}, the same files) where the "
                     "workers run and restart them, or run here (leave out --scheduler "
                     "and DASK_SCHEDULER_ADDRESS)")  # fmt: skip
