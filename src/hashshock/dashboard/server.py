"""Serving the dashboard: bind first (so a bad address fails before anything starts), then
hand the socket to uvicorn."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from hashshock.dashboard.app import Settings, create_app
from hashshock.inputs.errors import InputError


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port), or InputError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(None, "--host", f"{host!r} is not an address here ({exc.strerror})",
                         "use 127.0.0.1, or an address of this machine") from None  # fmt: skip
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRNOTAVAIL:  # the address is not this machine's: the host
            raise InputError(
                None, "--host", f"cannot listen on {host} ({exc.strerror})",
                "use 127.0.0.1, or an address of this machine",
            ) from None  # fmt: skip
        raise InputError(
            None, "--port", f"cannot listen on {host}:{port} ({exc.strerror})",
            "choose another port (or --port 0 for any free one)",
        ) from None  # fmt: skip
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, sock: socket.socket, ready: Callable[[str], None]) -> None:
    """Serve the dashboard on ``sock`` until interrupted; ``ready`` gets the address."""
    import uvicorn

    port = sock.getsockname()[1]
    settings = Settings(settings.host, port, settings.store, settings.fleets_dir,
                        settings.token, settings.max_upload_bytes)  # fmt: skip
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=2)  # fmt: skip
    server = uvicorn.Server(config)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    address = f"http://{shown}:{port}/" + (f"?token={settings.token}" if settings.token else "")
    ready(address)
    server.run(sockets=[sock])
