"""Who may talk to the dashboard.

* **Host header**: on a loopback address only ``127.0.0.1``/``localhost``/``[::1]`` with
  the server's port are answered, which defeats DNS-rebinding pages.
* **Token**: a server on any other address requires a token, generated at start and
  printed once: given as ``?token=`` on the first page load it becomes a same-site,
  HTTP-only cookie; scripts may send the header ``X-Hashshock-Token``. Tokens are compared
  in constant time (:func:`hmac.compare_digest`).
* **Writes** (POST) need the header ``X-Hashshock: 1``, which a cross-site form cannot
  send and a cross-site script cannot send without a CORS preflight this server refuses.
* **No framing**: every answer forbids other pages to frame it (:class:`NoFraming`), so a
  page elsewhere cannot lay its own buttons over the dashboard's (clickjacking).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

#: Headers on every answer: framed by no page, old browsers (X-Frame-Options) and new
#: (CSP). The policy names frame-ancestors only, so it blocks no script of the page nor
#: the inline plotly of the HTML report.
FRAME_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)
TOKEN_COOKIE = "hashshock_token"
TOKEN_HEADER = "x-hashshock-token"
WRITE_HEADER = "x-hashshock"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class Guard:
    """The checks above, as an HTTP middleware (``app.middleware("http")(guard)``)."""

    def __init__(self, host: str, port: int, token: str | None) -> None:
        self.token = token
        self.hosts: set[str] | None = None
        if is_loopback(host):
            self.hosts = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]", host)}

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if self.hosts is not None and request.headers.get("host", "") not in self.hosts:
            return JSONResponse({"error": "unknown Host header"}, status_code=403)
        if self.token is not None:
            query = request.query_params.get("token")
            if (
                request.method in ("GET", "HEAD")
                and request.url.path == "/"
                and _same(query, self.token)
            ):
                page = RedirectResponse("/", status_code=303)
                page.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                return page
            given = request.headers.get(TOKEN_HEADER) or request.cookies.get(TOKEN_COOKIE)
            if not _same(given, self.token):
                return JSONResponse(
                    {"error": "this dashboard needs its token: open the address printed when "
                     "it started (…/?token=…)"}, status_code=401)  # fmt: skip
        if request.method not in ("GET", "HEAD") and request.headers.get(WRITE_HEADER) != "1":
            return JSONResponse({"error": f"missing header {WRITE_HEADER}: 1"}, status_code=403)
        return await call_next(request)


class NoFraming:
    """ASGI middleware: :data:`FRAME_HEADERS` on every response. Added last, it is the
    outermost, so the other middlewares' refusals (403, 401, 413) carry them too."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def framed(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *FRAME_HEADERS]}
            await send(message)

        await self.app(scope, receive, framed)


class BodyLimit:
    """ASGI middleware: a request body larger than ``limit`` bytes is answered 413 before
    it is read whole (by its Content-Length, else as it streams in), except on the
    ``exempt`` paths, which check their own (uploads). A body within the limit is read
    here and handed to the app whole: refusing from inside the app's own read left the
    app's body parser to answer a chunked one 400."""

    def __init__(self, app: Any, limit: int, exempt: frozenset[str]) -> None:
        self.app, self.limit, self.exempt = app, limit, exempt

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        received, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the app sees it
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.limit:
                await self._refuse(scope, receive, send)
                return
            more = bool(message.get("more_body", False))
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, scope: Any, receive: Any, send: Any) -> None:
        answer = JSONResponse(
            {"error": f"request body larger than {self.limit // 1024} kB: a run or a pick "
             "is a few hundred bytes"}, status_code=413,
        )  # fmt: skip
        await answer(scope, receive, send)


def _replay(messages: list[Any], receive: Any) -> Any:
    """An ASGI ``receive`` giving ``messages`` first, then what ``receive`` gives."""
    pending = list(messages)

    async def replayed() -> Any:
        return pending.pop(0) if pending else await receive()

    return replayed
