"""``hashshock daemon start | stop | status``: the resident process that answers commands
without starting Python, numpy, numba and the kernels each time (docs/performance.md,
"The daemon"); add it with :func:`register`.

Opt-in: nothing starts it but ``hashshock daemon start``. While one runs, every
``hashshock`` command of the same installation and environment runs in a child of it, with
the same output, files and exit code; ``HASHSHOCK_DAEMON=off`` runs a command on its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from hashshock.cli.common import AsJsonFlag, say, tell
from hashshock.cli.daemon_client import (
    DIR_ENV,
    connect,
    daemon_dir,
    daemon_key,
    private_dir,
    read_frame,
    send_frame,
    socket_path,
)

daemon_app = typer.Typer(
    help="Keep hashshock loaded in a background process so that commands start at once.",
    no_args_is_help=True,
)
out = Console(emoji=False)
err = Console(emoji=False, stderr=True)

#: Minutes a daemon waits for a command before it ends, unless told otherwise.
DEFAULT_IDLE_MINUTES = 60.0
#: Seconds ``start`` waits for a new daemon to listen (the first start after installing
#: compiles the kernels, which takes minutes; later ones load them in about a second).
START_TIMEOUT_S = 900.0


def ask(path: Path, command: str) -> dict[str, Any] | None:
    """A daemon's answer to ``status`` or ``stop``, or None if none answers at ``path``."""
    sock = connect(path)
    if sock is None:
        return None
    with sock:
        try:
            send_frame(sock, {"command": command})
            return read_frame(sock)
        except OSError:
            return None


def _fail(message: str, fix: str) -> typer.Exit:
    tell(err, "[bold red]error:[/] ", f"{message} — fix: {fix}")
    return typer.Exit(code=2)


@daemon_app.command("start")
def start(
    idle: Annotated[
        float,
        typer.Option("--idle", min=0.1, max=10080,
                     help="Minutes without a command before the daemon ends."),
    ] = DEFAULT_IDLE_MINUTES,
) -> None:  # fmt: skip
    """Start the daemon for this installation (nothing if one runs already)."""
    folder = daemon_dir()
    if not private_dir(folder, create=True):
        given = bool(os.environ.get(DIR_ENV))
        what = (f"{folder} is not a folder of yours closed to others" if folder.is_dir()
                else f"{folder} cannot be made a folder")  # fmt: skip
        raise _fail(
            f"{DIR_ENV}: {what}" if given else what,
            f"set {DIR_ENV} to a private folder of yours (created with mode 0700), e.g. "
            f"~/.cache/hashshock-daemon" if given else f"remove it, or set {DIR_ENV} to a "
            "private folder of yours (created with mode 0700)",
        )  # fmt: skip
    path = socket_path()
    running = ask(path, "status")
    if running is not None:
        say(out, f"hashshock daemon already running (pid {running['pid']}) on {path}")
        return
    log = path.with_suffix(".log")
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "hashshock.cli.daemon_server", "--socket", str(path),
             "--idle", str(idle * 60.0)],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            cwd=str(folder), start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_S
    with err.status("starting the daemon (loading numba and the kernels)…"):
        while (answer := ask(path, "status")) is None:
            if process.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                err.print("[bold red]error:[/] the daemon stopped while starting:\n"
                          + escape("\n".join(tail)), highlight=False)  # fmt: skip
                raise typer.Exit(code=1)
            if time.monotonic() > deadline:
                process.kill()
                raise _fail("the daemon did not start in time", f"see {log}")
            time.sleep(0.05)
    say(out, f"hashshock daemon started (pid {answer['pid']}) on {path}; it ends after "
        f"{idle:g} minutes without a command, or with `hashshock daemon stop`")  # fmt: skip


def _sockets() -> list[Path]:
    folder = daemon_dir()
    if not private_dir(folder, create=False):
        return []
    return sorted(folder.glob("daemon-*.sock"))


@daemon_app.command("stop")
def stop() -> None:
    """Stop every hashshock daemon of yours (this installation's and any other) and
    remove their logs."""
    stopped = 0
    for path in _sockets():
        answer = ask(path, "stop")
        path.with_suffix(".log").unlink(missing_ok=True)
        if answer is None:
            path.unlink(missing_ok=True)  # nobody answers there: a daemon killed earlier
            continue
        deadline = time.monotonic() + 10.0
        while path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        out.print(f"stopped hashshock daemon {answer['pid']}", highlight=False)
        stopped += 1
    if not stopped:
        out.print("no hashshock daemon was running", highlight=False)


@daemon_app.command("status")
def status(
    json_out: AsJsonFlag = False,
) -> None:
    """The daemons of yours: which serves this installation, since when, commands served."""
    import json

    current = socket_path(daemon_key())
    rows = []
    for path in _sockets():
        answer = ask(path, "status")
        if answer is not None:
            rows.append({**answer, "socket": str(path), "serves_this": path == current})
    if json_out:
        sys.stdout.write(json.dumps({"daemons": rows}, indent=2) + "\n")
        return
    if not rows:
        out.print("no hashshock daemon is running; `hashshock daemon start` starts one",
                  highlight=False)  # fmt: skip
    for row in rows:
        minutes = (time.time() - row["started"]) / 60.0
        # a daemon of an earlier version (not used here) said it as idle_seconds
        limit = float(row.get("idle_limit_seconds", row.get("idle_seconds", 0.0)))
        which = "serves this installation" if row["serves_this"] else (
            "another installation or environment: not used here")  # fmt: skip
        say(out, f"pid {row['pid']}: {which}; up {minutes:.0f} min, {row['served']} commands, "
            f"ends after {limit / 60:g} idle minutes")  # fmt: skip
        out.print(f"  socket {escape(row['socket'])}", highlight=False, soft_wrap=True)  # greppable


def register(app: typer.Typer) -> None:
    """Add the ``daemon`` command group (``start``, ``stop``, ``status``) to ``app``."""
    app.add_typer(daemon_app, name="daemon")
