"""A minimal, read-only cgminer/bmminer JSON API client (TCP 4028).

Used where pyasic gives no answer or hides it: to tell a silent host from a
garbage-talking one, to read the model name of an unknown miner, to read
hashboards from ``stats`` when the web API is unavailable, and to test
privileged access. Only commands in :data:`READ_ONLY_COMMANDS` can be sent;
``privileged`` is cgminer's documented no-op that "tests if you have
privileged access" (cgminer API-README) and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from hashshock.scan.records import CheckResult

RPC_PORT = 4028
READ_ONLY_COMMANDS = frozenset({"version", "devdetails", "summary", "stats", "privileged"})
MAX_REPLY_BYTES = 1_000_000


@dataclass(frozen=True)
class RpcReply:
    """What came back: nothing listening, silence, unparseable bytes or JSON."""

    kind: Literal["refused", "silent", "garbage", "json"]
    data: dict[str, Any] | None = None
    raw: bytes = b""

    def preview(self, limit: int = 40) -> str:
        """The first ``limit`` characters of the raw reply, printable only."""
        text = self.raw.decode("utf-8", errors="replace")
        text = re.sub(r"[^\x20-\x7e]", "?", text)
        return text[:limit] + ("..." if len(text) > limit else "")


def _decode(raw: bytes) -> dict[str, Any] | None:
    text = raw.rstrip(b"\x00").decode("utf-8", errors="strict")
    for candidate in (text, text.replace("}{", "},{").replace(",}", "}")):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        return data if isinstance(data, dict) else None
    return None


async def rpc_call(ip: str, command: str, timeout_s: float, port: int = RPC_PORT) -> RpcReply:
    """Send one read-only command and read the reply until the miner closes the socket.

    Never raises for network trouble: a refused or failed connection is
    ``refused``, no bytes within ``timeout_s`` is ``silent``.
    """
    if command not in READ_ONLY_COMMANDS:
        raise ValueError(f"refusing to send non-read-only command {command!r}")
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), timeout_s)
    except (OSError, TimeoutError):
        return RpcReply("refused")
    raw = b""
    try:
        writer.write(json.dumps({"command": command}).encode())
        await writer.drain()
        async with asyncio.timeout(timeout_s):
            while len(raw) < MAX_REPLY_BYTES:
                chunk = await reader.read(65_536)
                if not chunk:
                    break
                raw += chunk
    except (OSError, TimeoutError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)
    if not raw:
        return RpcReply("silent")
    try:
        data = _decode(raw)
    except UnicodeDecodeError:
        data = None
    return RpcReply("json", data, raw) if data is not None else RpcReply("garbage", raw=raw)


def reply_ok(data: dict[str, Any] | None) -> bool | None:
    """``STATUS[0].STATUS`` is S/I → True, E/F → False, missing → None."""
    if not data:
        return None
    status = data.get("STATUS")
    if isinstance(status, list) and status and isinstance(status[0], dict):
        status = status[0].get("STATUS")
    if status in {"S", "I"}:
        return True
    if status in {"E", "F", "W"}:
        return False
    return None


def privileged_result(reply: RpcReply) -> CheckResult:
    """Classify the answer to ``privileged``: accepted, refused (access denied) or unavailable."""
    ok = reply_ok(reply.data)
    if ok:
        return "accepted"
    if ok is False:
        status = (reply.data or {}).get("STATUS")
        first = status[0] if isinstance(status, list) and status else {}
        msg = str(first.get("Msg", "")).lower() if isinstance(first, dict) else ""
        code = first.get("Code") if isinstance(first, dict) else None
        if code == 45 or "denied" in msg or "privileged" in msg:
            return "refused"
    return "unavailable"


def reported_model(reply: RpcReply) -> str:
    """The model a ``version`` (``VERSION[0].Type``) or ``devdetails`` reply names."""
    data = reply.data or {}
    for section, key in (("VERSION", "Type"), ("DEVDETAILS", "Model")):
        items = data.get(section)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            value = str(items[0].get(key) or "").split(" (")[0].strip()
            if value:
                return value
    return ""


def chains_from_stats(
    data: dict[str, Any] | None, expected: int | None = None
) -> list[tuple[int, float]]:
    """(chips, GH/s) per hashboard chain from a bmminer ``stats`` reply.

    bmminer puts ``chain_acn<i>`` (chips found) and ``chain_rate<i>`` (GH/s) in
    ``STATS[1]``; slots start at 1 on S19/S21 and higher on older models, so
    the indices present are taken in order. A slot with no chips, no rate and no
    ``chain_acs<i>`` is an empty slot (an S9 reports 16, three of them used) and is
    skipped. If every slot is empty but there are at least ``expected`` of them (the
    hashboards the model has), the boards are there and all dead: ``expected`` chains
    of (0, 0.0). Empty list: no chain data.
    """
    stats = (data or {}).get("STATS")
    if not isinstance(stats, list) or len(stats) < 2 or not isinstance(stats[1], dict):
        return []
    block = stats[1]
    slots = sorted(int(k[9:]) for k in block if re.fullmatch(r"chain_acn\d+", k))
    chains: list[tuple[int, float]] = []
    for slot in slots:
        try:
            chips = int(block.get(f"chain_acn{slot}") or 0)
            rate = float(block.get(f"chain_rate{slot}") or 0.0)
        except (TypeError, ValueError):
            continue
        if chips or rate or block.get(f"chain_acs{slot}"):
            chains.append((chips, rate))
    if not chains and expected and len(slots) >= expected:
        return [(0, 0.0)] * expected
    return chains
