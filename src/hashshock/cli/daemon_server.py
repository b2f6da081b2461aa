"""The ``hashshock daemon``: one process with the libraries and kernels loaded, forking a
child per command (:mod:`hashshock.cli.daemon_client` is the other side).

Run as ``python -m hashshock.cli.daemon_server --socket PATH --idle SECONDS`` (``hashshock
daemon start`` does). Before it listens it imports what commands use (numpy, numba,
pydantic, the models, the API, the engine, the command line), runs a bundled fleet for a
few paths and days under every bundled scenario so that numba has started and the
kernels are loaded, ends the engine's thread pools and freezes the garbage collector's
view of all of it. Its loop is one
thread: accept, read the command, fork. Forking from one thread is what makes the child
safe (no lock held by another thread is copied); the child takes the client's file
descriptors, folder, environment and umask, builds the command line's consoles again
from that environment, runs the command and reports the exit code. The
daemon reaps its children, and ends after ``--idle`` seconds without a command, on
``hashshock daemon stop`` or when its socket is removed.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import io
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, TextIO

from hashshock.cli.daemon_client import read_first_frame, read_frame, send_frame

#: Commands waiting to be accepted while the daemon forks.
BACKLOG = 16
#: The bundled fleet the daemon runs to load the kernels (under every bundled scenario).
WARM_FLEET = "data/warm-up-fleet.yaml"
#: Paths and days of that run: enough for every phase to be reached, and more paths than
#: the market mines in plain Python (its compiled kernel loads too).
WARM_PATHS, WARM_DAYS = 8, 60


def warm_up() -> None:
    """Import what commands use, load the compiled kernels and fill the caches of the
    bundled data (a short run of :data:`WARM_FLEET` and its JSON summary)."""
    import rich.progress  # noqa: F401  (the command line's libraries)
    import typer  # noqa: F401
    import yaml  # noqa: F401

    from hashshock import api
    from hashshock.engine import close_thread_pools
    from hashshock.inputs.load import builtin_scenarios

    fleet = Path(api.__file__).resolve().parent / WARM_FLEET
    for result in api.compare(fleet, sorted(builtin_scenarios()), WARM_PATHS, WARM_DAYS):
        result.to_dict()
    close_thread_pools()
    from hashshock.cli.app import click_command  # its consoles are built again per command

    # A command run through the command line, its output dropped: what parsing options
    # and printing a result load on first use (typer's and pydantic's type adapters,
    # rich's character widths: 55 ms of every command's child otherwise).
    dropped = io.StringIO()
    with (contextlib.redirect_stdout(dropped), contextlib.redirect_stderr(dropped),
          contextlib.suppress(SystemExit)):  # fmt: skip
        click_command().main(["validate", str(fleet)], prog_name="hashshock",
                             standalone_mode=False)  # fmt: skip


#: glibc's mallopt parameters (malloc.h) and the values a command's child starts with.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_BYTES, _TRIM_THRESHOLD_BYTES = 32 * 2**20, 256 * 2**20


def _reuse_freed_memory() -> None:
    """Let malloc keep freed blocks of up to 32 MB for reuse, as a long-running process's
    malloc does once it has freed large blocks. Why: at glibc's start-up default every
    block over 128 kB is a fresh mapping of the kernel's, faulted in page by page and
    unmapped when freed — and a command's child starts afresh each time, where a
    run's [paths, days] arrays (about 3 MB at 1,000 × 365) come and go by the hundred.
    Nothing outside glibc (musl, macOS) is touched."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)


def _refresh_consoles() -> None:
    """Build the command line's module-level consoles again in the client's environment:
    they were built in the daemon's (its colours, width and terminal). They take no
    argument but ``stderr`` and ``emoji=False`` (names such as ``availability:100:p10``
    are not emoji codes)."""
    import rich
    from rich.console import Console

    rich._console = None  # rich's own, built on first use
    for name, module in list(sys.modules.items()):
        if name.startswith("hashshock.") and module is not None:
            for value in list(vars(module).values()):
                if isinstance(value, Console):
                    value.__init__(stderr=value.stderr, emoji=False)  # type: ignore[misc]


class Daemon:
    """The listening socket, the count of commands served, and the loop."""

    def __init__(self, path: Path, idle_seconds: float) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.started = time.time()
        self.served = 0
        self.pid = os.getpid()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # `daemon start` found no daemon answering there
        self.listener.bind(str(path))
        self.listener.listen(BACKLOG)

    def serve(self) -> None:
        """Accept commands until idle, stopped or the socket is gone."""
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped by the kernel
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.listener.settimeout(min(self.idle_seconds, 60.0))
        last = time.monotonic()
        try:
            while self.path.exists():
                try:
                    conn, _address = self.listener.accept()
                except TimeoutError:
                    if time.monotonic() - last >= self.idle_seconds:
                        # ended as asked: its log (kept when it fails) says nothing more
                        with contextlib.suppress(OSError):
                            self.path.with_suffix(".log").unlink()
                        return
                    continue
                last = time.monotonic()
                if not self._take(conn):
                    return
        finally:
            if os.getpid() == self.pid:  # a child leaves the socket to the daemon
                self.listener.close()
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()

    def _take(self, conn: socket.socket) -> bool:
        """Read one request and answer it; False to stop the daemon."""
        fds: list[int] = []
        try:
            conn.settimeout(5.0)
            request, fds = read_first_frame(conn)
            if request is None:
                return True
            if "command" in request:
                return self._control(conn, request["command"])
            self.served += 1
            if os.fork() == 0:
                conn.settimeout(None)
                self.listener.close()
                run_child(conn, request, fds)  # never returns
            return True
        except OSError:
            return True
        finally:
            if os.getpid() == self.pid:
                for fd in fds:
                    os.close(fd)
                conn.close()

    def _control(self, conn: socket.socket, command: str) -> bool:
        """``status`` or ``stop`` from ``hashshock daemon``."""
        from hashshock import __version__

        send_frame(conn, {
            "pid": self.pid, "version": __version__, "started": self.started,
            # the idle time after which it ends (not the time idle so far)
            "served": self.served, "idle_limit_seconds": self.idle_seconds,
            "python": sys.executable,
        })  # fmt: skip
        return command != "stop"


def _reopen(fd: int, mode: str, encoding: str | None, errors: str | None) -> TextIO:
    """A text stream on ``fd`` buffered as Python buffers its own standard streams."""
    line = fd == 2 or (fd == 1 and os.isatty(fd))
    raw = io.FileIO(fd, mode, closefd=False)
    buffered: io.BufferedIOBase
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    return io.TextIOWrapper(buffered, encoding=encoding or "utf-8", errors=errors,
                            line_buffering=line, write_through=fd == 2)  # fmt: skip


def _adopt(request: dict[str, Any], fds: list[int]) -> None:
    """Become the client: its standard streams, folder, environment, umask, arguments."""
    for target, fd in zip((0, 1, 2), fds, strict=False):
        os.dup2(fd, target)
        os.close(fd)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.argv = [request["argv0"], *request["argv"]]
    streams = [_reopen(fd, "r" if fd == 0 else "w", *request["streams"][fd]) for fd in (0, 1, 2)]
    sys.stdin, sys.stdout, sys.stderr = streams  # sys.__stdout__ & co. write to fds 0-2 too
    _refresh_consoles()


def _watch(conn: socket.socket) -> None:
    """Signals the client passes on are raised here; a client gone is a Ctrl-C."""
    with contextlib.suppress(OSError, ValueError):
        while (message := read_frame(conn)) is not None:
            os.kill(os.getpid(), int(message.get("signal", signal.SIGINT)))
    os.kill(os.getpid(), signal.SIGINT)


def run_child(conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """Run the command of ``request`` as a fresh ``hashshock`` would and exit."""
    code = 1
    try:
        _adopt(request, fds)
        send_frame(conn, {"pid": os.getpid()})
        from hashshock.cli import entry, interrupt

        interrupt.before_exit.append(lambda code: _report(conn, code))
        threading.Thread(target=_watch, args=(conn,), name="hashshock-client", daemon=True).start()
        code = entry.run_command(whole_tree=True)  # built before the fork
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()
        _report(conn, code)
        os._exit(code)


def _report(conn: socket.socket, code: int) -> None:
    """Flush the command's output, then tell the client its exit code."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        send_frame(conn, {"exit": code})


def main() -> None:
    parser = argparse.ArgumentParser(description="hashshock's resident process")
    parser.add_argument("--socket", required=True, type=Path, help="the socket to listen on")
    parser.add_argument("--idle", type=float, required=True, help="seconds idle before ending")
    options = parser.parse_args()
    from hashshock.cli.entry import prepare_process

    prepare_process()
    warm_up()
    if threading.active_count() > 1:  # a child would inherit a thread's locks, not the thread
        raise SystemExit(f"threads still running after the warm-up: {threading.enumerate()}")
    daemon = Daemon(options.socket, options.idle)
    _reuse_freed_memory()
    gc.collect()
    gc.freeze()  # children share these pages untouched by the collector
    print(f"hashshock daemon {os.getpid()} listening on {options.socket}", flush=True)
    daemon.serve()


if __name__ == "__main__":
    main()
