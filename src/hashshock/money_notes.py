"""Notes under a money table, each only when the results show it (read JSON-contract
dicts only; the terminal's tables and the HTML report print the same text).

- a scenario whose revenue assumes the shock hits the whole network
  (``finance.network_wide``): what that assumes and what it changes;
- a scenario whose cash ends *higher* than baseline's: the costs it did not incur
  (``finance.costs_usd_p50`` against baseline's), spares drawn from the shelves and
  machines left waiting, which are not a saving;
- BTC pledged to a vendor whose orders the scenario cancels while the pledge is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def musd(value: float, extra: int = 0) -> str:
    """USD with a unit chosen by magnitude ($, $k, $M, $B), never a negative zero;
    ``extra`` more decimals (:func:`musd_apart`).

    >>> musd(12_345_678), musd(-48_200), musd(950), musd(-0.0), musd(-0.3)
    ('$12.3M', '-$48.2k', '$950', '$0', '$0')
    >>> musd(999_960), musd(2.5e9), musd(1e11 + 312_000, extra=4)
    ('$1.0M', '$2.50B', '$100.000312B')
    """
    size = abs(value)
    if size >= 999_950_000:
        text = f"{size / 1e9:,.{2 + extra}f}B"
    elif size >= 999_950:
        text = f"{size / 1e6:,.{1 + extra}f}M"
    elif size >= 999.5:
        text = f"{size / 1e3:,.{1 + extra}f}k"
    else:
        text = f"{size:,.{extra}f}"
    return ("-$" if value < 0 and text.strip("0.,") else "$") + text


def musd_apart(values: list[float], most: int = 6) -> list[str]:
    """:func:`musd` of each of ``values`` (a band), with as many more decimals (up to
    ``most``) as it takes for values that differ to read differently: $100 bn of cash
    moving by $300k read "$100.00B ($100.00B–$100.00B)".

    >>> musd_apart([1e11 + 5e5, 1e11 + 2e5, 1e11 + 9e5])
    ['$100.0005B', '$100.0002B', '$100.0009B']
    >>> musd_apart([12_345_678, 10e6, 14e6])
    ['$12.3M', '$10.0M', '$14.0M']
    """
    for extra in range(most + 1):
        texts = [musd(v, extra) for v in values]
        apart = all(texts[i] != texts[j] for i in range(len(values)) for j in range(i)
                    if values[i] != values[j])  # fmt: skip
        if apart:
            return texts
    return texts


def musd_band(band: dict[str, float], dash: str = "–") -> str:
    """A ``{p5, p50, p95}`` band of USD as "p50 (p5–p95)" (:func:`musd_apart`); ends both
    below zero are set apart by " … ", as an en dash beside a minus sign reads as one
    ("-$20.4M–-$4.9M"). ``dash``: the separator otherwise.

    >>> musd_band({"p5": -20.4e6, "p50": -15.1e6, "p95": -4.9e6})
    '-$15.1M (-$20.4M … -$4.9M)'
    >>> musd_band({"p5": -2e6, "p50": 1e6, "p95": 3e6}, " – ")
    '$1.0M (-$2.0M – $3.0M)'
    """
    p50, p5, p95 = musd_apart([band["p50"], band["p5"], band["p95"]])
    return f"{p50} ({p5}{' … ' if band['p95'] < 0 else dash}{p95})"


def network_note(
    results: Sequence[dict[str, Any]], labels: Sequence[str] | None = None
) -> str | None:
    """What the revenue of network-wide scenarios assumes, with the numbers they carry
    (``finance.network_wide``); ``None`` if no result is network-wide. Runs are named
    by ``labels`` (default: their scenarios)."""
    named = _named(results, labels)
    marked = [r for r in results if "network_wide" in r["finance"]]
    if not marked:
        return None
    each, unmoved = [], []
    for result in marked:
        network = result["finance"]["network_wide"]
        price = network["hashprice_usd_per_ph_day_end_p50"]
        cushion = network["revenue_cushion_usd"]["p50"]
        if abs(cushion) < 0.5 and price["network_wide"] == price["local"]:
            unmoved.append(named[id(result)])
            continue
        each.append(
            f"{named[id(result)]} ${price['network_wide']:,.2f} against "
            f"${price['local']:,.2f}/PH/day, revenue {_signed(cushion)}"
        )
    if unmoved:  # said once, however many scenarios
        each.append(f"{', '.join(unmoved)} no difference (this fleet loses no hashrate to "
                    f"{'it' if len(unmoved) == 1 else 'them'}, and the network's loss is "
                    "scaled from this fleet's)")  # fmt: skip
    names = ", ".join(named[id(r)] for r in marked)
    return (
        f"{NETWORK_MARK} {names}: revenue assumes the shock hits the whole network (every US "
        "miner on the vendor, not only this fleet), so network hashrate, difficulty and "
        "hashprice move with it. Hashprice on the last day and revenue, against the same "
        f"shock to this fleet alone (p50): {'; '.join(each)}. `hashshock industry` runs the "
        "US miners as they are."
    )


def pledge_note(
    results: Sequence[dict[str, Any]], labels: Sequence[str] | None = None
) -> str | None:
    """BTC pledged to a vendor whose orders a scenario cancels while the pledge is held
    (``margin_calls.pledges.<name>.probability_exposed``); ``None`` if none is."""
    named = _named(results, labels)
    each = []
    for result in results:
        pledges = result["finance"]["margin_calls"]["pledges"]
        for name, pledge in pledges.items():
            share = pledge.get("probability_exposed") or 0.0
            if share > 0:
                each.append(
                    f"under {named[id(result)]}, {name} ({pledge['btc']:,.6g} BTC held by "
                    f"{pledge['vendor']}) on {probability(share)} of paths, worth "
                    f"{musd(pledge['exposed_usd_p50'])} (p50)"
                )
    if not each:
        return None
    return (
        f"BTC pledges exposed: {'; '.join(each)}. The scenario cancels the vendor's orders "
        "the pledge secures while it is held; whether the BTC comes back is not modelled, "
        "and the cash above does not count it."
    )


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + musd(value)


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


def _shelves_drawn(vs: dict[str, Any], gap: float) -> str:
    """The part of the extra cash ``gap`` (USD) that is spares drawn from the shelves
    (``vs_baseline``'s medians), as a sentence; "" when it is under a twentieth."""
    drawn = vs.get("spares_drawn_usd", {}).get("p50", 0.0)
    if drawn < MIN_SHARE_OF_GAP * gap or "cash_and_spares_at_risk_usd" not in vs:
        return ""
    total = vs["cash_and_spares_at_risk_usd"]["p50"]
    return (
        f" Its shelves end {musd(drawn)} of spares (at cost) lower than baseline's, so "
        + (f"cash and spares together are {musd(total)} behind baseline: more than all "
           "of the extra cash is stock drawn down." if total > 0 else
           f"cash and spares together are {musd(-total)} ahead of baseline, and only "
           "part of the extra cash is stock drawn down.")
    )  # fmt: skip


def _not_a_saving(result: dict[str, Any], baseline: dict[str, Any], gap: float) -> str:
    """What the extra cash ``gap`` of ``result`` is not: spares drawn from the shelves
    (all of it, or part), and machines left waiting for a part on the last day."""
    vs = result["finance"]["vs_baseline"]
    out = _shelves_drawn(vs, gap)
    waiting = result["daily"]["machines_down"].get("waiting_for_part", {}).get("p50")
    base = baseline["daily"]["machines_down"].get("waiting_for_part", {}).get("p50")
    if waiting and base and waiting[-1] - base[-1] >= 1:
        more = f" And {waiting[-1] - base[-1]:,.0f} more machines wait for a part on the last day "
        power_saved = (baseline["finance"]["costs_usd_p50"].get("power", 0.0)
                       - result["finance"]["costs_usd_p50"].get("power", 0.0))  # fmt: skip
        # What the stopped machines would have earned: the revenue lost, plus what a
        # network-wide shock's higher hashprice gave back on the rest of the fleet.
        loss = _mined_at_a_loss(result, vs, power_saved)
        if loss:
            # Stopped machines that drew more power than they would have earned: a real
            # saving, which the shock only stumbled on; "not a saving" would be wrong.
            out += f"{more}than under baseline (p50), and {loss}"
        else:
            out += (
                f"{more}than under baseline (p50): the costs they no longer incur are a "
                "smaller working fleet's, not a saving."
            )
    return out


def cash_higher_note(
    result: dict[str, Any], baseline: dict[str, Any] | None, label: str | None = None
) -> str | None:
    """Why cash ends higher than under baseline, when it does (median cash at risk < 0):
    the costs the scenario did not incur, largest first (medians of each cost)."""
    name = result["scenario"] if label is None else label
    finance = result["finance"]
    vs = finance.get("vs_baseline")
    if vs is None or vs["cash_at_risk_usd"]["p50"] >= 0:
        return None
    gap = -vs["cash_at_risk_usd"]["p50"]
    lost = vs["revenue_at_risk_usd"]["p50"]
    head = (
        f"Cash ends higher under {name} than under baseline ({musd(gap)} more "
        f"on the median path) although revenue is {musd(lost)} lower"
        if lost > 0
        else f"Cash ends higher under {name} than under baseline ({musd(gap)} "
        "more on the median path)"
    )
    if baseline is None:  # (the command names the scenario, not a report's label for it)
        saved_here = _costs_saved(vs, gap)
        loss = _mined_at_a_loss(result, vs, (vs.get("costs_saved_usd_p50") or {}).get("power", 0.0))
        return (
            f"{head}: it spends less than baseline"
            + (f" — {saved_here} (each the median of the paths' own gaps)." if saved_here else
               " (`hashshock compare` with baseline among its scenarios shows on what).")
            + (f" {loss[0].upper()}{loss[1:]}" if loss else "")
            + _shelves_drawn(vs, gap)
        )  # fmt: skip
    mine, theirs = finance["costs_usd_p50"], baseline["finance"]["costs_usd_p50"]
    saved = sorted(
        ((theirs[k] - mine[k], k) for k in mine if k in theirs and theirs[k] > mine[k]),
        reverse=True,
    )
    lines = [
        f"{COST_NAMES.get(k, k)} {musd(amount)} less{_why_less(k, result, baseline)}"
        for amount, k in saved
        if amount >= MIN_SHARE_OF_GAP * gap
    ]
    refunded = (finance.get("refunds_usd", {}).get("p50", 0.0)
                - baseline["finance"].get("refunds_usd", {}).get("p50", 0.0))  # fmt: skip
    if refunded >= MIN_SHARE_OF_GAP * gap:
        lines.append(f"deposits refunded on cancelled orders {musd(refunded)} more")
    shelves = _not_a_saving(result, baseline, gap)
    if not lines:
        return head + "." + shelves
    network = finance.get("network_wide")
    extra = (
        f"; and revenue is cushioned by {musd(network['revenue_cushion_usd']['p50'])} "
        "as the shock hits the whole network"
        if network is not None and abs(network["revenue_cushion_usd"]["p50"]) >= 0.5
        else ""
    )
    return (
        f"{head}, because it spends less (medians of each cost and refund): "
        f"{'; '.join(lines)}{extra}." + shelves
    )


def machines_worth_note(
    result: dict[str, Any], baseline: dict[str, Any] | None, label: str | None = None
) -> str | None:
    """Why the machines are worth more at the end than baseline's though no more of them
    are installed (medians): the used-ASIC index that values them is higher — it follows
    the hashprice, and carries a premium while a vendor's supply is cut — a gain on paper
    that "all owned" counts."""
    if baseline is None or result is baseline:
        return None
    mine = result["finance"].get("machines_value_usd_end")
    theirs = baseline["finance"].get("machines_value_usd_end")
    if mine is None or theirs is None or mine["p50"] <= theirs["p50"]:
        return None
    installed = result["daily"]["nameplate_ths"]["p50"][-1]
    base_installed = baseline["daily"]["nameplate_ths"]["p50"][-1]
    # more machines explain a larger value; a dearer TH is the index's (replacements
    # bought under a cut can install as much as baseline and still be marked up)
    if installed <= 0 or mine["p50"] / installed <= theirs["p50"] / max(base_installed, 1e-9):
        return None
    fewer = (f", though {(base_installed - installed) / 1e3:,.0f} PH/s fewer are installed"
             if base_installed - installed >= 500 else "")  # fmt: skip
    name = result["scenario"] if label is None else label
    return (
        f"Its machines are worth {musd(mine['p50'] - theirs['p50'])} more at the end under "
        f"{name} than under baseline (p50, at the used-ASIC index){fewer}: the index follows "
        "the hashprice and carries a premium while a network-wide scenario cuts Bitmain's "
        "supply (docs/market.md, Used-ASIC prices) — a gain on paper, had only by selling, "
        'which "all owned" counts.'
    )


def _mined_at_a_loss(result: dict[str, Any], vs: dict[str, Any], power_saved: float) -> str:
    """When the power a scenario did not pay (``power_saved``, USD) is more than the
    revenue its stopped machines would have earned (the revenue lost, plus what a
    network-wide shock's higher hashprice gave back on the rest of the fleet), words
    saying they mined at a loss; else ""."""
    network = result["finance"].get("network_wide")
    cushion = network["revenue_cushion_usd"]["p50"] if network is not None else 0.0
    forgone = vs["revenue_at_risk_usd"]["p50"] + max(cushion, 0.0)
    if power_saved <= max(forgone, 0.0):
        return ""
    return (
        f"the fleet's power bill fell by more ({musd(power_saved)}) than the revenue the "
        f"stopped machines would have earned ({musd(forgone)}, the network-wide cushion "
        "counted): at these power prices they mined at a loss (`switch_off_unprofitable: "
        "true` stops machines while they earn less than their power, shock or not)."
    )


def _costs_saved(vs: dict[str, Any], gap: float) -> str:
    """The costs a scenario did not spend against baseline (``vs_baseline``'s medians of
    each, largest first), those of at least a tenth of ``gap`` (USD), as words."""
    saved = sorted(((amount, name) for name, amount in
                    (vs.get("costs_saved_usd_p50") or {}).items()
                    if amount >= MIN_SHARE_OF_GAP * gap), reverse=True)  # fmt: skip
    return ", ".join(f"{COST_NAMES.get(name, name)} {musd(amount)} less" for amount, name in saved)


def owned_higher_note(
    result: dict[str, Any], baseline: dict[str, Any] | None, label: str | None = None
) -> str | None:
    """Why all a fleet owns ends above baseline's under a shock (medians):
    cash not spent on machines never delivered counts whole where delivered machines
    count at the used-ASIC index, below their cost new; and the index itself may be
    higher (:func:`machines_worth_note`)."""
    vs = result["finance"].get("vs_baseline") or {}
    owned, lost = vs.get("owned_at_risk_usd"), vs.get("revenue_at_risk_usd")
    if owned is None or owned["p50"] >= 0:
        return None
    name = result["scenario"] if label is None else label
    head = (f"All it owns ends {musd(-owned['p50'])} above baseline's under {name} (median "
            "path)" + (f" although revenue is {musd(lost['p50'])} lower"
                       if lost is not None and lost["p50"] > 0 else ""))  # fmt: skip
    tail = " — the machines' revenue after the horizon is not counted."
    if baseline is None:  # name only the causes this run can have
        causes = []
        if result.get("fleet", {}).get("machines_on_order", 1) > 0:
            causes.append("cash not spent on orders cancelled or not yet delivered counts "
                          "whole, where delivered machines count at the used-ASIC index, "
                          "below their cost new")  # fmt: skip
        # cash drawn from the shelves is no gain: only cash and spares together ahead
        if vs.get("cash_and_spares_at_risk_usd", {}).get("p50", 0.0) < 0:
            causes.append("its cash and spares together end higher, for it spends less "
                          "than baseline (the costs above)")  # fmt: skip
        if result["finance"].get("network_wide") is not None:
            causes.append("the used-ASIC index that marks its machines carries a premium "
                          "while a network-wide cut lasts")  # fmt: skip
        said = "; ".join(causes) if causes else "what it owns is valued differently"
        return (f"{head}: {said} (`hashshock compare` with baseline among its scenarios "
                "shows which)" + tail)  # fmt: skip
    saved = (baseline["finance"]["costs_usd_p50"].get("capex", 0.0)
             - result["finance"]["costs_usd_p50"].get("capex", 0.0))  # fmt: skip
    if saved < MIN_SHARE_OF_GAP * -owned["p50"]:
        return None  # the index alone: machines_worth_note says it
    return (
        f"{head}: the {musd(saved)} not spent on machines not delivered counts whole, "
        "where delivered machines count at the used-ASIC index, below their cost new" + tail
    )


def money_notes(
    results: Sequence[dict[str, Any]], labels: Sequence[str] | None = None
) -> list[str]:
    """Every note that applies to ``results`` (runs with ``finance``), in reading order,
    runs named by ``labels`` (default: their scenarios). Runs of different fleets or
    settings (a report of several JSON files) are noted set by set, each against its
    own baseline."""
    named = _named(results, labels)
    notes: list[str | None] = []
    for group in _run_sets(results):
        group = [r for r in group if "finance" in r]
        if not group:
            continue
        names = [named[id(r)] for r in group]
        baseline = next((r for r in group if r["scenario"] == "baseline"), None)
        notes.append(network_note(group, names))
        for r in group:
            notes += [cash_higher_note(r, baseline, named[id(r)]),
                      owned_higher_note(r, baseline, named[id(r)]),
                      machines_worth_note(r, baseline, named[id(r)])]  # fmt: skip
        notes.append(pledge_note(group, names))
    return [note for note in notes if note]


def _named(results: Sequence[dict[str, Any]], labels: Sequence[str] | None) -> dict[int, str]:
    """Each run's name in the notes, by its ``id``: its label, or its scenario."""
    names = [str(r["scenario"]) for r in results] if labels is None else list(labels)
    return {id(r): name for r, name in zip(results, names, strict=True)}


def _run_sets(results: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``results`` grouped by what makes them one compare (fleet, start, horizon, paths,
    seed), in first-seen order: a scenario is set against its own set's baseline."""
    sets: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in results:
        key = tuple(r.get(k) for k in ("fleet_name", "start_date", "horizon_days", "paths", "seed"))
        sets.setdefault(key, []).append(r)
    return list(sets.values())
