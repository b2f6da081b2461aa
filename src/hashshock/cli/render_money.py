"""Terminal tables for the money side of results (reads JSON-contract dicts only).

Under the table, notes say what a reader could otherwise misread, each only when the
results show it: a scenario whose revenue assumes the shock hits the whole network
(``finance.network_wide``), and a scenario whose cash ends *higher* than baseline's,
explained by the costs it did not incur (``finance.costs_usd_p50`` against baseline's).
Money columns that do not fit the terminal side by side are split into parts
(:func:`hashshock.cli.render.print_in_parts`); no amount is ever cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from hashshock.cli.common import literal
from hashshock.cli.render import DAY_CONVENTION, print_in_parts, table_width
from hashshock.cli.table import Table
from hashshock.words import DOWN_CAUSES, probability

#: Costs (``finance.costs_usd_p50`` keys) a scenario can spend less on than baseline.
COST_NAMES = {
    "capex": "machine purchases (capex)",
    "power": "power",
    "repairs": "repairs",
    "parts": "spare parts bought",
    "overhead": "overhead",
    "storage": "customs storage",
    "debt_service": "debt service",
}
#: A cost difference below this share of the cash difference is not worth a line.
MIN_SHARE_OF_GAP = 0.05
#: Marks a network-wide scenario's column.
NETWORK_MARK = "*"


def _musd(value: float) -> str:
    """USD with a unit chosen by magnitude ($, $k, $M, $B), never a negative zero.

    >>> _musd(12_345_678), _musd(-48_200), _musd(950), _musd(-0.0), _musd(-0.3)
    ('$12.3M', '-$48.2k', '$950', '$0', '$0')
    >>> _musd(999_960), _musd(2.5e9)
    ('$1.0M', '$2.50B')
    """
    size = abs(value)
    if size >= 999_950_000:
        text = f"{size / 1e9:,.2f}B"
    elif size >= 999_950:
        text = f"{size / 1e6:,.1f}M"
    elif size >= 999.5:
        text = f"{size / 1e3:,.1f}k"
    else:
        text = f"{size:,.0f}"
    return ("-$" if value < 0 and text != "0" else "$") + text


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _header(result: dict[str, Any]) -> str:
    network = "network_wide" in result["finance"]
    return str(result["scenario"]) + (NETWORK_MARK if network else "")


#: Width of the money table's labels at most when the table would not fit the terminal
#: with each label on one line ("revenue at risk vs baseline" takes three lines), unless
#: a covenant's name is longer.
LABEL_WIDTH = 12


def money_table(
    results: Sequence[dict[str, Any]], part: str = "", *, narrow_labels: bool = True
) -> Table:
    """Revenue, EBITDA, cash, at-risk figures and covenant breaches, one column a result.

    A band is ``p50`` then ``(p5–p95)``, which wrap onto two lines when the column is
    narrow; breach days count from the start date (day 0). ``narrow_labels``: labels
    wrap within :data:`LABEL_WIDTH` columns, leaving the width to the results'.
    """
    table = Table(
        title=f"Money over the horizon: p50 (p5–p95); breaches: probability [95% interval] "
        f"and median first day, {DAY_CONVENTION}{part}",
        title_justify="left",
    )
    # Labels wrap by word into a narrow column, so that a band's "(p5–p95)" keeps a line;
    # the longest word (a covenant's name) is kept whole.
    names = list(results[0]["finance"]["covenants"])
    longest = max((len(word) for name in names for word in name.split()), default=0)
    table.add_column("", max_width=max(LABEL_WIDTH, longest + 1) if narrow_labels else None)
    for result in results:
        table.add_column(literal(_header(result)), justify="right", overflow="fold")

    def row(label: str, pick: Any) -> None:
        table.add_row(literal(label), *[pick(r["finance"]) for r in results])

    def band(key: str) -> Any:
        return lambda f: (f"{_musd(f[key]['p50'])} ({_musd(f[key]['p5'])}–"
                          f"{_musd(f[key]['p95'])})")  # fmt: skip

    row("revenue", band("revenue_usd"))
    row("EBITDA", band("ebitda_usd"))
    # Without a finance block (or with no cash in it) cash counts up from nothing.
    from_zero = all(r["finance"]["cash_usd_start"] == 0 for r in results)
    row("cash at end (from $0)" if from_zero else "cash at end", band("cash_usd_end"))
    row("lowest cash", band("cash_usd_min"))
    if any(r["finance"].get("refunds_usd", {}).get("p95", 0) > 0 for r in results):
        row("deposits refunded", lambda f: band("refunds_usd")(f)
            if "refunds_usd" in f else "—")  # fmt: skip
    if any("spares_value_usd_end" in r["finance"] for r in results):
        row("spares at cost, end", lambda f: band("spares_value_usd_end")(f)
            if "spares_value_usd_end" in f else "—")  # fmt: skip

    def at_risk(key: str) -> Any:
        return lambda f: (
            f"{_musd(f['vs_baseline'][key]['p50'])} (p95 {_musd(f['vs_baseline'][key]['p95'])})"
            if key in f.get("vs_baseline", {}) else "—"
        )  # fmt: skip

    row("revenue at risk vs baseline", at_risk("revenue_at_risk_usd"))
    row("cash at risk vs baseline", at_risk("cash_at_risk_usd"))
    if any("cash_and_spares_at_risk_usd" in r["finance"].get("vs_baseline", {}) for r in results):
        row("cash + spares at risk vs baseline", at_risk("cash_and_spares_at_risk_usd"))
    for name in names:

        def breach(f: dict[str, Any], name: str = name) -> str:
            c = f["covenants"][name]
            if c["probability_breach"] is None:
                first = c["first_test_day"]
                return "not tested" + (f" (d{first})" if first is not None else "")
            lo, hi = c["probability_breach_ci95"]
            day = c["day_p50_first_breach"]
            when = f" d{day}" if day is not None else ""
            return f"{probability(c['probability_breach'])} [{_pct(lo)}–{_pct(hi)}]{when}"

        row(f"breach: {name}", breach)
    if any(r["finance"]["margin_calls"]["pledges"] for r in results):

        def margin(f: dict[str, Any]) -> str:
            calls = f["margin_calls"]
            day = f" d{calls['day_p50']}" if calls["day_p50"] is not None else ""
            return f"{probability(calls['probability'])}{day}"

        row("margin call", margin)

    def exposed(f: dict[str, Any]) -> str:
        shares = [p.get("probability_exposed") or 0.0
                  for p in f["margin_calls"]["pledges"].values()]  # fmt: skip
        return probability(max(shares, default=0.0))

    if any("probability_exposed" in p for r in results
           for p in r["finance"]["margin_calls"]["pledges"].values()):  # fmt: skip
        row("pledge exposed", exposed)
    return table


def network_note(results: Sequence[dict[str, Any]]) -> str | None:
    """What the revenue of network-wide scenarios assumes, with the numbers they carry
    (``finance.network_wide``); ``None`` if no result is network-wide."""
    marked = [r for r in results if "network_wide" in r["finance"]]
    if not marked:
        return None
    each, unmoved = [], []
    for result in marked:
        network = result["finance"]["network_wide"]
        price = network["hashprice_usd_per_ph_day_end_p50"]
        cushion = network["revenue_cushion_usd"]["p50"]
        if abs(cushion) < 0.5 and price["network_wide"] == price["local"]:
            unmoved.append(result["scenario"])
            continue
        each.append(
            f"{result['scenario']} ${price['network_wide']:,.2f} against "
            f"${price['local']:,.2f}/PH/day, revenue {_signed(cushion)}"
        )
    if unmoved:  # said once, however many scenarios
        each.append(f"{', '.join(unmoved)} no difference (this fleet loses no hashrate to "
                    f"{'it' if len(unmoved) == 1 else 'them'}, and the network's loss is "
                    "scaled from this fleet's)")  # fmt: skip
    names = ", ".join(r["scenario"] for r in marked)
    return (
        f"{NETWORK_MARK} {names}: revenue assumes the shock hits the whole network (every US "
        "miner on the vendor, not only this fleet), so network hashrate, difficulty and "
        "hashprice move with it. Hashprice on the last day and revenue, against the same "
        f"shock to this fleet alone (p50): {'; '.join(each)}. `hashshock industry` runs the "
        "US miners as they are."
    )


def pledge_note(results: Sequence[dict[str, Any]]) -> str | None:
    """BTC pledged to a vendor whose orders a scenario cancels while the pledge is held
    (``margin_calls.pledges.<name>.probability_exposed``); ``None`` if none is."""
    each = []
    for result in results:
        pledges = result["finance"]["margin_calls"]["pledges"]
        for name, pledge in pledges.items():
            share = pledge.get("probability_exposed") or 0.0
            if share > 0:
                each.append(
                    f"under {result['scenario']}, {name} ({pledge['btc']:,.6g} BTC held by "
                    f"{pledge['vendor']}) on {probability(share)} of paths, worth "
                    f"{_musd(pledge['exposed_usd_p50'])} (p50)"
                )
    if not each:
        return None
    return (
        f"BTC pledges exposed: {'; '.join(each)}. The scenario cancels the vendor's orders "
        "the pledge secures while it is held; whether the BTC comes back is not modelled, "
        "and the cash above does not count it."
    )


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + _musd(value)


def _total(series: dict[str, Any] | None) -> float:
    return float(sum(series["p50"])) if series else 0.0


def _why_less(cost: str, result: dict[str, Any], baseline: dict[str, Any]) -> str:
    """Why ``result`` spent less on ``cost`` than ``baseline``, from what both carry."""
    mine, theirs = result["daily"], baseline["daily"]
    if cost == "capex":
        end, base_end = mine["nameplate_ths"]["p50"][-1], theirs["nameplate_ths"]["p50"][-1]
        if end < base_end:
            return (
                f" (open orders not delivered within the horizon, cancelled or delayed, leave "
                f"their balance unpaid: {end / 1e3:,.0f} PH/s installed on the last day against "
                f"{base_end / 1e3:,.0f} under baseline)"
            )
        return ""
    if cost == "power":
        more = [
            text for cause, text in DOWN_CAUSES.items()
            if _total(mine["machines_down"].get(cause)) > _total(theirs["machines_down"].get(cause))
        ]  # fmt: skip
        if more:
            return f" (machines down draw none: more of them {', '.join(more)})"
        return ""
    return ""


def _not_a_saving(result: dict[str, Any], baseline: dict[str, Any], gap: float) -> str:
    """What the extra cash ``gap`` of ``result`` is not: spares drawn from the shelves
    (all of it, or part), and machines left waiting for a part on the last day."""
    vs = result["finance"]["vs_baseline"]
    out = ""
    drawn = vs.get("spares_drawn_usd", {}).get("p50", 0.0)
    if drawn >= MIN_SHARE_OF_GAP * gap and "cash_and_spares_at_risk_usd" in vs:
        total = vs["cash_and_spares_at_risk_usd"]["p50"]
        out += (
            f" Its shelves end {_musd(drawn)} of spares (at cost) lower than baseline's, so "
            + (f"cash and spares together are {_musd(total)} behind baseline: more than all "
               "of the extra cash is stock drawn down." if total > 0 else
               f"cash and spares together are {_musd(-total)} ahead of baseline, and only "
               "part of the extra cash is stock drawn down.")
        )  # fmt: skip
    waiting = result["daily"]["machines_down"].get("waiting_for_part", {}).get("p50")
    base = baseline["daily"]["machines_down"].get("waiting_for_part", {}).get("p50")
    if waiting and base and waiting[-1] - base[-1] >= 1:
        more = f" And {waiting[-1] - base[-1]:,.0f} more machines wait for a part on the last day "
        power_saved = (baseline["finance"]["costs_usd_p50"].get("power", 0.0)
                       - result["finance"]["costs_usd_p50"].get("power", 0.0))  # fmt: skip
        # What the stopped machines would have earned: the revenue lost, plus what a
        # network-wide shock's higher hashprice gave back on the rest of the fleet.
        network = result["finance"].get("network_wide")
        cushion = network["revenue_cushion_usd"]["p50"] if network is not None else 0.0
        forgone = vs["revenue_at_risk_usd"]["p50"] + max(cushion, 0.0)
        if power_saved > max(forgone, 0.0):
            # Stopped machines that drew more power than they would have earned: a real
            # saving, which the shock only stumbled on; "not a saving" would be wrong.
            out += (
                f"{more}than under baseline (p50), and the fleet's power bill fell by more "
                f"({_musd(power_saved)}) than the revenue the stopped machines would have "
                f"earned ({_musd(forgone)}, the network-wide cushion counted): at these power "
                "prices they mined at a loss (`switch_off_unprofitable: true` stops machines "
                "while they earn less than their power, shock or not)."
            )
        else:
            out += (
                f"{more}than under baseline (p50): the costs they no longer incur are a "
                "smaller working fleet's, not a saving."
            )
    return out


def cash_higher_note(
    result: dict[str, Any], baseline: dict[str, Any] | None
) -> str | None:  # fmt: skip
    """Why cash ends higher than under baseline, when it does (median cash at risk < 0):
    the costs the scenario did not incur, largest first (medians of each cost)."""
    finance = result["finance"]
    vs = finance.get("vs_baseline")
    if vs is None or vs["cash_at_risk_usd"]["p50"] >= 0:
        return None
    gap = -vs["cash_at_risk_usd"]["p50"]
    lost = vs["revenue_at_risk_usd"]["p50"]
    head = (
        f"Cash ends higher under {result['scenario']} than under baseline ({_musd(gap)} more "
        f"on the median path) although revenue is {_musd(lost)} lower"
        if lost > 0
        else f"Cash ends higher under {result['scenario']} than under baseline ({_musd(gap)} "
        "more on the median path)"
    )
    if baseline is None:
        return (
            f"{head}: it spends less than baseline (`hashshock compare` with baseline and "
            f"{result['scenario']} shows on what)."
        )
    mine, theirs = finance["costs_usd_p50"], baseline["finance"]["costs_usd_p50"]
    saved = sorted(
        ((theirs[k] - mine[k], k) for k in mine if k in theirs and theirs[k] > mine[k]),
        reverse=True,
    )
    lines = [
        f"{COST_NAMES.get(k, k)} {_musd(amount)} less{_why_less(k, result, baseline)}"
        for amount, k in saved
        if amount >= MIN_SHARE_OF_GAP * gap
    ]
    refunded = (finance.get("refunds_usd", {}).get("p50", 0.0)
                - baseline["finance"].get("refunds_usd", {}).get("p50", 0.0))  # fmt: skip
    if refunded >= MIN_SHARE_OF_GAP * gap:
        lines.append(f"deposits refunded on cancelled orders {_musd(refunded)} more")
    shelves = _not_a_saving(result, baseline, gap)
    if not lines:
        return head + "." + shelves
    network = finance.get("network_wide")
    extra = (
        f"; and revenue is cushioned by {_musd(network['revenue_cushion_usd']['p50'])} "
        "as the shock hits the whole network"
        if network is not None and abs(network["revenue_cushion_usd"]["p50"]) >= 0.5
        else ""
    )
    return (
        f"{head}, because it spends less (medians of each cost and refund): "
        f"{'; '.join(lines)}{extra}." + shelves
    )


def render_money(console: Console, results: list[dict[str, Any]]) -> None:
    """Money side by side, then the notes that apply (see the module docstring)."""
    if not results or "finance" not in results[0]:
        return

    # Each label on one line when every cell then keeps one line too (a run, or a compare
    # in a wide terminal); else the labels wrap narrow to leave the width to the results.
    def one_line(group: Sequence[dict[str, Any]], part: str) -> Table:
        return money_table(group, part, narrow_labels=False)

    fit = table_width(console, one_line(results, "")) <= console.width
    print_in_parts(console, results, one_line if fit else money_table)
    baseline = next((r for r in results if r["scenario"] == "baseline"), None)
    notes = [network_note(results)] + [cash_higher_note(r, baseline) for r in results]
    notes.append(pledge_note(results))
    for note in notes:
        if note:
            console.print(literal(note), style="dim", highlight=False)
