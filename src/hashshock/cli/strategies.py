"""``hashshock strategies``: add it to an app with :func:`register`.

Compares, on common random numbers, doing nothing, stockpiling months of spares,
moving open Bitmain orders to an alternative vendor, an in-house repair bench and the
user's strategy files (fleet edits by field path with their costs): availability at
3/6/12 months, revenue, cash at the end, covenant breach probabilities, net benefit
against doing nothing with its 95 % interval, and the cheapest strategy keeping each
covenant's breach probability under ``--max-breach`` (docs/decisions.md). Bad input
exits 2 with one line (file, field, problem, fix). Start-up rule (``hashshock.cli.app``):
only light modules load with ``--help``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hashshock.cli import market_options as market_opts
from hashshock.cli.common import (
    FleetArg,
    HorizonOpt,
    SeedOpt,
    confirming,
    error_exit,
    literal,
    progress_bar,
    say,
)
from hashshock.cli.decide_options import (
    ClusterWorkersOpt,
    JsonOpt,
    PathsOpt,
    QuietOpt,
    ReportOpt,
    ScenarioOpt,
    SchedulerOpt,
    executor,
    load_inputs,
    out,
    write_outputs,
)
from hashshock.cli.table import Table
from hashshock.inputs.errors import InputError
from hashshock.words import counted

if TYPE_CHECKING:
    from hashshock.cli.decide_options import Inputs

StrategyOpt = Annotated[
    list[str] | None,
    typer.Option("--strategy", help="A strategy YAML (fleet edits and costs); repeat for more."),
]
MaxBreachOpt = Annotated[
    list[str] | None,
    typer.Option("--max-breach", help="Most breach probability, e.g. dscr=0.05; repeatable."),
]
MonthsOpt = Annotated[
    float | None,
    typer.Option("--stockpile-months", help="Months of spares the stockpile buys "
                 "(default 6: data/decide_strategies.csv, stockpile_months)."),
]  # fmt: skip


def parse_thresholds(texts: list[str]) -> dict[str, float]:
    """``dscr=0.05`` → {"dscr": 0.05}; an :class:`InputError` for text that is not a name
    and a number, or a covenant given twice (:func:`hashshock.decide.api.check_thresholds`
    checks the names and probabilities)."""
    out_: dict[str, float] = {}
    for text in texts:
        name, equals, value = text.partition("=")
        name = name.strip()
        try:
            limit = float(value)
        except ValueError:
            limit = float("nan")
        if not equals or not name or limit != limit:
            raise InputError(None, "--max-breach", f"{text!r} is not a covenant and a "
                             "probability", "write it as dscr=0.05")  # fmt: skip
        if name in out_:
            raise InputError(None, "--max-breach", f"{name} is given twice",
                             f"give one limit for {name}")  # fmt: skip
        out_[name] = limit
    return out_


def strategies_command(
    fleet: FleetArg,
    scenario: ScenarioOpt = "baseline",
    strategy: StrategyOpt = None,
    max_breach: MaxBreachOpt = None,
    stockpile_months: MonthsOpt = None,
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
    """Compare strategies against doing nothing on common random numbers.

    Availability, money, covenant breaches and net benefit with its 95% interval, and the
    cheapest strategy under each --max-breach (docs/decisions.md)."""
    from hashshock.cli.interrupt import run_interruptibly
    from hashshock.execution.choose import check_placement

    try:
        from hashshock.decide.api import (
            check_months,
            check_tested,
            check_thresholds,
            covenant_names,
            strategy_fleets,
        )
        from hashshock.decide.strategies import compare_strategies
        from hashshock.prepare import prepare

        check_placement(workers, scheduler)  # before any work, as sweep's and industry's
        config = market_opts.market_config(
            market, btc_price, difficulty, network_hashrate, fee_share
        )
        inputs = load_inputs(fleet, scenario, paths, seed, horizon, json_out, report, config)
        thresholds = check_thresholds(parse_thresholds(max_breach or []),
                                      covenant_names(inputs.loaded))  # fmt: skip
        check_tested(inputs.loaded, thresholds, horizon)
        months = check_months(stockpile_months)
        prepared = prepare(inputs.loaded, [inputs.scenario], horizon, inputs.market, paths)
        _check_outputs(json_out, report, [*inputs.files, *(strategy or [])])
        chosen, fleets = strategy_fleets(prepared, inputs.loaded, inputs.scenario,
                                         inputs.market, months, strategy or [])  # fmt: skip
        inputs.warn()
        with (
            executor(workers, scheduler) as pool,
            progress_bar(not quiet and json_out != "-", "simulating", "strategies") as tick,
        ):
            result = run_interruptibly(lambda: compare_strategies(
                fleets, chosen, inputs.scenario, inputs.market, horizon, paths, seed,
                thresholds, pool, tick))  # fmt: skip
    except InputError as exc:
        raise error_exit(exc) from None
    data = result.to_dict()
    if not quiet and json_out != "-":
        render_strategies(out, data, covenant_names(inputs.loaded))

    def write_report() -> None:
        assert report is not None
        _write_report(inputs, data, report, paths, horizon, seed)

    write_outputs(data, json_out, report, write_report)
    if report is not None and not quiet:
        say(confirming(out, json_out, report), f"wrote {report}")


def _check_outputs(json_out: str | None, report: str | None, files: list[Any]) -> None:
    """Outputs never overwrite an input (the strategy files included)."""
    from hashshock.outputs import check_output

    check_output(json_out, "--json", files)
    if report is not None:
        from hashshock.report import check_report_path

        check_report_path(report, files)


def _write_report(inputs: Inputs, data: dict[str, Any], report: str, paths: int, horizon: int,
                  seed: int) -> None:  # fmt: skip
    """The report: net benefit on top of doing nothing's usual sections."""
    from hashshock import api
    from hashshock.decide.report import write_decision_report

    runs = api.compare(inputs.loaded, [inputs.scenario], paths, horizon, seed,
                       market=inputs.market)  # fmt: skip
    head = data["strategies_run"]
    write_decision_report(
        runs,
        "strategies",
        data,
        report,
        f"hashshock strategies — {head['fleet']} under {head['scenario']}",
        "do nothing",
    )


def money(value: float | None) -> str:
    """USD in k/M with a sign, e.g. −1.66M."""
    if value is None:
        return "—"
    size = abs(value)
    if size < 0.5:  # rounding noise of a sum of zeros: not "-0"
        return "0"
    if size < 500:
        return f"{value:,.0f}"
    # thousands with a decimal under 10k, as money_range writes its ends (5.1k … 6.4k)
    text = f"{size / 1e6:.2f}M" if size >= 1e6 else f"{size / 1e3:.{1 if size < 1e4 else 0}f}k"
    return ("-" if value < 0 else "") + text


def money_range(low: float, high: float) -> str:
    """An interval in one unit, that of its larger end (``-1.0k … 0.5k``, not
    ``-1k … 495``): the two ends read against each other."""
    size = max(abs(low), abs(high))
    if size < 500:
        return f"{money(low)} … {money(high)}"
    scale, unit, places = (1e6, "M", 2) if size >= 1e6 else (1e3, "k", 1 if size < 1e4 else 0)

    def one(value: float) -> str:
        shown = f"{abs(value) / scale:.{places}f}"
        negative = value < 0 and float(shown) != 0
        return f"{'-' if negative else ''}{shown}{unit}"

    return f"{one(low)} … {one(high)}"


def render_strategies(console: Console, data: dict[str, Any], covenants_of_fleet: list[str]
                      ) -> None:  # fmt: skip
    """Availability, money and covenants per strategy (saying which change nothing on
    this fleet, and which of ``covenants_of_fleet`` the horizon never tests), then the
    cheapest under each threshold (tables within 80 columns)."""
    head, rows = data["strategies_run"], data["strategies"]
    console.print(
        f"[bold]{literal(head['fleet'])}[/] under [bold]{literal(head['scenario'])}[/]: "
        f"{len(rows)} strategies on the same {counted(head['paths'], 'path')} × "
        f"{counted(head['horizon_days'], 'day')} (seed {head['seed']}); p50 over paths",
        highlight=False,
    )  # fmt: skip
    days = [str(d) for d in head["checkpoint_days"]]
    table = Table(title="Own costs and availability (delivered / nameplate)",
                  title_justify="left", caption_justify="left",
                  caption="upfront, per month: what the strategy itself costs (a bench, "
                  "staff, a stockpile, donor machines); an order it moves to another "
                  "vendor pays the new deposit now, less the contract's refund of the old "
                  "one, and the rest as the machines arrive, in the net benefit below")  # fmt: skip
    table.add_column("strategy", overflow="fold")
    for column in ("upfront", "per month", *(f"day {d}" for d in days)):
        table.add_column(column, justify="right")
    for r in rows:
        upfront = r["upfront_usd"] + r["order_deposits_usd"] - r["deposits_refunded_usd"]
        table.add_row(literal(r["name"]), money(upfront), money(r["running_usd_per_month"]),
                      *(f"{100 * r['availability_p50'][d]:.1f}%" for d in days))  # fmt: skip
    console.print(table)
    idle = [r["name"] for r in rows[1:] if not r["edits"] and not r["cost_over_horizon_usd"]]
    if idle:
        console.print(f"{', '.join(literal(n) for n in idle)}: nothing to change on this fleet "
                      "(e.g. no open order to move): the same as doing nothing", style="dim",
                      highlight=False)  # fmt: skip
    hands = _technician_note(rows, days)
    if hands:
        console.print(hands, style="dim", highlight=False)
    cash = Table(title="Money over the horizon (USD)", title_justify="left")
    cash.add_column("strategy", overflow="fold")
    for column in ("revenue", "cash at end", "net benefit", "95% interval"):
        cash.add_column(column, justify="right")
    for r in rows:
        ci = r.get("net_benefit_ci95")
        cash.add_row(literal(r["name"]), money(r.get("revenue_usd_p50")),
                     money(r.get("cash_end_usd_p50")), money(r.get("net_benefit_usd")),
                     money_range(ci[0], ci[1]) if ci else "—")  # fmt: skip
    console.print(cash)
    if any(r.get("net_benefit_usd") is not None for r in rows):
        console.print("net benefit: mean over paths of what the fleet owns at the end (cash, "
                      "spares at cost, machines and whole donors at the used-ASIC index, "
                      "less what its waiting machines lack and what its loans are owed) "
                      "against doing nothing",
                      style="dim", highlight=False)  # fmt: skip
    stopping = _gains_by_stopping(rows)
    if stopping:
        on_purpose = [r["name"] for r in rows if r["name"] in stopping and any(
            e["path"] == _SWITCH_OFF for e in r["edits"])]  # fmt: skip
        console.print(
            f"{', '.join(literal(n) for n in stopping)}: a gain with less revenue and less "
            "hashrate delivered than doing nothing — the machines stopped mine at a loss at this "
            "hashprice, and stopping them gains however it is done"
            + ("" if on_purpose == stopping else
               f" (to stop them on purpose: {_SWITCH_OFF} true, as "
               "examples/strategies/switch-off.yaml)"),
            style="dim", highlight=False,
        )  # fmt: skip
    covenants = list(rows[0].get("covenants") or {})
    if covenants:
        breach = Table(title="Covenant breach probability", title_justify="left")
        breach.add_column("strategy", overflow="fold")
        for name in covenants:
            breach.add_column(literal(name), justify="right", overflow="fold")
        for r in rows:
            shares = [r["covenants"][c]["probability_breach"] for c in covenants]
            breach.add_row(literal(r["name"]), *(f"{100 * v:.1f}%" for v in shares))
        console.print(breach)
    untested = [c for c in covenants_of_fleet if c not in covenants]
    if untested and rows[0].get("net_benefit_usd") is not None:  # (a fleet with money)
        console.print(
            f"not tested within {counted(head['horizon_days'], 'day')}, so no breach "
            f"share: {', '.join(literal(c) for c in untested)}",
            highlight=False,
        )
    limits = data["max_breach"]
    for name, best in data["cheapest_under_max_breach"].items():
        text = (f"largest net benefit keeping {literal(name)} breaches at or under "
                f"{100 * limits[name]:g}%: "
                + (f"[bold]{literal(best)}[/]" if best else "none of these"))  # fmt: skip
        console.print(text, highlight=False)
    if len(limits) > 1:
        best = data.get("cheapest_under_every_limit")
        console.print("largest net benefit within every limit at once: "
                      + (f"[bold]{literal(best)}[/]" if best else "none of these"),
                      highlight=False)  # fmt: skip


#: A site's swap technicians, or their swaps a day, as a strategy's edit path names them.
_SWAP_STAFF = re.compile(r"fleet\.sites\[[^\]]+\]\.(technicians|swaps_per_technician_day)")
#: The edit that stops machines on purpose (examples/strategies/switch-off.yaml).
_SWITCH_OFF = "fleet.finance.switch_off_unprofitable"


def _technician_note(rows: list[dict[str, Any]], days: list[str]) -> str:
    """Machines waiting for a technician (their spare on the shelf) on the last checkpoint,
    p50, per strategy when any waits — no stock shortens that queue; or, when none ever
    does, the strategies that add technicians (or their swaps) change nothing but their
    cost. Empty otherwise."""
    last = days[-1]
    waiting = [(r["name"], r["machines_waiting_for_technician_p50"]) for r in rows]
    if any(by_day[last] for _, by_day in waiting):
        listed = ", ".join(f"{literal(name)} {by_day[last]:,.0f}" for name, by_day in waiting)
        return (
            f"machines waiting for a technician on day {last} (p50), their spare on the "
            f"shelf: {listed} — a stock does not shorten that queue, technicians do"
        )
    # a site's swap technicians (not a repair bench's), and nothing else edited; and the
    # strategy's availability is doing nothing's at every checkpoint
    staffing = [r["name"] for r in rows[1:] if r["edits"] and all(
        _SWAP_STAFF.fullmatch(e["path"].replace(" ", "")) for e in r["edits"])
        and r["availability_p50"] == rows[0]["availability_p50"]]  # fmt: skip
    if staffing and not any(any(by_day.values()) for _, by_day in waiting):
        return (f"{', '.join(literal(n) for n in staffing)}: no machine waits for a "
                "technician on the median path at any checkpoint, with them or without: "
                "they change nothing but their cost")  # fmt: skip
    return ""


def _gains_by_stopping(rows: list[dict[str, Any]]) -> list[str]:
    """The strategies that gain against doing nothing (``rows[0]``) while earning less
    and delivering less hashrate on the last checkpoint: they gain by what they stop (a
    fleet short of technicians sent home came out ahead on machines that mined at a
    loss), not by what they add. Hashrate, not availability: machines set aside as donors
    leave the nameplate too, so availability rose while they stopped mining."""
    base = rows[0]
    last = list(base.get("hashrate_ths_p50") or {})[-1:]
    if base.get("revenue_usd_p50") is None or not last:
        return []
    return [
        r["name"] for r in rows[1:]
        if (r.get("net_benefit_usd") or 0.0) > 0 and r.get("revenue_usd_p50") is not None
        and r["revenue_usd_p50"] < base["revenue_usd_p50"]
        and r["hashrate_ths_p50"][last[0]] < base["hashrate_ths_p50"][last[0]]
    ]  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``strategies`` command to ``app``."""
    app.command("strategies")(strategies_command)
