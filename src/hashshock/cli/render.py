"""Terminal rendering of results with rich (reads the JSON-contract dicts only)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

MONTH_DAYS = (30, 90, 180, 270, 365, 545, 730, 1095)
STAGE_LABELS = {
    "customs_delay": "1 customs delay",
    "spares_depleted": "2 spares depleted",
    "hashrate_decline": "3 hashrate decline",
}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _day(value: Any) -> str:
    return "—" if value is None else f"d{value}"


def _checkpoints(horizon: int) -> list[int]:
    days = [d for d in MONTH_DAYS if d <= horizon]
    return days if horizon in days else [*days, horizon]


def render_market_start(console: Console, result: dict[str, Any]) -> None:
    """One line: the market on the start date, the same on every path, and where from."""
    start = result.get("manifest", {}).get("market_start")
    if not start:
        return
    given = sorted({v for v in start["origins"].values() if v.startswith("given")})
    origin = (
        ", ".join(given)
        if given
        else f"snapshot {start['snapshot_date']} ({start['snapshot_age_days']} days before)"
    )
    console.print(
        f"market on {start['date']}, every path: BTC ${start['btc_price_usd']:,.0f} · "
        f"hashprice ${start['hashprice_usd_per_ph_day']:.2f}/PH/day · difficulty "
        f"{start['difficulty'] / 1e12:.1f} T · from {origin}",
        highlight=False,
    )


def render_run(console: Console, result: dict[str, Any]) -> None:
    fleet = result["fleet"]
    console.print(
        f"[bold]{result['fleet_name']}[/] · scenario [bold cyan]{result['scenario']}[/] · "
        f"{fleet['machines']:,} machines · {fleet['nameplate_ths'] / 1e3:,.1f} PH/s nameplate · "
        f"{result['paths']} paths × {result['horizon_days']} days · seed {result['seed']}"
    )
    render_market_start(console, result)
    avail = result["daily"]["availability"]
    hashrate = result["daily"]["hashrate_ths"]
    table = Table(title="Availability and hashrate (p5 · p50 · p95)", title_justify="left")
    table.add_column("day")
    table.add_column("date")
    table.add_column("availability", justify="right")
    table.add_column("hashrate PH/s", justify="right")
    table.add_column("machines waiting", justify="right")
    for day in _checkpoints(result["horizon_days"]):
        i = day - 1
        table.add_row(
            str(day),
            result["dates"][i],
            f"{_pct(avail['p5'][i])} · {_pct(avail['p50'][i])} · {_pct(avail['p95'][i])}",
            f"{hashrate['p5'][i] / 1e3:,.1f} · {hashrate['p50'][i] / 1e3:,.1f} · "
            f"{hashrate['p95'][i] / 1e3:,.1f}",
            f"{result['daily']['machines_down']['waiting_for_part']['p50'][i]:,.0f}",
        )
    console.print(table)
    render_stages(console, [result])
    breaks = Table(title="First to break (spares stock-out)", title_justify="left")
    breaks.add_column("part")
    breaks.add_column("first on", justify="right")
    breaks.add_column("stocks out on", justify="right")
    breaks.add_column("median day", justify="right")
    breaks.add_column("spares p50 start → end", justify="right")
    for row in result["first_to_break"]:
        spares = result["daily"]["spares_on_hand"][row["part"]]["p50"]
        breaks.add_row(
            row["part"], _pct(row["probability_first"]), _pct(row["probability_stockout"]),
            _day(row["stockout_day_p50"]), f"{spares[0]:,.0f} → {spares[-1]:,.0f}",
        )  # fmt: skip
    console.print(breaks)


def render_stages(console: Console, results: list[dict[str, Any]]) -> None:
    table = Table(title="Collapse stages: probability · day p10/p50/p90", title_justify="left")
    table.add_column("stage")
    for result in results:
        table.add_column(result["scenario"], justify="right")
    for stage, label in STAGE_LABELS.items():
        cells = []
        for result in results:
            s = result["stages"][stage]
            days = (
                f" · {_day(s['day_p10'])}/{_day(s['day_p50'])}/{_day(s['day_p90'])}"
                if s["day_p50"] is not None
                else ""
            )
            cells.append(f"{_pct(s['probability'])}{days}")
        table.add_row(label, *cells)
    console.print(table)


def render_compare(console: Console, results: list[dict[str, Any]]) -> None:
    first = results[0]
    fleet = first["fleet"]
    console.print(
        f"[bold]{first['fleet_name']}[/] · {fleet['machines']:,} machines · "
        f"{fleet['nameplate_ths'] / 1e3:,.1f} PH/s · {first['paths']} paths × "
        f"{first['horizon_days']} days · seed {first['seed']} · common random numbers"
    )
    render_market_start(console, first)
    table = Table(title="Availability p50 (p5–p95)", title_justify="left")
    table.add_column("day")
    for result in results:
        table.add_column(result["scenario"], justify="right")
    for day in _checkpoints(first["horizon_days"]):
        i = day - 1
        cells = []
        for result in results:
            a = result["daily"]["availability"]
            cells.append(f"{_pct(a['p50'][i])} ({_pct(a['p5'][i])}–{_pct(a['p95'][i])})")
        table.add_row(str(day), *cells)
    console.print(table)
    render_stages(console, results)
    breaks = Table(title="First part to break: part (share of paths) · median stock-out day",
                   title_justify="left")  # fmt: skip
    breaks.add_column("scenario")
    breaks.add_column("first to break")
    for result in results:
        top = [r for r in result["first_to_break"] if r["probability_first"] > 0]
        text = ", ".join(
            f"{r['part']} ({_pct(r['probability_first'])}) {_day(r['stockout_day_p50'])}"
            for r in top
        )
        breaks.add_row(result["scenario"], text or "no stock-out")
    console.print(breaks)
