"""What ``hashshock optimise`` and ``hashshock strategies`` share beside
:mod:`hashshock.cli.common`: options, the progress line, loading the inputs and writing
the outputs. Light at import (start-up rule in :mod:`hashshock.cli.app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

# Where the evaluations run, as sweep's and industry's (re-exported for both commands).
from hashshock.cli.common import ClusterWorkersOpt as ClusterWorkersOpt
from hashshock.cli.common import QuietOpt as QuietOpt
from hashshock.cli.common import SchedulerOpt as SchedulerOpt

if TYPE_CHECKING:
    from hashshock.execution import Executor
    from hashshock.inputs.load import LoadedFleet
    from hashshock.inputs.scenario import Scenario
    from hashshock.market import MarketConfig
    from hashshock.market.start import MarketStart

ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="Built-in scenario name or scenario YAML file.")
]
PathsOpt = Annotated[int, typer.Option("--paths", "-n", help="Monte Carlo paths per evaluation.")]
JsonOpt = Annotated[str | None, typer.Option("--json", help="Write the JSON here ('-': stdout).")]
ReportOpt = Annotated[str | None, typer.Option("--report", help="Write the HTML report here.")]

out = Console(emoji=False)
err = Console(emoji=False, stderr=True)


def progress_line(quiet: bool) -> Callable[[str], None] | None:
    """A step-by-step note on stderr (a terminal only)."""
    if quiet or not err.is_terminal:
        return None
    return lambda text: err.print(f"[dim]{escape(text)}[/]", highlight=False)


@dataclass(frozen=True)
class Inputs:
    """A command's loaded inputs and the files it must not overwrite."""

    loaded: LoadedFleet
    scenario: Scenario
    market: MarketConfig
    files: list[Path]
    start: MarketStart
    paths: int

    def warn(self) -> None:
        """The day-0 market's warnings, the fleet's own and few paths', as ``run`` prints
        them: printed once every input and option is checked, so that a bad one gets one
        message, not a warning and then the error."""
        from hashshock.analysis.summary import few_paths_warning
        from hashshock.cli.common import warn_all
        from hashshock.cli.market_options import print_start_warnings

        print_start_warnings(err, self.start)
        warn_all([*self.loaded.warnings, *few_paths_warning(self.paths)])


def load_inputs(fleet: str, scenario: str, paths: int, seed: int, horizon: int,
                json_out: str | None, report: str | None, market: MarketConfig
                ) -> Inputs:  # fmt: skip
    """Check the run arguments, load fleet and scenario beside ``market`` (the market
    options' :func:`hashshock.cli.market_options.market_config`), and check the outputs
    can be written without overwriting an input (before any work)."""
    from hashshock.cli.market_options import checked_start
    from hashshock.inputs.load import load_fleet, load_scenario
    from hashshock.outputs import check_distinct_outputs, check_output
    from hashshock.prepare import check_horizon, check_run_args, input_files

    check_run_args(paths, seed)
    check_horizon(horizon)
    loaded = load_fleet(fleet)
    chosen = load_scenario(scenario)
    files = [p for p in input_files(loaded, [scenario], market) if p is not None]
    check_output(json_out, "--json", files)
    if report is not None:
        from hashshock.report import check_report_path

        check_report_path(report, files)
    check_distinct_outputs(("--json", json_out), ("--report", report))
    start = checked_start(market, loaded)  # as run checks it: the same market prices these
    return Inputs(loaded, chosen, market, files, start, paths)


def executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Where the evaluations run: on ``scheduler`` (or ``$DASK_SCHEDULER_ADDRESS``), on
    ``workers`` local Dask worker processes, else on threads here, one per core (measured
    fastest for many engine runs on one machine, docs/sweeps.md "Execution")."""
    from hashshock.execution import make_executor
    from hashshock.execution.choose import cores

    return make_executor(workers, scheduler, threads=cores())


def write_outputs(data: dict[str, object], json_out: str | None, report: str | None,
                  write_report: Callable[[], object]) -> None:  # fmt: skip
    """Write the JSON and the report asked for; exit 1 with one line each if one fails now
    (:func:`hashshock.cli.common.write_or_report`)."""
    from hashshock.cli.common import write_or_report
    from hashshock.cli.interrupt import outputs_written_whole
    from hashshock.outputs import write_json

    with outputs_written_whole():  # both, or Ctrl-C says which may be missing
        failed = json_out is not None and not write_or_report(
            lambda: write_json(data, json_out, "--json", indent=None), json_out
        )
        failed |= report is not None and not write_or_report(write_report, report)
    if failed:
        raise typer.Exit(1)
