"""Ctrl-C stops any command within a fraction of a second, cleanly.

:func:`install` (called by the entry point) makes SIGINT print one line, remove the
temporary files of writes under way (``hashshock.outputs``), end any worker processes
and exit with code 130 at once — even while the engine's compiled kernels run, because
long work runs in a worker thread (:func:`run_interruptibly`) and the main thread only
waits in short, interruptible steps. Nothing half-written is left behind: outputs are
written atomically and only after the work is done.

Once a command writes its outputs (:func:`outputs_written_whole`: a JSON file, a report,
a run saved to the store), a Ctrl-C no longer leaves some written and others not, under
a message that says none was: the first is held until they are all written (a second
stops at once, saying that some may be).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see hashshock)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import NoReturn, TypeVar

    T = TypeVar("T")

#: Exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Called with the exit code just before an interrupted command exits (the daemon's
#: child reports the code to its client so).
before_exit: list[Callable[[int], None]] = []


class _Writing:
    """Blocks of output writing under way (nested), whether a Ctrl-C came in one, and
    whether one ended by an error (an output not written, said when it failed)."""

    depth = 0
    held = False
    failed = False
    #: What a Ctrl-C outside any writing means for the command (:func:`say_when_stopped`).
    nothing_written = "stopped at once; no output was written"
    #: What a SIGTERM or SIGHUP outside any writing means, after "stopped by SIGTERM; ".
    nothing_written_after_signal = "no output was written"


@contextmanager
def say_when_stopped(text: str, after_signal: str) -> Iterator[None]:
    """What a Ctrl-C (``text``) and a SIGTERM or SIGHUP (``after_signal``) outside any
    writing say while the block runs, when "no output was written" is not so (a dashboard
    has saved its runs as they ended)."""
    before = _Writing.nothing_written, _Writing.nothing_written_after_signal
    _Writing.nothing_written, _Writing.nothing_written_after_signal = text, after_signal
    try:
        yield
    finally:
        _Writing.nothing_written, _Writing.nothing_written_after_signal = before


def interrupted(_signum: int = signal.SIGINT, _frame: FrameType | None = None) -> None:
    """Print one line, clean up, and exit 130 now — unless outputs are being written and
    this is the first Ctrl-C since: then say so and let them finish."""
    if _Writing.depth and not _Writing.held:
        _Writing.held = True
        sys.stderr.write("interrupted: finishing the outputs being written first "
                         "(Ctrl-C again stops now)\n")  # fmt: skip
        sys.stderr.flush()
        return
    _stop("stopped at once; some outputs may have been written, others not" if _Writing.held
          else _Writing.nothing_written)  # fmt: skip


@contextmanager
def outputs_written_whole() -> Iterator[None]:
    """The outputs written in the block are all written even if Ctrl-C comes meanwhile;
    the command then exits 130 as the block ends."""
    _Writing.depth += 1
    ended = False
    try:
        yield
        ended = True
    finally:
        _Writing.depth -= 1
        _Writing.failed |= not ended
        if _Writing.held and not _Writing.depth:
            _stop("stopped; some outputs were not written (said above)" if _Writing.failed
                  else "stopped once the outputs under way were written")  # fmt: skip


def _stop(what: str, code: int = EXIT_INTERRUPTED) -> NoReturn:
    """Remove temporaries, end worker processes and remove a local cluster's scratch
    folder, say ``interrupted: <what>``, exit ``code``."""
    # Not loaded, or still loading (a Ctrl-C during its import): nothing written yet.
    outputs = sys.modules.get("hashshock.outputs")
    remove = getattr(outputs, "remove_pending_temporaries", None)
    if remove is not None:
        remove()
    multiprocessing = sys.modules.get("multiprocessing")  # no module loaded: no children
    children = getattr(multiprocessing, "active_children", None)
    for child in children() if children is not None else ():
        child.kill()
    cluster = sys.modules.get("hashshock.execution.cluster")  # its workers ended above
    scratch = getattr(cluster, "remove_scratch", None)
    if scratch is not None:
        scratch()
    if sys.stderr.isatty():
        sys.stderr.write("\x1b[?25h\n")  # a live progress bar hid the cursor
    sys.stderr.write(f"interrupted: {what}\n")
    sys.stderr.flush()
    for hook in before_exit:
        hook(code)
    os._exit(code)


def terminated(signum: int, _frame: FrameType | None = None) -> None:
    """SIGTERM or SIGHUP (a closed terminal, a job scheduler): clean up as Ctrl-C does
    and exit 128 + the signal's number at once (outputs under way are not waited for)."""
    _stop(f"stopped by {signal.Signals(signum).name}; "
          + ("some outputs may have been written, others not" if _Writing.depth
             else _Writing.nothing_written_after_signal), 128 + signum)  # fmt: skip


def install() -> None:
    """Make Ctrl-C (SIGINT) call :func:`interrupted`, and SIGTERM and SIGHUP
    :func:`terminated` (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, interrupted)
        signal.signal(signal.SIGTERM, terminated)
        signal.signal(signal.SIGHUP, terminated)


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
