"""One host's time budget, kept whatever the libraries under it do (docs/scan.md).

``asyncio.wait_for(probe, timeout)`` cancels a probe once. On Python 3.11 a
cancellation that arrives as an inner ``asyncio.wait_for`` completes is lost, and
pyasic reads a miner's reply in such a loop, in tasks of its own: a device streaming
bytes without end kept reading past the budget, and ``asyncio.run`` then waited for
those tasks at the end of the scan, for ever. So the connections a probe opens
(pyasic's, through ``asyncio.open_connection``) are noted and closed under it when it
ends or its budget does — their reads end — and past the budget the probe is cancelled
until it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

#: Seconds between the cancellations of a probe past its budget.
CANCEL_EVERY_S = 0.05

#: The writers of the connections the probe running in this context opened (its tasks
#: and theirs share the list: a task copies its creator's context).
_OPENED: ContextVar[list[asyncio.StreamWriter] | None] = ContextVar("opened", default=None)


@contextlib.contextmanager
def closable_connections() -> Iterator[None]:
    """For the scan's duration, ``asyncio.open_connection`` notes each connection a probe
    opens (:func:`within` closes them when its budget ends)."""
    opened_by_asyncio = asyncio.open_connection

    async def noted(*args: Any, **kwargs: Any) -> tuple[asyncio.StreamReader,
                                                         asyncio.StreamWriter]:  # fmt: skip
        reader, writer = await opened_by_asyncio(*args, **kwargs)
        opened = _OPENED.get()
        if opened is not None:
            opened.append(writer)
        return reader, writer

    asyncio.open_connection = noted
    try:
        yield
    finally:
        asyncio.open_connection = opened_by_asyncio


async def within(work: Coroutine[Any, Any, None], seconds: float) -> None:
    """Await ``work`` for at most ``seconds`` (past them: cancel it until it ends, and
    raise :class:`TimeoutError`); either way close the connections it opened that are
    still open — pyasic leaves reading tasks behind when it has its answer, or gives up."""
    opened: list[asyncio.StreamWriter] = []
    token = _OPENED.set(opened)
    try:
        task = asyncio.ensure_future(work)  # runs in a copy of this context: noted here
    finally:
        _OPENED.reset(token)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if done:
            return task.result()
        _close(opened)  # its reads end, so a cancellation can land
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=CANCEL_EVERY_S)
        if not task.cancelled():
            task.exception()  # retrieved: it ended otherwise meanwhile, past the budget
        raise TimeoutError
    except asyncio.CancelledError:  # the scan itself is cancelled: take the probe along
        task.cancel()
        raise
    finally:
        _close(opened)


def _close(opened: list[asyncio.StreamWriter]) -> None:
    for writer in opened:
        if not writer.transport.is_closing():
            writer.transport.abort()
