"""Hand a command to a running ``hashshock daemon``, if there is one (standard library only).

A fresh ``hashshock`` process spends most of a short command starting: importing numpy,
numba, pydantic and the models, then numba's start and the compiled kernels read from
their cache (docs/performance.md, "Start-up"). ``hashshock daemon start`` keeps one
process with all of that loaded; the entry point (:mod:`hashshock.cli.entry`) then
connects to it over a Unix socket, passes its arguments, working directory,
environment, umask and its own standard input, output and error (the file descriptors
themselves, so progress bars, colours and the terminal's width are the command's own),
and the daemon forks a child that runs the command exactly as this process would have,
and reports its exit code. Ctrl-C, SIGTERM and SIGHUP are passed on to the child.

A daemon serves only the installation and start-up environment it was started from:
its socket's name carries a digest (:func:`daemon_key`) of hashshock's version and
folder, the Python executable, the size and modification time of every file of the
package — its Python sources and its bundled data (the catalogue, failure rates,
prices, scenarios, which the daemon read once and kept) — and the
environment variables read when modules are imported (numba's, the BLAS threads',
Python's, pydantic's, typer's, the locale, hashshock's own). A command whose digest
differs, or any failure to connect, runs in its own process as if there were no daemon;
``HASHSHOCK_DAEMON=off`` never uses one.

The socket lives in a folder of the user's own, readable by nobody else (mode 0700):
``$HASHSHOCK_DAEMON_DIR``, else ``$XDG_RUNTIME_DIR/hashshock``, else
``/tmp/hashshock-<uid>``. A folder of someone else's, or open to others, is not used.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import struct
import sys
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see hashshock)
if TYPE_CHECKING:  # the modules a connection needs load only when a daemon runs
    import socket
    from collections.abc import Iterator
    from types import FrameType
    from typing import Any

#: Set to ``off`` to run every command in its own process.
DAEMON_ENV = "HASHSHOCK_DAEMON"
#: Values of :data:`DAEMON_ENV` (stripped, in any case) that run a command in its own
#: process, and those that let a running daemon serve it (empty: as unset).
DAEMON_OFF = ("off", "0", "false", "no")
DAEMON_ON = ("", "on", "1", "true", "yes")
#: Overrides the daemon's folder (tests give each their own).
DIR_ENV = "HASHSHOCK_DAEMON_DIR"
#: Prefixes of environment variables that modules read when imported: a daemon started
#: under other values would not behave as a fresh process would.
IMPORT_TIME_ENV = ("NUMBA_", "OMP_", "OPENBLAS_", "MKL_", "NPY_", "PYTHON", "PYDANTIC_",
                   "TYPER_", "_TYPER_", "TERMINAL_WIDTH", "LANG", "LC_", "HASHSHOCK_")  # fmt: skip
#: Seconds to wait for a daemon to accept and read a command before running it here.
CONNECT_TIMEOUT_S = 2.0
#: The frame header: a message's length in bytes (big-endian, unsigned 32 bits).
_HEADER = struct.Struct(">I")
#: Signals a client passes on to the child running its command.
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Exit code of a command whose daemon child ended without reporting one.
EXIT_LOST = 1

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def daemon_dir() -> Path:
    """The folder of this user's daemon sockets (see the module's docstring), absolute.

    A relative ``$HASHSHOCK_DAEMON_DIR`` is taken from the current folder, here once: the
    daemon runs in its own folder, and ``start``, ``status``, ``stop`` and the clients
    must all name the same socket (raises OSError when the current folder is gone)."""
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        return Path(chosen).absolute()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "hashshock"
    return Path("/tmp") / f"hashshock-{os.getuid()}"


def private_dir(folder: Path, create: bool) -> bool:
    """Whether ``folder`` is this user's and closed to others (created so if asked; not,
    when it cannot be: a file on its way, no permission)."""
    if create:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, parents=True)
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def _source_files() -> Iterator[tuple[str, int, int]]:
    """Every file of the package but compiled bytecode — sources and bundled data: path,
    size, modification time (ns)."""
    pending = [PACKAGE_DIR]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(Path(entry.path))
                elif not entry.name.endswith(".pyc"):
                    try:
                        info = entry.stat()
                    except OSError:  # a broken link (an editor's lock file): nothing to read
                        continue
                    yield entry.path, info.st_size, info.st_mtime_ns


def daemon_key(environ: dict[str, str] | None = None) -> str:
    """A digest of what a daemon's loaded modules depend on (see the module's docstring)."""
    import hashlib
    import json

    from hashshock import __version__
    from hashshock.cli.entry import PROCESS_ENV

    environ = {**PROCESS_ENV, **(os.environ if environ is None else environ)}
    environ.pop(DAEMON_ENV, None)
    chosen = sorted((k, v) for k, v in environ.items() if k.startswith(IMPORT_TIME_ENV))
    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, str(PACKAGE_DIR), sys.executable, chosen]).encode())
    for path, size, modified in sorted(_source_files()):
        digest.update(f"{path}\0{size}\0{modified}\n".encode())
    return digest.hexdigest()[:20]


def socket_path(key: str | None = None) -> Path:
    """The socket of the daemon serving this installation and environment."""
    return daemon_dir() / f"daemon-{key or daemon_key()}.sock"


def send_frame(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """One JSON message, length first; ``fds`` travel with it (SCM_RIGHTS)."""
    import json
    import socket

    data = json.dumps(message).encode()
    framed = _HEADER.pack(len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [framed], fds)
        sock.sendall(framed[sent:])
    else:
        sock.sendall(framed)


def _read_exactly(sock: socket.socket, size: int, start: bytes = b"") -> bytes | None:
    data = bytearray(start)
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def read_frame(sock: socket.socket) -> dict[str, Any] | None:
    """The next message, or None once the other side has closed."""
    import json

    header = _read_exactly(sock, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(sock, _HEADER.unpack(header)[0])
    return None if body is None else dict(json.loads(body))


def read_first_frame(sock: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """The first message of a connection and the file descriptors sent with it."""
    import json
    import socket

    first, fds, _flags, _address = socket.recv_fds(sock, 65536, 8)
    if len(first) < _HEADER.size:
        first = _read_exactly(sock, _HEADER.size, first) or b""
        if not first:
            return None, fds
    size = _HEADER.unpack(first[: _HEADER.size])[0]
    body = _read_exactly(sock, size, first[_HEADER.size :])
    return (None if body is None else dict(json.loads(body))), fds


def _stream(stream: Any) -> list[str | None]:
    return [getattr(stream, "encoding", None), getattr(stream, "errors", None)]


def connect(path: Path) -> socket.socket | None:
    """A connection to the daemon at ``path``, or None if none answers there."""
    import socket

    if not path.exists() or not private_dir(path.parent, create=False):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_TIMEOUT_S)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        return None
    return sock


def run_on_daemon(arguments: list[str]) -> int | None:
    """Run ``hashshock ARGUMENTS`` on this user's daemon: its exit code, or None when no
    daemon serves this installation (the caller then runs the command itself)."""
    setting = os.environ.get(DAEMON_ENV, "").strip().lower()
    if setting not in DAEMON_OFF + DAEMON_ON:
        sys.stderr.write(f"error: {DAEMON_ENV}: {os.environ[DAEMON_ENV]!r} is neither on nor "
                         f"off — fix: set it to off (or 0, false, no) to run every command in "
                         "its own process, or unset it\n")  # fmt: skip
        return 2
    if setting in DAEMON_OFF or arguments[:1] == ["daemon"]:
        return None
    try:  # no socket there at all: no need for the digest
        if not any(name.endswith(".sock") for name in os.listdir(daemon_dir())):
            return None
    except OSError:
        return None
    try:
        cwd = os.getcwd()
    except OSError:  # started in a folder since deleted: the child could not go there
        return None
    sock = connect(socket_path())
    if sock is None:
        return None
    request = {
        "argv0": sys.argv[0], "argv": arguments, "cwd": cwd, "env": dict(os.environ),
        "umask": _umask(),
        "streams": [_stream(sys.stdin), _stream(sys.stdout), _stream(sys.stderr)],
    }  # fmt: skip
    try:
        send_frame(sock, request, [0, 1, 2])
        first = read_frame(sock)
    except OSError:
        sock.close()
        return None  # the daemon went away before taking the command: run it here
    if first is None or "pid" not in first:
        sock.close()
        return None
    sock.settimeout(None)
    return _wait(sock)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _wait(sock: socket.socket) -> int:
    """Pass signals on until the child reports its exit code or goes."""
    forwarded: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        forwarded.append(signum)
        with contextlib.suppress(OSError):  # the child has gone: its exit code is on its way
            send_frame(sock, {"signal": signum})

    for signum in FORWARDED:
        signal.signal(signum, forward)
    code: int | None = None
    with sock:
        try:
            while (message := read_frame(sock)) is not None:
                if "exit" in message:
                    code = int(message["exit"])
        except OSError:
            pass
    if code is not None:
        return code
    if forwarded:
        return 128 + forwarded[-1]
    sys.stderr.write("hashshock: the daemon's process for this command ended without an exit "
                     "code; run the command again with HASHSHOCK_DAEMON=off\n")  # fmt: skip
    return EXIT_LOST
