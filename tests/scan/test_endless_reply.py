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


def _trickle(host: str, stop: threading.Event) -> int:
    """A web interface on ``host`` that answers a byte every 0.2 s without end (each
    read in time, the whole never); returns its port."""
    import socket

    server = socket.create_server((host, 0))
    server.settimeout(0.2)

    def serve() -> None:
        conns = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                conns.append(conn)
            except OSError:
                pass
            for conn in conns:
                try:
                    conn.sendall(b"X")
                except OSError:
                    conns.remove(conn)
        for conn in conns:
            conn.close()
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    port: int = server.getsockname()[1]
    return port


def test_a_slow_web_interface_keeps_the_firmware_findings(
    start_farm: StartFarm, cli_app: typer.Typer, tmp_path: Path
) -> None:
    """A web interface that trickles its answer runs the host out of its budget while
    its exposure is checked: what was found before stays — the firmware's known issue
    (Antbleed on a 2016 S9: it was dropped), the model's note — and the login check,
    tried, reads "unavailable", not "not-checked"."""
    (ip,) = loopback_block(1)
    start_farm({ip: StockAntminer(model="Antminer S9",
                                  compile_time="Fri Dec 16 11:20:03 CST 2016")})  # fmt: skip
    stop = threading.Event()
    try:
        port = _trickle(ip, stop)
        result = CliRunner().invoke(cli_app, ["scan", ip, "--out", str(tmp_path / "f.yaml"),
                                              "--timeout", str(TIMEOUT_S), "--web-port",
                                              str(port), "--json", "-"])  # fmt: skip
    finally:
        stop.set()
    assert result.exit_code == 1, result.output  # an S9 is no catalogue model: no fleet file
    (record,) = json.loads(result.stdout)["machines"]
    assert record["known_issues"] == ["antbleed (affected)"]
    assert record["default_web_login"] == "unavailable"
    assert "while checking exposure" in record["message"]
    assert record["message"].startswith("model 'S9' is not in the catalogue")
