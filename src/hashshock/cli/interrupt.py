"""Ctrl-C stops any command within a fraction of a second, cleanly.

:func:`install` (called by the entry point) makes SIGINT print one line, remove the
temporary files of writes under way (``hashshock.outputs``), end any worker processes
and exit with code 130 at once — even while the engine's compiled kernels run, because
long work runs in a worker thread (:func:`run_interruptibly`) and the main thread only
waits in short, interruptible steps. Nothing half-written is left behind: outputs are
written atomically and only after the work is done.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import NoReturn, TypeVar

from hashshock.outputs import remove_pending_temporaries

T = TypeVar("T")

#: Exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Called with the exit code just before an interrupted command exits (the daemon's
#: child reports the code to its client so).
before_exit: list[Callable[[int], None]] = []


def interrupted(_signum: int = signal.SIGINT, _frame: FrameType | None = None) -> NoReturn:
    """Print one line, clean up, and exit 130 now."""
    remove_pending_temporaries()
    multiprocessing = sys.modules.get("multiprocessing")  # no module loaded: no children
    for child in multiprocessing.active_children() if multiprocessing is not None else ():
        child.kill()
    if sys.stderr.isatty():
        sys.stderr.write("\x1b[?25h\n")  # a live progress bar hid the cursor
    sys.stderr.write("interrupted: stopped at once; no output was written\n")
    sys.stderr.flush()
    for hook in before_exit:
        hook(EXIT_INTERRUPTED)
    os._exit(EXIT_INTERRUPTED)


def install() -> None:
    """Make Ctrl-C (SIGINT) call :func:`interrupted` (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, interrupted)


def run_interruptibly(work: Callable[[], T]) -> T:
    """``work()`` in a worker thread while this thread waits in 0.1 s steps, so that a
    signal handler runs at once; its result, or its exception re-raised here."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=target, name="hashshock-work", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    if failure:
        raise failure[0]
    return outcome[0]
