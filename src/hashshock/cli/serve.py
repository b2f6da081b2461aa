"""``hashshock serve``: the local dashboard (docs/dashboard.md); add it with :func:`register`.

Listens on 127.0.0.1 by default. ``--host`` with any other address requires a token,
generated here and printed once in the address to open. A bad host or a busy port exits
2 with one line before the server starts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from hashshock.cli.common import input_errors
from hashshock.cli.report import StoreOpt


def serve_command(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8050,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; not loopback needs the token.")
    ] = "127.0.0.1",
    store: StoreOpt = None,
    fleets: Annotated[
        Path, typer.Option("--fleets", help="Folder whose fleet files the page offers.")
    ] = Path("."),
    max_upload_kb: Annotated[
        int, typer.Option("--max-upload-kb", min=1, max=65536, help="Largest fleet upload, kB.")
    ] = 1024,
) -> None:
    """Start the local dashboard: run fleets, see the charts, browse and compare runs."""
    from hashshock.dashboard.app import Settings
    from hashshock.dashboard.security import is_loopback, new_token
    from hashshock.dashboard.server import bind, serve
    from hashshock.inputs.errors import InputError
    from hashshock.store.db import check_store

    with input_errors():
        if not fleets.is_dir():
            raise InputError(fleets, "--fleets", "is not a folder", "give a folder of fleet files")
        store_file = check_store(store)
        sock = bind(host, port)
    token = None if is_loopback(host) else new_token()
    settings = Settings(host, port, store_file, fleets, token, max_upload_kb * 1024)
    out = Console(emoji=False)

    def ready(address: str) -> None:
        out.print(f"hashshock dashboard on {escape(address)}", highlight=False, soft_wrap=True)
        if token:
            out.print("anyone with this address can run and read everything here; keep the "
                      "token to yourself", highlight=False, soft_wrap=True)  # fmt: skip
        out.print(f"runs are kept in {escape(str(store_file))}; Ctrl-C stops",
                  highlight=False, soft_wrap=True)  # fmt: skip
        out.file.flush()

    from hashshock.cli.interrupt import say_when_stopped

    kept = f"the runs it saved are kept in {store_file}"
    # Ctrl-C is how a user stops it; a service manager sends SIGTERM
    with (
        say_when_stopped(f"dashboard stopped; {kept}", kept),
        contextlib.suppress(KeyboardInterrupt),
    ):
        serve(settings, sock, ready)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(serve_command)
