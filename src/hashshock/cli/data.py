"""``hashshock data update`` and ``hashshock data show``: add them with :func:`register`.

``update`` fetches a fresh snapshot and writes it atomically to the user data
folder (or ``--out``); it never touches the bundled snapshot. When the API
cannot be reached it prints one line and exits 1 — only this command needs the
network; runs keep using the last good snapshot. Bad options exit 2.

This module is imported by ``hashshock --help``, so it imports only typer, rich,
the standard library and light hashshock modules at top level: the market layer
(:mod:`hashshock.market`, numpy, httpx) loads when a command runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from hashshock.cli.common import AsJsonFlag, error_exit, tell
from hashshock.cli.common import say as say_wrapped
from hashshock.cli.market_options import (
    BtcPriceOpt,
    DifficultyOpt,
    FeeShareOpt,
    NetworkHashrateOpt,
    market_config,
    print_start_warnings,
)
from hashshock.inputs.errors import InputError
from hashshock.market.fetch import DEFAULT_URL
from hashshock.words import counted

if TYPE_CHECKING:
    from hashshock.market.snapshot import NetworkSnapshot

data_app = typer.Typer(
    help="The network snapshot runs start from: show it, or update it from a public API.",
    no_args_is_help=True,
)


def _describe(snap: NetworkSnapshot) -> str:
    return (
        f"{snap.date}: BTC ${snap.btc_price_usd:,.0f}, difficulty {snap.difficulty / 1e12:.2f} T, "
        f"hashrate {snap.network_hashrate_ehs:,.0f} EH/s, height {snap.block_height:,}, "
        f"fee share {snap.fee_share:.2%}, hashprice ${snap.hashprice_usd_per_ph_day:,.2f}/PH/day"
    )


@data_app.command("update")
def update_command(
    url: Annotated[str, typer.Option("--url", help="Base URL of a mempool.space-style API.")] = (
        DEFAULT_URL
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write here instead of the user data folder."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=300, help="Seconds per request.")
    ] = 10.0,
) -> None:
    """Fetch price, difficulty, hashrate, height and fees; write the user's snapshot."""
    from hashshock.market.fetch import (
        FetchError,
        check_price_continuity,
        check_url,
        fetch_snapshot,
    )
    from hashshock.market.snapshot import (
        load_snapshot,
        looks_like_snapshot,
        user_snapshot_path,
        write_snapshot,
    )
    from hashshock.outputs import check_output, check_replaceable

    err = Console(emoji=False, stderr=True)
    target = out if out is not None else user_snapshot_path()
    try:  # before asking the network: a bad address or path should not cost a fetch
        check_url(url)
        if out is not None:
            check_output(out, "--out", suffixes=(".yaml", ".yml"))  # a snapshot is YAML
            check_replaceable(out, "--out", "a network snapshot", looks_like_snapshot)
    except InputError as exc:
        raise error_exit(exc) from None
    # The user data folder: checked now that it can be made, made once there is something
    # to write (a failed fetch leaves no empty folders behind).
    existing = next(p for p in (target.parent, *target.parent.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        err.print(f"[bold red]error:[/] {escape(str(target.parent))}: cannot create it "
                  f"({escape(str(existing))} is not a folder you can write to)")  # fmt: skip
        raise typer.Exit(2)
    try:
        snap = fetch_snapshot(url, timeout)
        check_price_continuity(snap, load_snapshot())
    except FetchError as exc:
        current = load_snapshot()
        tell(
            err,
            "[bold red]error:[/] ",
            f"{url}: {exc}; nothing written — runs keep using "
            f"the {current.origin or 'bundled'} snapshot of {current.date}",
        )
        raise typer.Exit(1) from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        written = write_snapshot(snap, target, "--out")
    except OSError as exc:
        tell(err, "[bold red]error:[/] ", f"{target.parent}: cannot create ({exc})")
        raise typer.Exit(2) from None
    except InputError as exc:
        raise error_exit(exc) from None
    Console(emoji=False).print(
        f"snapshot {escape(_describe(snap))}\nwritten to {escape(str(written))}",
        soft_wrap=True,
        highlight=False,
    )


@data_app.command("show")
def show_command(
    start_date: Annotated[
        str | None,
        typer.Option(
            "--start-date",
            metavar="YYYY-MM-DD",
            help="The run's start date, YYYY-MM-DD (default: today, UTC).",
        ),
    ] = None,
    market: Annotated[
        str | None, typer.Option("--market", help="Market YAML (its as_of values count).")
    ] = None,
    btc_price: BtcPriceOpt = None,
    difficulty: DifficultyOpt = None,
    network_hashrate: NetworkHashrateOpt = None,
    fee_share: FeeShareOpt = None,
    as_json: AsJsonFlag = False,
) -> None:
    """Print the snapshot, and the market state a run starting on a date starts from
    (with the start-date options as a run takes them: what they make of the rest)."""
    from hashshock.market.start import market_start

    err = Console(emoji=False, stderr=True)
    try:
        day = _parse_day(start_date)
        config = market_config(market, btc_price, difficulty, network_hashrate, fee_share)
        start = market_start(config, day)
    except InputError as exc:
        raise error_exit(exc) from None
    snap = start.snapshot
    print_start_warnings(err, start)
    if as_json:  # what the text says, for a script: the snapshot and the day-0 market
        height, subsidy, when = start.next_halving()
        halving = {"block_height": height, "subsidy_btc": subsidy, "date": str(when)}
        sys.stdout.write(json.dumps({"snapshot": snap.model_dump(mode="json"),
                                     "market_start": start.to_dict(),
                                     "next_halving": halving}, indent=2) + "\n")  # fmt: skip
        return
    console = Console(emoji=False)
    age = (dt.datetime.now(dt.UTC).date() - snap.date).days

    def say(text: str) -> None:
        say_wrapped(console, text)  # continuation lines indented under their item

    say(
        f"snapshot ({snap.origin or 'bundled'}), {counted(age, 'day')} old today: {_describe(snap)}"
    )
    say(f"source: {snap.source}")
    for key, text in snap.sources.items():
        say(f"  {key}: {text}")
    say(f"a run starting {start.describe()}")
    for key, text in start.origins.items():
        say(f"  {key}: {text}")
    height, subsidy, when = start.next_halving()
    after = (f"; counted from the snapshot of {snap.date}, dated after the start"
             if start.snapshot_age_days < 0 else "")  # fmt: skip
    say(
        f"next halving: block {height:,}, subsidy {2 * subsidy:g} → {subsidy:g} BTC, about "
        f"{when} at constant hashrate (a growing network brings it earlier{after})"
    )


def _parse_day(text: str | None) -> dt.date:
    """``text`` as a date (``None``: today, UTC); a bad date is an input error."""
    if text is None:
        return dt.datetime.now(dt.UTC).date()
    from hashshock.inputs.fleet import EARLIEST_START, LATEST_START

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            None, "--start-date", f"{text!r} is not a date", "write YYYY-MM-DD, e.g. 2026-12-01"
        ) from None
    if not EARLIEST_START <= day <= LATEST_START:  # as a fleet's start_date
        raise InputError(None, "--start-date", f"{day} is outside the dates a run may start on",
                         f"give a date from {EARLIEST_START} to {LATEST_START}")  # fmt: skip
    return day


def register(app: typer.Typer) -> None:
    """Add the ``data`` command group (``update``, ``show``) to ``app``."""
    app.add_typer(data_app, name="data")
