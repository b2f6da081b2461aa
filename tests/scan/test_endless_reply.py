"""A device that streams its reply without end is given up at the end of its budget,
and the scan of the others goes on: it held the whole scan for ever (pyasic's reading
tasks outlived the probe, and a cancellation could not reach them)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import typer
from tests.scan.conftest import StartFarm
from tests.scan.fake_miner import RPC_PORT, StockAntminer, loopback_block
from typer.testing import CliRunner

TIMEOUT_S = 3
#: A hang detector, not a speed test: the scan ends within its budget on a quiet machine.
HANG_S = 120.0

#: A device in a process of its own (as fast as the network: in this one, the GIL
#: would pace it): the start of a version reply, then filler without end, to everyone.
_ENDLESS = """
import socket, sys, threading
server = socket.create_server((sys.argv[1], int(sys.argv[2])))
print("ready", flush=True)
def serve(conn):
    try:
        conn.recv(4096)
        conn.sendall(b'{"STATUS":[{"STATUS":"S"}],"VERSION":[{"Type":"')
        while True:
            conn.sendall(b"A" * 65536)
    except OSError:
        conn.close()
while True:
    threading.Thread(target=serve, args=(server.accept()[0],), daemon=True).start()
"""


def test_a_reply_without_end_is_given_up_at_the_budget(
    start_farm: StartFarm, cli_app: typer.Typer, tmp_path: Path
) -> None:
    endless, stock = loopback_block(2)
    start_farm({stock: StockAntminer()})
    command = [sys.executable, "-c", _ENDLESS, endless, str(RPC_PORT)]
    device = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert device.stdout is not None and device.stdout.readline().strip() == "ready"
        args = ["scan", endless, stock, "--out", str(tmp_path / "fleet.yaml"), "--timeout",
                str(TIMEOUT_S), "--no-check-default-login", "--json", "-"]  # fmt: skip
        done: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: done.update(result=CliRunner().invoke(cli_app, args)), daemon=True
        )
        thread.start()
        thread.join(HANG_S)
    finally:
        device.kill()
        device.wait(timeout=30)
    assert not thread.is_alive(), f"the scan did not end within {HANG_S:g} s"
    result = done["result"]
    assert result.exit_code == 0, result.output
    records = {r["ip"]: r for r in json.loads(result.stdout)["machines"]}
    assert records[endless]["status"] in {"garbage", "timeout", "unresponsive"}  # no miner
    assert records[stock]["status"] == "ok"
