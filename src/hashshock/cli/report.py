"""``hashshock report``: add it to an app with :func:`register`.

Writes one self-contained HTML report (docs/report.md) from a fleet file and scenarios
(simulated here), from JSON written by ``run --json`` / ``compare --json`` (or one
``sweep --json`` or ``industry --json`` file, which gets its own view), or from runs in
the store (by id); ``--images DIR`` also draws every chart as PNG/SVG. Every output
path is checked before anything is simulated; bad input exits 2 with one line. Plotting
and the engine load only when the command runs, so ``hashshock --help`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hashshock.cli.common import (
    QuietOpt,
    confirming,
    days_of,
    err_console,
    input_errors,
    progress_bar,
    say,
)
from hashshock.cli.interrupt import outputs_written_whole
from hashshock.cli.market_options import (
    BtcPriceOpt,
    DifficultyOpt,
    FeeShareOpt,
    MarketOpt,
    NetworkHashrateOpt,
    market_config,
    warn_if_stale,
)
from hashshock.inputs.errors import InputError
from hashshock.words import counted

if TYPE_CHECKING:
    from hashshock.results import RunResult

SourcesArg = Annotated[
    list[str],
    typer.Argument(
        metavar="SOURCE",
        help="A fleet YAML (simulated with --scenarios), run JSON files (run/compare --json), "
        "one sweep or industry JSON, stored run ids (hashshock runs list), or the id of one "
        "saved sweep or industry run.",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="The HTML file to write.", show_default=False)
]
StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Run store (default: user data folder/runs.duckdb).")
]
#: ``--store`` of the commands that save what they run: naming a store saves there.
SaveToStoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="Run store to save in; naming one saves, as --save does "
                 "(default: user data folder/runs.duckdb)."),
]  # fmt: skip
_ID = re.compile(r"^[0-9a-f]{4,32}$")
_FLEET_SUFFIXES = (".yaml", ".yml")


#: ``--scenarios``: names or files, comma-separated or the option given again (a repeat
#: adds scenarios rather than replacing the ones before it).
ScenariosOpt = Annotated[
    list[str],
    typer.Option("--scenarios", "-s", metavar="<names>", help="Scenario names or files: "
                 "comma-separated, or the option repeated."),
]  # fmt: skip
DEFAULT_SCENARIOS = ["baseline,sanctions"]


def scenario_names(given: str | list[str]) -> list[str]:
    """``--scenarios``' names, split at commas (each repeat of the option too); an empty
    one (``baseline,,``) is refused rather than dropped, as a name may be missing."""
    text = given if isinstance(given, str) else ",".join(given)
    names = [s.strip() for s in text.split(",")]
    if any(names) and not all(names):  # none at all is "no scenario given", later
        raise InputError(
            None, "--scenarios", f"{text!r} has an empty name",
            "separate the names by single commas, e.g. baseline,sanctions",
        )  # fmt: skip
    return [n for n in names if n]


def classify(sources: list[str]) -> tuple[Path | None, list[Path], list[str]]:
    """Split SOURCEs into (fleet file, JSON files, stored run ids); bad mixes raise."""
    fleets, jsons, ids = [], [], []
    for source in sources:
        path = Path(source)
        if path.is_file() and path.suffix.lower() in _FLEET_SUFFIXES:
            fleets.append(path)
        elif path.is_file():
            jsons.append(path)
        elif path.exists():
            kind = "a folder" if path.is_dir() else "neither a file nor a folder (a pipe, a device)"
            raise InputError(path, None, f"is {kind}",
                             "give a fleet YAML, a JSON file or a run id")  # fmt: skip
        elif _ID.match(source):
            ids.append(source)
        else:
            raise InputError(path, None, "file not found (nor a stored id)",
                             "check the path, or see `hashshock runs list` for ids")  # fmt: skip
    for given in (jsons, ids):  # one run drawn twice, side by side, as two scenarios
        seen: set[object] = set()
        for item in given:
            key = item.resolve() if isinstance(item, Path) else item
            if key in seen:
                raise InputError(item if isinstance(item, Path) else None, "SOURCE",
                                 f"{item} is given twice", "give each run once")  # fmt: skip
            seen.add(key)
    if fleets and (len(fleets) > 1 or jsons or ids):
        raise InputError(
            fleets[0], "SOURCE", "a fleet file goes alone",
            "report one fleet's scenarios, or saved JSON files and run ids",
        )  # fmt: skip
    return (fleets[0] if fleets else None), jsons, ids


#: The options that simulate a fleet (name as the command line spells it): with saved
#: runs alone they would do nothing, so they are refused.
SIMULATING = {"scenarios": "--scenarios", "paths": "--paths", "horizon": "--horizon",
              "seed": "--seed", "market": "--market", "btc_price": "--btc-price",
              "difficulty": "--difficulty", "network_hashrate": "--network-hashrate",
              "fee_share": "--fee-share"}  # fmt: skip


def _given(ctx: typer.Context, names: Iterable[str]) -> list[str]:
    """Which of the parameters ``names`` the command line gave (not their defaults; by
    the source's name, as typer's click and click's own are different classes)."""
    sources = {n: ctx.get_parameter_source(n) for n in names}
    return [n for n, source in sources.items() if source is not None and source.name in
            ("COMMANDLINE", "ENVIRONMENT")]  # fmt: skip


def report_command(
    ctx: typer.Context,
    sources: SourcesArg,
    out: OutOpt,
    scenarios: ScenariosOpt = DEFAULT_SCENARIOS,
    paths: Annotated[int, typer.Option("--paths", "-n", help="Monte Carlo paths.")] = 1000,
    horizon: Annotated[int, typer.Option("--horizon", help="Days to simulate (1-1098).")] = 365,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random tree.")] = 0,
    images: Annotated[
        Path | None, typer.Option("--images", help="Also draw every chart into this folder.")
    ] = None,
    image_format: Annotated[
        str | None,
        typer.Option("--image-format", help="png, svg or png,svg (with --images; default png)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the report.")] = None,
    save: Annotated[
        bool, typer.Option("--save", help="With a fleet: keep the runs in the store.")
    ] = False,
    store: StoreOpt = None,
    quiet: QuietOpt = False,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
) -> None:
    """Write a self-contained HTML report (charts, stages, money, manifest) of runs."""
    from hashshock.report.images import check_images
    from hashshock.report.write import check_report_path, drawn_from_files, write_report
    from hashshock.store.db import check_store

    formats = [f.strip() for f in (image_format or "png").split(",") if f.strip()]
    with input_errors():
        if image_format is not None and images is None:
            raise InputError(None, "--image-format", "says how to draw the charts into the "
                             "--images folder, and none is given",
                             "add --images FOLDER, or leave --image-format out")  # fmt: skip
        fleet, jsons, ids = classify(sources)
        inputs: list[str | Path] = [*jsons, *([fleet] if fleet else [])]
        if ids or save:
            inputs.append(check_store(store, must_exist=bool(ids), write=save))
        target = check_report_path(out, inputs, "--out")
        if images is not None:
            check_images(images, formats)
        if save and fleet is None:
            raise InputError(None, "--save", "only runs simulated here can be saved",
                             "give a fleet file, or drop --save")  # fmt: skip
        given = _given(ctx, SIMULATING)
        if given and fleet is None:
            raise InputError(None, SIMULATING[given[0]], "is for simulating a fleet, and the "
                             "sources are runs already simulated (saved JSON or run ids)",
                             f"leave {SIMULATING[given[0]]} out, or give a fleet file to "
                             "simulate")  # fmt: skip
        kinds = [_json_kind(path) for path in jsons]
        kind = kinds[0] if fleet is None and not ids and len(jsons) == 1 else "runs"
        for path, other in zip(jsons, kinds, strict=True):
            if other != "runs" and kind == "runs":
                raise InputError(path, None, f"is a{'n' if other == 'industry' else ''} "
                                 f"{other}'s JSON, which has a report of its own",
                                 f"give it alone: hashshock report {path} --out …")  # fmt: skip
        document = _load_other(kind, jsons[0]) if kind != "runs" else None
        if fleet is None and not jsons and len(ids) == 1:  # a saved sweep or industry run?
            from hashshock.store.documents import find_document

            kind, document = find_document(store, ids[0]) or (kind, document)
        if kind != "runs":
            source = str(jsons[0]) if jsons else "the stored document"
            with drawn_from_files(jsons, f"hashshock {kind} --json"):
                written = _write_other(kind, document, target, title, images, formats, source)
            if not quiet:
                say(confirming(Console(emoji=False), written), f"wrote {written} ({kind})"
                    + (f"; images in {images}" if images else ""))  # fmt: skip
            return
        results: list[RunResult | dict[str, Any]] = []
        keep: Callable[[], None] | None = None
        if fleet is not None:
            config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
            simulated, keep = _simulate(fleet, scenarios, paths, horizon, seed, quiet, save,
                                        store, config)  # fmt: skip
            results += simulated
        results += _saved(jsons, ids, store)
        with outputs_written_whole(), drawn_from_files(jsons, "hashshock run --json"):
            if keep is not None:  # the runs saved, if asked, and the report: both, or Ctrl-C
                keep()  # says which may be missing
            written = write_report(results, target, images, formats, title, "--out")
    if not quiet:
        console = confirming(Console(emoji=False), written)
        # a stream's size is not the page's: /dev/stdout read 0.0 MB when piped
        size = "" if console.stderr else f"{written.stat().st_size / 1e6:.1f} MB, "
        runs = counted(len(results), "run")
        say(console, f"wrote {written} ({size}{runs})"
            + (f"; images in {images}" if images else ""))  # fmt: skip


def _simulate(
    fleet: Path, scenarios: list[str], paths: int, horizon: int, seed: int, quiet: bool, save: bool,
    store: str | None, config: Any,
) -> tuple[list[RunResult], Callable[[], None]]:  # fmt: skip
    """The runs of ``fleet``, and what saves them to the store (nothing without ``save``),
    to be called with the report's writing."""
    from hashshock import api
    from hashshock.inputs.load import check_scenario_against_fleet, load_fleet, load_scenario
    from hashshock.prepare import check_horizon, check_run_args, check_scenario_names

    check_run_args(paths, seed)  # before loading: a bad option gets one message
    check_horizon(horizon)
    loaded = load_fleet(fleet)
    chosen = [load_scenario(n) for n in scenario_names(scenarios)]
    check_scenario_names(chosen)  # before the day-0 market's warnings, as run's
    for scenario in chosen:
        check_scenario_against_fleet(scenario, loaded)
    warn_if_stale(err_console, config, loaded)
    runs = len({"baseline", *(s.name for s in chosen)})
    with progress_bar(not quiet, unit=days_of(runs)) as tick:
        results = api.compare(loaded, chosen, paths, horizon, seed, progress=tick, market=config)

    def keep() -> None:
        if not save:
            return
        from hashshock.store.save import save_results

        ids = save_results(results, store, fleet=loaded, scenarios=chosen, market=config)
        if not quiet:
            err_console.print(f"saved runs {', '.join(ids)}", highlight=False)

    return results, keep


def _json_kind(path: Path) -> str:
    """What JSON ``path`` holds: ``"sweep"`` (``hashshock sweep --json``), ``"industry"``
    (``hashshock industry --json``) or ``"runs"``."""
    from hashshock.inputs.files import read_json

    try:
        data = read_json(path, "")
    except InputError:
        return "runs"  # load_json_runs reports it
    if isinstance(data, dict) and "sweep" in data and "points" in data:
        return "sweep"
    # An industry's JSON names its industry; load_industry_json says what else is wrong.
    return "industry" if isinstance(data, dict) and "industry" in data else "runs"


def _load_other(kind: str, source: Path) -> Any:
    """A sweep's (:class:`SweepResult`) or an industry's (dict) JSON file, checked."""
    if kind == "sweep":
        from hashshock.sweep.result import load_result

        return load_result(source)
    from hashshock.industry.report import load_industry_json

    return load_industry_json(source)


def _write_other(kind: str, document: Any, target: Path, title: str | None,
                 images: Path | None, formats: list[str], source: str) -> Path:  # fmt: skip
    """Write the report of a sweep or an industry run (its result or JSON, from
    ``source``)."""
    if kind == "sweep":
        from hashshock.sweep.report import write_sweep_report

        return write_sweep_report(document, target, title, images, formats, "--out", source)
    from hashshock.industry.report import write_industry_report

    return write_industry_report(document, target, title, images, formats)


def _saved(jsons: list[Path], ids: list[str], store: str | None) -> list[dict[str, Any]]:
    from hashshock.report.data import load_json_runs

    runs: list[dict[str, Any]] = []
    for path in jsons:
        runs += load_json_runs(path)
    if ids:
        from hashshock.store.query import load_runs

        stored = load_runs(ids, store)
        first: dict[str, str] = {}
        for ref, run in zip(ids, stored, strict=True):  # a prefix and its run's id: one run
            if first.setdefault(run.run_id, ref) != ref:
                raise InputError(None, "SOURCE", f"{first[run.run_id]} and {ref} are one run "
                                 f"({run.run_id})", "give each run once")  # fmt: skip
        runs += [run.data for run in stored]
    return runs


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report_command)
