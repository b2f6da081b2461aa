"""The market options shared by the simulating commands, and the start-state warning.

``--market`` names a market YAML; ``--btc-price``, ``--difficulty``,
``--network-hashrate`` and ``--fee-share`` give the market on the start date
(over the YAML's ``as_of``). A run whose start state comes from a stale snapshot
prints one warning line on stderr before simulating (``docs/market.md``).

The market layer (:mod:`hashshock.market`, numpy) is imported when a function here
runs, not with the options, so that ``hashshock --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from hashshock.inputs.load import LoadedFleet
    from hashshock.market import MarketConfig
    from hashshock.market.start import MarketStart

MarketOpt = Annotated[
    str | None,
    typer.Option("--market", metavar="FILE", help="Market YAML (price model, network, used "
                 "prices)."),
]  # fmt: skip
BtcPriceOpt = Annotated[
    float | None,
    typer.Option(
        "--btc-price",
        metavar="USD",
        help="BTC price on the start date, USD.",
        show_default=False,
    ),
]
DifficultyOpt = Annotated[
    float | None,
    typer.Option(
        "--difficulty", metavar="D",
        help="Difficulty on the start date (e.g. 1.5e14).",
        show_default=False,
    ),
]  # fmt: skip
NetworkHashrateOpt = Annotated[
    float | None,
    typer.Option(
        "--network-hashrate", metavar="EH/S",
        help="Network hashrate on the start date, EH/s.",
        show_default=False,
    ),
]  # fmt: skip
FeeShareOpt = Annotated[
    float | None,
    typer.Option(
        "--fee-share", metavar="SHARE",
        help="Fees / (subsidy + fees) on the start date.",
        show_default=False,
    ),
]  # fmt: skip


def market_config(
    market: str | None,
    btc_price: float | None = None,
    difficulty: float | None = None,
    network_hashrate: float | None = None,
    fee_share: float | None = None,
) -> MarketConfig:
    """The market YAML (or the defaults) with the command line's start-date values over it;
    a value out of range is an :class:`InputError` naming its option (the bounds are the
    market file's ``as_of``: :class:`hashshock.market.config.AsOf`)."""
    from hashshock.inputs.errors import InputError
    from hashshock.market import load_market

    config = load_market(market)
    given = {"btc_price_usd": btc_price, "difficulty": difficulty,
             "network_hashrate_ehs": network_hashrate, "fee_share": fee_share}  # fmt: skip
    try:
        return config.with_as_of("command line", **given)
    except InputError as exc:
        if exc.field in _OPTIONS:  # said as typed on a command line ("nan", not YAML's ".nan")
            problem = exc.problem.replace(".nan ", "nan ", 1)
            fix = exc.fix.replace(" (not .inf)", "")
            raise InputError(None, _OPTIONS[exc.field], problem, fix) from None
        raise


#: The start-date options by the market field they set.
_OPTIONS = {
    "btc_price_usd": "--btc-price",
    "difficulty": "--difficulty",
    "network_hashrate_ehs": "--network-hashrate",
    "fee_share": "--fee-share",
}


def checked_start(config: MarketConfig, loaded: LoadedFleet) -> MarketStart:
    """The day-0 market of ``loaded``'s run: refused if its network is no larger than the
    fleet (:func:`~hashshock.market.start.check_network_holds`)."""
    from hashshock.market.start import check_network_holds, market_start

    start = market_start(config, loaded.fleet.start_date)
    check_network_holds(config, start, loaded.nameplate_ths)
    return start


def print_start_warnings(console: Console, start: MarketStart) -> None:
    """The day-0 market's notes and warning (if any), one line each on ``console``."""
    from hashshock.cli.common import warn_all

    warn_all((*start.notes, *([start.warning] if start.warning else [])), console)


def warn_if_stale(console: Console, config: MarketConfig, loaded: LoadedFleet) -> MarketStart:
    """:func:`checked_start`, its warnings printed on ``console``."""
    start = checked_start(config, loaded)
    print_start_warnings(console, start)
    return start
