"""``hashshock sweep``: add it to an app with :func:`register`.

Runs a sweep spec (docs/sweeps.md) — grid, one-way, tornado, Sobol' or Latin
hypercube — prints what drives each metric, and writes the JSON and the HTML report
asked for. Given a sweep's JSON instead of a spec, it writes that sweep's report
again without simulating. Where the points run: ``--scheduler`` (or
``DASK_SCHEDULER_ADDRESS``) a running Dask cluster; ``--workers N`` a local Dask
cluster of N processes (1: one point after the other in this process); by default
Dask's threaded scheduler in this process, one task per core, each on one engine
thread — measured fastest here (docs/sweeps.md, "Execution").

Bad input exits 2 with one line (file, field, problem, fix); a point whose inputs are
invalid is reported on its own line and the others still run (exit 2 after the
outputs are written). Start-up rule (``hashshock.cli.app``): only typer, rich, the
standard library and light hashshock modules load with ``--help``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hashshock.cli.common import (
    ClusterWorkersOpt,
    QuietOpt,
    SchedulerOpt,
    confirming,
    error_exit,
    literal,
    note_long_run,
    progress_bar,
    say,
    tell,
    warn_all,
    warnings_said,
    write_or_report,
)
from hashshock.cli.interrupt import outputs_written_whole
from hashshock.cli.report import SaveToStoreOpt
from hashshock.cli.table import Table
from hashshock.inputs.errors import InputError
from hashshock.outputs import check_distinct_outputs, check_output, write_json
from hashshock.words import counted, ordinal, signed

if TYPE_CHECKING:
    from hashshock.execution import Executor
    from hashshock.sweep.result import SweepResult

SpecArg = Annotated[
    Path,
    typer.Argument(metavar="SPEC", show_default=False,
                   help="Sweep spec YAML (docs/sweeps.md), or a sweep's JSON to report again."),
]  # fmt: skip
JsonOpt = Annotated[
    str | None, typer.Option("--json", help="Write the sweep's JSON here ('-' for stdout).")
]
ReportOpt = Annotated[
    str | None, typer.Option("--report", help="Write the HTML report here (.html).")
]
PathsOpt = Annotated[
    int | None, typer.Option("--paths", "-n", help="Monte Carlo paths (default: the spec's).")
]
SaveOpt = Annotated[
    bool, typer.Option("--save", help="Keep the sweep and its points in the run store.")
]

out = Console(emoji=False)
err = Console(emoji=False, stderr=True)


def _executor(points: int, workers: int | None, scheduler: str | None,
              quiet: bool) -> Executor:  # fmt: skip
    """Where the points run (module docstring)."""
    from hashshock.execution import make_executor
    from hashshock.execution.choose import cores
    from hashshock.execution.cluster import DaskExecutor

    chosen = make_executor(workers, scheduler, threads=cores())
    if not quiet:
        where = "in this process" if chosen.label == "in-process" else f"on {chosen.label}"
        err.print(f"{points:,} points {where}", highlight=False)
        if isinstance(chosen, DaskExecutor) and chosen.worker_count == 0:
            err.print("note: the scheduler has no workers yet; the sweep waits for them "
                      "(start some with `dask worker ADDRESS`)", highlight=False)  # fmt: skip
    return chosen


def _rerender(source: Path, json_out: str | None, report: str | None, quiet: bool) -> None:
    from hashshock.sweep.report import write_sweep_report
    from hashshock.sweep.result import load_result

    try:
        result = load_result(source)
        if json_out is None and report is None:
            raise InputError(source, None, "is a sweep's JSON already",
                             "add --report PATH.html to write its report")  # fmt: skip
        check_output(json_out, "--json", [source])
        if report is not None:
            check_output(report, "--report", [source], (".html", ".htm"))
        check_distinct_outputs(("--json", json_out), ("--report", report))
        with outputs_written_whole():
            if report is not None:
                from hashshock.report.write import drawn_from_files

                with drawn_from_files([source], "hashshock sweep --json"):
                    write_sweep_report(result, report, source=str(source))
            if json_out is not None:
                write_json(result.to_dict(), json_out, "--json", indent=None)
    except InputError as exc:
        raise error_exit(exc) from None
    if not quiet and report is not None:  # on stderr when stdout is the JSON
        say(confirming(out, json_out, report), f"wrote {report}")


def sweep_command(
    spec: SpecArg,
    json_out: JsonOpt = None,
    report: ReportOpt = None,
    scheduler: SchedulerOpt = None,
    workers: ClusterWorkersOpt = None,
    paths: PathsOpt = None,
    save: SaveOpt = False,
    store: SaveToStoreOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Vary inputs on common random numbers and show what drives each metric.

    Any field of the fleet (or of an industry), scenario or market, as a grid, one at a
    time (tornado, spider) or sampled (Latin hypercube, Sobol' indices)."""
    from hashshock.cli.interrupt import run_interruptibly

    if spec.suffix.lower() == ".json":
        # Options for running a spec would do nothing here: said, not ignored.
        running = [name for name, given in (("--save", save), ("--store", store),
                   ("--paths", paths), ("--workers", workers), ("--scheduler", scheduler))
                   if given is not None and given is not False]  # fmt: skip
        if running:
            raise error_exit(
                InputError(
                    spec,
                    running[0],
                    "is for running a spec, and a sweep's JSON is drawn again, not run",
                    f"leave {running[0]} out, or give the spec (YAML) to run it",
                )
            )
        _rerender(spec, json_out, report, quiet)
        return
    try:
        from hashshock.prepare import check_run_args
        from hashshock.sweep.run import survey, sweep

        if paths is not None:
            check_run_args(paths, 0)
        from hashshock.execution.choose import at_once_here, check_placement, cores, runs_remote

        check_placement(workers, scheduler)
        # bad input fails here, before any cluster starts (a running cluster's workers'
        # memory, once connected)
        plan = survey(spec, paths, at_once_here(None, workers, scheduler, threads=cores()),
                      here=not runs_remote(None, scheduler))  # fmt: skip
        check_output(json_out, "--json", plan.files)
        if report is not None:
            check_output(report, "--report", plan.files, (".html", ".htm"))
        store_file: Path | None = None
        if save or store is not None:
            from hashshock.store import check_store

            store_file = check_store(store)
        check_distinct_outputs(("--json", json_out), ("--report", report), ("--store", store_file))
        from hashshock.cli.market_options import warn_if_stale
        from hashshock.inputs.load import LoadedFleet

        # with --quiet too, as run's: a warning is not a summary
        said: list[str] = []
        if isinstance(plan.base.loaded, LoadedFleet):  # an industry's runs warn on their own
            start = warn_if_stale(Console(emoji=False, stderr=True), plan.base.market,
                                  plan.base.loaded)  # fmt: skip
            warn_all(plan.base.loaded.warnings)  # the base fleet's, as run says them
            said = [*start.notes, *([start.warning] if start.warning else []),
                    *plan.base.loaded.warnings]  # fmt: skip
        if not quiet:
            note_long_run(plan.estimate, "this sweep")
        executor = _executor(plan.points, workers, scheduler, quiet or json_out == "-")
        started = time.perf_counter()
        try:
            # the points whose inputs are invalid, and the base's plan's warnings (a
            # repair bench overloaded), said before the runs as the Python API says them;
            # from the first task done on, the result's errors are printed after it
            with (
                warnings_said(said) as hush,
                progress_bar(not quiet and json_out != "-", "sweeping", "tasks") as tick,
            ):

                def done(finished: int, total: int) -> None:
                    hush()
                    if tick is not None:
                        tick(finished, total)

                result = run_interruptibly(
                    lambda: sweep(spec, executor=executor, progress=done, paths=paths)
                )
        finally:
            executor.close()
        seconds = time.perf_counter() - started
    except InputError as exc:
        raise error_exit(exc) from None
    data = result.to_dict()
    if not quiet and json_out != "-":
        render_sweep(out, data, seconds)
    for point in result.failed:
        tell(err, "[bold red]error:[/] ", str(point.error))
    if not _write_outputs(result, data, json_out, report, save, store, quiet):
        raise typer.Exit(1)
    if result.failed:
        raise typer.Exit(2)


def _write_outputs(
    result: SweepResult, data: dict[str, Any], json_out: str | None, report: str | None,
    save: bool, store: str | None, quiet: bool,
) -> bool:  # fmt: skip
    """The sweep's JSON, report and stored copy, as asked for, each written even if
    another could not be (said, as ``run``'s are); False if one could not. A Ctrl-C
    meanwhile waits for all of them (not one at a time: between two it said that nothing
    was written, with the JSON there)."""
    from hashshock.cli.interrupt import outputs_written_whole

    with outputs_written_whole():
        return _write_each(result, data, json_out, report, save, store, quiet)


def _write_each(
    result: SweepResult, data: dict[str, Any], json_out: str | None, report: str | None,
    save: bool, store: str | None, quiet: bool,
) -> bool:  # fmt: skip
    written = True
    if json_out is not None:
        written &= write_or_report(lambda: write_json(data, json_out, "--json", indent=None),
                                   json_out)  # fmt: skip
    if report is not None:
        from hashshock.sweep.report import write_sweep_report

        drawn = write_or_report(lambda: write_sweep_report(result, report), report)
        if drawn and not quiet:  # on stderr when stdout is the JSON
            say(confirming(out, json_out, report), f"wrote {report}")
        written &= drawn
    if save or store is not None:
        from hashshock.store.db import store_path
        from hashshock.store.sweeps import save_sweep

        ids: list[str] = []
        # named by its path: opening it here (a store locked meanwhile) would escape the
        # report of what could not be written
        written &= write_or_report(lambda: ids.append(save_sweep(result, store)),
                                   str(store_path(store)))  # fmt: skip
        if ids:  # with --quiet too, as `run`
            err.print(f"saved sweep {ids[0]}", highlight=False)
    return written


def _value(value: Any, metric: str) -> str:
    from hashshock.report.figures.sweep import value_text

    return value_text(value, metric)


#: Inputs a tornado table shows in the terminal, largest swing first.
TORNADO_ROWS = 10


def render_sweep(console: Console, data: dict[str, Any], seconds: float | None) -> None:
    """What drives each metric, in a table per metric (``seconds``: how long the sweep
    took, ``None`` for a saved one)."""
    from hashshock.cli.render import table_width
    from hashshock.report.figures.sweep import difference_text, input_text, one_path_note
    from hashshock.sweep.metrics import describe

    head = data["sweep"]
    method = head["method"]
    failed = len(data["failed_points"])
    console.print(
        f"[bold]{literal(str(head['name']))}[/]: {method} sweep, {len(data['points']):,} points "
        f"({failed} failed) of {counted(head['paths'], 'path')} × "
        f"{counted(head['horizon_days'], 'day')}, seed "
        f"{head['seed']}" + ("" if seconds is None else f", in {seconds:.1f} s"),
        highlight=False,
    )  # fmt: skip
    if method == "tornado":
        low, high = (head.get("settings") or {}).get("percentiles", [10, 90])
        console.print(f"low, high: each input alone at the {ordinal(low)} and "
                      f"{ordinal(high)} percentile of its range, the others at base; "
                      "swing: the bar's whole extent, the highest of at low, at high and "
                      "base less the lowest", highlight=False)  # fmt: skip
    base = data["base"]["metrics"] or {}
    for metric in head["metrics"]:
        console.print(Table.grid())
        analysis = data.get(method, {}).get(metric, {})
        table = Table(title=f"{metric}: {describe(metric)} (base "
                      f"{_value(base.get(metric), metric)})", title_justify="left")  # fmt: skip
        if method == "tornado":
            for column in ("input", "low → high input", "at low", "at high", "swing"):
                # folded: an input's path cut short names no input
                table.add_column(
                    column, justify="left" if column == "input" else "right", overflow="fold"
                )
            every = analysis.get("rows", [])
            rows = [row for row in every if row["swing"] != 0]  # (None: undefined, kept)
            said = []
            if len(rows) > TORNADO_ROWS:  # the rows come largest swing first
                said.append(f"{len(rows) - TORNADO_ROWS} more inputs with smaller swings "
                            "(all in --json and the report)")  # fmt: skip
            if len(every) > len(rows):
                still = len(every) - len(rows)
                verb = "moves" if not rows else ("does not move" if still == 1 else
                                                  "do not move")  # fmt: skip
                said.append(f"{'no input' if not rows else counted(still, 'input')} {verb} "
                            "it (swing 0)")  # fmt: skip
            resolution = one_path_note(metric, int(head["paths"]))
            if resolution and any(row["swing"] for row in rows):  # (not of failed rows alone)
                said.append(resolution)
            broken = {p.get("varies") for p in data["points"] if p.get("error")}
            undefined = [row for row in rows if row["swing"] is None]
            if any(row["input"] in broken for row in undefined):
                said.append("swing —: a point of the input failed (its error is said below)")
            if any(row["input"] not in broken for row in undefined):
                said.append(
                    "swing —: the metric is undefined at one end (a stage too rare "
                    "there), so the input is listed last whatever its other end"
                )
            if said:
                table.caption = "; ".join(said)
                table.caption_justify = "left"
            for row in rows[:TORNADO_ROWS]:
                table.add_row(
                    literal(str(row["input"])),
                    f"{input_text(row['low_input'])} → {input_text(row['high_input'])}",
                    _value(row["low"], metric),
                    _value(row["high"], metric),
                    difference_text(row["swing"], metric),
                )
        elif method == "sobol":
            if "error" in analysis:
                console.print(f"{metric}: no Sobol' indices — {literal(analysis['error'])}")
                continue
            for column in ("input", "S1", "S1 interval", "ST", "ST interval"):
                # folded: an input's path cut short names no input
                table.add_column(
                    column, justify="left" if column == "input" else "right", overflow="fold"
                )
            order = sorted(analysis["ST"], key=lambda n: -analysis["ST"][n])
            for name in order:
                lo1, hi1 = analysis["S1_interval"][name]
                lot, hit = analysis["ST_interval"][name]
                table.add_row(literal(name), f"{analysis['S1'][name]:.3f}",
                              f"{lo1:.3f} – {hi1:.3f}", f"{analysis['ST'][name]:.3f}",
                              f"{lot:.3f} – {hit:.3f}")  # fmt: skip
            if "warning" in analysis:
                table.caption = f"warning: {literal(analysis['warning'])}"
                table.caption_justify = "left"
        elif method == "lhs":
            rho = analysis.get("spearman") or {}
            table.add_column("input", overflow="fold")
            table.add_column("Spearman ρ", justify="right")
            band = analysis.get("noise_band")
            for name in sorted(rho, key=lambda n: -abs(rho[n] or 0.0)):
                value = rho[name]
                text = "—" if value is None else signed(value, ".2f")
                if value is not None and band is not None and abs(value) < band:
                    text = f"[dim]{text}[/]"
                table.add_row(literal(name), text)
            said = [analysis[k] for k in ("note", "warning", "error") if k in analysis]
            if band is not None and rho:
                said.insert(0, f"|ρ| under {band:.2f} (dim): within what an input that "
                               "moves nothing shows on 95 % of samples this size")  # fmt: skip
            if said:
                table.caption = literal("; ".join(said))
                table.caption_justify = "left"
        else:  # oneway (a line per input) or grid (main effects): ends and range
            lines = analysis.get("inputs") or analysis.get("main_effects") or {}
            for column in ("input", "low → high input", "at low", "at high", "range"):
                # folded: an input's path cut short names no input
                table.add_column(
                    column, justify="left" if column == "input" else "right", overflow="fold"
                )
            caption = ["range: highest less lowest value over the input's levels"]
            for name, points in lines.items():
                values = [p["value"] for p in points if p["value"] is not None]
                # One level's value is no range: a failed (or undefined) level would read
                # as an input with no effect.
                table.add_row(
                    literal(name),
                    f"{input_text(points[0]['input'])} → {input_text(points[-1]['input'])}",
                    _value(points[0]["value"], metric), _value(points[-1]["value"], metric),
                    difference_text(max(values) - min(values), metric)
                    if len(values) > 1 else "—",
                )  # fmt: skip
            if any(sum(p["value"] is not None for p in points) < 2 for points in lines.values()):
                caption.append("range —: fewer than two of the input's levels have a value "
                               "(a failed point's error is said below)")  # fmt: skip
            table.caption = "; ".join(caption)
        # A label wrapped onto a second line would read as another input with empty cells:
        # rule the rows off when the table must wrap to fit.
        table.show_lines = table_width(console, table) > console.width
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` command to ``app``."""
    app.command("sweep")(sweep_command)
