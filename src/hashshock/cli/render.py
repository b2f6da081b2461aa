"""Terminal rendering of results with rich (reads the JSON-contract dicts only).

Days are counted as everywhere in hashshock (PRODUCT.md, README "JSON output"): day 0
is the run's start date, day *d* is *d* days later and is index *d* of the ``daily``
lists and of ``dates``; stage, stock-out and breach days count the same way. The
tables say so in their titles.

Nothing a user must read is cut off in a narrow terminal: tables whose columns do not
fit side by side are split into several tables of fewer scenarios
(:func:`print_in_parts`), and cells fold rather than end in an ellipsis.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.text import Text

from hashshock.cli.common import literal
from hashshock.cli.table import Table
from hashshock.words import STOCKOUT_DEFINITION, counted, switched_off_note

#: Checkpoint rows, days from the start date: about 1, 3, 6, 9, 12, 18, 24 and 36 months
#: (the last day of the run, ``horizon - 1``, is always shown too).
CHECKPOINT_DAYS = (30, 91, 182, 273, 365, 547, 730, 1095)
STAGE_LABELS = {
    "customs_delay": "1 customs delay",
    "spares_depleted": "2 spares depleted",
    "hashrate_decline": "3 hashrate decline",
}
#: Said under tables that show days.
DAY_CONVENTION = "day 0 = the start date"


def _render_switched_off(console: Console, result: dict[str, Any], days: list[int]) -> None:
    """The machines switched off at the checkpoints, when some are on any path there: the
    part of the availability that no repair explains."""
    off = result["daily"]["machines_down"].get("switched_off")
    if not off or not any(off["p95"][day] for day in days):
        return
    table = Table(
        title=f"Machines switched off (p50 · p95); {DAY_CONVENTION}",
        title_justify="left",
        caption="Working machines off for the day, counted in the availability above: the "
        "hashprice below their break-even (finance.switch_off_unprofitable) or their "
        "site's curtailment line (sites[].curtail_below_hashprice_usd_per_ph_day).",
        caption_justify="left",
    )
    table.add_column("day", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("machines", justify="right", overflow="fold")
    for day in days:
        table.add_row(str(day), result["dates"][day],
                      f"{off['p50'][day]:,.0f} · {off['p95'][day]:,.0f}")  # fmt: skip
    console.print(table)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _day(value: Any) -> str:
    return "—" if value is None else f"d{value}"


def checkpoints(horizon: int) -> list[int]:
    """Days (0-based) of the checkpoint rows: :data:`CHECKPOINT_DAYS` before the last day,
    then the last day, ``horizon - 1`` (:func:`~hashshock.analysis.checkpoints.days_read`)."""
    from hashshock.analysis.checkpoints import days_read

    return days_read(CHECKPOINT_DAYS, horizon)


def _measure(console: Console, table: Table) -> Measurement:
    """``table``'s minimum (longest words) and maximum (one line a cell) widths, not clamped
    to the terminal as rich's own measurement is."""
    return Measurement.get(console, console.options.update_width(100_000), table)


def table_width(console: Console, table: Table) -> int:
    """Columns ``table`` needs in ``console`` to show every cell on one line each."""
    return _measure(console, table).maximum


def fits(console: Console, table: Table) -> bool:
    """Whether ``table`` fits ``console`` without cutting a word (cells may wrap at spaces).

    Drawn to check: rich shares the width out by shrinking the widest columns, so a table
    whose longest words add up to less than the width can still cut a word in a column
    that was narrowed below its longest (``remote-disabl`` / ``e``)."""
    if _measure(console, table).minimum > console.width:
        return False
    words: set[str] = set()
    for column in table.columns:
        for cell in (column.header, *column.cells):
            if isinstance(cell, str):
                cell = Text.from_markup(cell)
            if isinstance(cell, Text):
                words.update(cell.plain.split())
    out = io.StringIO()
    Console(emoji=False, file=out, width=console.width, color_system=None).print(table)
    text = out.getvalue()
    return words <= set(text.replace("│", " ").replace("┃", " ").split())


def print_in_parts(
    console: Console, results: Sequence[dict[str, Any]],
    build: Callable[[Sequence[dict[str, Any]], str], Table],
) -> None:  # fmt: skip
    """Print ``build(results, "")``, or, if its columns (one per result) cannot fit the
    terminal without cutting words, the fewest equal groups of results that all do, each
    built with a ``" (part i of n)"`` suffix for its title (one result a table at worst)."""
    if len(results) < 2 or fits(console, build(results, "")):
        console.print(build(results, ""))
        return
    for most in range(len(results) - 1, 0, -1):
        parts = -(-len(results) // most)
        size = -(-len(results) // parts)  # balanced: 4 results in 2 parts are 2 + 2, not 3 + 1
        groups = [results[i * size : (i + 1) * size] for i in range(parts)]
        if most == 1 or all(fits(console, build(group, "")) for group in groups):
            break
    for i, group in enumerate(groups):
        console.print(build(group, f" (part {i + 1} of {len(groups)})"))


def render_market_start(console: Console, result: dict[str, Any]) -> None:
    """One line: the market on the start date, the same on every path, and where from."""
    start = result.get("manifest", {}).get("market_start")
    if not start:
        return
    age = int(start["snapshot_age_days"])  # negative: the snapshot is after the start
    when = f"{counted(age, 'day')} before" if age >= 0 else f"{counted(-age, 'day')} after"
    snapshot = f"snapshot {start['snapshot_date']} ({when})"
    sources: dict[str, list[str]] = {}  # where from → the figures from there
    for key, where in start["origins"].items():
        source = snapshot if where.startswith("snapshot") else where
        name = key.split("_usd")[0].removesuffix("_ehs").replace("_", " ")
        sources.setdefault(source, []).append(name)
    origin = "; ".join(
        source if len(sources) == 1 else f"{source} for {', '.join(names)}"
        for source, names in sources.items()
    )  # fmt: skip
    print_segments(console, [
        f"market on {start['date']} (day 0), every path: BTC ${start['btc_price_usd']:,.0f}",
        f"hashprice ${start['hashprice_usd_per_ph_day']:,.2f}/PH/day",
        f"difficulty {start['difficulty'] / 1e12:.1f} T", f"from {literal(origin)}",
    ])  # fmt: skip


def print_segments(console: Console, segments: Sequence[str]) -> None:
    """``segments`` (rich markup) joined by " · ", a line broken only between two of them
    where the next would pass the terminal's width: a header wrapped by word read
    "4,609.0 PH/s ⏎ nameplate"."""
    lines: list[str] = []
    width = 0
    for segment in segments:
        size = Text.from_markup(segment).cell_len
        if lines and width + 3 + size <= console.width:
            lines[-1] += f" · {segment}"
            width += 3 + size
        else:  # a line after the first starts "· ", as the header did before it broke
            lines.append(f"· {segment}" if lines else segment)
            width = size + (2 if len(lines) > 1 else 0)
    console.print("\n".join(lines), highlight=False)


def render_run(console: Console, result: dict[str, Any]) -> None:
    fleet = result["fleet"]
    steady = fleet.get("pipelines_at_start") == "steady"
    print_segments(console, [
        f"[bold]{literal(result['fleet_name'])}[/]",
        f"scenario [bold cyan]{literal(result['scenario'])}[/]",
        counted(fleet["machines"], "machine"),
        f"{fleet['nameplate_ths'] / 1e3:,.1f} PH/s nameplate",
        f"{counted(result['paths'], 'path')} × {counted(result['horizon_days'], 'day')}",
        f"seed {result['seed']}",
        *(["repairs and orders under way on day 0"] if steady else []),
    ])  # fmt: skip
    render_market_start(console, result)
    avail = result["daily"]["availability"]
    hashrate = result["daily"]["hashrate_ths"]
    table = Table(
        title=f"Availability and hashrate (p5 · p50 · p95); {DAY_CONVENTION} {result['dates'][0]}",
        title_justify="left",
    )
    table.add_column("day", justify="right", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("availability", justify="right", overflow="fold")
    table.add_column("hashrate PH/s", justify="right", overflow="fold")
    days = checkpoints(result["horizon_days"])
    down = result["daily"]["machines_down"]
    # Machines whose spare is on the shelf, short of a technician: shown only when some
    # checkpoint's median has them (most fleets never do).
    for_hands = down.get("waiting_for_technician", {}).get("p50") or [0] * len(result["dates"])
    hands = any(for_hands[day] for day in days)
    # (a header of at most 9 characters: the row's other cells then fit 80 columns)
    table.add_column("waiting\npart·hand" if hands else "waiting\nfor part",
                     justify="right", overflow="fold")  # fmt: skip
    # Whole PH/s from 1,000 up: three values with a decimal each overflowed the column.
    places = 0 if max(hashrate["p95"][day] for day in days) >= 1e6 else 1
    # On a day most paths have no machine installed yet (a fleet of orders), delivered over
    # nameplate is 0 / 0: "—", not an availability of 0.0 %.
    installed = result["daily"].get("nameplate_ths", {}).get("p50")
    empty = [day for day in days if installed is not None and installed[day] == 0]
    for day in days:
        waiting = f"{down['waiting_for_part']['p50'][day]:,.0f}"
        table.add_row(
            str(day),
            result["dates"][day],
            "— (none installed)"
            if day in empty
            else " · ".join(_pct(avail[p][day]) for p in ("p5", "p50", "p95")),
            " · ".join(f"{hashrate[p][day] / 1e3:,.{places}f}" for p in ("p5", "p50", "p95")),
            f"{waiting} · {for_hands[day]:,.0f}" if hands else waiting,
        )
    table.caption = (
        "waiting (p50): part, machines stopped for want of a spare; hand, stopped with the "
        "spare on the shelf and no technician-day left for the swap" if hands else
        "waiting for part (p50): machines stopped for want of a spare"
    )  # fmt: skip
    table.caption_justify = "left"
    console.print(table)
    _render_switched_off(console, result, days)
    render_stages(console, [result])
    breaks = Table(
        title=f"First to break (spares stock-out); {DAY_CONVENTION}",
        title_justify="left",
        caption=f"{STOCKOUT_DEFINITION}; its day: the median over the paths on which it "
        "stocks out (whether first or not); the spares column sums all pools, from the end "
        "of day 0 (after its failures' swaps) to the last day.",
        caption_justify="left",
    )
    breaks.add_column("part", no_wrap=True)
    breaks.add_column("first on", justify="right", overflow="fold")
    breaks.add_column("stocks out on", justify="right", overflow="fold")
    breaks.add_column("its day p50", justify="right", overflow="fold")
    breaks.add_column("spares p50 day 0 → end", justify="right", overflow="fold")
    for row in result["first_to_break"]:
        spares = result["daily"]["spares_on_hand"][row["part"]]["p50"]
        breaks.add_row(
            row["part"], _pct(row["probability_first"]), _pct(row["probability_stockout"]),
            _day(row["stockout_day_p50"]), f"{spares[0]:,.0f} → {spares[-1]:,.0f}",
        )  # fmt: skip
    console.print(breaks)
    for key, what in (("transferred_mean", "Spares sent between sites"),
                      ("from_donors_mean", "Parts taken from donor machines")):  # fmt: skip
        moved = {p: n for p, n in result["totals"].get(key, {}).items() if n >= 0.5}
        if moved:
            parts = ", ".join(f"{p} {n:,.0f}" for p, n in moved.items())
            console.print(f"{what} over the horizon (mean over paths): {parts}.",
                          highlight=False)  # fmt: skip
    totals = result["totals"]
    for key, what, spend in (
        ("replacements_bought_mean", "Replacement machines bought", None),
        ("donors_bought_mean", "Used machines bought as donors", "donor_spend_usd_mean"),
    ):  # fmt: skip
        bought = totals.get(key, 0.0)
        if bought >= 0.5:
            paid = f", ${totals[spend]:,.0f}" if spend is not None and spend in totals else ""
            console.print(f"{what} over the horizon (mean over paths): {bought:,.0f}{paid}.",
                          highlight=False)  # fmt: skip


def _stages_table(results: Sequence[dict[str, Any]], part: str) -> Table:
    table = Table(
        title=f"Collapse stages: probability · day p10/p50/p90; {DAY_CONVENTION}{part}",
        title_justify="left",
    )
    table.add_column("stage", overflow="fold")
    for result in results:
        table.add_column(literal(result["scenario"]), justify="right", overflow="fold")
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
    return table


def _lead_times() -> dict[int, list[str]]:
    """Vendors by spares lead time (days), from the bundled vendor table."""
    from hashshock.inputs.catalog import vendor_defaults
    from hashshock.inputs.errors import InputError

    try:
        vendors = vendor_defaults()
    except (InputError, OSError):  # the note then gives the general reason
        return {}
    out: dict[int, list[str]] = {}
    for name, spec in sorted(vendors.items()):
        out.setdefault(spec.parts_lead_time_days, []).append(name)
    return out


def fixed_customs_day_note(results: Sequence[dict[str, Any]]) -> str | None:
    """A footnote when the customs-delay stage falls on the same day on every path (p10 =
    p90): that day is when the first lot reaches the border, set by a lead time, not by
    when the hold begins. ``None`` when no result shows it (day 0 needs no word: lots on
    their way on day 0, ``pipelines_at_start: steady``, met a hold begun that day)."""
    hits: dict[int, list[str]] = {}
    for result in results:
        stage = result["stages"]["customs_delay"]
        day = stage["day_p10"]
        if stage["probability"] > 0 and day and day == stage["day_p90"]:
            hits.setdefault(int(day), []).append(result["scenario"])
    if not hits:
        return None
    notes = []
    leads = _lead_times()
    for day, names in sorted(hits.items()):
        where = f" under {', '.join(names)}" if len(results) > 1 else ""
        if day in leads:
            why = (
                "the first lot to reach the border after the hold begins; it ships on day 0 "
                f"(the spares reorder) and the vendor's lead time is {day} days "
                f"({', '.join(leads[day])}, data/vendors.csv)"
            )
        else:
            why = (
                "the first lot to reach the border after the hold begins arrives on a fixed "
                "day on every path (a lead time or an order's due date)"
            )
        notes.append(
            f"Customs delay is day {day} on every path{where} (p10 = p90): {why}. The day says "
            "when that lot got there, not when the hold began."
        )
    return " ".join(notes)


#: Share of baseline's paths from which its stock-outs deserve a word under the stages.
BASELINE_STOCKOUT_NOTE = 0.5


def stage_order_notes(results: Sequence[dict[str, Any]]) -> list[str]:
    """What the stage table could be misread for: baseline reaching "spares depleted" (a
    shelf thin for its failures, not a collapse), and a shock whose spares run out
    before its customs delay shows (the stages are causes, not a fixed sequence)."""
    notes = []
    base = next((r for r in results if r["scenario"] == "baseline"), None)
    if base is not None:
        stage = base["stages"]["spares_depleted"]
        if stage["probability"] >= BASELINE_STOCKOUT_NOTE and stage["day_p50"] is not None:
            notes.append(
                f"Under baseline a spare runs out too ({_pct(stage['probability'])} of paths, "
                f"median {_day(stage['day_p50'])}): the shelf is thin for its failures and "
                "reorders refill it. A shock's stage 2 is the same stock-out: compare its "
                "day with baseline's, and the availability it costs."
            )
    early = [
        r["scenario"] for r in results
        if r["stages"]["customs_delay"]["day_p50"] is not None
        and r["stages"]["spares_depleted"]["day_p50"] is not None
        and r["stages"]["spares_depleted"]["day_p50"] < r["stages"]["customs_delay"]["day_p50"]
    ]  # fmt: skip
    if early:
        notes.append(
            f"Under {', '.join(early)} spares run out before the first lot is held at the "
            "border: each stage is measured from its own cause, so they need not come in "
            "order."
        )
    return notes


def render_stages(console: Console, results: list[dict[str, Any]]) -> None:
    print_in_parts(console, results, _stages_table)
    for note in (fixed_customs_day_note(results), *stage_order_notes(results)):
        if note:
            console.print(literal(note), style="dim", highlight=False)


def _availability_table(results: Sequence[dict[str, Any]], part: str) -> Table:
    first = results[0]
    table = Table(title=f"Availability p50 (p5–p95); {DAY_CONVENTION}{part}", title_justify="left")
    table.add_column("day\ndate", no_wrap=True)  # one column: room for one more scenario
    for result in results:
        table.add_column(literal(result["scenario"]), justify="right", overflow="fold")
    for day in checkpoints(first["horizon_days"]):
        cells = []
        for result in results:
            a = result["daily"]["availability"]
            cells.append(f"{_pct(a['p50'][day])} ({_pct(a['p5'][day])}–{_pct(a['p95'][day])})")
        table.add_row(f"{day}\n{first['dates'][day]}", *cells)
    off = switched_off_note(results, [literal(r["scenario"]) for r in results])
    if off:
        table.caption = off
        table.caption_justify = "left"
    return table


def render_compare(console: Console, results: list[dict[str, Any]]) -> None:
    first = results[0]
    fleet = first["fleet"]
    print_segments(console, [
        f"[bold]{literal(first['fleet_name'])}[/]", counted(fleet["machines"], "machine"),
        f"{fleet['nameplate_ths'] / 1e3:,.1f} PH/s",
        f"{counted(first['paths'], 'path')} × {counted(first['horizon_days'], 'day')}",
        f"seed {first['seed']}", "common random numbers",
    ])  # fmt: skip
    render_market_start(console, first)
    print_in_parts(console, results, _availability_table)
    render_stages(console, results)
    breaks = Table(
        title=f"First part to break: part (share of paths it is first, ties split) · "
        f"median day it broke first; {DAY_CONVENTION}",
        title_justify="left",
        caption=f"{STOCKOUT_DEFINITION}.",
        caption_justify="left",
    )
    breaks.add_column("scenario", no_wrap=True)
    breaks.add_column("first to break", overflow="fold")
    for result in results:
        top = [r for r in result["first_to_break"] if r["probability_first"] > 0]
        text = ", ".join(
            f"{r['part']} ({_pct(r['probability_first'])}) "
            f"{_day(r.get('first_day_p50', r['stockout_day_p50']))}"
            for r in top
        )
        breaks.add_row(literal(result["scenario"]), text or "no stock-out")
    console.print(breaks)
