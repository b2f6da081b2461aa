"""``hashshock optimise``: add it to an app with :func:`register`.

The cheapest spares stock per pool (site × part × family) holding an availability target
through the horizon under a scenario, and the availability-versus-budget frontier: the
closed form (VARI-METRIC marginal analysis, steady state) first, then simulation-based
marginal allocation on common random numbers, the answer verified on another seed
(docs/decisions.md). Bad input exits 2 with one line (file, field, problem, fix).
Start-up rule (``hashshock.cli.app``): only light modules load with ``--help``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hashshock.cli import market_options as market_opts
from hashshock.cli.common import (
    FleetArg,
    SeedOpt,
    confirming,
    error_exit,
    literal,
    say,
    warn_all,
)
from hashshock.cli.decide_options import (
    ClusterWorkersOpt,
    JsonOpt,
    PathsOpt,
    QuietOpt,
    ReportOpt,
    ScenarioOpt,
    SchedulerOpt,
    err,
    executor,
    load_inputs,
    out,
    progress_line,
    write_outputs,
)
from hashshock.cli.table import Table
from hashshock.decide.defaults import DEFAULT_AVAILABILITY
from hashshock.inputs.errors import InputError
from hashshock.words import counted, share_down

if TYPE_CHECKING:
    from hashshock.decide.optimise import OptimiseResult
    from hashshock.results import RunResult

TargetOpt = Annotated[
    str, typer.Option("--target", help="What to hold, e.g. availability=0.97 (a share).")
]
AtOpt = Annotated[
    str, typer.Option("--at", help="Percentile over paths that must hold it: p50 or p5.")
]
BudgetOpt = Annotated[
    float | None, typer.Option("--budget", help="Most USD to spend on spares beyond today's.")
]
PoolSitesOpt = Annotated[
    bool, typer.Option("--pool-sites", help="Show the stock per site × part (families summed).")
]
OrderedOpt = Annotated[
    bool,
    typer.Option(
        "--ordered",
        help="Stock bought beyond today's is ordered on day 0, "
        "not on the shelf: it comes through the lead time and the scenario's "
        "customs holds and supply stops.",
    ),
]
#: Frontier rows printed (the JSON has them all).
FRONTIER_ROWS = 8

#: The horizon's least is the target's window (decide.evaluate.WINDOW_DAYS, imported only
#: when the command runs: --help stays light; tests check the two agree).
HorizonOpt = Annotated[
    int,
    typer.Option(
        "--horizon", help="Days to simulate (30-1098: the target is on the worst 30 days)."
    ),
]


def parse_target(text: str) -> float:
    """``availability=0.97`` (or ``0.97``) → 0.97; an :class:`InputError` otherwise."""
    name, _, value = text.partition("=")
    if not value:
        name, value = "availability", name
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if name.strip() != "availability" or number != number:
        raise InputError(None, "--target", f"{text!r} is not a target",
                         "write it as availability=0.97")  # fmt: skip
    return number


def optimise_command(
    fleet: FleetArg,
    scenario: ScenarioOpt = "baseline",
    target: TargetOpt = f"availability={DEFAULT_AVAILABILITY:g}",
    at: AtOpt = "p50",
    budget: BudgetOpt = None,
    pool_sites: PoolSitesOpt = False,
    ordered: OrderedOpt = False,
    paths: PathsOpt = 1000,
    horizon: HorizonOpt = 365,
    seed: SeedOpt = 0,
    json_out: JsonOpt = None,
    report: ReportOpt = None,
    quiet: QuietOpt = False,
    scheduler: SchedulerOpt = None,
    workers: ClusterWorkersOpt = None,
    market: market_opts.MarketOpt = None,
    btc_price: market_opts.BtcPriceOpt = None,
    difficulty: market_opts.DifficultyOpt = None,
    network_hashrate: market_opts.NetworkHashrateOpt = None,
    fee_share: market_opts.FeeShareOpt = None,
) -> None:
    """Cheapest spares stock per pool holding an availability target, and the frontier.

    The stock per site × part × family holding the target through the horizon under the
    scenario, and the availability-versus-budget frontier (docs/decisions.md)."""
    from hashshock.cli.interrupt import run_interruptibly
    from hashshock.execution.choose import check_placement

    try:
        from hashshock.decide.evaluate import own_reorder_levels
        from hashshock.decide.optimise import check_target, check_window, optimise
        from hashshock.prepare import prepare

        check_placement(workers, scheduler)  # before any work, as sweep's and industry's
        goal = check_target(parse_target(target), at, budget)
        check_window(horizon)
        config = market_opts.market_config(
            market, btc_price, difficulty, network_hashrate, fee_share
        )
        inputs = load_inputs(fleet, scenario, paths, seed, horizon, json_out, report, config)
        prepared = prepare(inputs.loaded, [inputs.scenario], horizon, inputs.market, paths)
        inputs.warn()
        warn_all(own_reorder_levels(inputs.loaded), err)
        started = time.perf_counter()
        with executor(workers, scheduler) as pool:
            tick = progress_line(quiet)
            result = run_interruptibly(
                lambda: optimise(
                    prepared, goal, budget, paths, seed, pool, progress=tick, ordered=ordered
                )
            )
        seconds = time.perf_counter() - started
    except InputError as exc:
        raise error_exit(exc) from None
    data = result.to_dict()
    if not quiet and json_out != "-":
        render_optimise(out, result, seconds, pool_sites)
    if not result.reached:
        warn_all([f"{result.note}; {_best(result)}"], err)

    def write_report() -> None:
        from hashshock.decide.report import write_decision_report

        assert report is not None
        runs = _chosen_runs(inputs, result, paths, horizon, seed)
        write_decision_report(
            runs,
            "optimise",
            data,
            report,
            f"hashshock optimise — {result.fleet} under {result.scenario}",
            "chosen stock",
        )

    write_outputs(data, json_out, report, write_report)
    if report is not None and not quiet:
        say(confirming(out, json_out, report), f"wrote {report}")


def _chosen_runs(inputs: Any, result: OptimiseResult, paths: int, horizon: int,
                 seed: int) -> list[RunResult]:  # fmt: skip
    """Baseline and the scenario with the chosen stock, as ``compare`` runs them."""
    from hashshock import api
    from hashshock.decide.edits import base_set, edited_fleet
    from hashshock.decide.report import stock_rows
    from hashshock.sweep.fieldpath import parse

    base = base_set(inputs.loaded, inputs.scenario, inputs.market)
    rows = stock_rows(result.pools, result.chosen_stock, fleet=inputs.loaded,
                      ordered=result.ordered)  # fmt: skip
    fleet = edited_fleet(base, [(parse("fleet.spares"), rows)])
    return api.compare(fleet, [inputs.scenario], paths, horizon, seed, market=inputs.market)


def _best(result: OptimiseResult) -> str:
    """The chosen stock: the cheapest found (within the budget) within the paths' noise
    of the best found, and that best when it is more; and what a stock beyond the budget
    that the search simulated on its way reached when that is more — not the most money
    could buy: the climb stops at the budget."""
    from hashshock.decide.optimise import FRONTIER_DECIMALS

    within = " within the budget" if result.budget_usd is not None else ""
    text = (
        f"the chosen stock is the cheapest found{within} as good as the best: "
        f"{_pct(result.chosen_objective)} for ${result.chosen_cost_usd:,.0f}"
    )
    best = result.best_found
    if best is not None and best.cost_usd != result.chosen_cost_usd:
        text += (f" (the best, {_pct(best.availability)} for ${best.cost_usd:,.0f}, is within "
                 f"one standard error of it, {100 * (result.noise or 0.0):.2f} points: the "
                 "paths' noise)")  # fmt: skip
    budget = result.budget_usd
    beyond = [p for p in result.frontier_envelope() if budget is not None and p.cost_usd > budget]
    top = max(beyond, key=lambda p: p.availability) if beyond else None
    if top is not None and round(top.availability, FRONTIER_DECIMALS) > round(
        result.chosen_objective, FRONTIER_DECIMALS
    ):
        text += (f"; a stock beyond the budget simulated on the way reached "
                 f"{_pct(top.availability)} for ${top.cost_usd:,.0f}")  # fmt: skip
    if budget is not None:
        text += _without_budget(result)
    return text


def _without_budget(result: OptimiseResult) -> str:
    """What the search found without the budget, when it ran first (the closed form
    reached the target within the budget), else that it would find what the target
    costs."""
    free = [p for p in result.points if p.role.endswith("(without the budget)")]
    if not free:
        return " (the search stops at the budget: without --budget it finds what the target costs)"
    holding = [p for p in free if p.availability >= result.target.availability]
    if not holding:
        return " (without the budget the search does not reach the target either)"
    return f" (without the budget, ${min(p.cost_usd for p in holding):,.0f} holds the target)"


def _pct(value: float | None) -> str:
    """A share to two decimals, rounded down (:func:`hashshock.words.share_down`)."""
    return "—" if value is None else share_down(value)


def _interval(values: list[float] | tuple[float, float] | None) -> str:
    return "—" if not values else f"{100 * values[0]:.2f}–{100 * values[1]:.2f}%"


def render_optimise(console: Console, result: OptimiseResult, seconds: float,
                    by_site: bool = False) -> None:  # fmt: skip
    """The answer, closed form against simulation, the stock and the frontier (80 columns)."""
    data = result.to_dict()
    head = data["optimise"]
    console.print(
        f"[bold]{literal(result.fleet)}[/] under [bold]{literal(result.scenario)}[/]: target "
        f"{100 * result.target.availability:.10g}% parts availability at {result.target.at} "
        f"of each path's worst 30 days; {head['evaluations']} simulations of {result.paths:,} "
        f"(screening {result.screen_paths:,}) paths × {counted(result.horizon_days, 'day')} in "
        f"{seconds:.1f} s", highlight=False,
    )  # fmt: skip
    table = Table(title="Closed form against simulation", title_justify="left")
    for column in ("stock", "buy (USD)", "model", "verified", "95% interval"):
        table.add_column(column, justify="left" if column == "stock" else "right")
    cf, chosen = data["closed_form"], data["chosen"]
    sim_cf, verified = cf["simulated"] or {}, chosen["verified"] or {}
    answers = (("closed form", cf["cost_usd"], cf["predicted_availability"], sim_cf),
               ("simulation", chosen["cost_usd"], chosen["objective"], verified))  # fmt: skip
    for label, cost, model, check in answers:
        table.add_row(label, f"{cost:,.0f}", _pct(model), _pct(check.get("objective")),
                      _interval(check.get("objective_ci95")))  # fmt: skip
    console.print(table)
    console.print(
        "model: the closed form's steady state, or the simulation on the search's seed; "
        f"verified: simulated on seed {verified.get('seed')} (independent); paths holding it: "
        f"{_pct(verified.get('share_of_paths_holding'))}; mean parts availability over the "
        f"horizon {_pct(verified.get('mean_availability'))}"
        + (f"; {literal(result.note)}" if result.note else ""), highlight=False,
    )  # fmt: skip
    said = data["verified_note"]
    if said:
        level = "[yellow]note:[/]" if "noise" in said else "[bold yellow]warning:[/]"
        console.print(f"{level} {literal(said)}", highlight=False)
    if data["technicians_note"]:
        console.print(f"[bold yellow]warning:[/] {literal(data['technicians_note'])}",
                      highlight=False)  # fmt: skip
    gap = data["gap"]
    if gap["availability"] is not None:
        points = 100 * gap["availability"]
        extra = gap["cost_usd"]
        closed = data["closed_form"]
        # the target's measure (worst 30 days) first: the table's 99.99 % against 88 %
        # read as a contradiction beside a horizon's mean only 4 points apart
        on_target = (
            f"its steady state predicts {_pct(closed['predicted_availability'])}; simulated "
            f"under {literal(result.scenario)} its stock holds "
            f"{_pct(closed['simulated']['objective'])} on the target's measure "
            f"({data['optimise']['target']['at']} of each path's worst 30 days, where a shock "
            "bites) and averages "
            if closed["simulated"] is not None
            else "the closed form's stock averages "
        )
        console.print(
            f"closed form against simulation: {on_target}{abs(points):.2f} points "
            f"{'less' if points >= 0 else 'more'} than predicted over the horizon; the "
            f"simulation's stock costs ${abs(extra):,.0f} {'more' if extra >= 0 else 'less'}",
            highlight=False,
        )  # fmt: skip
    _stock_table(console, data["pools"], by_site)
    console.print(
        "stock beyond today's is ordered on day 0: it comes through the lead time and the "
        "scenario's customs holds and supply stops" if result.ordered else
        "the stock is on the shelf on day 0, before the scenario's first event: bought "
        "ahead of the shock (--ordered: ordered on day 0, through the lead time and the "
        "scenario's holds)", highlight=False,
    )  # fmt: skip
    frontier = Table(title="Frontier (simulated, cheapest first)", title_justify="left")
    frontier.add_column("buy (USD)", justify="right")
    frontier.add_column("parts availability", justify="right")
    frontier.add_column("from")
    envelope = data["frontier"]["simulated"]
    rows = _frontier_rows(envelope, chosen["cost_usd"], chosen["objective"])
    for point in rows:
        mark = " ← chosen" if point.get("chosen") else ""
        frontier.add_row(f"{point['cost_usd']:,.0f}", _pct(point["availability"]),
                         f"{point['role']}{mark}")  # fmt: skip
    console.print(frontier)
    shown = sum(1 for p in rows if not p.get("chosen") or p["on_frontier"])
    if shown < len(envelope):
        console.print(f"{shown} of {len(envelope)} frontier points shown (all in --json)",
                      style="dim", highlight=False)  # fmt: skip


def _frontier_rows(envelope: list[dict[str, Any]], cost: float, availability: float
                   ) -> list[dict[str, Any]]:  # fmt: skip
    """At most :data:`FRONTIER_ROWS` rows: points of the frontier evenly spaced with its
    ends, and the chosen stock (``cost``, ``availability``) in its place by cost, marked
    ``chosen`` — it may not be on the frontier, where a cheaper stock can hold as much."""
    last, room = len(envelope) - 1, FRONTIER_ROWS - 1  # one row is the chosen stock's
    spaced = sorted({round(i * last / (room - 1)) for i in range(room)}) if last else [0]
    rows = [envelope[i] for i in spaced] if envelope else []
    on = next((p for p in envelope if abs(p["cost_usd"] - cost) < 0.5), None)
    pick = {"cost_usd": cost, "availability": availability, "chosen": True,
            "role": on["role"] if on else "chosen", "on_frontier": on is not None}  # fmt: skip
    rows = [p for p in rows if abs(p["cost_usd"] - cost) >= 0.5]
    return sorted([*rows, pick], key=lambda p: p["cost_usd"])


def _stock_table(console: Console, pools: list[dict[str, Any]], by_site: bool) -> None:
    """Stock per pool (or per site × part) where today's, the closed form's or the
    chosen differ."""
    rows: dict[tuple[str, ...], list[float]] = {}
    for p in pools:
        key: tuple[str, ...] = (p["site"], p["part"], *(() if by_site else (p["family"],)))
        row = rows.setdefault(key, [0, 0, 0, 0.0])
        row[0] += p["current"]
        row[1] += p["closed_form"]
        row[2] += p["chosen"]
        row[3] += max(p["chosen"] - p["current"], 0) * p["unit_cost_usd"]
    table = Table(title="Stock per " + ("site × part" if by_site else "pool") +
                  " where it changes", title_justify="left")  # fmt: skip
    names = ("site", "part", *(() if by_site else ("family",)))
    for column in names:  # names whole; the numbers' headers wrap first when it is tight
        table.add_column(column, no_wrap=True)
    for column in ("today", "closed", "chosen", "buy (USD)"):
        table.add_column(column, justify="right")
    for key, (today, closed, chosen, cost) in rows.items():
        if today == closed == chosen:
            continue
        amounts = (f"{amount:,.0f}" for amount in (today, closed, chosen, cost))
        table.add_row(*map(literal, key), *amounts)
    if table.row_count:
        console.print(table)
    else:
        console.print("every pool keeps today's stock", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``optimise`` command to ``app``."""
    app.command("optimise")(optimise_command)
