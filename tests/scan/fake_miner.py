"""Fake miners on loopback for the scan tests.

Each fake listens on its own 127.x.y.z address on the cgminer/bmminer JSON API
port 4028 (pyasic hard-codes it), answers one JSON command per connection and
closes the socket, as real firmware does. A stock Antminer can also serve the
``/cgi-bin/*.cgi`` web API with HTTP digest auth on a chosen port.

Personalities:

* :class:`StockAntminer` - bmminer-style RPC (``version``, ``summary``, ``stats``
  with ``chain_acn``/``chain_rate`` per hashboard, ``pools``, ``privileged``),
  joined ``a+b`` multicommands, optional web API.
* :class:`Whatsminer` - btminer-style RPC (API v2, read-only commands).
* :class:`Silent` - accepts connections and never answers.
* :class:`Garbage` - answers every command with fixed bytes.

:class:`FakeFarm` runs the servers on a background thread with its own event
loop; start and stop are bounded in time. Every command a fake receives is
recorded in :attr:`FakeFarm.commands` so tests can check that a scan sent
nothing that changes a miner's state.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

RPC_PORT = 4028
IO_TIMEOUT_S = 5.0


def _status(ok: bool = True, msg: str = "", code: int = 0) -> list[dict[str, Any]]:
    return [{"STATUS": "S" if ok else "E", "When": 1_700_000_000, "Code": code, "Msg": msg}]


class Personality(Protocol):
    """What a fake miner answers. ``None`` means: never answer."""

    def rpc(self, command: str) -> bytes | None: ...

    def web(self, path: str) -> tuple[int, dict[str, Any] | str]: ...

    @property
    def web_password(self) -> str | None: ...


@dataclass
class StockAntminer:
    """A stock-firmware Antminer (bmminer API). ``boards`` are (chips, GH/s) per slot."""

    model: str = "Antminer S19"
    compile_time: str = "Thu Mar 14 10:00:00 CST 2024"
    boards: tuple[tuple[int, float], ...] = ((76, 31_500.0), (76, 31_600.0), (76, 31_700.0))
    ideal_ghs: float = 95_000.0
    fans: tuple[int, ...] = (5400, 5460, 5520, 5580)
    elapsed_s: int = 30 * 86_400
    api_write: bool = True
    web_password: str | None = "root"
    mac: str = "02:00:00:00:00:01"
    serial: str = "FAKESN0001"
    silent_on: frozenset[str] = frozenset()  # commands it never answers (a hung bmminer)

    def _one(self, command: str) -> dict[str, Any]:
        total = sum(rate for _, rate in self.boards)
        if command == "version":
            return {
                "STATUS": _status(msg="BMMiner versions", code=22),
                "VERSION": [
                    {
                        "BMMiner": "1.0.0",
                        "API": "3.1",
                        "Miner": "uart_trans.1.3",
                        "CompileTime": self.compile_time,
                        "Type": self.model,
                    }
                ],
            }
        if command == "summary":
            return {
                "STATUS": _status(msg="Summary", code=11),
                "SUMMARY": [{"Elapsed": self.elapsed_s, "GHS 5s": f"{total:.2f}", "GHS av": total}],
            }
        if command == "stats":
            chains: dict[str, Any] = {}
            for i, (chips, rate) in enumerate(self.boards, start=1):
                chains[f"chain_acn{i}"] = chips
                chains[f"chain_rate{i}"] = f"{rate:.2f}"
                chains[f"chain_acs{i}"] = " ".join(["oooooooo"] * (chips // 8)) if chips else ""
            fans = {f"fan{i}": speed for i, speed in enumerate(self.fans, start=1)}
            head = {"BMMiner": "1.0.0", "CompileTime": self.compile_time, "Type": self.model}
            body = {
                "STATS": 0,
                "ID": "BC50",
                "Elapsed": self.elapsed_s,
                "total_rateideal": self.ideal_ghs,
                "rate_unit": "GH",
                "fan_num": len(self.fans),
                **fans,
                **chains,
            }
            return {"STATUS": _status(msg="CGMiner stats", code=70), "STATS": [head, body]}
        if command == "pools":
            pool = {"POOL": 0, "URL": "stratum+tcp://pool.invalid:3333", "User": "fake.worker"}
            return {"STATUS": _status(msg="1 Pool(s)", code=7), "POOLS": [pool]}
        if command == "privileged":
            if self.api_write:
                return {"STATUS": _status(msg="Privileged access OK", code=46)}
            return {"STATUS": _status(False, "Access denied to 'privileged' command", 45)}
        return {"STATUS": _status(False, "Invalid command", 14)}

    def rpc(self, command: str) -> bytes | None:
        parts = command.split("+")
        if self.silent_on.intersection(parts):
            return None
        if len(parts) == 1:
            reply = self._one(command)
        else:
            reply = {part: [self._one(part)] for part in parts}
        return json.dumps({**reply, "id": 1}).encode() + b"\x00"

    def web(self, path: str) -> tuple[int, dict[str, Any] | str]:
        chains = [
            {
                "index": i,
                "rate_real": rate,
                "asic_num": chips,
                "temp_pcb": [45, 48, 50, 52] if chips else [0, 0, 0, 0],
                "temp_chip": [60, 66, 68, 70] if chips else [0, 0, 0, 0],
                "sn": f"{self.serial}-HB{i}",
            }
            for i, (chips, rate) in enumerate(self.boards)
        ]
        pages: dict[str, dict[str, Any]] = {
            "/cgi-bin/get_system_info.cgi": {
                "minertype": self.model,
                "macaddr": self.mac,
                "serinum": self.serial,
                "hostname": "Antminer",
            },
            "/cgi-bin/stats.cgi": {"STATS": [{"chain": chains}]},
            "/cgi-bin/summary.cgi": {"SUMMARY": [{"status": []}]},
            "/cgi-bin/get_blink_status.cgi": {"blink": False},
            "/cgi-bin/get_miner_conf.cgi": {"bitmain-work-mode": "0", "pools": []},
        }
        if path in pages:
            return 200, pages[path]
        return 404, "not found"


@dataclass
class Whatsminer:
    """A MicroBT Whatsminer on btminer API v2 (read commands only)."""

    model_code: str = "M50S_VH50"
    fw_ver: str = "20230712.15.Rel"
    boards: tuple[tuple[int, float], ...] = ((135, 42e6), (135, 42e6), (135, 42e6))
    factory_ghs: float = 126_000.0
    fans: tuple[int, int] = (4500, 4560)
    elapsed_s: int = 10 * 86_400
    mac: str = "02:00:00:00:00:02"
    web_password: str | None = None

    def _one(self, command: str) -> dict[str, Any]:
        def msg(payload: dict[str, Any]) -> dict[str, Any]:
            return {"STATUS": "S", "When": 1_700_000_000, "Code": 131, "Msg": payload}

        if command == "version":
            return {"STATUS": _status(msg="BTMiner versions"), "VERSION": [{"BTMiner": "2.0.5"}]}
        if command == "devdetails":
            return {
                "STATUS": _status(msg="Device Details"),
                "DEVDETAILS": [{"DEVDETAILS": 0, "Driver": "bitmicro", "Model": self.model_code}],
            }
        if command == "get_version":
            return msg({"api_ver": "2.0.5", "fw_ver": self.fw_ver, "platform": "H6OS"})
        if command == "get_miner_info":
            return msg(
                {"mac": self.mac, "minersn": "WMFAKE01", "hostname": "WM", "ledstat": "auto"}
            )
        if command == "status":
            return msg({"mineroff": "false"})
        if command == "get_error_code":
            return msg({"error_code": []})
        if command == "get_psu":
            return msg({"fan_speed": "7000"})
        if command == "summary":
            total = sum(rate for _, rate in self.boards)
            return {
                "STATUS": _status(msg="Summary"),
                "SUMMARY": [
                    {
                        "Elapsed": self.elapsed_s,
                        "MHS 1m": total,
                        "Factory GHS": self.factory_ghs,
                        "Power": 3276,
                        "Fan Speed In": self.fans[0],
                        "Fan Speed Out": self.fans[1],
                        "MAC": self.mac,
                        "Error Code Count": 0,
                    }
                ],
            }
        if command == "devs":
            devs = [
                {
                    "ASC": i,
                    "Slot": i,
                    "Chip Temp Avg": 70.0,
                    "Temperature": 60.0,
                    "MHS 1m": rate,
                    "Effective Chips": chips,
                    "PCB SN": f"WMHB{i}",
                }
                for i, (chips, rate) in enumerate(self.boards)
            ]
            return {"STATUS": _status(msg="Devs"), "DEVS": devs}
        if command == "pools":
            return {"STATUS": _status(msg="Pools"), "POOLS": []}
        return {"STATUS": _status(False, "invalid cmd", 14)}

    def rpc(self, command: str) -> bytes | None:
        parts = command.split("+")
        reply = self._one(command) if len(parts) == 1 else {p: [self._one(p)] for p in parts}
        return json.dumps(reply).encode()

    def web(self, path: str) -> tuple[int, dict[str, Any] | str]:
        return 404, "not found"


@dataclass
class Silent:
    """Accepts the connection, reads the command and never answers."""

    web_password: str | None = None

    def rpc(self, command: str) -> bytes | None:
        return None

    def web(self, path: str) -> tuple[int, dict[str, Any] | str]:
        return 404, "not found"


@dataclass
class Garbage:
    """Answers every command with the same bytes (not a valid API reply)."""

    payload: bytes = b"\xff\xfe\x00garbage \x9c\x80 not json"
    web_password: str | None = None

    def rpc(self, command: str) -> bytes | None:
        return self.payload

    def web(self, path: str) -> tuple[int, dict[str, Any] | str]:
        return 404, "not found"


# --- servers -------------------------------------------------------------------------


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # HTTP digest needs MD5


def digest_ok(header: str, method: str, password: str, realm: str) -> bool:
    """Check an HTTP ``Authorization: Digest ...`` header (RFC 7616, MD5, qop=auth)."""
    if not header.startswith("Digest "):
        return False
    fields = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header)}
    ha1 = _md5(f"{fields.get('username', '')}:{realm}:{password}")
    ha2 = _md5(f"{method}:{fields.get('uri', '')}")
    if fields.get("qop"):
        parts = [fields.get(k, "") for k in ("nonce", "nc", "cnonce", "qop")]
        expected = _md5(":".join([ha1, *parts, ha2]))
    else:
        expected = _md5(f"{ha1}:{fields.get('nonce', '')}:{ha2}")
    return fields.get("username") == "root" and secrets.compare_digest(
        expected, fields.get("response", "")
    )


@dataclass
class FakeFarm:
    """Fake miners on loopback addresses, served from a background thread."""

    miners: dict[str, Personality]
    web_port: int | None = None
    commands: list[tuple[str, str]] = field(default_factory=list)
    web_requests: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = threading.Lock()

    # lifecycle
    def start(self, timeout_s: float = 5.0) -> FakeFarm:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout_s)
        except BaseException:
            self.stop(timeout_s)
            raise
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout_s)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout_s)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> FakeFarm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def commands_for(self, ip: str) -> list[str]:
        with self._lock:
            return [cmd for host, cmd in self.commands if host == ip]

    async def _start(self) -> None:
        for ip, miner in self.miners.items():
            self._servers.append(
                await asyncio.start_server(self._wrap(ip, miner, True), ip, RPC_PORT)
            )
            if self.web_port is not None and miner.web_password is not None:
                handler = self._wrap(ip, miner, False)
                self._servers.append(await asyncio.start_server(handler, ip, self.web_port))

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    def _wrap(self, ip: str, miner: Personality, rpc: bool) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                if rpc:
                    await self._serve_rpc(ip, miner, reader, writer)
                else:
                    await self._serve_web(ip, miner, reader, writer)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                pass
            finally:
                self._tasks.discard(task)
                writer.close()

        return handle

    async def _serve_rpc(
        self,
        ip: str,
        miner: Personality,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        buffer = b""
        while True:
            chunk = await asyncio.wait_for(reader.read(4096), IO_TIMEOUT_S)
            if not chunk:
                return  # a port ping: connect and close
            buffer += chunk
            try:
                request = json.loads(buffer.decode())
                break
            except (ValueError, UnicodeDecodeError):
                continue
        command = str(request.get("command", "")) if isinstance(request, dict) else ""
        with self._lock:
            self.commands.append((ip, command))
        reply = miner.rpc(command)
        if reply is None:  # hold the connection open until the client gives up
            await reader.read()
            return
        writer.write(reply)
        await writer.drain()

    async def _serve_web(
        self,
        ip: str,
        miner: Personality,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IO_TIMEOUT_S)
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        with self._lock:
            self.web_requests.append((ip, path))
        realm = "antMiner Configuration"
        password = miner.web_password or ""
        if not digest_ok(headers.get("authorization", ""), method, password, realm):
            nonce = secrets.token_hex(8)
            challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth"'
            await _respond(writer, 401, "unauthorised", {"WWW-Authenticate": challenge})
            return
        status, body = miner.web(path)
        await _respond(writer, status, body)


async def _respond(
    writer: asyncio.StreamWriter,
    status: int,
    body: dict[str, Any] | str,
    extra: dict[str, str] | None = None,
) -> None:
    is_json = isinstance(body, dict)
    data = (json.dumps(body) if is_json else str(body)).encode()
    reason = {200: "OK", 401: "Unauthorized", 404: "Not Found"}.get(status, "Error")
    headers = {
        "Content-Type": "application/json" if is_json else "text/plain",
        "Content-Length": str(len(data)),
        "Connection": "close",
        **(extra or {}),
    }
    text = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(text.encode() + b"\r\n" + data)
    await writer.drain()


def loopback_block(count: int, seed: int | None = None) -> list[str]:
    """``count`` addresses 127.A.B.1.. in a random /24 of 127/8 (no clash with parallel runs)."""
    rng = random.Random(seed)
    a, b = rng.randrange(16, 250), rng.randrange(1, 250)
    return [f"127.{a}.{b}.{i}" for i in range(1, count + 1)]


def all_commands(farm: FakeFarm, ips: Iterable[str]) -> set[str]:
    """Every single command (multicommands split on '+') the fakes at ``ips`` received."""
    wanted = set(ips)
    with farm._lock:
        return {part for ip, cmd in farm.commands if ip in wanted for part in cmd.split("+")}
