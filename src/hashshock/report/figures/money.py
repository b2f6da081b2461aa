"""Money: cumulative revenue and EBITDA fans, covenant breach probability with its 95%
interval (Wilson), and the distribution of first-breach days."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from hashshock.report.figures.fans import fan_figure
from hashshock.report.figures.style import (
    Figure,
    add,
    baseline_last,
    day_date,
    day_or_dash,
    figure,
    legend_rank,
    run_hues,
    small_multiples,
    titled,
    update_axes,
)
from hashshock.results.money import tested_covenants


def revenue_fan(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(runs, labels, "revenue_usd_cum", "Revenue since day 0 (USD)",
                      {"tickformat": "$~s", **titled("USD")}, "$,.0f")  # fmt: skip


def ebitda_fan(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    return fan_figure(runs, labels, "ebitda_usd_cum", "EBITDA since day 0 (USD)",
                      {"tickformat": "$~s", **titled("USD")}, "$,.0f")  # fmt: skip


def _tests(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Covenants the run tested and BTC-pledge margin calls of a run, by display name."""
    finance = run.get("finance") or {}
    covenants = tested_covenants(finance.get("covenants") or {})
    tests = {name: dict(c) for name, c in covenants.items()}
    pledges = (finance.get("margin_calls") or {}).get("pledges") or {}
    tests.update({f"margin call: {name}": dict(c) for name, c in pledges.items()})
    return tests


def covenant_breach(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    """Breach probability per covenant (and margin call) with its 95% interval."""
    fig = figure("Covenant breach probability (bars) with 95% interval (whiskers)", 400,
                 hovermode="closest", barmode="group", showlegend=len(runs) > 1)  # fmt: skip
    hues = run_hues(runs)
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        tests = _tests(run)
        if not tests:
            continue
        names = list(tests)
        p = [float(tests[n]["probability_breach"]) for n in names]
        ci = [tests[n]["probability_breach_ci95"] for n in names]
        fig["data"].append({
            "type": "bar", "x": names, "y": p, "name": label, "marker": {"color": hues[i]},
            "error_y": {"type": "data", "symmetric": False, "color": "#333",
                        "array": [max(c[1] - v, 0.0) for c, v in zip(ci, p, strict=True)],
                        "arrayminus": [max(v - c[0], 0.0) for c, v in zip(ci, p, strict=True)]},
            "customdata": [[c[0], c[1], day_or_dash(tests[n]["day_p50_first_breach"])]
                           for c, n in zip(ci, names, strict=True)],
            "hovertemplate": ("%{x}: breached on %{y:.1%} of paths (95% interval "
                              "%{customdata[0]:.1%}–%{customdata[1]:.1%}); median first breach "
                              f"day %{{customdata[2]}}<extra>{label}</extra>"),
            "meta": {"scenario": label, "series": "finance.covenants.probability_breach"},
        })  # fmt: skip
    if not fig["data"]:
        return None
    fig["layout"]["yaxis"].update(tickformat=".0%", range=[0, 1.05], **titled("share of paths"))
    return fig


def breach_days(runs: Sequence[dict[str, Any]], labels: Sequence[str]) -> Figure | None:
    """Per covenant: the share of paths breached by each week (the distribution function of
    the first breach day), per run; hover gives the week's own share."""

    def dists(run: dict[str, Any]) -> dict[str, Any]:
        return dict((run.get("distributions") or {}).get("covenant_first_breach") or {})

    names: list[str] = []
    for run in runs:
        names += [n for n, d in dists(run).items() if any(d["share"]) and n not in names]
    if not names:
        return None
    fig = small_multiples(names, "When covenants first break: share of paths breached by then",
                          240)  # fmt: skip
    hues = run_hues(runs)
    for k, name in enumerate(names):
        for i in baseline_last([run["scenario"] for run in runs]):  # baseline dashed, on top
            run, label = runs[i], labels[i]
            dist = dists(run).get(name)
            if not dist:
                continue
            width = int(dist["bin_days"])
            share = [float(s) for s in dist["share"]]
            dash = "dash" if run.get("scenario") == "baseline" else "solid"
            add(fig, {
                "type": "scatter", "mode": "lines", "line": {"shape": "hv", "width": 2,
                                                             "color": hues[i],
                                                             "dash": dash},
                "x": [day_date(run["start_date"], b * width) for b in range(len(share))],
                "y": list(accumulate(share)), "name": label, "legendgroup": label,
                "legendrank": legend_rank(i),
                "showlegend": k == 0 and len(runs) > 1, "customdata": share,
                "hovertemplate": (f"by the week of %{{x}}: %{{y:.1%}} of paths have breached "
                                  f"{name} (%{{customdata:.1%}} that week)<extra>{label}</extra>"),
                "meta": {"scenario": label,
                         "series": f"distributions.covenant_first_breach.{name}"},
            }, k)  # fmt: skip
    fig["layout"]["hovermode"] = "closest"
    update_axes(fig, "y", tickformat=".0%", rangemode="tozero", **titled("share of paths"))
    return fig
