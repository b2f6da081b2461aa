"""``hashshock breakpoint``: the reverse stress test — the smallest shock that breaches a
covenant on a share of paths. Light at import (start-up rule in :mod:`hashshock.cli.app`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hashshock.cli.common import (
    FleetArg,
    HorizonOpt,
    JsonOpt,
    PathsOpt,
    QuietOpt,
    SeedOpt,
    err_console,
    input_errors,
    literal,
    warn_all,
    write_or_report,
)
from hashshock.cli.interrupt import run_interruptibly
from hashshock.cli.market_options import (
    BtcPriceOpt,
    DifficultyOpt,
    FeeShareOpt,
    MarketOpt,
    NetworkHashrateOpt,
    market_config,
    warn_if_stale,
)
from hashshock.outputs import check_output, write_json

console = Console(emoji=False)


def breakpoint_command(
    fleet: FleetArg,
    covenant: Annotated[str, typer.Option("--covenant", "-c", help="Covenant name.")],
    shock: Annotated[
        str,
        typer.Option(
            "--shock",
            help="parts-cut (days of vendor parts and repair cut) "
            "or btc-drop (share of BTC price lost).",
        ),
    ] = "parts-cut",
    vendor: Annotated[
        str | None,
        typer.Option(
            "--vendor",
            help="With parts-cut: whose parts and repair centre are cut (data/vendors.csv; "
            "default bitmain).",
        ),
    ] = None,
    probability: Annotated[
        float,
        typer.Option(
            "--probability",
            "-p",
            help="Breach probability to reach: the share of paths, in (0, 1].",
        ),
    ] = 0.5,
    paths: PathsOpt = 200,
    horizon: HorizonOpt = 365,
    seed: SeedOpt = 0,
    json_out: JsonOpt = None,
    market: MarketOpt = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Reverse stress test: the smallest shock breaching a covenant on a share of paths
    (--probability, 50% by default)."""
    from hashshock.breakpoint import (
        check_covenant,
        check_shock,
        check_target,
        check_vendor,
        check_vendor_in_fleet,
        find_breakpoint,
    )
    from hashshock.inputs.errors import InputError
    from hashshock.inputs.load import load_fleet
    from hashshock.prepare import check_horizon, check_run_args, estimate_for, input_files
    from hashshock.sizing import check_fits

    with input_errors():
        check_shock(shock, "--shock")
        if vendor is not None and shock != "parts-cut":
            raise InputError(
                None, "--vendor", f"names whose parts are cut, and --shock {shock} cuts none",
                "leave --vendor out, or use --shock parts-cut",
            )  # fmt: skip
        if shock == "parts-cut":
            vendor = vendor or "bitmain"
            check_vendor(vendor, "--vendor")
        check_target(probability)
        check_run_args(paths, seed)
        check_horizon(horizon)
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        loaded = load_fleet(fleet)
        if vendor is not None:
            check_vendor_in_fleet(loaded, vendor, "--vendor")
        check_covenant(loaded, covenant, horizon)
        check_fits(estimate_for(loaded, 1, paths, horizon))  # the shocked run alone
        check_output(json_out, "--json", input_files(loaded, [], config))
        warn_if_stale(err_console, config, loaded)
        warn_all(loaded.warnings)  # the fleet's own, as run says them

        def step(size: float, probability: float) -> None:
            if not quiet:  # a BTC fall as a share of the price, a cut in days
                shown = f"{size:.2%}" if shock == "btc-drop" else f"{size:g} days"
                err_console.print(f"  {shock} {shown}: breach probability {probability:.1%}")

        found = run_interruptibly(
            lambda: find_breakpoint(
                loaded, covenant, shock, paths, horizon, seed,  # type: ignore[arg-type]
                vendor=vendor, market=config, on_step=step, probability=probability,
            )
        )  # fmt: skip
    if json_out and not write_or_report(lambda: write_json(found.to_dict(), json_out), json_out):
        raise typer.Exit(code=1)
    if json_out != "-" and not quiet:
        target = f"{probability:.0%}"
        named = literal(covenant)

        def shown(size: float) -> str:
            return f"a {fall(size)} fall" if shock == "btc-drop" else f"{size:g} days"

        tried = found.evaluations
        if found.value is None:
            most = max(tried, key=lambda e: e["probability_breach"])
            console.print(
                f"[green]{named}[/] holds (breached on < {target} of paths) at every {shock} "
                f"tried, up to {shown(max(e['size'] for e in tried))}; the most paths breached: "
                f"{most['probability_breach']:.1%} at {shown(most['size'])}."
            )  # fmt: skip
        elif found.value == 0:
            console.print(
                f"[bold]{named}[/] is already breached on "
                f"[bold red]{found.probability_at_value:.0%}[/] of paths with no {shock}, at "
                f"least the {target} asked for: no shock is needed (--probability sets "
                "another share).",
            )  # fmt: skip
        else:
            cut = f"a {literal(vendor)} parts and repair cut of {found.value:g} days"
            price = found.market.get("market_start", {}).get("btc_price_usd")
            start = f" (from ${price:,.0f} on the start date)" if price else ""
            size = (f"a fall of {fall(found.value)} in the BTC price{start}"
                    if shock == "btc-drop" else cut)  # fmt: skip
            interval = found.probability_interval
            error = "" if interval is None else (
                f", 95% interval {interval[0]:.0%}–{interval[1]:.0%} over {found.paths:,} "
                "paths: its Monte Carlo error, so another seed can move the shock found"
            )  # fmt: skip
            # The share need not grow with the shock (a cut's costs land when it ends): a
            # larger one that breached less is said, so "at" is not read as "from".
            less = [e for e in tried if e["size"] > found.value
                    and e["probability_breach"] < found.target_probability]  # fmt: skip
            after = "" if not less else (
                f" Larger shocks need not breach more: {shown(less[0]['size'])} breached "
                f"{less[0]['probability_breach']:.1%}."
            )  # fmt: skip
            where = "every path" if probability >= 1 else f"≥ {target} of paths"
            console.print(
                f"[bold]{named}[/] is breached on {where} at "
                f"[bold red]{size}[/], the smallest found that does (breach probability "
                f"there {found.probability_at_value:.0%}{error}).{after}",
            )


def fall(size: float) -> str:
    """A BTC fall as a share of the price, to the hundredth of a percent the search found
    it to (to a tenth, 57.2 % read below the 57.21 % that breached): ``57.21%``, ``9%``."""
    return f"{100 * size:.2f}".rstrip("0").rstrip(".") + "%"


def register(app: typer.Typer) -> None:
    """Add the ``breakpoint`` command to ``app``."""
    app.command("breakpoint")(breakpoint_command)
