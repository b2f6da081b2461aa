"""Scenarios against baseline: medians overlaid on one chart, and what each scenario loses
against baseline on the same paths (common random numbers make the per-path gap the
shock's effect, not noise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hashshock.report.data import series
from hashshock.report.figures.fans import fan_figure
from hashshock.report.figures.style import (
    DAY_MS,
    Figure,
    baseline_last,
    figure,
    hashrate_axis,
    legend_rank,
    run_hues,
    titled,
)

#: The lines of the runs other than baseline (dashed), in turn: a reader who cannot tell
#: their colours apart tells them by their line.
SCENARIO_DASHES = ("solid", "dot", "dashdot", "longdash", "longdashdot")
#: Peaks further apart than this factor (fleets of different sizes): a log value axis.
LOG_AXIS_SPREAD = 20.0


def median_overlay(
    runs: Sequence[dict[str, Any]], labels: Sequence[str], name: str, title: str,
    y_axis: dict[str, Any], hover_format: str,
) -> Figure | None:  # fmt: skip
    """The median of series ``name`` of every run on one chart (baseline dashed grey,
    drawn over the others: :func:`~hashshock.report.figures.style.baseline_last`), each
    other run in a line of its own too, so that colour is not all that tells them apart."""
    fig = figure(title, 420)
    hues = run_hues(runs)
    others = iter(SCENARIO_DASHES * len(runs))
    dashes = ["dash" if run["scenario"] == "baseline" else next(others) for run in runs]
    for i in baseline_last([run["scenario"] for run in runs]):
        run, label = runs[i], labels[i]
        median = series(run, name).get("p50")
        if median is None:
            continue
        fig["data"].append({
            "type": "scatter", "y": median, "x0": run["start_date"], "dx": DAY_MS,
            "mode": "lines", "name": label, "legendrank": legend_rank(i),
            "line": {"color": hues[i], "width": 2, "dash": dashes[i]},
            "hovertemplate": f"%{{y:{hover_format}}}<extra>{label}</extra>",
            "meta": {"scenario": label, "series": name, "band": "p50"},
        })  # fmt: skip
    if len(fig["data"]) < 2:
        return None
    fig["layout"]["xaxis"]["type"] = "date"
    fig["layout"]["yaxis"].update(y_axis)
    peaks = [max((v for v in t["y"] if v is not None), default=0.0) for t in fig["data"]]
    if min(peaks) > 0 and max(peaks) / min(peaks) > LOG_AXIS_SPREAD:
        # runs of fleets of very different sizes: on one linear axis the small one is a
        # flat line at 0; a log axis shows each (its title says so)
        fig["layout"]["yaxis"]["type"] = "log"
        fig["layout"]["yaxis"]["title"]["text"] += " — log scale"
    return fig


def hashrate_overlay(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return median_overlay(runs, labels, "hashrate_ths", "Median delivered hashrate by scenario "
                          "(TH/s)", hashrate_axis(),
                          ",.2f")  # fmt: skip


def availability_overlay(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return median_overlay(runs, labels, "availability", "Median availability by scenario",
                          {"tickformat": ".2~%", **titled("delivered / nameplate")},
                          ".2%")  # fmt: skip


def hashrate_lost(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(
        runs, labels, "hashrate_lost_vs_baseline_ths",
        "Hashrate lost against baseline on the same paths (TH/s)",
        hashrate_axis(), ",.2f",
    )  # fmt: skip


def cash_gap(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(
        runs, labels, "cash_gap_vs_baseline_usd",
        "Cash against baseline on the same paths (USD; below 0: less cash than baseline)",
        {"tickformat": "$~s", **titled("USD")}, "$,.0f", negate=True,
    )  # fmt: skip
