"""Fan charts over days: hashrate, availability, cash (one panel per scenario), spares on
hand (one figure per scenario, one panel per part) and machines down (one panel per
scenario and cause), with the stages' median days marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hashshock.report.data import series
from hashshock.report.figures.style import (
    Figure,
    add,
    axis_ids,
    day_date,
    fan_traces,
    hashrate_axis,
    mark_day,
    pin_days,
    run_hues,
    say_none,
    small_multiples,
    titled,
    update_axes,
)
from hashshock.words import DOWN_CAUSES, STOCKOUT_DEFINITION

STAGE_NAMES = {
    "customs_delay": "customs delay",
    "spares_depleted": "spares depleted",
    "hashrate_decline": "hashrate decline",
}


def fan_figure(
    runs: Sequence[dict[str, Any]], labels: Sequence[str], name: str, title: str,
    y_axis: dict[str, Any], hover_format: str, mark_stages: bool = False, negate: bool = False,
) -> Figure | None:  # fmt: skip
    """One panel per run of series ``name`` (``negate``: drawn as −series, its bands swapped
    so that p5 stays the lowest); ``None`` when no run has it."""
    drawn = zip(runs, labels, run_hues(runs), strict=True)
    chosen = [(run, label, hue) for run, label, hue in drawn if series(run, name)]
    if not chosen:
        return None
    fig = small_multiples([label for _, label, _ in chosen], title)
    for k, (run, label, hue) in enumerate(chosen):
        start = run["start_date"]
        bands = series(run, name)
        if negate:
            bands = {f"p{100 - int(key[1:])}": [-v for v in values]
                     for key, values in bands.items()}  # fmt: skip
        for trace in fan_traces(bands, start, hue, label, name,
                                hover_format=hover_format):  # fmt: skip
            add(fig, trace, k)
        pin_days(fig, k, start, max(len(values) for values in bands.values()))
        if mark_stages:
            # Labels step down so that close stages do not print over each other.
            for j, (key, stage_name) in enumerate(STAGE_NAMES.items()):
                day = run["stages"].get(key, {}).get("day_p50")
                if day is not None:
                    mark_day(fig, day_date(start, int(day)), f"{stage_name} p50", k, 1 - 0.09 * j)
    update_axes(fig, "y", **y_axis)
    return fig


def hashrate_fan(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(
        runs, labels, "hashrate_ths", "Delivered hashrate (TH/s)",
        hashrate_axis(), ",.2f", mark_stages=True,
    )  # fmt: skip


def availability_fan(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(
        runs, labels, "availability", "Availability (delivered / nameplate installed)",
        {"tickformat": ".2~%", **titled("delivered / nameplate")}, ".2%", mark_stages=True,
    )  # fmt: skip


def cash_fan(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(runs, labels, "cash_usd", "Cash (USD)",
                      {"tickformat": "$~s", **titled("USD")}, "$,.0f")  # fmt: skip


def spares_fans(run: dict[str, Any], label: str, hue: str) -> Figure | None:
    """Spares on hand per part type for one run, the median stock-out day marked."""
    parts = sorted(str(row["part"]) for row in run["first_to_break"])
    parts = [p for p in parts if series(run, f"spares_on_hand.{p}")]
    if not parts:
        return None
    fig = small_multiples(
        parts, f"Spares on hand by part, all pools (parts) — {label}<br>"
        f"<sup>{STOCKOUT_DEFINITION}.</sup>", 220, shared_y=False,
    )  # fmt: skip
    stockout = {row["part"]: row.get("stockout_day_p50") for row in run["first_to_break"]}
    for k, part in enumerate(parts):
        name = f"spares_on_hand.{part}"
        bands = series(run, name)
        for trace in fan_traces(bands, run["start_date"], hue, label, name,
                                hover_format=",.1f"):  # fmt: skip
            add(fig, trace, k)
        pin_days(fig, k, run["start_date"], max(len(values) for values in bands.values()))
        day = stockout.get(part)
        if day is not None:
            mark_day(fig, day_date(run["start_date"], int(day)), "stock-out p50", k)
    update_axes(fig, "y", rangemode="tozero", tickformat="~s", **titled("parts"))
    return fig


def machines_down_fans(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    """Machines down by cause: for each run, one panel per cause that any run has
    machines down for; ``None`` when no run has any. A run read from its JSON has the
    median and p95 only (:func:`~hashshock.report.figures.style.fan_traces` draws its p95
    dotted)."""
    causes = [cause for cause in DOWN_CAUSES
              if any(_any_down(series(run, f"machines_down.{cause}")) for run in runs)]  # fmt: skip
    if not causes:
        return None
    titles = [f"{label}: {DOWN_CAUSES[cause]}" for label in labels for cause in causes]
    fig = small_multiples(titles, "Machines down by cause (machines)", 220, shared_y=False)
    for i, (run, label, hue) in enumerate(zip(runs, labels, run_hues(runs), strict=True)):
        for j, cause in enumerate(causes):
            name = f"machines_down.{cause}"
            bands = series(run, name)
            k = i * len(causes) + j
            for trace in fan_traces(bands, run["start_date"], hue, label, name,
                                    hover_format=",.0f"):  # fmt: skip
                add(fig, trace, k)
            if not _any_down(bands):
                # none down: one tick at 0, not plotly's 0 … 1 in thousandths of a machine
                fig["layout"]["yaxis" + axis_ids(k)[1][1:]].update(range=[0, 1], tickvals=[0])
                say_none(fig, k, "none down on any path")  # an empty panel reads as broken
    update_axes(fig, "y", rangemode="tozero", tickformat="~s", **titled("machines"))
    return fig


def _any_down(bands: dict[str, list[float]]) -> bool:
    """Whether any band of a machines-down series is above 0 on some day."""
    return any(max(values, default=0.0) > 0 for values in bands.values())
