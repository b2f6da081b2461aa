"""``hashshock`` commands: run, compare, validate, schema, catalog, scenarios.

Bad input exits with code 2 and one line naming file, field and fix; the
engine and analysis are reached only through :mod:`hashshock.api`.

Start-up rule, for this module and every command module it registers
(``hashshock.cli.*``, each with a ``register(app)``): at top level import only
typer, rich, the standard library and light hashshock modules (``hashshock.cli.*``,
``hashshock.inputs.errors``, ``hashshock.outputs``); import everything else (the
api and engine, numba, numpy, pydantic models, the market, scan and fit code,
httpx, pyasic) inside the command that needs it. Option types stay builtins
(str, int, float, bool, Path, ``| None``) and option defaults are literals or
constants of light modules, because typer reads them when the app is built.
Types used only in annotations go under ``if TYPE_CHECKING:``. A module-level rich
``Console`` takes no argument but ``stderr``: the ``hashshock daemon`` builds them again
in each command's environment. Every
``hashshock --help`` imports all of this; tests/cli/test_startup.py checks that it
does not reach the heavy modules and bench/bench_startup.py times it.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from rich.console import Console

from hashshock import __version__
from hashshock.cli.breakpoint import register as register_breakpoint
from hashshock.cli.common import (
    FleetArg,
    HorizonOpt,
    JsonOpt,
    PathsOpt,
    QuietOpt,
    SeedOpt,
    days_of,
    err_console,
    input_errors,
    note_long_run,
    progress_bar,
    say,
    warn_all,
    write_or_report,
)
from hashshock.cli.daemon import register as register_daemon
from hashshock.cli.data import register as register_market
from hashshock.cli.fit import register as register_fit
from hashshock.cli.industry import register as register_industry
from hashshock.cli.interrupt import outputs_written_whole, run_interruptibly
from hashshock.cli.listing import register as register_listing
from hashshock.cli.market_options import (
    BtcPriceOpt,
    DifficultyOpt,
    FeeShareOpt,
    MarketOpt,
    NetworkHashrateOpt,
    market_config,
    warn_if_stale,
)
from hashshock.cli.optimise import register as register_optimise
from hashshock.cli.render import render_compare, render_run
from hashshock.cli.render_money import render_money
from hashshock.cli.report import (
    DEFAULT_SCENARIOS,
    SaveToStoreOpt,
    ScenariosOpt,
    scenario_names,
)
from hashshock.cli.report import register as register_report
from hashshock.cli.runs import register as register_runs
from hashshock.cli.scan import register as register_scan
from hashshock.cli.serve import register as register_serve
from hashshock.cli.strategies import register as register_strategies
from hashshock.cli.sweep import register as register_sweep
from hashshock.inputs.errors import InputError
from hashshock.outputs import check_distinct_outputs, check_output, write_json
from hashshock.words import counted, shown_controls

if TYPE_CHECKING:
    from pathlib import Path

    from typer import _click  # the click that typer builds on (vendored)

    from hashshock.inputs.load import LoadedFleet
    from hashshock.inputs.scenario import Scenario
    from hashshock.market import MarketConfig
    from hashshock.results.run import RunResult

app = typer.Typer(
    name="hashshock",
    help="Stress-test Bitcoin mining fleets against ASIC supply-chain shocks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(emoji=False)

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Local Dask worker processes for the scenarios (default: "
        "here, one after the other, each on the engine's threads).",
    ),
]


ReportOpt = Annotated[
    str | None, typer.Option("--report", help="Also write the HTML report here (.html).")
]
SaveOpt = Annotated[bool, typer.Option("--save", help="Keep the runs in the run store.")]
LabelOpt = Annotated[
    str | None,
    typer.Option("--label", help="A note kept with the saved runs (`runs list` shows it)."),
]
#: Longest ``--label`` (characters): a note, not a document.
MAX_LABEL_CHARS = 200


@dataclass(frozen=True)
class RunOutputs:
    """Where ``run`` and ``compare`` put their results besides the terminal."""

    json_out: str | None = None
    report: str | None = None
    save: bool = False
    store: str | None = None
    label: str | None = None

    def check_label(self) -> None:
        """A label goes with saved runs, on one line of a few words."""
        if self.label is None:
            return
        if not (self.save or self.store):
            raise InputError(None, "--label", "labels saved runs, and none are saved",
                             "add --save (or --store PATH), or leave --label out")  # fmt: skip
        if not self.label.strip() or shown_controls(self.label) != self.label:
            raise InputError(None, "--label", "is empty or has control characters",
                             "give a note of one line")  # fmt: skip
        if len(self.label) > MAX_LABEL_CHARS:
            raise InputError(None, "--label", f"is {len(self.label):,} characters long",
                             f"give at most {MAX_LABEL_CHARS}")  # fmt: skip


def _simulate(
    fleet: str, names: list[str], paths: int, horizon: int, seed: int, workers: int | None,
    quiet: bool, single: bool, market: MarketConfig, outputs: RunOutputs,
) -> None:  # fmt: skip
    """Shared body of ``run`` and ``compare``: load, check the outputs, simulate, render,
    then write what was asked (JSON, report, run store)."""
    from hashshock import api
    from hashshock.inputs.load import check_scenario_against_fleet, load_fleet, load_scenario
    from hashshock.prepare import (
        check_horizon,
        check_run_args,
        check_scenario_names,
        estimate_for,
        input_files,
    )
    from hashshock.sizing import check_fits

    with input_errors():
        # Arguments first: a run refused for them announces nothing about its size.
        check_run_args(paths, seed, workers)
        check_horizon(horizon)
        loaded = load_fleet(fleet)
        chosen = [load_scenario(n) for n in names]
        check_scenario_names(chosen)  # refused before any warning is printed
        for scenario in chosen:
            check_scenario_against_fleet(scenario, loaded)
        inputs = input_files(loaded, names, market)
        check_output(outputs.json_out, "--json", inputs)
        if outputs.report:  # the report and the store load their modules only when asked for
            from hashshock.report import check_report_path

            check_report_path(outputs.report, [p for p in inputs if p is not None])
        store: Path | None = None
        if outputs.save or outputs.store:
            from hashshock.store import check_store

            store = check_store(outputs.store)
        check_distinct_outputs(("--json", outputs.json_out), ("--report", outputs.report),
                               ("--store", store))  # fmt: skip
        runs = len({"baseline", *(s.name for s in chosen)})
        estimate = estimate_for(loaded, runs, paths, horizon)
        check_fits(estimate)
        start = warn_if_stale(err_console, market, loaded)
        warn_all(loaded.warnings)
        if not quiet:
            note_long_run(estimate, "this run")
        with progress_bar(not quiet, unit=days_of(runs)) as tick:
            results = run_interruptibly(
                lambda: api.compare(
                    loaded,
                    chosen,
                    paths,
                    horizon,
                    seed,
                    progress=tick,
                    workers=workers,
                    market=market,
                )
            )
        data = [r.to_dict() for r in results]
        # What only the run could tell (a scenario's events that cannot act), once each.
        said = {*loaded.warnings, *start.notes, start.warning}
        warn_all(dict.fromkeys(w for run in data for w in run["warnings"] if w not in said))
    if not quiet and outputs.json_out != "-":
        if single:
            render_run(console, data[0])
        else:
            render_compare(console, data)
        render_money(console, data)
    with outputs_written_whole():  # all of them, or Ctrl-C says which may be missing
        _write_outputs(outputs, data, results, single, loaded, chosen, market)


def _write_outputs(
    outputs: RunOutputs, data: list[dict[str, Any]], results: list[RunResult], single: bool,
    loaded: LoadedFleet, chosen: list[Scenario], market: MarketConfig,
) -> None:  # fmt: skip
    """``run``'s and ``compare``'s JSON, report and runs saved, as asked for; exit 1 after
    them all if one could not be written."""
    failed = False
    if outputs.json_out:
        failed |= not write_or_report(
            lambda: write_json(data[0] if single else {"scenarios": data}, str(outputs.json_out),
                               "--json", indent=None),
            str(outputs.json_out),
        )  # fmt: skip
    if outputs.report:
        from hashshock.report import write_report

        report = outputs.report
        failed |= not write_or_report(lambda: write_report(results, report), report)
    if outputs.save or outputs.store:
        from hashshock.store import save_results
        from hashshock.store.db import store_path

        ids: list[str] = []
        failed |= not write_or_report(
            lambda: ids.extend(
                save_results(results, outputs.store, fleet=loaded, scenarios=chosen,
                             market=market, label=outputs.label)
            ),
            str(store_path(outputs.store)),  # not opened here: see write_or_report
        )  # fmt: skip
        if ids:
            err_console.print(f"saved run{'s' if len(ids) > 1 else ''} {', '.join(ids)}",
                              highlight=False)  # fmt: skip
    if failed:
        raise typer.Exit(code=1)


@app.command()
def run(
    fleet: FleetArg,
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="Built-in scenario name or scenario YAML file.")
    ] = "baseline",
    paths: PathsOpt = 1000,
    horizon: HorizonOpt = 365,
    seed: SeedOpt = 0,
    json_out: JsonOpt = None,
    quiet: QuietOpt = False,
    workers: WorkersOpt = None,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
    report: ReportOpt = None,
    save: SaveOpt = False,
    store: SaveToStoreOpt = None,
    label: LabelOpt = None,
) -> None:
    """Simulate one scenario on a fleet and summarise hashrate, spares, stages and money."""
    with input_errors():
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        outputs = RunOutputs(json_out, report, save, store, label)
        outputs.check_label()
    _simulate(fleet, [scenario], paths, horizon, seed, workers, quiet, True, config, outputs)


@app.command()
def compare(
    fleet: FleetArg,
    scenarios: ScenariosOpt = DEFAULT_SCENARIOS,
    paths: PathsOpt = 1000,
    horizon: HorizonOpt = 365,
    seed: SeedOpt = 0,
    json_out: JsonOpt = None,
    quiet: QuietOpt = False,
    workers: WorkersOpt = None,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
    report: ReportOpt = None,
    save: SaveOpt = False,
    store: SaveToStoreOpt = None,
    label: LabelOpt = None,
) -> None:
    """Run several scenarios on common random numbers and show them side by side."""
    with input_errors():
        names = scenario_names(scenarios)
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        outputs = RunOutputs(json_out, report, save, store, label)
        outputs.check_label()
    _simulate(fleet, names, paths, horizon, seed, workers, quiet, False, config, outputs)


register_breakpoint(app)  # here, so that --help lists it after compare, as before


def _is_industry(path: str) -> bool:
    """Whether ``path`` is an industry file (a YAML mapping with ``operators:``)."""
    from pathlib import Path

    from hashshock.inputs.files import read_yaml_mapping

    file = Path(path)
    if not file.is_file() or file.suffix.lower() not in (".yaml", ".yml"):
        return False
    return "operators" in read_yaml_mapping(file)


@app.command()
def validate(
    fleet: FleetArg,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", "-s", help="Also check these scenarios: names or files, comma-separated."
        ),
    ] = None,
    horizon: HorizonOpt = 365,
    paths: Annotated[
        int,
        typer.Option("--paths", "-n", help="Check that a run of this many paths fits in memory."),
    ] = 1000,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
) -> None:
    """Check a fleet (and a scenario, a market) as `run` would, short of simulating.

    Passing means `run` with the same inputs works. Given an industry file (one with
    `operators:`), checks it as `hashshock industry --validate` does."""
    from hashshock.prepare import check_run_args
    from hashshock.prepare import validate as validate_inputs

    with input_errors():
        check_run_args(paths, 0)
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        if _is_industry(fleet):
            from hashshock.cli.industry import validate_industry_file

            # as `hashshock industry --validate`: its default scenarios unless one is given
            given = DEFAULT_SCENARIOS if scenario is None else [f"baseline,{scenario}"]
            names = list(dict.fromkeys(scenario_names(given)))
            console.print(validate_industry_file(fleet, names, horizon, config, paths=paths),
                          highlight=False, soft_wrap=True)  # fmt: skip
            return
        # as run's --scenarios: names or files, comma-separated
        names = list(dict.fromkeys(["baseline", *scenario_names([scenario or "baseline"])]))
        prepared = validate_inputs(fleet, names, horizon, config, paths=paths)
        warn_if_stale(err_console, config, prepared.loaded)
        warn_all(prepared.loaded.warnings)
    loaded = prepared.loaded
    described = (
        f"{fleet}: {counted(loaded.machines, 'machine')} in "
        f"{counted(len(loaded.fleet.cohorts), 'cohort')} at "
        f"{counted(len(loaded.fleet.sites), 'site')}, {loaded.nameplate_ths / 1e3:,.1f} PH/s "
        f"nameplate, {counted(len(loaded.fleet.orders), 'open order')}; a run of "
        f"{counted(paths, 'path')} × {horizon:,} days fits in memory"
    )
    say(console, described, lead="[green]ok[/] ")


register_listing(app)
register_scan(app)
register_market(app)
register_fit(app)
register_report(app)
register_runs(app)
register_serve(app)
register_sweep(app)
register_optimise(app)
register_strategies(app)
register_industry(app)
register_daemon(app)


def _version(value: bool) -> None:
    if value:
        console.print(f"hashshock {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Stress-test Bitcoin mining fleets against ASIC supply-chain shocks."""


def click_command(only: str | None = None) -> _click.Command:
    """The command tree typer builds from ``app`` (reading every command's signature,
    30-50 ms), built once per process: a ``hashshock daemon`` builds it before forking.
    Each command's help has one line a paragraph (:func:`_one_line_paragraphs`).

    ``only``: the tree of that one command under the root (its options, help, usage and
    errors as in the whole tree), which a process running one command builds in a
    fraction of the time; a name that is no command gives the whole tree (whose error
    names the commands there are)."""
    one = _app_of(only) if only is not None else None
    return _tree(one) if one is not None else _tree(app)


@functools.cache
def _tree(source: typer.Typer) -> _click.Command:
    """The click command of ``source``, once per app object."""
    root = typer.main.get_command(source)
    commands = [root]
    while commands:
        command = commands.pop()
        if command.help:
            command.help = _one_line_paragraphs(command.help)
        _no_value_shown_for_flags(command)
        _arguments_named_in_capitals(command)
        commands.extend(getattr(command, "commands", {}).values())
    return root


def _app_of(name: str) -> typer.Typer | None:
    """``app`` with the command or group ``name`` alone (``None``: no such command)."""
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__)) == name]  # type: ignore[union-attr]  # fmt: skip
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return None
    one = typer.Typer()
    one.__dict__.update(app.__dict__)  # the root's settings, help and callback
    one.registered_commands, one.registered_groups = commands, groups
    return one


def _no_value_shown_for_flags(command: _click.Command) -> None:
    """Flags (``--quiet``, ``--save``, ``--help``) show no value in the help. Why: typer's
    rich help (0.29) prints ``<bool>`` beside them, as if they took one."""
    help_option = command.get_help_option(command.context_class(command))
    for param in [*command.params, help_option]:
        if (
            param is not None
            and getattr(param, "is_flag", False)
            and not getattr(param, "count", False)
        ):
            param.metavar = ""


def _arguments_named_in_capitals(command: _click.Command) -> None:
    """Arguments read ``FLEET`` in usage and help, as options' values (``FILE``, ``USD``)
    do. Why: typer (0.29) names an argument without a metavar by its parameter, in lower
    case (``{fleet}``), beside the capitals of the others."""
    for param in command.params:
        if param.param_type_name == "argument" and param.metavar is None and param.name:
            param.metavar = param.name.upper()


def _one_line_paragraphs(text: str) -> str:
    """``text`` with each paragraph's lines joined. Why: typer's help keeps the line breaks
    of a docstring's later paragraphs, where the source wrapped them at 100 characters,
    so a terminal would show a short line in mid-sentence; joined, the terminal wraps."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)
