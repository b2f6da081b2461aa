"""Shared look of the report's figures, built as plain plotly figure dicts.

A figure is the JSON plotly.js draws (``{"data": [...], "layout": {...}}``); building
dicts rather than ``plotly.graph_objects`` keeps a four-scenario report well under a
second (validating graph objects took seconds). ``plotly.graph_objects.Figure(fig)``
turns one into a graph object in a notebook.

Days are on a date axis starting at the run's ``start_date``; traces carry no x array
but ``x0`` and ``dx`` (one day in milliseconds), which keeps a year of five bands for
four scenarios small. Every trace carries ``meta = {"scenario", "series", "band"}`` so
that a reader (or a test) can find the numbers behind a line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from hashshock.report.data import Bands

Figure = dict[str, Any]

#: A "<" that opens none of the tags hashshock's own figures use (line breaks, bold,
#: superscripts, a hover label's <extra> box): plotly reads <a href>, <b>, <span style>
#: in any text, so a user's name (a fleet, scenario, covenant or strategy) with markup
#: would become a link or a style in a chart.
_NOT_OWN_TAG = re.compile(r"<(?!(?:br|/?b|/?sup|/?extra)>)")

DAY_MS = 86_400_000
#: Scenario colours (colour-blind safe, Okabe-Ito); baseline is always grey.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
BASELINE_COLOUR = "#555555"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
#: Size of a static image for slides, pixels (16:9); a chart drawn taller than 720 (many
#: operators down its axis) keeps its own height, so that no row's label is dropped.
IMAGE_SIZE = (1280, 720)
_AXIS = {"gridcolor": "#e6e9ef", "zerolinecolor": "#c9ced8", "linecolor": "#c9ced8",
         "automargin": True}  # fmt: skip
#: Gap between panels: a share of the width, and pixels between rows.
_H_SPACING, _ROW_GAP_PX = 0.07, 70


#: The built-in scenarios' own colours, the same in every chart and report; other
#: scenarios take the palette by their place in the run.
SCENARIO_COLOURS = {"sanctions": PALETTE[1], "customs-2024": PALETTE[4],
                    "mitigation": PALETTE[2], "quiet-end": PALETTE[5],
                    "remote-disable": PALETTE[3]}  # fmt: skip


#: Palette colours too close to tell apart side by side (vermilion and orange, blue and
#: sky blue, orange and yellow): a run takes neither of a pair another run has.
_NEAR = {PALETTE[0]: {PALETTE[4]}, PALETTE[4]: {PALETTE[0], PALETTE[6]},
         PALETTE[1]: {PALETTE[5]}, PALETTE[5]: {PALETTE[1]}, PALETTE[6]: {PALETTE[4]}}  # fmt: skip


def run_colours(scenarios: Sequence[str]) -> list[str]:
    """The colour of each run, given the scenario each runs, in the runs' order — the same
    in every chart of a report. Baseline is grey and a built-in scenario takes its own
    (the same in every report: a compare, an industry, a decision's page); each other run
    (a scenario of the user's, a second fleet's run of a scenario already coloured) takes
    the first palette colour no run has and none is near (:data:`_NEAR`), else the first
    no run has; past the palette's seven, colours repeat in its order."""
    colours: list[str | None] = [None] * len(scenarios)
    taken: set[str] = set()
    for i, name in enumerate(scenarios):
        own = BASELINE_COLOUR if name == "baseline" else SCENARIO_COLOURS.get(name)
        if own is not None and own not in taken:
            colours[i] = own
            taken.add(own)
    spill = 0
    for i, colour in enumerate(colours):
        if colour is not None:
            continue
        free = [c for c in PALETTE if c not in taken]
        apart = [c for c in free if not _NEAR.get(c, set()) & taken]
        if free:
            colours[i] = (apart or free)[0]
        else:
            colours[i], spill = PALETTE[spill % len(PALETTE)], spill + 1
        taken.add(str(colours[i]))
    return [str(c) for c in colours]


def run_hues(runs: Sequence[dict[str, Any]]) -> list[str]:
    """:func:`run_colours` of report runs (their ``scenario``)."""
    return run_colours([str(run["scenario"]) for run in runs])


def baseline_last(scenarios: Sequence[str]) -> list[int]:
    """The order (indices of the runs of ``scenarios``) in which to draw runs that share a
    chart: baseline after the others, to be drawn over them dashed (or as open markers) —
    drawn first, a baseline that a scenario matches (before its shock starts, or where it
    changes nothing) was hidden under it. The legend keeps the runs' order
    (:func:`legend_rank`)."""
    return sorted(range(len(scenarios)), key=lambda i: scenarios[i] == "baseline")


def legend_rank(index: int) -> int:
    """plotly's ``legendrank`` keeping a run's place ``index`` in the legend whatever the
    order it is drawn in (plotly's default rank is 1000)."""
    return 1000 + index


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def day_date(start: str, day: int) -> str:
    """ISO date of ``day`` days after ``start`` (ISO)."""
    return (date.fromisoformat(start) + timedelta(days=day)).isoformat()


def grid(n: int) -> tuple[int, int]:
    """Rows and columns of small multiples for ``n`` panels (at most two columns)."""
    cols = 1 if n == 1 else 2
    return -(-n // cols), cols


def axis(**extra: Any) -> dict[str, Any]:
    return {**_AXIS, **extra}


def titled(text: str) -> dict[str, Any]:
    """An axis title's settings: the axis's unit, so a chart copied onto a slide without
    its title still says what it counts."""
    return {"title": {"text": text}}


def hashrate_axis() -> dict[str, Any]:
    """A hashrate axis in TH/s, SI-prefixed, its title reading the prefixes as the units
    miners use ("4.6M" TH/s is 4.6 EH/s); a new dict each call (figures edit theirs)."""
    return {"tickformat": "~s", **titled("TH/s (k = PH/s, M = EH/s)")}


#: Characters per line of a title and of its ``<sup>`` subtitle: plotly does not wrap
#: titles, and these fit the report's ~1,190 px charts and a 1,280 px image.
_TITLE_CHARACTERS, _SUBTITLE_CHARACTERS = 100, 150


def wrap_title(title: str) -> tuple[str, int]:
    """``title`` broken at spaces into lines that fit a chart (``<br>`` between lines;
    a ``<sup>…</sup>`` line stays a subtitle on each of its lines), and the top margin,
    pixels, its lines need.

    >>> wrap_title("short")
    ('short', 60)
    >>> text, top = wrap_title("word " * 30 + "<br><sup>note</sup>")
    >>> text.count("<br>"), top
    (2, 108)
    """
    lines: list[str] = []
    top = 38
    for line in title.split("<br>"):
        sub = line.startswith("<sup>") and line.endswith("</sup>")
        body = line[5:-6] if sub else line
        pieces = textwrap.wrap(body, _SUBTITLE_CHARACTERS if sub else _TITLE_CHARACTERS) or [""]
        lines += [f"<sup>{p}</sup>" if sub else p for p in pieces]
        top += (16 if sub else 22) * len(pieces)
    if len(lines) > 1:
        top += 10  # clear of the panel titles under a title of several lines
    return "<br>".join(lines), max(top, 60)


def base_layout(title: str, height: int = 420, **extra: Any) -> dict[str, Any]:
    title, top = wrap_title(title)
    layout: dict[str, Any] = {
        # A margin at the left: flush with the edge, a title looks cut on a slide.
        "title": {"text": title, "x": 0, "xanchor": "left", "pad": {"l": 12}, "font": {"size": 16}},
        "font": {"family": FONT, "size": 12, "color": "#2a3140"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height + top - 60,  # a longer title takes no room from the plot
        "margin": {"l": 70, "r": 20, "t": top, "b": 50},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.15, "x": 0},
        "xaxis": axis(),
        "yaxis": axis(),
    }
    layout.update(extra)
    return layout


def figure(title: str, height: int = 420, **extra: Any) -> Figure:
    """An empty single-panel figure."""
    return {"data": [], "layout": base_layout(title, height, **extra)}


def axis_ids(panel: int) -> tuple[str, str]:
    """Trace axis ids of panel ``panel`` (0-based): ``("x", "y")``, ``("x2", "y2")``, …"""
    suffix = "" if panel == 0 else str(panel + 1)
    return f"x{suffix}", f"y{suffix}"


def _domains(count: int, spacing: float) -> list[tuple[float, float]]:
    width = (1 - spacing * (count - 1)) / count
    return [(i * (width + spacing), i * (width + spacing) + width) for i in range(count)]


def small_multiples(
    titles: list[str], title: str, panel_height: int = 260, shared_y: bool = True,
    date_axis: bool = True,
) -> Figure:  # fmt: skip
    """A figure with one panel per title, row by row, two columns at most, x axes shared
    (and y axes when ``shared_y``: then only the left column labels them)."""
    rows, cols = grid(len(titles))
    layout = base_layout(title, height=110 + panel_height * rows)
    xs, ys = _domains(cols, _H_SPACING), _domains(rows, _ROW_GAP_PX / (panel_height * rows))
    annotations = []
    for k, text in enumerate(titles):
        row, col = divmod(k, cols)
        x_id, y_id = axis_ids(k)
        y_domain = ys[rows - 1 - row]
        layout["xaxis" + x_id[1:]] = axis(
            domain=list(xs[col]), anchor=y_id, **({"matches": "x"} if k else {}),
            **({"type": "date"} if date_axis else {}),
        )  # fmt: skip
        # autorange said outright: linked y axes beside x axes given a range
        # (:func:`pin_days`) were otherwise left at plotly's default [−1, 4], blank
        layout["yaxis" + y_id[1:]] = axis(
            domain=list(y_domain), anchor=x_id, autorange=True,
            **({"matches": "y"} if k and shared_y else {}),
        )  # fmt: skip
        if shared_y and col:  # the left column's labels serve the row; these would overlap it
            layout["yaxis" + y_id[1:]]["showticklabels"] = False
        annotations.append({
            "text": text, "x": sum(xs[col]) / 2, "y": y_domain[1], "xref": "paper",
            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 13},
        })  # fmt: skip
    layout["annotations"] = annotations
    return {"data": [], "layout": layout}


def add(fig: Figure, trace: dict[str, Any], panel: int = 0) -> None:
    """Append ``trace`` to ``fig`` on panel ``panel``."""
    if panel:
        trace["xaxis"], trace["yaxis"] = axis_ids(panel)
    fig["data"].append(trace)


def update_axes(fig: Figure, letter: str, **settings: Any) -> None:
    """Apply ``settings`` to every x (``letter="x"``) or y axis of ``fig``; an axis that
    shows no tick labels (a shared axis's right-hand panels) takes no title either: the
    row's left axis labels and titles it."""
    for key, value in fig["layout"].items():
        if key.startswith(f"{letter}axis") and isinstance(value, dict):
            value.update(settings)
            if value.get("showticklabels") is False:
                value.pop("title", None)


#: The bottom margin (px) that holds tick labels, an axis title and a legend's row.
LEGEND_UNDER_TITLE_PX = 100


def title_bottom_x_axes(fig: Figure, panels: int, text: str) -> None:
    """Title the x axis of each of ``panels`` small multiples that has no panel below it
    (on every row, the title would run into the next row's panel title)."""
    _, cols = grid(panels)
    for k in range(max(panels - cols, 0), panels):
        x_id, _ = axis_ids(k)
        fig["layout"]["xaxis" + x_id[1:]]["title"] = {"text": text}
    # The legend under the title, at the chart's foot: placed as a share of the plot's
    # height below it (:func:`base_layout`), on a short chart it sat on the axis title.
    layout = fig["layout"]
    layout["legend"].update({"yref": "container", "y": 0, "yanchor": "bottom"})
    layout["margin"]["b"] = max(layout["margin"]["b"], LEGEND_UNDER_TITLE_PX)


def mark_day(fig: Figure, when: str, text: str, panel: int = 0, label_y: float = 1.0) -> None:
    """A dotted vertical line at date ``when`` on ``panel``, labelled ``text`` at height
    ``label_y`` (share of the panel)."""
    x_id, y_id = axis_ids(panel)
    layout = fig["layout"]
    layout.setdefault("shapes", []).append({
        "type": "line", "x0": when, "x1": when, "y0": 0, "y1": 1, "xref": x_id,
        "yref": f"{y_id} domain", "line": {"color": "#888", "width": 1, "dash": "dot"},
    })  # fmt: skip
    layout.setdefault("annotations", []).append({
        "x": when, "y": label_y, "xref": x_id, "yref": f"{y_id} domain", "text": text,
        "showarrow": False, "xanchor": "left", "yanchor": "top",
        "font": {"size": 10, "color": "#555"},
    })  # fmt: skip


def pin_days(fig: Figure, panel: int, start: str, days: int) -> None:
    """Panel ``panel``'s x axis from ``start`` to its ``days``-th day: plotly widens an
    autorange to fit a :func:`mark_day` label's text, so on a phone's width a year's
    panel ran to three years, its data in the first quarter."""
    x_id, _ = axis_ids(panel)
    fig["layout"]["xaxis" + x_id[1:]]["range"] = [start, day_date(start, max(days - 1, 0))]


def say_none(fig: Figure, panel: int, text: str) -> None:
    """``text`` in the middle of ``panel``, for a series that is zero throughout (an empty
    panel alone reads as a chart that failed to draw)."""
    x_id, y_id = axis_ids(panel)
    fig["layout"].setdefault("annotations", []).append({
        "x": 0.5, "y": 0.5, "xref": f"{x_id} domain", "yref": f"{y_id} domain", "text": text,
        "showarrow": False, "font": {"size": 12, "color": "#555"},
    })  # fmt: skip


def fan_traces(
    bands: Bands, start: str, hex_colour: str, scenario: str, series: str,
    show_legend: bool = False, hover_format: str = ",.4~g", dash: str = "solid",
) -> list[dict[str, Any]]:  # fmt: skip
    """Traces of a fan chart: p5–p95 and p25–p75 bands and the median (its line
    ``dash``), whichever exist (a p95 without its p5: a dotted line)."""
    traces: list[dict[str, Any]] = []

    def trace(band: str, **style: Any) -> dict[str, Any]:
        return {
            "type": "scatter", "y": bands[band], "x0": start, "dx": DAY_MS, "mode": "lines",
            "name": f"{scenario} {band}", "legendgroup": scenario, "showlegend": False,
            "hovertemplate": f"{band} %{{y:{hover_format}}}<extra>{scenario}</extra>",
            "meta": {"scenario": scenario, "series": series, "band": band}, **style,
        }  # fmt: skip

    for low, high, alpha in (("p5", "p95", 0.15), ("p25", "p75", 0.30)):
        if low in bands and high in bands:
            traces.append(trace(high, line={"width": 0, "color": hex_colour}))
            traces.append(trace(low, line={"width": 0, "color": hex_colour}, fill="tonexty",
                                fillcolor=rgba(hex_colour, alpha)))  # fmt: skip
    if "p95" in bands and "p5" not in bands:  # an upper band alone (machines down's)
        traces.append(trace("p95", line={"width": 1, "color": hex_colour, "dash": "dot"}))
    if "p50" in bands:
        median = trace("p50", line={"width": 2, "color": hex_colour, "dash": dash})
        median.update(showlegend=show_legend, name=scenario)
        traces.append(median)
    return traces


def image_size(fig: Figure) -> tuple[int, int]:
    """Width and height in pixels of ``fig`` as a static image (:data:`IMAGE_SIZE`, taller
    when the figure is)."""
    width, height = IMAGE_SIZE
    return width, max(height, int(fig["layout"].get("height") or 0))


def day_or_dash(day: float | None) -> float | str:
    """A median day for a hover box: "—" where none is defined (a stage or breach seen on
    too few paths), not plotly's raw ``null``."""
    return "—" if day is None else day


def shown_as_written(value: Any) -> Any:
    """A figure (any part of one) with the markup in its text shown as written, but for
    the tags hashshock's figures use themselves: ``&`` and any other ``<`` become
    entities, which plotly shows as the characters. Numbers are left alone."""
    if isinstance(value, str):
        return _NOT_OWN_TAG.sub("&lt;", value.replace("&", "&amp;"))
    if isinstance(value, dict):
        return {shown_as_written(k): shown_as_written(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shown_as_written(v) for v in value]
    return value


#: Below this many units on a value axis, ticks go by whole units (0, 1, 2 parts, $0, $1):
#: plotly's SI format would label a range of nothing in thousandths ("500m parts",
#: "$500m" for fifty cents, which reads as half a billion).
_WHOLE_UNITS_BELOW = 10
#: Below this, no SI prefix is needed at all.
_NO_PREFIX_BELOW = 1000


def readable_figure(fig: Figure) -> Figure:
    """``fig`` with ticks a reader cannot misread: an SI-formatted (``~s``) axis whose data
    stay small is labelled in plain numbers (whole units when under
    :data:`_WHOLE_UNITS_BELOW`), and a date axis whose traces are single days spans the
    day either side, by days (else plotly labels it in milliseconds), its lines drawn as
    points (a line of one point does not show). Axes that match another (shared panels)
    go by the data of all of them."""
    layout = fig["layout"]
    for trace in fig["data"]:
        if trace.get("mode") == "lines" and len(trace.get("y") or ()) == 1:
            trace["mode"] = "lines+markers"
    for letter in "xy":
        extent: dict[str, float] = {}  # axis id ("y", "y2", …) -> largest |value| on it
        days: dict[str, list[tuple[str, int]]] = {}  # x axis id -> (x0, points) per trace
        for trace in fig["data"]:
            axis_id = trace.get(f"{letter}axis", letter)
            values = trace.get(letter)
            if isinstance(values, list):
                # Numbers only: dates, names and the gaps of missing days (None) say nothing.
                sizes = [abs(v) for v in values if _is_number(v)]
                extent[axis_id] = max([extent.get(axis_id, 0.0), *sizes])
            if letter == "x" and "x0" in trace and isinstance(trace.get("y"), list):
                days.setdefault(axis_id, []).append((str(trace["x0"]), len(trace["y"])))
        axes = {letter + key[5:]: value for key, value in layout.items()
                if key.startswith(f"{letter}axis") and isinstance(value, dict)}  # fmt: skip
        for own, settings in axes.items():
            group = settings.get("matches", own)
            shared = [a for a, s in axes.items() if a == group or s.get("matches") == group]
            fmt = str(settings.get("tickformat", ""))
            if fmt.endswith("~s") and not {"tickvals", "dtick"} & settings.keys():
                top = max(extent.get(a, 0.0) for a in shared)
                prefix = "$" if fmt.startswith("$") else ""
                if top < _WHOLE_UNITS_BELOW:
                    settings.update(tickformat=f"{prefix},d", dtick=1)
                elif top < _NO_PREFIX_BELOW:
                    settings["tickformat"] = f"{prefix},~r"
            dated = [point for a in shared for point in days.get(a, [])]
            if dated and max(n for _, n in dated) <= 1 and "range" not in settings:
                # The day either side of these traces' days (runs may start apart).
                starts = [date.fromisoformat(x0[:10]) for x0, _ in dated]
                first, last = min(starts) - timedelta(days=1), max(starts) + timedelta(days=1)
                settings.update(range=[str(first), str(last)], dtick=DAY_MS)
    return fig


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value
