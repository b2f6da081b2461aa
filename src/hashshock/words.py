"""Words shared by the terminal and the report: counts ("1 path", "2 paths") and the
definitions that a table or chart must carry."""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def shown_controls(text: str, *, keep_line_breaks: bool = False) -> str:
    r"""``text`` with its control characters as Python writes them, so that an escape
    sequence in a user's name cannot restyle a terminal nor hide in a page.

    ``keep_line_breaks``: leave tabs, line feeds and carriage returns (a whole page).

    >>> print(shown_controls("farm\x1b[31m"), shown_controls("a\nb"))
    farm\x1b[31m a\nb
    >>> shown_controls("a\nb", keep_line_breaks=True) == "a\nb"
    True
    """
    pattern = _CONTROL_BUT_LINE_BREAKS if keep_line_breaks else _CONTROL
    return pattern.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def counted(number: int, noun: str) -> str:
    """``number`` (with thousands separators) and ``noun``, plural unless it is 1.

    >>> counted(1, "day"), counted(1_000, "path")
    ('1 day', '1,000 paths')
    """
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def ordinal(number: float) -> str:
    """A percentile's rank in words.

    >>> [ordinal(n) for n in (1, 2, 3, 10, 11, 12, 13, 21, 22.5, 90.0)]
    ['1st', '2nd', '3rd', '10th', '11th', '12th', '13th', '21st', '22.5th', '90th']
    """
    if number != int(number):
        return f"{number:g}th"
    whole = int(number)
    suffix = "th" if 10 <= whole % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return f"{whole}{suffix}"


def signed(value: float, spec: str = ",.1f") -> str:
    """``value`` with its sign, as ``format(value, "+" + spec)`` writes it, except that a
    value rounding to zero has none: a difference too small to show is no gain nor loss.

    >>> signed(2.25), signed(-1234.5), signed(0.04), signed(-0.04), signed(0.7, ".0f")
    ('+2.2', '-1,234.5', '0.0', '0.0', '+1')
    """
    text = format(value, "+" + spec)
    return text[1:] if float(text.replace(",", "")) == 0.0 else text


def probability(value: float) -> str:
    """A probability in whole percent that never rounds an event away or into certainty.

    >>> [probability(p) for p in (0.0, 0.003, 0.005, 0.496, 0.995, 0.998, 1.0)]
    ['0%', '<1%', '<1%', '50%', '>99%', '>99%', '100%']
    """
    shown = f"{100 * value:.0f}%"  # (1 path of 200 is 0.5 %, which rounds to even: 0 %)
    if value > 0 and shown == "0%":
        return "<1%"
    if value < 1 and shown == "100%":
        return ">99%"
    return shown


def share_down(value: float) -> str:
    """A share to two decimals of a percent, rounded down, so that a stock below a target
    never reads as meeting it (1e-9: a share of exactly 0.97 in floats).

    >>> [share_down(s) for s in (0.969972, 0.97, 0.9681893)]
    ['96.99%', '97.00%', '96.81%']
    """
    return f"{math.floor(10_000 * value + 1e-9) / 100:.2f}%"


def percent(value: float) -> str:
    """A share to a tenth of a percent, or to two significant digits below 1 %, so that a
    small share (a few farms' share of the network) is not printed as nothing.

    >>> [percent(s) for s in (0.0, 0.000088, 0.0042, 0.2583, 1.0)]
    ['0.0%', '0.0088%', '0.42%', '25.8%', '100.0%']
    """
    if 0 < abs(value) < 0.01:
        return f"{100 * value:.2g}%"
    return f"{value:.1%}"


#: Why machines are down, by ``daily.machines_down`` cause (the engine's ``DOWN_CAUSES``).
DOWN_CAUSES = {
    "waiting_for_part": "waiting for a part",
    "in_repair": "in repair",
    "held_at_customs": "held at customs",
    "disabled": "disabled",
    "waiting_for_technician": "waiting for a technician",
    "switched_off": "switched off",
}
#: What each cause counts, for a chart's caption.
DOWN_CAUSE_DEFINITIONS = (
    "waiting for a part: installed machines stopped until a spare replaces a broken fan, "
    "PSU or control board; in repair: machines away for a swap; held at customs: ordered "
    "machines held at the border; disabled: machines a remote-disable event stopped; "
    "waiting for a technician: stopped machines whose spare is on the shelf, with no "
    "technician-day left for the swap; switched off: working machines off for the day, "
    "the hashprice below their break-even (finance.switch_off_unprofitable) or their "
    "site's curtailment line"
)


def switched_off_note(results: Any, names: Any) -> str | None:
    """What the availability of runs that switch machines off does not show (None when no
    run switches any off): how many are off on the last day, p50 · p95, run by run.
    ``results`` are JSON-contract dicts, ``names`` what to call each."""
    last = {id(r): r["horizon_days"] - 1 for r in results}
    off = [(name, r["daily"]["machines_down"].get("switched_off"), last[id(r)])
           for r, name in zip(results, names, strict=True)]  # fmt: skip
    if not any(o and any(o["p95"]) for _, o, _ in off):
        return None
    days = {day for _, _, day in off}
    on = f"on day {days.pop()}" if len(days) == 1 else "on each run's last day"
    return (
        "Working machines switched off count as not delivering (below their break-even, "
        f"or curtailed); {on}, p50 · p95: "
        + "; ".join(f"{name} {o['p50'][day]:,.0f} · {o['p95'][day]:,.0f}"
                    for name, o, day in off if o)
    )  # fmt: skip


#: What a part's stock-out is (``first_to_break``, the spares charts): the stage is per pool,
#: while the spares shown are summed over pools, so a part can stock out with spares left.
STOCKOUT_DEFINITION = (
    "A part stocks out on the first day one pool (a site's stock of it for one model family) "
    "is empty while machines wait for it"
)


#: How a break by cash below zero is named beside the covenants (which go by their names).
CASH_OUT = "cash < 0"
#: A BTC pledge's margin call among the causes: called, not a break (docs/industry.md).
MARGIN_CALL = "BTC margin call (no break)"


def break_causes(scenario: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """What can break each group of an industry's scenario (its JSON): each covenant by
    name, then :data:`CASH_OUT`, as ``{(group, cause): {probability, day_p50}}``; and
    where a group pledged BTC, :data:`MARGIN_CALL` (a call, not a break, shown beside).

    >>> scenario = {"groups": {"farms": {
    ...     "covenants": {"ltv": {"probability": 0.1, "day_p50": None}},
    ...     "cash_out": {"probability": 0.0, "day_p50": None}}}}
    >>> list(break_causes(scenario))
    [('farms', 'ltv'), ('farms', 'cash < 0')]
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for group, data in scenario["groups"].items():
        for covenant, event in data.get("covenants", {}).items():
            out[group, covenant] = event
        out[group, CASH_OUT] = data["cash_out"]
        if "margin_call" in data:
            out[group, MARGIN_CALL] = data["margin_call"]
    return out
