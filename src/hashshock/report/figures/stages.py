"""The three collapse stages on a timeline (p10–p90 bar, median marker, probability) and
which part runs out first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hashshock.report.figures.fans import STAGE_NAMES
from hashshock.report.figures.style import (
    DAY_MS,
    Figure,
    day_date,
    day_or_dash,
    figure,
    pin_days,
    run_hues,
    say_none,
    titled,
)
from hashshock.words import probability


def stage_timeline(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure:
    """Per stage and run: a bar from the p10 to the p90 day, a marker on p50, the probability.

    Stages seen on too few paths to date (``day_p50`` null) appear as text only.
    """
    data: list[dict[str, Any]] = []
    rows: list[str] = []
    for run, label, hue in zip(runs, labels, run_hues(runs), strict=True):
        start = run["start_date"]
        for key, name in STAGE_NAMES.items():
            stage = run["stages"].get(key, {})
            row = f"{name} · {label}" if len(runs) > 1 else name
            rows.append(row)
            p = float(stage.get("probability") or 0.0)
            meta = {"scenario": label, "series": f"stages.{key}", **stage}
            if stage.get("day_p50") is None:
                data.append({
                    "type": "scatter", "x": [start], "y": [row], "mode": "text",
                    "text": [f"  {probability(p)} of paths — too rare to date"], "meta": meta,
                    "textposition": "middle right", "showlegend": False, "hoverinfo": "skip",
                })  # fmt: skip
                continue
            p10, p50, p90 = (int(stage[k]) for k in ("day_p10", "day_p50", "day_p90"))
            data.append({
                "type": "bar", "y": [row], "x": [max(p90 - p10, 1) * DAY_MS],
                "base": [day_date(start, p10)], "orientation": "h", "width": 0.6,
                "marker": {"color": hue, "opacity": 0.45}, "showlegend": False, "name": label,
                "meta": meta, "hovertemplate": (
                    f"{name}, {label}<br>probability {probability(p)}<br>day p10 {p10} · "
                    f"p50 {p50} · p90 {p90}<extra></extra>"),
            })  # fmt: skip
            data.append({
                "type": "scatter", "x": [day_date(start, p50)], "y": [row],
                "mode": "markers+text", "marker": {"color": hue, "size": 12, "symbol": "diamond"},
                "text": [f"{probability(p)} · day {p50}"], "textposition": "top center",
                "showlegend": False, "meta": meta, "hoverinfo": "skip",
            })  # fmt: skip
    fig = figure("Collapse stages: when (p10–p90 bar, median ◆) and how likely",
                 140 + 34 * len(rows), hovermode="closest", barmode="overlay")  # fmt: skip
    fig["data"] = data
    fig["layout"]["yaxis"].update(categoryorder="array", categoryarray=list(reversed(rows)))
    fig["layout"]["xaxis"].update(type="date")
    # the horizons, as the fans span them (a run starting later to its own end): a
    # timeline of stages too rare to date had only day 0 to range over, in milliseconds
    start = min(str(run["start_date"]) for run in runs)
    ends = [date.fromisoformat(str(run["start_date"])) + timedelta(days=int(run["horizon_days"]))
            for run in runs]  # fmt: skip
    pin_days(fig, 0, start, (max(ends) - date.fromisoformat(start)).days)
    fig["layout"]["margin"]["l"] = 200
    return fig


def first_to_break(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure:
    """Per part: the share of paths on which it runs out first, one bar per run."""
    fig = figure("First to break: share of paths on which each part runs out first", 380,
                 hovermode="closest", barmode="group", showlegend=len(runs) > 1)  # fmt: skip
    for run, label, hue in zip(runs, labels, run_hues(runs), strict=True):
        rows = sorted(run["first_to_break"], key=lambda r: str(r["part"]))
        fig["data"].append({
            "type": "bar", "x": [r["part"] for r in rows],
            "y": [r["probability_first"] for r in rows], "name": label,
            "marker": {"color": hue},
            "customdata": [[r["probability_stockout"], day_or_dash(r["stockout_day_p50"])]
                           for r in rows],
            "hovertemplate": ("%{x}: first to run out on %{y:.0%} of paths; runs out on "
                              "%{customdata[0]:.0%}, median day %{customdata[1]}<extra>"
                              f"{label}</extra>"),
            "meta": {"scenario": label, "series": "first_to_break.probability_first"},
        })  # fmt: skip
    fig["layout"]["yaxis"].update(tickformat=".0%", rangemode="tozero", **titled("share of paths"))
    if not any(r["probability_first"] for run in runs for r in run["first_to_break"]):
        say_none(fig, 0, "no part runs out on any path")
    return fig
