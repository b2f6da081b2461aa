"""Does a miner's web interface accept the vendor's default login?

One read-only ``GET`` with HTTP digest auth on a status page; nothing is
changed on the miner. Only firmware whose default login and status page are
documented is checked (FACTS.md §5.2 [S145]: Antminer web root/root); for
everything else the result is ``not-checked``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from hashshock.scan.records import CheckResult


@dataclass(frozen=True)
class DefaultLogin:
    """A vendor's documented factory web login and a read-only page that needs it."""

    username: str
    password: str
    path: str
    source: str


#: (pyasic make, firmware label) → default web login.
DEFAULT_LOGINS: dict[tuple[str, str], DefaultLogin] = {
    ("AntMiner", "stock"): DefaultLogin(
        "root", "root", "/cgi-bin/get_system_info.cgi", "FACTS.md §5.2 [S145]"
    ),
}


def _url(ip: str, port: int, path: str) -> str:
    host = f"[{ip}]" if ":" in ip else ip
    return f"http://{host}:{port}{path}"


async def check_default_login(
    ip: str, make: str, firmware: str, port: int = 80, timeout_s: float = 3.0
) -> CheckResult:
    """``accepted`` if the default login (or no login at all) opens the status page.

    ``refused`` on 401/403, ``unavailable`` if the web interface does not answer
    or answers something else, ``not-checked`` if no default login is known.
    """
    login = DEFAULT_LOGINS.get((make, firmware))
    if login is None:
        return "not-checked"
    auth = httpx.DigestAuth(login.username, login.password)
    try:
        async with (
            httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", _url(ip, port, login.path), auth=auth) as response,
        ):
            status = response.status_code
            text = await _head(response) if status == 200 else b""
    except (httpx.HTTPError, OSError):
        return "unavailable"
    if status in {401, 403}:
        return "refused"
    if status == 200:
        try:
            body = json.loads(text)
        except ValueError:
            return "unavailable"
        return "accepted" if isinstance(body, dict) else "unavailable"
    return "unavailable"


#: The most of a status page read (bytes): a miner's is a few kB; a body without end
#: (a broken or hostile server) was read whole, gigabytes within one host's budget.
MAX_PAGE_BYTES = 1 << 20


async def _head(response: httpx.Response) -> bytes:
    """The body of ``response``, or its first :data:`MAX_PAGE_BYTES` (then not JSON)."""
    read = bytearray()
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) > MAX_PAGE_BYTES:
            break
    return bytes(read)
