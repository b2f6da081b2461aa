"""The industry view's charts over days, from an industry's JSON (``IndustryResult.to_dict()``,
held in ``ReportInput.extras["industry"]``; docs/industry.md, "Output"): US delivered
EH/s and share of the network (fans per scenario, and the difference from baseline on the
same paths), hashprice (USD/PH/day) and where the network's EH/s is, the vendor lines'
lead times (days) and output against capacity (EH/s per year), and the used market (price
factor, USD/TH per tier, EH/s sold in distress, grey imports in EH/s per day).

Traces carry ``meta = {scenario, series, band}`` with ``series`` the JSON path below the
scenario (``us.hashrate_ehs``, ``vendors.<line>.lead_time_days``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hashshock.report.data import Bands
from hashshock.report.figures.style import (
    PALETTE,
    Figure,
    add,
    baseline_last,
    fan_traces,
    legend_rank,
    run_colours,
    say_none,
    small_multiples,
    titled,
    update_axes,
)

#: Where the network's hashrate is: JSON key below ``us``, legend name (the EH/s moved
#: overseas, a hundredth of these, has its own chart: :func:`moved_overseas`).
NETWORK_SERIES = {
    "network_hashrate_ehs": "network",
    "rest_of_world_ehs": "rest of world",
}


def scenarios(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Each scenario of the industry JSON: name, its dict, its colour (baseline grey)."""
    hues = run_colours(list(data["scenarios"]))
    for (name, scenario), hue in zip(data["scenarios"].items(), hues, strict=True):
        yield name, scenario, hue


def shocked(data: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """The scenarios other than baseline (what "who breaks first" is about)."""
    return [item for item in scenarios(data) if item[0] != "baseline"]


def overlaid(data: dict[str, Any]) -> list[tuple[int, str, dict[str, Any], str]]:
    """:func:`scenarios` for one panel they share, each with its place: baseline last, to
    be drawn over the others, dashed (:func:`~hashshock.report.figures.style.baseline_last`)."""
    items = list(scenarios(data))
    return [(i, *items[i]) for i in baseline_last([name for name, _, _ in items])]


def _fan(fig: Figure, bands: Bands, data: dict[str, Any], hue: str, scenario: str,
         series: str, panel: int, hover: str, legend: bool = False,
         place: int | None = None) -> None:  # fmt: skip
    """A fan on ``panel``; with ``place`` (the scenario's, on a panel scenarios share),
    kept there in the legend and, for baseline, its median dashed."""
    dash = "dash" if place is not None and scenario == "baseline" else "solid"
    for trace in fan_traces(bands, data["start_date"], hue, scenario, series, legend, hover,
                            dash):  # fmt: skip
        if place is not None:
            trace["legendrank"] = legend_rank(place)
        add(fig, trace, panel)


def us_fans(data: dict[str, Any], key: str, title: str, y_axis: dict[str, Any],
            hover: str, scale: float = 1.0) -> Figure | None:  # fmt: skip
    """One panel per scenario that has ``us[key]``: p5–p95 band and median by day, each
    value times ``scale`` (100: a share drawn in percentage points)."""
    chosen = [(n, s["us"][key], hue) for n, s, hue in scenarios(data) if key in s["us"]]
    if scale != 1.0:
        chosen = [(n, {band: [v * scale for v in values] for band, values in bands.items()},
                   hue) for n, bands, hue in chosen]  # fmt: skip
    if not chosen:
        return None
    fig = small_multiples([name for name, _, _ in chosen], title)
    for k, (name, bands, hue) in enumerate(chosen):
        _fan(fig, bands, data, hue, name, f"us.{key}", k, hover)
    update_axes(fig, "y", **y_axis)
    return fig


def us_hashrate(data: dict[str, Any]) -> Figure | None:
    return us_fans(data, "hashrate_ehs", "US delivered hashrate (EH/s)", titled("EH/s"), ",.1f")


def us_hashrate_vs_baseline(data: dict[str, Any]) -> Figure | None:
    return us_fans(data, "hashrate_ehs_vs_baseline",
                   "US delivered hashrate against baseline on the same paths (EH/s)",
                   titled("EH/s against baseline"), "+,.1f")  # fmt: skip


def us_share(data: dict[str, Any]) -> Figure | None:
    return us_fans(data, "share_of_network", "US share of the network's hashrate",
                   {"tickformat": ".2~%", **titled("share of the network")}, ".2%")  # fmt: skip


def us_share_vs_baseline(data: dict[str, Any]) -> Figure | None:
    return us_fans(data, "share_vs_baseline",
                   "US share of the network against baseline on the same paths "
                   "(percentage points)",
                   {"tickformat": "+.1f", "ticksuffix": " pp", **titled("percentage points")},
                   "+.2f", scale=100)  # fmt: skip


def hashprice(data: dict[str, Any]) -> Figure | None:
    return us_fans(data, "hashprice_usd_per_ph_day", "Hashprice (USD/PH/day)",
                   {"tickformat": "$,.0f", **titled("USD/PH/day")}, "$,.2f")  # fmt: skip


def moved_overseas(data: dict[str, Any]) -> Figure | None:
    """The EH/s that leaves the US for other countries' miners (orders cancelled that they
    take up, machines distressed operators sell abroad — under baseline too), by scenario;
    none when no scenario moves any."""
    moved = [s["us"].get("moved_overseas_ehs") for _, s, _ in scenarios(data)]
    if not any(bands and any(bands.get("p95", [])) for bands in moved):
        return None
    return us_fans(data, "moved_overseas_ehs",
                   "EH/s moved overseas: US orders cancelled, machines sold abroad (EH/s)",
                   {"rangemode": "tozero", **titled("EH/s")}, ",.2f")  # fmt: skip


def network(data: dict[str, Any]) -> Figure | None:
    """Per scenario: the network's EH/s and the rest of the world's (p5–p95 band,
    median); what moves overseas from the US has a chart of its own."""
    chosen = [(n, s["us"]) for n, s, _ in scenarios(data)
              if any(key in s["us"] for key in NETWORK_SERIES)]  # fmt: skip
    if not chosen:
        return None
    # one y scale for every scenario: side by side, panels of their own scales read as
    # the same size when they differ
    fig = small_multiples([name for name, _ in chosen],
                          "Network and the rest of the world (EH/s)")  # fmt: skip
    for k, (name, us) in enumerate(chosen):
        for j, (key, label) in enumerate(NETWORK_SERIES.items()):
            if key not in us:
                continue
            traces = fan_traces(us[key], data["start_date"], PALETTE[j + 1], name, f"us.{key}",
                                k == 0, ",.1f")  # fmt: skip
            for trace in traces:
                trace["legendgroup"] = key
                if trace["meta"]["band"] == "p50":
                    trace["name"] = label
                add(fig, trace, k)
    update_axes(fig, "y", **titled("EH/s"))
    return fig


def vendor_lead_time(data: dict[str, Any]) -> Figure | None:
    """One panel per vendor line: its quoted lead time (days) by scenario."""
    fig = _vendor_fans(data, "lead_time_days", "Vendor lead time by line (days)", ",.0f")
    if fig is not None:
        update_axes(fig, "y", **titled("days"))
    return fig


def line_title(data: dict[str, Any], line: str) -> str:
    """A vendor line's panel title: its name, and where a scenario cuts its supply (or
    the components it imports), on what share of paths by the last day."""
    cuts = []
    for name, scenario, _ in scenarios(data):
        vendor = scenario.get("vendors", {}).get(line, {})
        for key, what in (("supply_cut_share", "supply"),
                          ("components_cut_share", "components")):  # fmt: skip
            share = max(vendor.get(key) or [0.0])
            if share > 0:
                cuts.append(f"{what} cut under {name} on {share:.0%} of paths")
    return line if not cuts else f"{line}: {'; '.join(cuts)}"


def _lines(data: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for _, scenario, _ in scenarios(data):
        names += [line for line in scenario.get("vendors", {}) if line not in names]
    return names


def _vendor_fans(data: dict[str, Any], key: str, title: str, hover: str) -> Figure | None:
    lines = _lines(data)
    if not lines:
        return None
    fig = small_multiples([line_title(data, line) for line in lines], title, shared_y=False)
    for k, line in enumerate(lines):
        for place, name, scenario, hue in overlaid(data):
            bands = scenario.get("vendors", {}).get(line, {}).get(key)
            if bands:
                _fan(fig, bands, data, hue, name, f"vendors.{line}.{key}", k, hover, k == 0,
                     place)  # fmt: skip
    update_axes(fig, "y", rangemode="tozero")
    return fig


def vendor_output(data: dict[str, Any]) -> Figure | None:
    """One panel per vendor line, its order book by scenario: EH/s ordered (made or
    waiting, dashed), made (solid) and cancelled by the scenario (dotted) since day 0,
    medians."""
    lines = _lines(data)
    if not lines:
        return None
    fig = small_multiples([line_title(data, line) for line in lines],
                          "Vendor order book since day 0 (EH/s)", shared_y=False)  # fmt: skip
    for k, line in enumerate(lines):
        for name, scenario, hue in scenarios(data):
            vendor = scenario.get("vendors", {}).get(line)
            if vendor is None:
                continue
            for key, text, dash in (("ordered_ehs", "ordered", "dash"),
                                    ("made_ehs", "made", "solid"),
                                    ("cancelled_ehs", "cancelled", "dot")):  # fmt: skip
                if key in vendor:
                    add(fig, _median_line(vendor[key], data, hue, name,
                                          f"vendors.{line}.{key}", f"{name} {text}", dash,
                                          k == 0), k)  # fmt: skip
    update_axes(fig, "y", rangemode="tozero", **titled("EH/s"))
    return fig


def _median_line(
    bands: Bands, data: dict[str, Any], hue: str, scenario: str, series: str, name: str,
    dash: str = "solid", legend: bool = False,
) -> dict[str, Any]:  # fmt: skip
    trace = fan_traces({"p50": bands["p50"]}, data["start_date"], hue, scenario, series,
                       legend, ",.2f")[0]  # fmt: skip
    trace.update(name=name, legendgroup=name)
    trace["line"]["dash"] = dash
    return trace


def used_price_factor(data: dict[str, Any]) -> Figure | None:
    """The used market's price factor (1 = the price curve's level), one panel per
    scenario."""
    chosen = [(n, s["used_market"], hue) for n, s, hue in scenarios(data) if "used_market" in s]
    if not chosen:
        return None
    fig = small_multiples([name for name, _, _ in chosen],
                          "Used machines: price factor (× the market's curve)")  # fmt: skip
    for k, (name, used, hue) in enumerate(chosen):
        _fan(fig, used["price_factor"], data, hue, name, "used_market.price_factor", k, ".3f")
    update_axes(fig, "y", **titled("× the curve"))
    return fig


def tier_title(tier: str) -> str:
    """An efficiency tier's key in words: ``under19`` → ``under 19 J/TH``, ``19to25`` →
    ``19–25 J/TH``, ``above68`` → ``above 68 J/TH``."""
    text = tier.replace("under", "under ").replace("above", "above ").replace("to", "–")
    return f"{text} J/TH"


def used_prices(data: dict[str, Any]) -> Figure | None:
    """One panel per efficiency tier: the used price (USD/TH, median) by scenario."""
    tiers: list[str] = []
    for _, scenario, _ in scenarios(data):
        prices = scenario.get("used_market", {}).get("price_usd_per_th", {})
        tiers += [tier for tier in prices if tier not in tiers]
    if not tiers:
        return None
    fig = small_multiples([tier_title(tier) for tier in tiers],
                          "Used machine price by efficiency tier (USD/TH, median)",
                          shared_y=False)  # fmt: skip
    for k, tier in enumerate(tiers):
        for place, name, scenario, hue in overlaid(data):
            bands = scenario.get("used_market", {}).get("price_usd_per_th", {}).get(tier)
            if bands:
                line = _median_line(bands, data, hue, name, f"used_market.price_usd_per_th."
                                    f"{tier}", name, "dash" if name == "baseline" else "solid",
                                    legend=k == 0)  # fmt: skip
                add(fig, {**line, "legendrank": legend_rank(place)}, k)
    update_axes(fig, "y", tickformat="$,.2f", rangemode="tozero", **titled("USD/TH"))
    return fig


def used_flows(data: dict[str, Any]) -> Figure | None:
    """EH/s sold in distress so far and grey imports (EH/s per day), by scenario."""
    chosen = [(n, s["used_market"], hue) for n, s, hue in scenarios(data) if "used_market" in s]
    if not chosen:
        return None
    panels = (("sold_in_distress_ehs", "sold in distress since day 0 (EH/s)"),
              ("grey_ehs", "grey imports (EH/s per day)"))  # fmt: skip
    fig = small_multiples([text for _, text in panels], "Distress sales and grey imports",
                          shared_y=False)  # fmt: skip
    for k, (key, _) in enumerate(panels):
        for name, used, hue in chosen:
            _fan(fig, used[key], data, hue, name, f"used_market.{key}", k, ",.2f", k == 0)
        if all(v == 0 for _, used, _ in chosen for band in used[key].values() for v in band):
            say_none(fig, k, "none on any path in any scenario")
    update_axes(fig, "y", rangemode="tozero", **titled("EH/s"))
    return fig
