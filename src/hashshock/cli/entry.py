"""The ``hashshock`` console entry point: Ctrl-C handling first, then a running
``hashshock daemon`` if there is one, else the app.

With a daemon started (``hashshock daemon start``) the command runs in a child of it,
which has the libraries and compiled kernels loaded already
(:mod:`hashshock.cli.daemon_client`); the output and exit code are the same.

Installing the SIGINT handler before the command modules are imported means that even
a Ctrl-C during start-up gives one line and exit code 130, not a traceback.

A command's start-up creates a few hundred thousand objects that live as long as the
process (modules, classes, typing and pydantic schemas, numba's registries); at
Python's default of a collection every 700 new objects, the cyclic garbage collector
walks them again and again (about a tenth of ``hashshock validate``). The command line
collects every :data:`GC_THRESHOLD` objects instead: the same collections, later.

The first pydantic model looks for pydantic plugins in every installed distribution's
entry points (about 40 ms, a tenth of ``hashshock validate``). hashshock's models use no
plugin, so the command line turns the look-up off, as typer does while it builds its
adapters — unless ``PYDANTIC_DISABLE_PLUGINS`` is already set (to ``""`` to keep plugins
on): the library itself (``import hashshock``) leaves it alone.

Importing numpy starts OpenBLAS's thread pool, one thread a core, which spin before they
sleep: 60 ms of ``hashshock validate``'s start-up with another job on the machine. The
engine is numba's and its paths run on its own threads; numpy's linear algebra here is
matrix-vector products over four part types, below OpenBLAS's threshold for threads. So
the command line asks for one BLAS thread (``OPENBLAS_NUM_THREADS=1``) unless the
variable is set: the same numbers, no pool.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (see hashshock)
if TYPE_CHECKING:
    from typing import Any

#: New objects between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 50_000
#: The ``-W`` option that keeps the resource tracker's leaked-semaphores warning quiet.
QUIET_TRACKER = "ignore:resource_tracker:UserWarning"
#: Environment defaults of a command-line process (a value already set is kept).
PROCESS_ENV = {"PYDANTIC_DISABLE_PLUGINS": "__all__", "OPENBLAS_NUM_THREADS": "1"}


def main() -> None:
    import sys

    from hashshock.cli.interrupt import install

    install()  # first: a Ctrl-C while the daemon is looked for is one line and 130 too
    from hashshock.cli.daemon_client import run_on_daemon

    code = run_on_daemon(sys.argv[1:])
    if code is None:
        prepare_process()
        code = run_command()
    sys.exit(code)


def prepare_process() -> None:
    """Settings of a command-line process: the collector's threshold, pydantic's plugins,
    and no Python warnings issued for hashshock's own commands (they print the result's
    warnings themselves: :class:`~hashshock.notices.HashshockWarning`).

    A command stopped by Ctrl-C ends its worker processes at once; multiprocessing's
    resource tracker (a process of its own, started with this process's ``-W`` options)
    then frees the semaphores they held and would say so in a two-line warning after the
    command's one line. It still frees them; :data:`QUIET_TRACKER` keeps it quiet."""
    import gc
    import os
    import sys
    import warnings

    for name, value in PROCESS_ENV.items():
        os.environ.setdefault(name, value)
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    from hashshock.notices import HashshockWarning

    warnings.filterwarnings("ignore", category=HashshockWarning)


def run_command(whole_tree: bool = False) -> int:
    """Run the command of ``sys.argv``; its exit code (a message given as the code is
    printed, as Python's own exit does). The tree of that command alone is built
    (``whole_tree``: every command's, which a ``hashshock daemon`` has built already)."""
    import sys

    from hashshock.cli.interrupt import install

    install()
    sys.stdout = ReaderMayLeave(sys.stdout)
    from typer import Abort
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    from hashshock.cli.app import click_command

    try:
        # Not standalone: click's usage errors come here, to be one line as ours are.
        only = None if whole_tree else _command_named(sys.argv[1:])
        done = click_command(only).main(prog_name="hashshock", standalone_mode=False)
    except SystemExit as stopped:
        if stopped.code is None or isinstance(stopped.code, int):
            return stopped.code or 0
        sys.stderr.write(f"{stopped.code}\n")
        return 1
    except NoArgsIsHelpError as bare:  # a group named alone: its help
        bare.show()
        return bare.exit_code
    except UsageError as wrong:
        sys.stderr.write(usage_error_line(wrong) + "\n")
        return wrong.exit_code
    except ClickException as failed:
        failed.show()
        return failed.exit_code
    except Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    return done if isinstance(done, int) else 0


class ReaderMayLeave:
    """Standard output that a reader may close early (``hashshock … | head``): what is
    printed after that is dropped, so the command still writes the files it was asked
    for (``--json``, ``--report``, ``--save``) and ends as it would have.

    Without it the first write after the reader left raises ``BrokenPipeError``, which
    ends the command before its files are written. Once the pipe is broken, standard
    output's descriptor is pointed at ``/dev/null`` so that nothing flushed later (at
    exit too) fails again."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.reader_left = False

    def write(self, text: str) -> int:
        if not self.reader_left:
            try:
                return int(self._stream.write(text))
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self.reader_left:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def _leave(self) -> None:
        import os

        self.reader_left = True
        try:
            nowhere = os.open(os.devnull, os.O_WRONLY)
            os.dup2(nowhere, self._stream.fileno())
            os.close(nowhere)
        except (OSError, ValueError):  # no descriptor (a test's stream): nothing to flush
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _command_named(args: list[str]) -> str | None:
    """The command the arguments name (the root takes no option but ``--version`` and
    ``--help``, which need the whole tree): its tree alone is built."""
    return args[0] if args and not args[0].startswith("-") else None


def usage_error_line(wrong: Exception) -> str:
    """A command-line usage error (a bad option value, a missing argument, an unknown
    option or command) as one line, as the command line's own input errors are:
    ``error: <what> — fix: <how>``."""
    not_finite = _not_finite_input(wrong)
    if not_finite is not None:  # typer's range check would say "should be ≤ 1" of a nan
        wrong.message = f"{not_finite} is not a finite number"  # type: ignore[attr-defined]
    message = wrong.format_message().rstrip(".")  # type: ignore[attr-defined]
    ctx = getattr(wrong, "ctx", None)
    command = ctx.command_path if ctx is not None else "hashshock"
    if "unexpected extra argument" in message and "(-)" in message and _json_switch(ctx):
        # `runs list --json -`, as the commands whose --json takes a path are written
        return f"error: {message} — fix: {json_dash_fix(command)}"
    return f"error: {message} — fix: see `{command} --help`"


def json_dash_fix(command: str) -> str:
    """The fix for ``--json -`` given to a command whose ``--json`` is a switch."""
    return (
        f"here --json takes no value and prints JSON on stdout: drop the '-' (`{command} --help`)"
    )


def _json_switch(ctx: Any) -> bool:
    """Whether the command of ``ctx`` has a ``--json`` that is a switch (the listing
    commands: ``runs list``, ``catalog``, ``scenarios``, ``data show``)."""
    params = getattr(getattr(ctx, "command", None), "params", None) or []
    return any("--json" in getattr(p, "opts", ()) and getattr(p, "is_flag", False)
               for p in params)  # fmt: skip


def _not_finite_input(wrong: Exception) -> str | None:
    """The value as typed when an option's value was refused for being nan or infinite
    (typer checks ranges with pydantic, which the error is raised from), else None."""
    errors = getattr(wrong.__cause__, "errors", None)
    if not callable(errors):
        return None
    import math

    for error in errors():
        if not isinstance(error, dict) or str(error.get("type", "")).startswith("int"):
            continue  # a whole number was asked for: pydantic's "valid integer" says it
        typed = error.get("input")
        try:
            number = float(typed)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if not math.isfinite(number):
            return str(typed)
    return None
