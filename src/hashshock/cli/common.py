"""What the commands share: the fleet argument and run options, the one-line error and
its exit code, warnings, writing an output after the summary, and the progress bar.
Light at import (start-up rule in :mod:`hashshock.cli.app`).

Every text from the user's inputs is printed through :func:`literal`: rich would take
``[microbt]`` in ``vendor_lines[microbt]`` for a style and drop it (and stop at ``[/]``),
and a raw escape character in a name would restyle the user's terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from hashshock.inputs.errors import InputError
from hashshock.words import shown_controls

if TYPE_CHECKING:
    from hashshock.sizing import RunEstimate

err_console = Console(emoji=False, stderr=True)

FleetArg = Annotated[str, typer.Argument(help="Fleet YAML file (see README 'Fleet file').")]
PathsOpt = Annotated[int, typer.Option("--paths", "-n", help="Monte Carlo paths.")]
HorizonOpt = Annotated[int, typer.Option("--horizon", help="Days to simulate (1-1098).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the random tree.")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on this Dask scheduler, tcp://HOST:PORT "
                 "(default: $DASK_SCHEDULER_ADDRESS, else locally)."),
]  # fmt: skip
ClusterWorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", help="Local Dask worker processes (1: one run at a time "
                 "here; default: threads here, one per core)."),
]  # fmt: skip
JsonOpt = Annotated[
    str | None, typer.Option("--json", help="Write the JSON result here ('-' for stdout).")
]


def literal(text: object) -> str:
    """``text`` from the user's inputs (a fleet, site, scenario, strategy or operator
    name, or a message quoting one) made safe to put into rich markup, printed as written.

    Brackets are escaped, so ``farm [old]`` keeps ``[old]`` and ``farm [/]`` cannot end
    the line's style (rich would raise ``MarkupError``); control characters are shown as
    Python writes them (``\\x1b``, ``\\n``), so an escape sequence in a name cannot
    restyle the user's terminal and a name stays on one line.
    """
    return escape(shown_controls(str(text)))


#: ``--json`` of the listing commands (catalog, scenarios, data show, daemon status): the
#: same content on stdout as JSON.
AsJsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]
#: ``--quiet``: the commands that show progress and a summary.
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary or progress bar.")]


def writes_stdout(*written: str | Path | None) -> bool:
    """Whether one of the outputs ``written`` is standard output (``-``, ``/dev/stdout``, a
    pipe): then what a command prints goes to stderr, or it would join that output."""
    from hashshock.outputs import is_stream

    return any(w is not None and (str(w) == "-" or is_stream(Path(w))) for w in written)


def confirming(out: Console, *written: str | Path | None) -> Console:
    """Where a "wrote FILE" line goes: ``out``, or stderr when one of the outputs
    ``written`` is standard output (:func:`writes_stdout`) — on stdout the line joined the
    JSON or the page it confirms."""
    return Console(emoji=False, stderr=True) if writes_stdout(*written) else out


def say(console: Console, text: str, *, lead: str = "", indent: int | None = None) -> None:
    """Print a line of plain text (user's names and paths included, printed as written)
    wrapped at spaces to the console's width, rather than cut mid-word by the terminal.

    ``lead``: markup before the text (``"[green]ok[/] "``), counted by the columns it
    shows. Continuation lines start ``indent`` columns in (default: two past the line's
    own indent). A word longer than a line (a path) is kept whole, never broken.
    Errors, warnings and notes go through :func:`tell`, which wraps them on a terminal
    only."""
    from rich.text import Text

    shown = shown_controls(text)
    lead_columns = Text.from_markup(lead).cell_len
    own_indent = len(shown) - len(shown.lstrip())
    more = own_indent + 2 if indent is None else indent
    lines = wrap_cells(shown.strip(), max(console.width, more + 20), lead_columns + own_indent,
                       more)  # fmt: skip
    console.print(lead + escape("\n".join(lines)[lead_columns:]), highlight=False,
                  soft_wrap=True)  # fmt: skip


def wrap_cells(text: str, width: int, first_indent: int, indent: int) -> list[str]:
    """``text`` wrapped at spaces to ``width`` terminal cells (a wide character, as in
    Chinese or Japanese, takes two: ``textwrap`` counts it as one and overflows), the
    first line ``first_indent`` cells in, the others ``indent``. A word longer than a
    line is kept whole on a line of its own; spaces inside a line are kept as written
    (a path may hold two), those where a line breaks are dropped."""
    import re

    from rich.cells import cell_len

    lines: list[str] = []
    line, used = " " * first_indent, first_indent
    fresh = True  # nothing but the indent on the line yet
    for gap, word in re.findall(r"( *)([^ ]+)", text.strip(" ")):
        cells = cell_len(word)
        if not fresh and used + len(gap) + cells > width:
            lines.append(line)
            line, used, fresh = " " * indent, indent, True
        joined = word if fresh else gap + word
        line, used, fresh = line + joined, used + cell_len(joined), False
    lines.append(line.rstrip() if fresh else line)
    return lines


def tell(console: Console, lead: str, text: str) -> None:
    """An error, warning or note: ``lead`` (markup, ``"[bold red]error:[/] "``) then
    ``text`` (plain, the user's names printed as written). On a terminal it is wrapped at
    spaces to the width (:func:`say`), continuation lines indented two columns, rather
    than cut mid-word; piped or redirected it stays one line, for grep and logs."""
    if console.is_terminal:
        say(console, text, lead=lead, indent=2)
    else:
        console.print(lead + literal(text), highlight=False, soft_wrap=True)


def error_exit(exc: InputError) -> typer.Exit:
    """Print ``exc`` on stderr (:func:`tell`); the exit to raise (code 2)."""
    tell(err_console, "[bold red]error:[/] ", exc.message)
    return typer.Exit(2)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn :class:`InputError` into exit code 2 with one line on stderr."""
    try:
        yield
    except InputError as exc:
        raise error_exit(exc) from None


#: Runs (and sweeps) estimated to take longer than this (seconds) say so before they start
#: (docs/limits.md).
LONG_RUN_SECONDS = 30.0


def note_long_run(estimate: RunEstimate, what: str) -> None:
    """On stderr, ``note: {what} needs … (estimated)`` when ``estimate`` is longer than
    :data:`LONG_RUN_SECONDS`: hours of work never start without a word."""
    if estimate.seconds > LONG_RUN_SECONDS:
        tell(err_console, "note: ", f"{what} needs {estimate.describe()} (estimated)")


def warn_all(lines: Iterable[str], console: Console | None = None) -> None:
    """Print each accepted-but-notable input as a warning (:func:`tell`) on ``console``
    (default: stderr)."""
    for line in lines:
        tell(console or err_console, "[bold yellow]warning:[/] ", line)


@contextmanager
def warnings_said(already: Iterable[str] = ()) -> Iterator[Callable[[], None]]:
    """Within, each :class:`~hashshock.notices.HashshockWarning` the Python API issues
    (which a command otherwise ignores, :func:`hashshock.cli.entry.prepare_process`) is
    printed at once as a warning line, but for the texts in ``already`` (the command said
    them itself) and those said before, until the callable it yields is called: what a
    long command knows before its runs (a sweep's points whose inputs are invalid) is
    said then, not after them; what follows, the command prints as its result's."""
    import warnings

    from hashshock.notices import HashshockWarning

    said, hushed = set(already), [False]
    with warnings.catch_warnings():
        warnings.simplefilter("always", HashshockWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: object,
                 **kwargs: object) -> None:  # fmt: skip
            if not issubclass(category, HashshockWarning):
                shown(message, category, *args, **kwargs)  # type: ignore[arg-type]
            elif not hushed[0] and str(message) not in said:
                said.add(str(message))
                warn_all([str(message)])

        warnings.showwarning = show
        yield lambda: hushed.__setitem__(0, True)


def write_or_report(write: Callable[[], object], target: str) -> bool:
    """Do ``write``; if it fails now (a full disk, say), say where the results could not go
    and return False (the caller exits 1 after the other outputs; the summary has been
    printed already). A Ctrl-C meanwhile waits for the write (:mod:`hashshock.cli.interrupt`)."""
    from hashshock.cli.interrupt import outputs_written_whole

    try:
        with outputs_written_whole():
            write()
    except (OSError, InputError) as exc:
        # An input error carries its own fix (a store locked by another process: try
        # again); a failed write's is room or another path.
        if isinstance(exc, InputError):
            reason, fix = exc.problem, exc.fix
            # the writer's own "could not be written (No space left…)": said once
            from hashshock.outputs import UNWRITTEN

            if reason.startswith(f"{UNWRITTEN} (") and reason.endswith(")"):
                reason = reason.removeprefix(f"{UNWRITTEN} (").removesuffix(")")
        else:
            reason, fix = exc.strerror or str(exc), "free space or choose another path"
        tell(
            err_console,
            "[bold red]error:[/] ",
            f"{target}: the results could not be written ({reason}) — fix: {fix}",
        )
        return False
    return True


@contextmanager
def progress_bar(enabled: bool, doing: str = "simulating",
                 unit: str = "days") -> Iterator[Callable[[int, int], None] | None]:  # fmt: skip
    """A rich progress bar on stderr when it is a terminal; yields the callback taking the
    ``unit`` done and their total (the engine's days, a sweep's tasks). Before the first
    call it says what the wait is (:func:`starting_words`)."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[done]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(starting_words(), total=None, done="")

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=doing,
                       done=f"{done}/{total} {unit}")  # fmt: skip

        yield update


@contextmanager
def working(enabled: bool, text: str) -> Iterator[None]:
    """A spinner saying ``text`` on stderr while the block runs, when stderr is a terminal
    (a wait with no count to show: ``fit`` of 5,000 machines' monthly scans was 28 s of
    silence)."""
    if not enabled or not err_console.is_terminal:
        yield
        return
    with err_console.status(text):
        yield


def days_of(runs: int) -> str:
    """The progress bar's unit for ``runs`` runs of the horizon each (``compare``'s
    baseline and scenarios: 730 days of two runs, not 730 of a year's horizon)."""
    return "days" if runs == 1 else f"days of {runs} runs"


def starting_words() -> str:
    """What the progress bar says before the engine's first day: that the kernels compile
    (once after installing or changing the engine, README) when numba's cache beside the
    engine holds no index of the main kernel as new as its source, else that it starts
    (and that a first run compiles, where numba caches elsewhere)."""
    step = Path(__file__).resolve().parents[1] / "engine" / "step.py"
    if os.environ.get("NUMBA_CACHE_DIR") or not os.access(step.parent, os.W_OK):
        # numba caches elsewhere (its user-wide folder): not looked for
        return "starting (a first run compiles the engine: 30–40 s)"
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    try:
        source = step.stat().st_mtime
        cached = any(index.stat().st_mtime >= source for index in
                     (step.parent / "__pycache__").glob(f"step.run_days-*.{tag}.nbi"))  # fmt: skip
    except OSError:
        cached = False
    return "starting" if cached else "compiling the engine (once: 30–40 s)"
