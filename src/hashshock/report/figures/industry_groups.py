"""The industry view's charts of operators and classes (groups) and the lender, from an
industry's JSON (``ReportInput.extras["industry"]``; docs/industry.md, "Output"): who
breaks first (shares of paths), what breaks them (each covenant, cash below zero), who
breaks before whom (a heat map), availability at 3, 6
and 12 months (share of nameplate), the stages' median days, the lender's losses (USD)
and each loan's probability of default.

Traces carry ``meta = {scenario, series}`` with ``series`` the JSON path below the
scenario (``first_to_break.financial.probability_first``, ...).
"""

from __future__ import annotations

from typing import Any

from hashshock.industry.notes import groups_without_finance
from hashshock.report.figures.fans import STAGE_NAMES
from hashshock.report.figures.industry import overlaid, scenarios, shocked
from hashshock.report.figures.style import (
    Figure,
    add,
    day_date,
    day_or_dash,
    figure,
    legend_rank,
    rgba,
    say_none,
    small_multiples,
    title_bottom_x_axes,
    update_axes,
)
from hashshock.stage_rules import DECLINE_SHORT
from hashshock.words import break_causes as break_causes_of

#: The two ways a group breaks: JSON key, what it means.
BREAKS = {
    "financial": "financial (covenant breach or cash below zero)",
    "operational": f"operational ({DECLINE_SHORT})",
}
#: Share of paths: the heat map's colour scale (white to the report's accent).
_HEAT_SCALE = [[0.0, "#ffffff"], [1.0, "#D55E00"]]
#: A heat map's background, seen where a cell has no value.
NO_CELL_COLOUR = "#d9dce3"


def groups(data: dict[str, Any]) -> list[str]:
    """The operators and classes, in the JSON's order."""
    names: list[str] = []
    for _, scenario, _ in scenarios(data):
        names += [g for g in scenario["groups"] if g not in names]
    return names


def ranked(data: dict[str, Any], kind: str) -> list[str]:
    """The groups likeliest to break (``kind``) first on top: by their largest share of
    paths breaking first under any shock, then of breaking at all; the JSON's order
    between equals."""
    first: dict[str, float] = dict.fromkeys(groups(data), 0.0)
    at_all = dict(first)
    for _, scenario, _ in shocked(data):
        for row in scenario["first_to_break"][kind]:
            first[row["group"]] = max(first[row["group"]], row["probability_first"])
            at_all[row["group"]] = max(at_all[row["group"]], row["probability_break"])
    return sorted(first, key=lambda g: (-first[g], -at_all[g]))


def _by_group(names: list[str], title: str, panels: list[str], date_axis: bool = False,
              shared_x: bool = True) -> Figure:  # fmt: skip
    """Small multiples with the groups down the y axis (first on top), values along x."""
    fig = small_multiples(panels, title, 50 + 22 * len(names), shared_y=True,
                          date_axis=date_axis)  # fmt: skip
    fig["layout"]["hovermode"] = "closest"
    # Every group labelled: left to itself plotly drops every other label of a tight axis.
    update_axes(fig, "y", categoryorder="array", categoryarray=names, autorange="reversed",
                tickmode="array", tickvals=names)  # fmt: skip
    if not shared_x:
        for key, value in fig["layout"].items():
            if key.startswith("xaxis"):
                value.pop("matches", None)
    return fig


def break_bars(data: dict[str, Any], kind: str) -> Figure | None:
    """One panel per shocked scenario: per group the share of paths on which it breaks
    (``kind``: financial or operational) before every other group, and at all, beside
    the share on which it breaks under baseline (what the shock does not cause); the
    likeliest first on top (:func:`ranked`). A run of baseline alone draws baseline, as
    the terminal ranks it."""
    chosen = shocked(data) or list(scenarios(data))
    # A group without a finance block cannot break financially: not drawn as never breaking.
    left_out = set(groups_without_finance(data)) if kind == "financial" else set()
    names = [g for g in ranked(data, kind) if g not in left_out]
    if not chosen or not names:
        return None
    # Several panels, each in its scenario's colour: a legend would show the first's
    # shades only, so the subtitle says what the shades mean instead.
    several = len(chosen) > 1
    shades = ("<br><sup>each panel in its scenario's colour: dark, breaks first; light, "
              "breaks at all; grey, breaks under baseline</sup>") if several else ""  # fmt: skip
    fig = _by_group(names, f"Who breaks first: {BREAKS[kind]}{shades}",
                    [name for name, _, _ in chosen])  # fmt: skip
    fig["layout"]["barmode"] = "group"
    base = next(((s, hue) for n, s, hue in scenarios(data) if n == "baseline"), None)
    for k, (name, scenario, hue) in enumerate(chosen):
        bars = [
            (scenario, name, hue, "probability_first", "breaks first", 1.0),
            (scenario, name, hue, "probability_break", "breaks", 0.4),
        ]
        if base is not None and name != "baseline":
            bars.append((base[0], "baseline", base[1], "probability_break",
                         "breaks under baseline", 0.6))  # fmt: skip
        for source, which, shade_of, key, text, shade in bars:
            rows = [r for r in source["first_to_break"][kind] if r["group"] not in left_out]
            add(fig, {
                "type": "bar", "orientation": "h", "y": [r["group"] for r in rows],
                "x": [r[key] for r in rows], "name": text, "legendgroup": text,
                "showlegend": k == 0 and not several,
                "marker": {"color": rgba(shade_of, shade)},
                "customdata": [day_or_dash(r["day_p50"]) for r in rows],
                "hovertemplate": (f"%{{y}} {text} on %{{x:.1%}} of paths (median day "
                                  f"%{{customdata}})<extra>{which}</extra>"),
                "meta": {"scenario": which, "series": f"first_to_break.{kind}.{key}"},
            }, k)  # fmt: skip
    update_axes(fig, "x", tickformat=".0%", rangemode="tozero")
    title_bottom_x_axes(fig, len(chosen), "share of paths")
    return fig


def break_causes(data: dict[str, Any]) -> Figure | None:
    """One panel per shocked scenario: per group and cause (each covenant, cash below
    zero) that breaks it on any path of any scenario, the share of paths on which it
    does, beside baseline's on the same paths (a run of baseline alone: baseline's)."""
    chosen = shocked(data) or list(scenarios(data))
    base = data["scenarios"].get("baseline") if shocked(data) else None
    causes = {name: break_causes_of(scenario) for name, scenario, _ in scenarios(data)}
    keys = [
        key
        for key in dict.fromkeys(k for c in causes.values() for k in c)
        if any(c[key]["probability"] > 0 for c in causes.values() if key in c)
    ]
    if not chosen or not keys:
        return None
    order = ranked(data, "financial")
    keys.sort(key=lambda key: order.index(key[0]))  # likeliest first, causes as they come
    labels = [f"{group}: {cause}" for group, cause in keys]
    fig = _by_group(labels, "What breaks them: each covenant, and cash below zero",
                    [name for name, _, _ in chosen])  # fmt: skip
    fig["layout"]["barmode"] = "group"
    shown = [(name, hue) for name, _, hue in chosen]
    if base is not None:
        shown.append(("baseline", next(h for n, _, h in scenarios(data) if n == "baseline")))
    for k, (panel, _, _) in enumerate(chosen):
        for name, hue in ((panel, shown[k][1]), *shown[len(chosen) :]):
            events = [causes[name].get(key, {"probability": 0.0, "day_p50": None})
                      for key in keys]  # fmt: skip
            add(fig, {
                "type": "bar", "orientation": "h", "y": labels, "name": name,
                "x": [e["probability"] for e in events], "legendgroup": name,
                "showlegend": name != "baseline" or k == 0, "marker": {"color": hue},
                "customdata": [day_or_dash(e["day_p50"]) for e in events],
                "hovertemplate": ("%{y} on %{x:.1%} of paths (median day %{customdata})"
                                  f"<extra>{name}</extra>"),
                "meta": {"scenario": name, "series": "groups.covenants"},
            }, k)  # fmt: skip
    update_axes(fig, "x", tickformat=".0%", rangemode="tozero")
    title_bottom_x_axes(fig, len(chosen), "share of paths")
    return fig


def break_before(data: dict[str, Any], name: str, scenario: dict[str, Any]) -> Figure | None:
    """Heat maps, financial and operational: the share of paths on which the row's group
    breaks strictly before the column's (a group that never breaks does not break before
    anyone)."""
    table = scenario.get("break_before") or {}
    kinds = [kind for kind in BREAKS if table.get(kind)]
    if not kinds:
        return None
    names = groups(data)
    unfunded = set(groups_without_finance(data))  # blank: they cannot break financially
    fig = small_multiples([f"{kind}: row breaks before column" for kind in kinds],
                          f"Who breaks before whom — {name} (share of paths)",
                          60 + 26 * len(names), shared_y=True, date_axis=False)  # fmt: skip
    for k, kind in enumerate(kinds):
        rows = table[kind]
        add(fig, {
            "type": "heatmap", "x": names, "y": names, "coloraxis": "coloraxis",
            "z": [[None if row == column or (kind == "financial" and unfunded & {row, column})
                   else rows.get(row, {}).get(column) for column in names]
                  for row in names],
            "hovertemplate": ("%{y} breaks before %{x} on %{z:.1%} of paths"
                              f"<extra>{name}, {kind}</extra>"),
            "meta": {"scenario": name, "series": f"break_before.{kind}"},
        }, k)  # fmt: skip
    # grey where there is no cell (a group against itself, one that cannot break
    # financially), so that it is not read as the white of 0 %
    fig["layout"].update(hovermode="closest", plot_bgcolor=NO_CELL_COLOUR, coloraxis={
        "colorscale": _HEAT_SCALE, "cmin": 0, "cmax": 1,
        "colorbar": {"tickformat": ".0%", "title": {"text": "share"}}})  # fmt: skip
    update_axes(fig, "x", tickangle=-40, showgrid=False)
    update_axes(fig, "y", autorange="reversed", showgrid=False)
    return fig


def availability(data: dict[str, Any]) -> Figure | None:
    """One panel per checkpoint (3, 6, 12 months): per group the availability's median
    with its p5–p95 range, by scenario."""
    names = groups(data)
    checkpoints: list[str] = []
    for _, scenario, _ in scenarios(data):
        for group in scenario["groups"].values():
            checkpoints += [c for c in group.get("availability", {}) if c not in checkpoints]
    if not checkpoints:
        return None
    fig = _by_group(
        names,
        "Availability by operator and class (delivered / nameplate installed; machines "
        "switched off as unprofitable deliver nothing): median, p5–p95 whiskers",
        [f"at {c}" for c in checkpoints],
    )
    for k, checkpoint in enumerate(checkpoints):
        for place, name, scenario, hue in overlaid(data):  # baseline open, over the others
            bands = [scenario["groups"].get(g, {}).get("availability", {}).get(checkpoint)
                     for g in names]  # fmt: skip
            mid = [None if b is None else b["p50"] for b in bands]
            symbol = "circle-open" if name == "baseline" else "circle"
            add(fig, {
                "type": "scatter", "mode": "markers", "y": names, "x": mid, "name": name,
                "legendgroup": name, "showlegend": k == 0, "legendrank": legend_rank(place),
                "marker": {"color": hue, "size": 8, "symbol": symbol},
                "error_x": {"type": "data", "symmetric": False, "color": hue,
                            "array": [None if b is None else b["p95"] - b["p50"] for b in bands],
                            "arrayminus": [None if b is None else b["p50"] - b["p5"]
                                           for b in bands]},
                "hovertemplate": f"%{{y}}: %{{x:.1%}}<extra>{name}, {checkpoint}</extra>",
                "meta": {"scenario": name, "series": f"groups.availability.{checkpoint}"},
            }, k)  # fmt: skip
    update_axes(fig, "x", tickformat=".0%")
    title_bottom_x_axes(fig, len(checkpoints), "share of nameplate")
    return fig


def stage_days(data: dict[str, Any]) -> Figure | None:
    """One panel per stage: per group the median day it is reached (stages seen on fewer
    than 10% of paths have no date and no marker), by scenario."""
    names = groups(data)
    shown: set[str] = set()
    fig = _by_group(names, "Collapse stages by operator and class: median day",
                    list(STAGE_NAMES.values()), date_axis=True, shared_x=False)  # fmt: skip
    for k, key in enumerate(STAGE_NAMES):
        drawn = len(fig["data"])
        for place, name, scenario, hue in overlaid(data):  # baseline open, over the others
            stages = [scenario["groups"].get(g, {}).get("stages", {}).get(key, {}) for g in names]
            days = [s.get("day_p50") for s in stages]
            if all(d is None for d in days):
                continue
            symbol = "diamond-open" if name == "baseline" else "diamond"
            add(fig, {
                "type": "scatter", "mode": "markers", "y": names, "name": name,
                "x": [None if d is None else day_date(data["start_date"], int(d)) for d in days],
                "legendgroup": name, "showlegend": name not in shown,
                "legendrank": legend_rank(place),
                "marker": {"color": hue, "size": 9, "symbol": symbol},
                "customdata": [[s.get("probability"), d] for s, d in zip(stages, days,
                                                                          strict=True)],
                "hovertemplate": ("%{y}: median day %{customdata[1]} (%{x}), on "
                                  f"%{{customdata[0]:.0%}} of paths<extra>{name}</extra>"),
                "meta": {"scenario": name, "series": f"groups.stages.{key}.day_p50"},
            }, k)  # fmt: skip
            shown.add(name)
        if len(fig["data"]) == drawn:  # no group reaches it: its axis still names them all
            add(fig, {"type": "scatter", "mode": "markers", "y": names,
                      "x": [day_date(data["start_date"], 0)] * len(names), "showlegend": False,
                      "marker": {"opacity": 0}, "hoverinfo": "skip"}, k)  # fmt: skip
            say_none(fig, k, "no group reaches it on 10 % of paths")
    return fig if any(t.get("hoverinfo") != "skip" for t in fig["data"]) else None


#: The lender's bars: JSON key, legend name, shade of the scenario's colour, pattern
#: (losses plain, what the lender receives and nets hatched).
LENDER_BARS = (
    ("expected_loss_usd", "loss, expected", 1.0, ""),
    ("loss_p95_usd", "loss, 95th percentile", 0.45, ""),
    ("interest_income_usd", "interest received, expected", 0.7, "/"),
    ("net_income_usd", "net income (interest − loss), expected", 1.0, "x"),
    ("net_income_p5_usd", "net income, 5th percentile", 0.45, "x"),
)


def lender_losses(data: dict[str, Any]) -> Figure | None:
    """By scenario, in USD millions: the lender's expected and 95th-percentile loss, the
    interest it expects to receive, and its net income (interest less loss) expected and
    on the 5th percentile of paths (the bad tail, below zero when it loses)."""
    chosen = [(n, s["lender"], hue) for n, s, hue in scenarios(data) if s.get("lender")]
    if not chosen:
        return None
    fig = figure("Lender: loss, interest and net income on the portfolio (USD millions)", 400,
                 hovermode="closest", barmode="group")  # fmt: skip
    for key, text, shade, pattern in LENDER_BARS:
        if any(key not in lender for _, lender, _ in chosen):  # a JSON from before it
            continue
        fig["data"].append({
            "type": "bar", "x": [name for name, _, _ in chosen],
            "y": [lender[key] / 1e6 for _, lender, _ in chosen], "name": text,
            "marker": {"color": [rgba(hue, shade) for _, _, hue in chosen],
                       "pattern": {"shape": pattern}},
            "customdata": [lender[key] for _, lender, _ in chosen],
            "hovertemplate": f"%{{x}}: {text} %{{customdata:$,.0f}}<extra></extra>",
            "meta": {"series": f"lender.{key}"},
        })  # fmt: skip
    # the sign before the currency ("−$50.0 M"), as the tables write a loss ("-$40.5M")
    fig["layout"]["yaxis"].update(tickformat="$,.1f", ticksuffix=" M", zeroline=True,
                                  title={"text": "USD millions"})  # fmt: skip
    return fig


def lender_defaults(data: dict[str, Any]) -> Figure | None:
    """Each loan's probability of default, by scenario: loans down the y axis (a label
    each, never rotated under the legend), the chart as tall as its bars need."""
    chosen = [(n, s["lender"], hue) for n, s, hue in scenarios(data) if s.get("lender")]
    if not chosen:
        return None
    bars = len(chosen) * max(len(lender["loans"]) for _, lender, _ in chosen)
    fig = figure("Lender: probability of default per loan", max(400, 140 + 14 * bars),
                 hovermode="closest", barmode="group")  # fmt: skip
    for name, lender, hue in chosen:
        loans = lender["loans"]
        borrowers = [loan["borrower"] for loan in loans]
        # The loan's key (its place in the portfolio) only where a borrower has several.
        labels = [b if borrowers.count(b) == 1 else f"{b} ({loan['loan']})"
                  for b, loan in zip(borrowers, loans, strict=True)]  # fmt: skip
        fig["data"].append({
            "type": "bar", "orientation": "h", "y": labels,
            "x": [loan["probability_default"] for loan in loans], "name": name,
            "marker": {"color": hue},
            "customdata": [[loan["principal_usd"], loan["expected_loss_usd"],
                            "of paths" if loan["operators"] == 1 else
                            f"of its {loan['operators']:,.0f} operators, expected"]
                           for loan in loans],
            "hovertemplate": ("%{y}: defaults on %{x:.1%} %{customdata[2]}; principal "
                              "%{customdata[0]:$,.0f}, expected loss %{customdata[1]:$,.0f}"
                              f"<extra>{name}</extra>"),
            "meta": {"scenario": name, "series": "lender.loans.probability_default"},
        })  # fmt: skip
    fig["layout"]["xaxis"].update(tickformat=".0%", rangemode="tozero",
                                  title={"text": "probability of default"})  # fmt: skip
    fig["layout"]["yaxis"].update(autorange="reversed", automargin=True)  # the first on top
    return fig
