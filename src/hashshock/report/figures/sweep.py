"""A sweep's charts: tornado, spider (one-way and grid main effects), Sobol' indices and
rank correlations, one chart per metric, from the sweep's JSON form
(``SweepResult.to_dict()``, held in ``ReportInput.extras["sweep"]``)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from hashshock.report.figures.style import PALETTE, Figure, figure
from hashshock.sweep.analysis import rough_estimates
from hashshock.words import ordinal

if TYPE_CHECKING:
    from hashshock.report.sections import Block, ReportInput

LOW_COLOUR, HIGH_COLOUR = "#0072B2", "#D55E00"
_UNIT_FORMAT = {"probability": ".1%", "share": ".2%", "USD": "$,.3~s", "day": ",.0f",
                "TH/s": ",.4~s"}  # fmt: skip


def _unit(metric: str) -> str:
    from hashshock.sweep.industry import UNITS
    from hashshock.sweep.metrics import KINDS

    name = metric.split(":")[0]
    kind = KINDS.get(name)
    return kind.unit if kind else UNITS.get(name, "")


def _fmt(metric: str) -> str:
    return _UNIT_FORMAT.get(_unit(metric), ",.4~g")


def _said(metric: str) -> str:
    """The metric in words with its name, for a chart's title or axis."""
    from hashshock.sweep.metrics import describe

    words = describe(metric)
    return metric if words == metric else f"{words} [{metric}]"


def value_text(value: Any, metric: str) -> str:
    """``value`` of ``metric`` for people: shares in %, USD with a unit, hashrate in PH/s,
    else 4 digits.

    >>> value_text(3_974_300.0, "hashrate:364"), value_text(0.5, "availability:30")
    ('3,974.3 PH/s', '50.00%')
    """
    if value is None:
        return "—"
    unit = _unit(metric)
    if unit in ("probability", "share"):
        return f"{100 * float(value):.2f}%"
    if unit == "USD":
        from hashshock.report.tables import usd

        return usd(float(value))
    if unit == "TH/s":  # a fleet's hashrate reads in PH/s, as `hashshock run` prints it
        return f"{float(value) / 1e3:,.1f} PH/s"
    return f"{float(value):,.4g}"


def difference_text(value: Any, metric: str) -> str:
    """A difference of ``metric`` (a tornado's swing): of shares in percentage points."""
    if value is not None and _unit(metric) in ("probability", "share"):
        points = 100 * float(value)
        # A swing below the two decimals is not none: "0.00 pts" was listed beside a
        # caption saying the inputs of no swing were left out.
        return f"{points:.2g} pts" if 0 < abs(points) < 0.005 else f"{points:.2f} pts"
    return value_text(value, metric)


def one_path_note(metric: str, paths: int) -> str:
    """For a probability over paths, the size of one path in percentage points: a swing of
    a few paths is the sample's, not the input's (empty for other metrics)."""
    if _unit(metric) != "probability" or paths <= 0:
        return ""
    return (f"one path is {100 / paths:.2f} pts at {paths:,} paths: a swing of a few paths "
            "may be Monte Carlo noise (more paths narrow it)")  # fmt: skip


def input_text(value: Any) -> str:
    """An input's value for people: millions as ``18M``, billions as ``2.5B`` and beyond
    that powers of ten (``1.1e+14``; four significant digits, so a table's column fits 80
    columns), other whole numbers with thousands separators, else four significant digits
    (a percentile of a range is rarely round).

    >>> [input_text(v) for v in (18e6, 2.5e9, 1.1e14, 12345, 0.123456)]
    ['18M', '2.5B', '1.1e+14', '12,345', '0.1235']
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    number = float(value)
    if abs(number) >= 1e12:
        return f"{number:.4g}"
    if abs(number) >= 1e9:
        return f"{number / 1e9:.4g}B"
    if abs(number) >= 1e6:
        return f"{number / 1e6:.4g}M"
    if number.is_integer() or abs(number) >= 1e4:
        return f"{number:,.0f}"
    return f"{number:.4g}"


def tornado_chart(metric: str, data: dict[str, Any]) -> Figure | None:
    """Bars from the base value to the metric at each input's low (blue) and high (orange)
    value, largest swing on top; the high bar narrower, so that both ends show when they
    lie on the same side of the base (the longer hid the shorter); a chart of no swing at
    all says so (its axis, a hair around the base, repeated a day's ticks)."""
    rows = [r for r in data.get("rows", []) if r["low"] is not None or r["high"] is not None]
    base = data.get("base")
    if not rows or base is None:
        return None
    rows = list(reversed(rows))
    names = [r["input"] for r in rows]
    fig = figure(f"Tornado: {_said(metric)} (base {value_text(base, metric)})",
                 140 + 34 * len(rows), hovermode="closest", barmode="overlay")  # fmt: skip
    for side, colour, width in (("low", LOW_COLOUR, 0.8), ("high", HIGH_COLOUR, 0.4)):
        fig["data"].append({
            "type": "bar", "orientation": "h", "y": names, "base": [base] * len(rows),
            "width": width,
            "x": [None if r[side] is None else r[side] - base for r in rows],
            "name": f"input at its {side} value", "marker": {"color": colour},
            "customdata": [[input_text(r[f"{side}_input"]), r[side]] for r in rows],
            "hovertemplate": (f"%{{y}} = %{{customdata[0]}}<br>{metric} %{{customdata[1]:"
                              f"{_fmt(metric)}}}<extra>{side}</extra>"),
            "meta": {"series": f"tornado.{metric}", "band": side},
        })  # fmt: skip
    fig["layout"]["shapes"] = [
        {
            "type": "line",
            "x0": base,
            "x1": base,
            "y0": 0,
            "y1": 1,
            "xref": "x",
            "yref": "paper",
            "line": {"color": "#555", "width": 1, "dash": "dot"},
        }
    ]
    fig["layout"]["xaxis"].update(tickformat=_fmt(metric), title={"text": _said(metric)})
    fig["layout"]["margin"]["l"] = 260
    if not any(r[side] not in (None, base) for r in rows for side in ("low", "high")):
        fig["layout"]["xaxis"].update(showticklabels=False)
        fig["layout"]["annotations"] = [{
            "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
            "text": f"no input moves it: each is {value_text(base, metric)} at both ends",
            "font": {"size": 12, "color": "#555"}}]  # fmt: skip
    return fig


def _position(values: list[Any]) -> list[float | None]:
    numbers = [float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
               for v in values]  # fmt: skip
    known = [v for v in numbers if v is not None]
    if len(known) != len(values) or max(known) == min(known):
        return [i / max(len(values) - 1, 1) for i in range(len(values))]
    low, high = min(known), max(known)
    return [(v - low) / (high - low) for v in known]


def spider_chart(metric: str, lines: dict[str, list[dict[str, Any]]], base: Any,
                 title: str) -> Figure | None:  # fmt: skip
    """One line per input: the metric against the input's place in its tested range (0 its
    lowest value, 1 its highest), the range in the legend; a diamond marks each input's
    base value, and a dotted line the metric at base."""
    if not lines:
        return None
    based = any(p.get("base") for points in lines.values() for p in points)
    heading = f"{title}: {_said(metric)}" + (
        f" (base {value_text(base, metric)})" if base is not None else ""
    )
    if based:
        heading += "<br><sup>◆ each input at its base value</sup>"
    fig = figure(heading, 440, hovermode="closest")
    for i, (name, points) in enumerate(lines.items()):
        values = [p["input"] for p in points]
        ends = f"{input_text(values[0])} – {input_text(values[-1])}"
        fig["data"].append({
            "type": "scatter", "mode": "lines+markers", "x": _position(values),
            "y": [p["value"] for p in points], "name": f"{name} ({ends})",
            "customdata": [input_text(v) for v in values],
            "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
            "marker": {"symbol": ["diamond" if p.get("base") else "circle" for p in points],
                       "size": [12 if p.get("base") else 7 for p in points]},
            "hovertemplate": (f"{escape(name)} = %{{customdata}}<br>{metric} %{{y:"
                              f"{_fmt(metric)}}}<extra></extra>"),
            "meta": {"series": f"spider.{metric}", "scenario": name},
        })  # fmt: skip
    if base is not None:
        fig["layout"]["shapes"] = [{
            "type": "line", "x0": 0, "x1": 1, "y0": base, "y1": base, "xref": "paper",
            "yref": "y", "line": {"color": "#555", "width": 1, "dash": "dot"},
        }]  # fmt: skip
    fig["layout"]["xaxis"].update(title={"text": "input from its lowest (0) to its highest (1) "
                                         "tested value"}, range=[-0.03, 1.03])  # fmt: skip
    fig["layout"]["yaxis"].update(tickformat=_fmt(metric), title={"text": _said(metric)})
    return fig


def sobol_chart(metric: str, data: dict[str, Any]) -> Figure | None:
    """First-order and total Sobol' indices per input with their intervals."""
    if "S1" not in data:
        return None
    names = sorted(data["S1"], key=lambda n: -(data["ST"][n] or 0.0))  # most total effect first
    title = f"Sobol' indices: {_said(metric)}"
    if rough_estimates(data):
        title += (
            "<br><sup>estimates too rough to read: an interval wider than 0.5, an index "
            "outside [0, 1], S1 above ST or Σ S1 above 1 — raise the spec's samples</sup>"
        )
    fig = figure(title, 440, hovermode="closest", barmode="group")
    for key, label, colour in (("S1", "first order S1", LOW_COLOUR),
                               ("ST", "total ST", HIGH_COLOUR)):  # fmt: skip
        values = [data[key][n] for n in names]
        bounds = [data[f"{key}_interval"][n] for n in names]
        fig["data"].append({
            "type": "bar", "x": names, "y": values, "name": label, "marker": {"color": colour},
            "error_y": {"type": "data", "symmetric": False,
                        "array": [hi - v for v, (_, hi) in zip(values, bounds, strict=True)],
                        "arrayminus": [v - lo for v, (lo, _) in zip(values, bounds,
                                                                     strict=True)]},
            "hovertemplate": f"%{{x}}: {key} %{{y:.3f}}<extra></extra>",
            "meta": {"series": f"sobol.{metric}", "band": key},
        })  # fmt: skip
    fig["layout"]["yaxis"].update(title={"text": "share of the metric's variance"})
    return fig


def correlation_chart(metric: str, data: dict[str, Any]) -> Figure | None:
    """Spearman's rank correlation of the metric with each input over the sampled points."""
    rho = data.get("spearman")
    if not rho:
        return None
    names = sorted(rho, key=lambda n: -abs(rho[n] or 0.0))
    fig = figure(
        f"Rank correlation with {_said(metric)}", 140 + 34 * len(names), hovermode="closest"
    )
    fig["data"].append({
        "type": "bar", "orientation": "h", "y": list(reversed(names)),
        "x": [rho[n] for n in reversed(names)], "marker": {"color": LOW_COLOUR},
        "hovertemplate": "%{y}: %{x:.2f}<extra></extra>",
        "meta": {"series": f"spearman.{metric}"},
    })  # fmt: skip
    fig["layout"]["xaxis"].update(range=[-1, 1], title={"text": "Spearman's ρ"})
    fig["layout"]["margin"]["l"] = 260
    band = data.get("noise_band")
    if band is not None:
        # Bars inside the band are what an input that moves nothing shows (95 %).
        fig["layout"]["shapes"] = [{
            "type": "rect", "xref": "x", "yref": "paper", "x0": -band, "x1": band,
            "y0": 0, "y1": 1, "fillcolor": "rgba(128,128,128,0.15)", "line": {"width": 0},
            "layer": "below",
        }]  # fmt: skip
    return fig


def charts(result: dict[str, Any]) -> list[tuple[str, Figure, str]]:
    """(key, figure, caption) of every chart of a sweep, metric by metric."""
    head = result["sweep"]
    method = head["method"]
    out: list[tuple[str, Figure | None, str]] = []
    for i, metric in enumerate(head["metrics"]):
        data = result.get(method, {}).get(metric, {})
        if method == "tornado":
            low, high = (head.get("settings") or {}).get("percentiles", [10, 90])
            out.append(
                (
                    f"tornado-{i}",
                    tornado_chart(metric, data),
                    f"Each input alone at its low and high value (the {ordinal(low)} and "
                    f"{ordinal(high)} percentile of its range), the others at base; widest "
                    "swing on top, an input whose swing is undefined at one end (a stage "
                    "too rare there) last. Same paths and seed at every point.",
                )
            )
        elif method == "oneway":
            out.append(
                (
                    f"spider-{i}",
                    spider_chart(metric, data.get("inputs", {}), data.get("base"), "Spider"),
                    "Each input over its values, the others at base.",
                )
            )
        elif method == "grid":
            out.append(
                (
                    f"effects-{i}",
                    spider_chart(
                        metric, data.get("main_effects", {}), data.get("base"), "Main effects"
                    ),
                    "Mean of the metric over the grid points where the input has each value.",
                )
            )
        elif method == "sobol":
            out.append(
                (
                    f"sobol-{i}",
                    sobol_chart(metric, data),
                    "S1: the share of the metric's variance due to the input alone; ST: "
                    "with all its interactions. Bars show the bootstrap interval.",
                )
            )
        else:
            band = data.get("noise_band")
            out.append(
                (
                    f"lhs-{i}",
                    correlation_chart(metric, data),
                    "Rank correlation of the metric with each input over the sampled points."
                    + (f" Grey band: |ρ| under {band:.2f}, what an input that moves nothing "
                       "shows on 95 % of samples this size." if band is not None else ""),
                )
            )  # fmt: skip
    return [(k, f, c) for k, f, c in out if f is not None]  # fmt: skip


def _notes(result: dict[str, Any]) -> str:
    head = result["sweep"]
    rows = "".join(
        f"<tr><td>{escape(str(i['name']))}</td><td>{escape(str(i['path']))}</td>"
        f"<td>{'the default' if i['base'] is None else escape(input_text(i['base']))}</td>"
        f"<td>{escape(_range(i))}</td></tr>"
        for i in head["inputs"]
    )  # fmt: skip
    failed = result.get("failed_points") or []
    errors = "".join(f"<li>{escape(str(p['error']))}</li>" for p in failed[:20])
    more = f"<li>… and {len(failed) - 20} more</li>" if len(failed) > 20 else ""
    summary = (
        f"<p>{escape(head['method'])} sweep <b>{escape(str(head['name']))}</b>: "
        f"{len(result['points'])} points of {head['paths']} paths × "
        f"{head['horizon_days']} days, seed {head['seed']} at every point.</p>"
    )
    table = (
        '<table class="numbers"><thead><tr><th>input</th><th>path</th><th>base</th>'
        f"<th>range</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    fails = f"<p>Points that could not run:</p><ul>{errors}{more}</ul>" if failed else ""
    return summary + table + fails  # fmt: skip


def _range(item: dict[str, Any]) -> str:
    if item.get("values") is not None:
        return ", ".join(input_text(v) for v in item["values"])
    if item.get("low") is None:
        return "—"
    return f"uniform {input_text(item['low'])} – {input_text(item['high'])}"


def blocks(report: ReportInput) -> list[Block]:
    """The report's "Sensitivity" section, when ``report.extras`` holds a sweep."""
    from hashshock.report.sections import Chart, Html

    result = report.extras.get("sweep")
    if not isinstance(result, dict) or "sweep" not in result:
        return []
    out: list[Block] = [Html(_notes(result))]
    out += [Chart(key, fig, caption) for key, fig, caption in charts(result)]
    out += [Html(text) for text in tables(result)]
    return out


def _line_rows(lines: dict[str, list[dict[str, Any]]], base: Any, metric: str
               ) -> list[list[str]]:  # fmt: skip
    """A one-way line's (or a grid's main effect's) points as rows: the input, its value,
    the metric there and its difference from the metric at base; the input named on its
    first row only."""
    rows = []
    for name, points in lines.items():
        for k, point in enumerate(points):
            value = point.get("value")
            change = None if value is None or base is None else value - base
            mark = " (base)" if point.get("base") else ""
            rows.append([str(name) if k == 0 else "", input_text(point["input"]) + mark,
                         value_text(value, metric), difference_text(change, metric)])  # fmt: skip
    return rows


def tables(result: dict[str, Any]) -> list[str]:
    """The numbers behind the charts, a table per metric (a tornado's low, high and swing
    per input; a one-way line's or a grid's main effect's metric at each value; Sobol'
    indices with their intervals; rank correlations): read without JavaScript, printed,
    copied into a memo."""
    from hashshock.report.tables import table

    method = result["sweep"]["method"]
    out = []
    for metric in result["sweep"]["metrics"]:
        analysis = result.get(method, {}).get(metric) or {}
        lines = analysis.get("inputs" if method == "oneway" else "main_effects")
        if method in ("oneway", "grid") and lines:
            base = analysis.get("base")
            what = (
                "each input over its values, the others at base"
                if method == "oneway"
                else "the mean over the grid points where the input has each value"
            )
            out.append(table(["input", "value", "metric", "vs base"],
                             _line_rows(lines, base, metric),
                             f"{_said(metric)}: {what} (base "
                             f"{value_text(base, metric)})"))  # fmt: skip
            continue
        if method == "lhs" and analysis.get("spearman"):
            rho, band = analysis["spearman"], analysis.get("noise_band")
            rows = [[name, "—" if rho[name] is None else f"{rho[name]:+.2f}",
                     "" if band is None or rho[name] is None
                     else ("within noise" if abs(rho[name]) < band else "")]
                    for name in sorted(rho, key=lambda n: -abs(rho[n] or 0.0))]  # fmt: skip
            noise = "" if band is None else f"; |ρ| under {band:.2f} is within noise"
            caption = f"{_said(metric)}: rank correlation with each input over the samples"
            out.append(table(["input", "Spearman's ρ", ""], rows, caption + noise))
            continue
        if method == "tornado" and analysis.get("rows"):
            rows = [[str(r["input"]), f"{input_text(r['low_input'])} → "
                     f"{input_text(r['high_input'])}", value_text(r["low"], metric),
                     value_text(r["high"], metric), difference_text(r["swing"], metric)]
                    for r in analysis["rows"]]  # fmt: skip
            out.append(
                table(
                    ["input", "low → high input", "at low", "at high", "swing"],
                    rows,
                    f"{_said(metric)}: each input alone at its low and high value, "
                    f"the others at base ({value_text(analysis.get('base'), metric)})",
                )
            )
        elif method == "sobol" and "ST" in analysis:
            rows = [
                [
                    name,
                    f"{analysis['S1'][name]:.3f}",
                    "{:.3f} – {:.3f}".format(*analysis["S1_interval"][name]),
                    f"{analysis['ST'][name]:.3f}",
                    "{:.3f} – {:.3f}".format(*analysis["ST_interval"][name]),
                ]
                for name in sorted(analysis["ST"], key=lambda n: -analysis["ST"][n])
            ]
            out.append(
                table(
                    ["input", "S1", "S1 interval", "ST", "ST interval"],
                    rows,
                    f"{_said(metric)}: Sobol' indices, first order and total",
                )
            )
    return out
