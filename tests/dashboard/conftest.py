"""A dashboard server started for the tests on 127.0.0.1 and a free port, then stopped."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hashshock.dashboard.app import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# ``hashshock serve`` before app.py wires it in: a Typer app with only ``serve``.
SERVE = textwrap.dedent("""
    import sys, typer
    from hashshock.cli.serve import register
    app = typer.Typer()
    @app.callback()
    def _root() -> None:
        "Test app."
    register(app)
    app(["serve", *sys.argv[1:]])
""")


@dataclass
class Server:
    url: str
    store: Path
    process: subprocess.Popen[str]

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)


def start_server(tmp: Path, *args: str) -> Server:
    store = tmp / "runs.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "--port", "0", "--store", str(store),
         "--fleets", str(EXAMPLES), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if "dashboard on" not in line:
        process.kill()
        raise AssertionError(
            f"server did not start: {line} {process.stderr.read() if process.stderr else ''}"
        )
    url = line.split("dashboard on ", 1)[1].strip()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(
                url.split("?")[0].replace("0.0.0.0", "127.0.0.1") + "static/app.css", timeout=2
            )
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return Server(url, store, process)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=20)


@contextmanager
def serve_in_thread(settings: Settings) -> Iterator[str]:
    """The dashboard for ``settings`` served from a thread of this process, on
    127.0.0.1 and a free port (its address yielded), for a test that replaces part of
    the engine (``monkeypatch``) and so cannot use a server of its own process."""
    import uvicorn

    from hashshock.dashboard.app import create_app
    from hashshock.dashboard.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(dataclasses.replace(settings, host="127.0.0.1", port=port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("dashboard"))
    yield running
    stop_server(running)
