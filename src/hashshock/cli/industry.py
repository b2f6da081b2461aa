"""``hashshock industry``: add it to an app with :func:`register`.

Runs an industry file (no FILE: the bundled ``us``) under scenarios on one network and
prints US hashrate and share, and who breaks first; ``--json`` writes the result
(docs/industry.md), ``--validate`` checks the inputs without simulating. Members run as
tasks of :mod:`hashshock.execution`: in this process by default, ``--workers N`` on a
local Dask cluster, ``--scheduler`` on a running one. Bad input exits 2 with one line.
Start-up rule (``hashshock.cli.app``): only typer, rich, the standard library and light
hashshock modules load with ``--help``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hashshock.cli.common import (
    HorizonOpt,
    PathsOpt,
    QuietOpt,
    SchedulerOpt,
    SeedOpt,
    input_errors,
    literal,
    progress_bar,
    warn_all,
    write_or_report,
)
from hashshock.cli.industry_lender import lender_losses, loans_table, points, print_indented
from hashshock.cli.interrupt import outputs_written_whole
from hashshock.cli.market_options import (
    BtcPriceOpt,
    DifficultyOpt,
    FeeShareOpt,
    MarketOpt,
    NetworkHashrateOpt,
    market_config,
)
from hashshock.cli.report import (
    DEFAULT_SCENARIOS,
    SaveToStoreOpt,
    ScenariosOpt,
    scenario_names,
)
from hashshock.cli.table import Table
from hashshock.industry.notes import baseline_breaks as baseline_breaks_of
from hashshock.industry.notes import (
    baseline_note,
    day_zero_notes,
    groups_without_finance,
    hashrate_unit,
    worst_days,
)
from hashshock.outputs import check_distinct_outputs, check_output, write_json
from hashshock.stage_rules import DECLINE_PERSIST_DAYS, DECLINE_SHORT, MIN_SHARE_FOR_DAYS
from hashshock.words import break_causes, counted, percent, probability, signed

FileArg = Annotated[
    str | None,
    typer.Argument(metavar="FILE", show_default=False,
                   help="Industry YAML (docs/industry.md), or a bundled name; default: us."),
]  # fmt: skip
JsonOpt = Annotated[
    str | None, typer.Option("--json", help="Write the result as JSON here ('-' for stdout).")
]
ValidateOpt = Annotated[
    bool, typer.Option("--validate", help="Check the inputs without simulating.")
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Local Dask worker processes (default: here).")
]
PortfolioOpt = Annotated[
    str | None,
    typer.Option("--portfolio", metavar="FILE", show_default=False,
                 help="A lender's loans (YAML, as the industry file's portfolio:), "
                 "instead of the industry's."),
]  # fmt: skip

ReportOpt = Annotated[
    str | None,
    typer.Option("--report", metavar="FILE.html", show_default=False,
                 help="Also write the self-contained HTML report here (docs/industry.md)."),
]  # fmt: skip
PassesOpt = Annotated[
    int | None,
    typer.Option("--passes", show_default=False,
                 help="Engine passes, each steered by the network the one before settled "
                 "(default: the industry file's engine_passes, 1; 2 aligns the engines' "
                 "hashprice with the shared one)."),
]  # fmt: skip
SaveOpt = Annotated[
    bool, typer.Option("--save", help="Keep the run and its headline figures in the run store.")
]

out = Console(emoji=False)


def _p50(series: dict[str, list[float]], day: int) -> float:
    return series["p50"][min(day, len(series["p50"]) - 1)]


def _day(value: Any) -> str:
    return "—" if value is None else str(value)


#: The paths above a percentile: its quote is a lower bound when at least so many
#: paths' quotes are (the bounds sort above every finite quote of the day).
_ABOVE = {"p50": 0.5, "p95": 0.05}


def _at_least(lead: dict[str, Any], band: str) -> bool:
    """Whether a band's longest quote is the lower bound of orders not started within
    the days followed after the horizon (``bound_share`` on its day)."""
    quotes = lead[band]
    day = max(range(len(quotes)), key=quotes.__getitem__)
    return bool(lead.get("bound_share")) and lead["bound_share"][day] >= _ABOVE[band]


def _longest(lead: dict[str, Any], band: str) -> str:
    """A band's longest quote over the horizon, days, marked ``≥`` when a lower bound."""
    return f"{'≥' if _at_least(lead, band) else ''}{max(lead[band]):,.0f}"


def _render_vendors(console: Console, data: dict[str, Any]) -> None:
    """Each vendor line's longest median and 95th-percentile lead time over the horizon,
    its spot orders' longest median, the EH/s of its orders cancelled by the horizon
    (median) and the share of paths on which the vendor's supply is cut on the last day,
    a row per scenario under each line (as many scenarios as asked fit in 80 columns,
    names whole)."""
    scenarios = {n: s["vendors"] for n, s in data["scenarios"].items() if "vendors" in s}
    if not scenarios:
        return
    unit, scale = hashrate_unit(data)
    table = Table(title="Vendor lead time, days (longest over the horizon)", title_justify="left")
    # the scenario's name keeps its width (up to 16) before a long line's name takes it
    named = min(max(len(n) for n in scenarios), 16)
    for column in ("line", "scenario", "p50/p95", "spot p50", "cancelled", "cut"):
        # names fold, never cut; the figures stay whole
        table.add_column(column, justify="left" if column in ("line", "scenario") else "right",
                         no_wrap=column not in ("line", "scenario"), overflow="fold",
                         min_width=named if column == "scenario" else None)  # fmt: skip
    # loaded by the run already; not at import, which `--help` pays for
    from hashshock.industry.queues import AFTER_HORIZON_DAYS

    lines = list(next(iter(scenarios.values())))
    marked = bounded = any_cut = False
    for line in lines:
        for k, (name, vendors) in enumerate(scenarios.items()):
            lead = vendors[line]["lead_time_days"]
            spot = vendors[line].get("spot_lead_time_days")
            cancelled = vendors[line]["cancelled_ehs"]["p50"][-1]
            # the day most paths are cut: a stop that ends before the horizon shows too
            cut = max(vendors[line]["supply_cut_share"])
            parts = max(vendors[line].get("components_cut_share") or [0.0])
            cut_text = "—" if not cut else probability(cut)
            any_cut |= bool(cut)
            if not cut and parts:  # its own supply runs, on imported components partly cut
                cut_text, marked = f"{probability(parts)}†", True
            bounded |= _at_least(lead, "p95") or bool(spot and _at_least(spot, "p50"))
            table.add_row(
                literal(line) if k == 0 else "", literal(name),
                f"{_longest(lead, 'p50')}/{_longest(lead, 'p95')}",
                "—" if not spot else _longest(spot, "p50"),
                "—" if not cancelled else f"{cancelled * scale:,.1f}",
                cut_text,
                end_section=k == len(scenarios) - 1 and line != lines[-1],
            )  # fmt: skip
    console.print(table)
    for note in (
        "lead time: of an order placed that day and not cancelled; customs holds",
        "  come on top",
        f"cancelled: {unit} of the vendor's orders cancelled by the last day (p50)",
        "cut: most paths on which the scenario cuts the vendor's supply on one day",
        *(
            [
                "a cut line keeps a short queue, as its orders are cancelled rather than",
                "  delayed: its lead time can read shorter than baseline's",
            ]
            if any_cut
            else []
        ),
        *(
            [
                f"≥: at least: the order would not start within {AFTER_HORIZON_DAYS:,} days",
                "  after the horizon on those paths",
            ]
            if bounded
            else []
        ),
        *(
            ["†: its imported components' supply: their share of its capacity is lost"]
            if marked
            else []
        ),
    ):
        console.print(note, highlight=False)


def _render_used(console: Console, data: dict[str, Any]) -> None:
    """The used market by scenario: how far its used prices move from baseline's (the
    largest rise and fall of a tier's median price over the days), the lowest median
    price factor of the market's own clearing, EH/s sold in distress and imported grey
    by the horizon (medians)."""
    scenarios = {n: s["used_market"] for n, s in data["scenarios"].items() if "used_market" in s}
    if not scenarios:
        return
    base = scenarios.get("baseline")
    table = Table(title="Used market and distress sales (p50)", title_justify="left")
    donors = {n: s["us"]["donors"] for n, s in data["scenarios"].items() if "donors" in s["us"]}
    unit, scale = hashrate_unit(data)
    columns = ["scenario", "vs base", "lowest ×", f"sold, {unit}", f"grey, {unit}",
               *(["donors"] if donors else []), "rounds"]  # fmt: skip
    for column in columns if base is not None else [c for c in columns if c != "vs base"]:
        table.add_column(
            column, justify="left" if column == "scenario" else "right", overflow="fold"
        )  # a long scenario name folds, never cut
    for name, used in scenarios.items():
        grey = used["grey_total_ehs"]["p50"]
        cells = [literal(name)]
        if base is not None:
            cells.append("—" if used is base else _price_moves(used, base))
        cells += [
            f"{min(used['price_factor']['p50']):.2f}",
            f"{used['sold_in_distress_ehs']['p50'][-1] * scale:,.1f}",
            f"{grey * scale:,.1f}",
        ]
        if donors:
            cells.append(_donor_cell(donors.get(name)))
        cells.append(str(used["rounds"]))
        table.add_row(*cells)
    console.print(table)
    notes = [
        "lowest ×: the lowest median of the market's clearing factor on the used "
        "prices (below 1: more offered than wanted)",
        f"sold: {unit} sold in distress by the last day; grey: {unit} of grey imports "
        "bought; rounds: passes of selling and pricing until no one else breaks",
        *(
            ["donors: used machines bought to strip for parts (mean over paths) and their price"]
            if donors
            else []
        ),
    ]
    if base is not None and len(scenarios) > 1:
        notes.insert(0, "vs base: largest rise and fall of a tier's median used price "
                     "against baseline's, over the days")  # fmt: skip
    for note in notes:
        console.print(note, highlight=False)


def _donor_cell(donors: dict[str, float] | None) -> str:
    """ "51.3k $53.0M": donors bought and their price; "0" when none."""
    if donors is None or donors["bought_mean"] < 0.5:
        return "0"
    bought = donors["bought_mean"]
    count = f"{bought / 1e3:,.1f}k" if bought >= 1e4 else f"{bought:,.0f}"
    return f"{count} ${donors['spend_usd_mean'] / 1e6:,.1f}M"


def _price_moves(used: dict[str, Any], base: dict[str, Any]) -> str:
    """The largest rise and fall of a tier's median used price against baseline's over
    the days, as percentages ("+23% / −1%"; "0%" when it never moves)."""
    changes = [
        mine / theirs - 1.0
        for tier, bands_ in used["price_usd_per_th"].items()
        for mine, theirs in zip(bands_["p50"], base["price_usd_per_th"][tier]["p50"], strict=True)
        if theirs > 0
    ]
    rise, fall = max(changes, default=0.0), min(changes, default=0.0)
    moves = [f"{move:+.0%}" for move in (rise, fall) if round(move * 100)]
    return " / ".join(moves) if moves else "0%"


def _settings_said(data: dict[str, Any]) -> str:
    """The settings that move every figure and that the header does not show otherwise:
    repairs and orders under way on day 0, a payback rule on replacements."""
    said = []
    start = data.get("pipelines_at_start")
    if start in ("steady", "mixed"):
        who = "every member's" if start == "steady" else "some members'"
        said.append(f"{who} repairs and orders under way on day 0")
    payback = (data.get("replacement") or {}).get("max_payback_days")
    if payback is not None:
        said.append(f"replacements ordered only where they pay back within {payback:,} days")
    return "; ".join(said)


def render_industry(console: Console, data: dict[str, Any], seconds: float | None) -> None:
    """US hashrate and share by scenario, then who breaks first under each shock
    (``seconds``: how long the run took, ``None`` for a saved run)."""
    operators = data["operators"]
    machines = sum(o["machines"] for o in operators)
    ehs = sum(o["nameplate_ehs"] for o in operators)
    unit, scale = hashrate_unit(data)  # PH/s for a farm or two
    groups = industry_size(len(operators), sum(int(o.get("count", 1)) for o in operators),
                           sum(int(o.get("simulated", 1)) for o in operators))  # fmt: skip
    console.print(
        f"[bold]{literal(data['industry'])}[/]: {groups}, "
        f"{counted(round(machines), 'machine')}, {ehs * scale:,.1f} {unit} nameplate; "
        f"{counted(data['paths'], 'path')} × {counted(data['horizon_days'], 'day')}, seed "
        f"{data['seed']}" + ("" if seconds is None else f", {seconds:.1f} s"),
        highlight=False, soft_wrap=False,
    )  # fmt: skip
    settings = _settings_said(data)
    if settings:
        console.print(settings, highlight=False)
    horizon = data["horizon_days"]
    table = Table(title=f"US delivered {unit} (p50); share of the network d0 → d{horizon - 1}; "
                  f"Δ base d{horizon - 1}", title_justify="left", caption_justify="left",
                  caption=f"Δ base: the median over paths of the scenario's {unit} less "
                  "baseline's on the same path, on the last day (not the difference of the "
                  "medians)" if any(s["us"].get("hashrate_ehs_vs_baseline") is not None
                                    for s in data["scenarios"].values()) else None)  # fmt: skip
    table.add_column("scenario", overflow="fold")  # a long file name folds, never cut
    from hashshock.analysis.checkpoints import HEADLINE_DAYS  # numpy-free, but its package is not

    days = [(label, day) for label, day in HEADLINE_DAYS if day < horizon]
    for label, _ in days:
        table.add_column(label, justify="right")
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("Δ base", justify="right")
    for name, scenario in data["scenarios"].items():
        us = scenario["us"]
        cells = [f"{_p50(us['hashrate_ehs'], d) * scale:,.1f}" for _, d in days]
        share = us.get("share_of_network")
        last = horizon - 1
        cells.append("—" if share is None
                     else f"{percent(_p50(share, 0))} → {percent(_p50(share, last))}")  # fmt: skip
        delta = us.get("hashrate_ehs_vs_baseline")
        cells.append("—" if delta is None else signed(_p50(delta, last) * scale))
        table.add_row(literal(name), *cells)
    console.print(table)
    worst = worst_days(data)
    if worst:
        console.print(literal(worst), highlight=False)
    for note in day_zero_notes(data):
        console.print(f"note: {literal(note)}", highlight=False)
    steering = _steering_note(data)
    if steering:
        console.print(steering, highlight=False)
    _render_vendors(console, data)
    _render_used(console, data)
    baseline = data["scenarios"].get("baseline")
    baseline_breaks = baseline_breaks_of(data)
    unfunded = groups_without_finance(data)
    shocks = [n for n in data["scenarios"] if n != "baseline"]
    # Each shock against baseline; baseline alone: its own ranking, causes and lender.
    base = baseline if shocks else None
    base_break = baseline_breaks if shocks else {}
    for name in shocks or ["baseline"]:
        scenario = data["scenarios"][name]
        ranking = Table(title=f"Who breaks first: {literal(name)}", title_justify="left")
        columns = ["operator/class", "first", "P break", "Δ base", "day", "P decline", "day "]
        for column in columns if base_break else [c for c in columns if c != "Δ base"]:
            ranking.add_column(column, justify="left" if column == "operator/class" else "right",
                               overflow="fold")  # fmt: skip
        operational = {r["group"]: r for r in scenario["first_to_break"]["operational"]}
        rows = sorted(scenario["first_to_break"]["financial"], key=lambda r: (
            r["group"] in unfunded, -r["probability_first"], -r["probability_break"],
            -operational[r["group"]]["probability_break"],
            operational[r["group"]]["day_p50"] or horizon,
        ))  # fmt: skip
        for row in rows:
            ops = operational[row["group"]]
            cells = [literal(str(row["group"]))]
            if row["group"] in unfunded:  # no money: a financial break cannot happen
                cells += ["—"] * (4 if base_break else 3)
            else:
                cells += [probability(row["probability_first"]),
                          probability(row["probability_break"])]  # fmt: skip
                if base_break:
                    cells.append(points(row["probability_break"] - base_break[row["group"]]))
                cells.append(_day(row["day_p50"]))
            cells += [probability(ops["probability_break"]), _day(ops["day_p50"])]
            ranking.add_row(*cells)
        console.print(ranking)
        _render_causes(console, name, scenario, base, [str(r["group"]) for r in rows])
        lender = scenario.get("lender")
        if lender is not None:
            for line in lender_losses(scenario, base):
                print_indented(console, line)
            console.print(loans_table(name, lender, None if base is None else base.get("lender")))
    notes = ["first: share of paths it breaks (covenant or cash < 0) before all others",
             "P break: share of paths it breaks on (a class: once operators holding half "
             "its nameplate have; the lender's PD is the share of its operators)",
             "Δ base: P break less baseline's on the same paths, percentage points",
             f"decline: {DECLINE_SHORT} for {DECLINE_PERSIST_DAYS} days; days: medians over "
             f"the paths it breaks on, — when fewer than {MIN_SHARE_FOR_DAYS:.0%} do"]  # fmt: skip
    if unfunded:
        notes.append(f"— in the break columns: no finance block, so no financial break "
                     f"({', '.join(literal(n) for n in unfunded)})")  # fmt: skip
    if any(scenario.get("lender") is not None for scenario in data["scenarios"].values()):
        notes.append("P default: within the horizon and before maturity (a loan due later "
                     "may still default after it); p5: net income on the 5th percentile of "
                     "paths (defaults on fewer paths than that do not show)")  # fmt: skip
    for note in notes if base_break else [n for n in notes if not n.startswith("Δ")]:
        console.print(note, highlight=False)
    inputs = baseline_note(data)
    if inputs:
        console.print(f"note: {literal(inputs)}", highlight=False)


#: Gap between the engines' and the shared hashprice (p95) beyond which the summary says so.
STEERING_GAP_NOTE = 0.01


def _steering_note(data: dict[str, Any]) -> str:
    """A note when the engines' decisions saw a hashprice more than
    :data:`STEERING_GAP_NOTE` off the shared network's on 5 % of paths, with the fix."""
    gaps = {name: s["us"]["steering_hashprice_gap"]["p95"] for name, s in data["scenarios"].items()
            if "steering_hashprice_gap" in s["us"]}  # fmt: skip
    if not gaps or max(gaps.values()) <= STEERING_GAP_NOTE:
        return ""
    worst = max(gaps, key=lambda n: gaps[n])
    passes = int(data.get("engine_passes", 1))
    return (f"note: the engines' switch-off and replacement decisions saw a hashprice "
            f"{gaps[worst]:.1%} off the shared network's on the average day (p95, "
            f"{literal(worst)}); --passes "
            f"{passes + 1} brings it closer (one more run of every engine)")  # fmt: skip


def _render_causes(console: Console, name: str, scenario: dict[str, Any],
                   base: dict[str, Any] | None, order: list[str]) -> None:  # fmt: skip
    """What breaks each group that breaks (here or in baseline), groups in ``order``:
    each covenant and cash below zero, with its probability against baseline's."""
    causes = break_causes(scenario)
    base_causes = {} if base is None or base is scenario else break_causes(base)
    shown = sorted(
        (key for key, event in causes.items() if event["probability"] > 0
         or base_causes.get(key, {}).get("probability", 0) > 0),
        key=lambda key: order.index(key[0]),
    )  # fmt: skip
    if not shown:
        return
    table = Table(title=f"What breaks them: {literal(name)}", title_justify="left")
    columns = ["operator/class", "covenant", "P", "Δ base", "day"]
    for column in columns if base_causes else [c for c in columns if c != "Δ base"]:
        table.add_column(column, justify="left" if column in columns[:2] else "right",
                         overflow="fold")  # fmt: skip
    for row, (group, cause) in enumerate(shown):
        event = causes[group, cause]
        named = row == 0 or shown[row - 1][0] != group  # a group's name on its first row
        cells = [literal(group) if named else "", literal(cause),
                 probability(event["probability"])]  # fmt: skip
        if base_causes:
            cells.append(
                points(
                    event["probability"] - base_causes.get((group, cause), {}).get("probability", 0)
                )
            )
        cells.append(_day(event["day_p50"]))
        table.add_row(*cells)
    console.print(table)


def _check_outputs(json_out: str | None, report: str | None, save: bool, store: str | None,
                   files: Sequence[Path]) -> Path | None:  # fmt: skip
    """Refuse outputs that would fail after the run, or overwrite one of the input
    ``files``; the report's path (``None``: not asked for)."""
    check_output(json_out, "--json", files)
    report_path = None
    if report is not None:
        from hashshock.report.write import check_report_path

        report_path = check_report_path(report, files)
    store_file: Path | None = None
    if save or store is not None:  # a bad store fails now, not after the run
        from hashshock.store import check_store

        store_file = check_store(store)
    check_distinct_outputs(("--json", json_out), ("--report", report), ("--store", store_file))
    return report_path


def industry_command(
    file: FileArg = None,
    scenarios: ScenariosOpt = DEFAULT_SCENARIOS,
    paths: PathsOpt = 200,
    horizon: HorizonOpt = 365,
    seed: SeedOpt = 0,
    json_out: JsonOpt = None,
    validate: ValidateOpt = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
    portfolio: PortfolioOpt = None,
    quiet: QuietOpt = False,
    report: ReportOpt = None,
    save: SaveOpt = False,
    store: SaveToStoreOpt = None,
    passes: PassesOpt = None,
) -> None:
    """Simulate the US mining industry on one network: who breaks first.

    The bundled US industry (or your industry file): US hashrate and share of the
    network, and which operators break first."""
    from hashshock.cli.interrupt import run_interruptibly

    with input_errors():
        names = scenario_names(scenarios)
        from hashshock.industry.api import industry, industry_files
        from hashshock.prepare import check_run_args

        check_run_args(paths, seed, workers)  # --validate checks them as a run would
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        if validate:
            message = validate_industry_file(file, names, horizon, config, portfolio, passes,
                                             paths)  # fmt: skip
            if json_out is not None or report is not None or save or store is not None:
                # the outputs too, as the run would check them before simulating
                _check_outputs(json_out, report, save, store,
                               industry_files(file, names, config, portfolio)[1])  # fmt: skip
            out.print(message, highlight=False, soft_wrap=True)
            return
        loaded, files = industry_files(file, names, config, portfolio)
        if passes is not None:
            from hashshock.industry.load import with_engine_passes

            loaded = with_engine_passes(loaded, passes, "--passes")
        report_path = _check_outputs(json_out, report, save, store, files)
        from hashshock.execution import make_executor

        executor = make_executor(workers, scheduler)
        started = time.perf_counter()
        try:
            with progress_bar(not quiet) as tick:
                result = run_interruptibly(
                    lambda: industry(
                        loaded,
                        names,
                        paths,
                        horizon,
                        seed,
                        market=config,
                        executor=executor,
                        progress=tick,
                    )
                )
        finally:
            executor.close()
        seconds = time.perf_counter() - started
    data = result.to_dict()
    warn = Console(emoji=False, stderr=True)  # with --quiet too, as run's: not a summary
    warn_all(data["warnings"], warn)
    if not quiet and json_out != "-":
        render_industry(out, data, seconds)
    with outputs_written_whole():  # all of them, or Ctrl-C says which may be missing
        if json_out is not None:
            target = json_out
            if not write_or_report(lambda: write_json(data, target, "--json", indent=None), target):
                raise typer.Exit(1)
        if report_path is not None:
            from hashshock.industry.report import write_industry_report

            with input_errors():
                write_industry_report(data, report_path, option="--report")
        if save or store is not None:
            from hashshock.store.industries import save_industry

            with input_errors():
                industry_id = save_industry(data, store)
            # Said even with --quiet, as `run` does: the id is the only handle on the run.
            Console(emoji=False, stderr=True).print(
                f"saved industry run {industry_id}", highlight=False
            )


def validate_industry_file(
    file: str | None, names: list[str], horizon: int, config: Any, portfolio: str | None = None,
    passes: int | None = None, paths: int | None = None,
) -> str:  # fmt: skip
    """Check an industry (a portfolio file, a number of engine passes, the memory of a run
    of ``paths``) as a run of it would, short of simulating; the ``ok`` line."""
    from hashshock.industry.api import checked_warnings, validate_industry
    from hashshock.industry.load import with_engine_passes, with_portfolio

    checked = validate_industry(file, names, horizon, config, paths)
    loaded = checked.loaded if portfolio is None else with_portfolio(checked.loaded, portfolio)
    if passes is not None:
        with_engine_passes(loaded, passes, "--passes")
    warn = Console(emoji=False, stderr=True)
    warn_all(checked_warnings(checked, loaded), warn)  # what the run would say of its inputs
    members = checked.loaded.members
    size = industry_size(len(checked.loaded.groups), round(sum(m.weight for m in members)),
                         len(members))  # fmt: skip
    where = literal(str(checked.loaded.path))
    runs = len(checked.to_run)
    loans = counted(len(loaded.industry.portfolio.loans), "loan")
    lent = f", portfolio {literal(portfolio)} ({loans})" if portfolio is not None else ""
    return f"[green]ok[/] {where}: {size}, {counted(runs, 'scenario')}{lent}"


def industry_size(groups: int, operators: int, fleets: int) -> str:
    """How many operators and classes an industry lists, how many operators they stand
    for and how many fleets simulate them: a class of 300 small farms runs as a few
    representative members, each weighted by the farms it stands for."""
    listed = "1 operator or class" if groups == 1 else f"{groups} operators and classes"
    if operators == groups and fleets == groups:
        return listed
    return f"{listed} ({operators:,} operators, simulated as {counted(fleets, 'fleet')})"


def register(app: typer.Typer) -> None:
    """Add the ``industry`` command to ``app``."""
    app.command("industry")(industry_command)
