"""The decision views' charts: the optimiser's availability-versus-budget frontier and the
strategies' net benefit against doing nothing, from their JSON forms
(``OptimiseResult.to_dict()`` in ``ReportInput.extras["optimise"]``,
``StrategiesResult.to_dict()`` in ``extras["strategies"]``)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from hashshock.report.figures.style import PALETTE, Figure, figure
from hashshock.words import share_down

if TYPE_CHECKING:
    from hashshock.report.sections import Block, ReportInput

CLOSED_FORM, SIMULATED, CURVE_SIMULATED = PALETTE[1], PALETTE[0], PALETTE[2]
#: A strategy that breaches a covenant beyond the user's limit (``--max-breach``).
OUTSIDE_LIMITS = "#b8b8b8"


def frontier_chart(data: dict[str, Any]) -> Figure | None:
    """Availability against USD bought: the closed form's curve (steady state), the closed
    form's stocks simulated under the scenario, the simulation's frontier, the target
    and the chosen stock."""
    head, frontier = data["optimise"], data["frontier"]
    target = head["target"]["availability"]
    fig = figure(f"Availability versus budget — {head['fleet']} under {head['scenario']}",
                 460, hovermode="closest")  # fmt: skip
    layout = fig["layout"]
    layout["xaxis"]["title"] = {"text": "spares bought beyond today's stock (USD)"}
    layout["yaxis"]["title"] = {"text": f"parts availability ({head['target']['at']}, worst "
                                        "30-day mean)"}  # fmt: skip
    layout["yaxis"]["tickformat"] = ".1%"
    layout["xaxis"]["tickformat"] = "$,.3~s"
    # Its legend (two rows) under the x axis's title, not over it.
    layout["legend"] = {**layout["legend"], "y": -0.2, "yanchor": "top"}
    layout["margin"] = {**layout["margin"], "b": 120}

    def line(points: list[dict[str, Any]], name: str, colour: str, shape: str) -> None:
        # Markers too: a curve of one or two close points is otherwise a dash, or nothing.
        fig["data"].append({
            "type": "scatter", "mode": "lines+markers", "name": name,
            "x": [p["cost_usd"] for p in points], "y": [p["availability"] for p in points],
            "line": {"color": colour, "shape": shape},
            "marker": {"color": colour, "size": 7},
            "hovertemplate": "%{x:$,.0f}: %{y:.2%}<extra>" + name + "</extra>",
            "meta": {"series": f"frontier.{name}"},
        })  # fmt: skip

    line(frontier["closed_form"], "closed form (steady state, no shock)", CLOSED_FORM, "hv")
    curve = [p for p in frontier["simulated_all"] if p["role"] == "closed-form curve"]
    line(sorted(curve, key=lambda p: p["cost_usd"]), "closed-form stocks, simulated",
         CURVE_SIMULATED, "linear")  # fmt: skip
    line(frontier["simulated"], "simulation frontier (scenario)", SIMULATED, "linear")
    chosen = data["chosen"]
    fig["data"].append({
        "type": "scatter", "mode": "markers", "name": "chosen stock",
        "x": [chosen["cost_usd"]], "y": [chosen["objective"]],
        "marker": {"symbol": "star", "size": 14, "color": "#000000"},
        "meta": {"series": "frontier.chosen"},
    })  # fmt: skip
    verified = chosen.get("verified") or {}
    if verified.get("objective") is not None:
        low, high = verified.get("objective_ci95") or [verified["objective"]] * 2
        fig["data"].append({
            "type": "scatter", "mode": "markers",
            "name": f"chosen stock, checked on seed {verified.get('seed')} (95% interval)",
            "x": [chosen["cost_usd"]], "y": [verified["objective"]],
            "marker": {"symbol": "diamond-open", "size": 11, "color": "#000000"},
            "error_y": {"type": "data", "symmetric": False, "color": "#000000",
                        "array": [high - verified["objective"]],
                        "arrayminus": [verified["objective"] - low]},
            "hovertemplate": "%{x:$,.0f}: %{y:.2%} on an independent seed<extra></extra>",
            "meta": {"series": "frontier.verified"},
        })  # fmt: skip
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": target,
                         "y1": target, "line": {"dash": "dot", "color": "#555555"}}]  # fmt: skip
    layout["annotations"] = [{"xref": "paper", "x": 0, "y": target, "yanchor": "bottom",
                              "xanchor": "left", "showarrow": False,
                              "text": f"target {target:.1%}",
                              "font": {"size": 11, "color": "#555555"}}]  # fmt: skip
    return fig


def net_benefit_chart(data: dict[str, Any]) -> Figure | None:
    """Each strategy's mean net benefit against doing nothing (cash, spares at cost and
    machines at the used index less what the waiting ones lack and what the loans are
    owed, at the end, paired over paths), with its 95 % interval.
    With breach limits (``--max-breach``), the strategies that exceed one are grey and
    the one with the largest net benefit within every limit at once is starred, the
    terminal's answer: the largest bar is not the answer when it breaks a covenant the
    user will not risk (the best within one limit alone could be grey for another)."""
    rows = [s for s in data.get("strategies", []) if s.get("net_benefit_usd") is not None]
    if not rows:
        return None
    head = data["strategies_run"]
    limits: dict[str, float] = data.get("max_breach") or {}
    answer = data.get("cheapest_under_every_limit") if limits else None
    chosen = {answer} if answer else set()

    def within(row: dict[str, Any]) -> bool:
        covenants = row.get("covenants") or {}
        return all(covenants.get(name, {}).get("probability_breach", 0.0) <= limit
                   for name, limit in limits.items())  # fmt: skip

    title = f"Net benefit against doing nothing — {head['fleet']} under {head['scenario']}"
    key = "green: a gain, orange: a loss"
    if limits:
        said = ", ".join(f"{name} on more than {limit:.0%}" for name, limit in limits.items())
        key += (f"; grey: breaches {said} of paths (--max-breach); ★ the largest net "
                "benefit within every limit" if answer else f"; grey: breaches {said} of "
                "paths (--max-breach); no strategy is within every limit")  # fmt: skip
    title += f"<br><sup>{key}</sup>"
    fig = figure(title, 160 + 40 * len(rows), hovermode="closest")
    fig["layout"]["xaxis"]["tickformat"] = "$,.3~s"
    fig["layout"]["xaxis"]["title"] = {
        "text": "net benefit: owned at the end less debt, minus doing nothing's (USD, mean)"
    }
    names = [r["name"] + (" ★" if r["name"] in chosen else "") for r in rows]
    ok = [within(r) for r in rows]
    colours = [OUTSIDE_LIMITS if not fits else PALETTE[2] if r["net_benefit_usd"] >= 0
               else PALETTE[0] for r, fits in zip(rows, ok, strict=True)]  # fmt: skip
    fig["data"].append({
        "type": "bar", "orientation": "h", "y": names,
        "x": [r["net_benefit_usd"] for r in rows],
        "error_x": {"type": "data", "symmetric": False,  # none of one path's (null)
                    "array": [r["net_benefit_ci95"][1] - r["net_benefit_usd"]
                              if r["net_benefit_ci95"] else 0.0 for r in rows],
                    "arrayminus": [r["net_benefit_usd"] - r["net_benefit_ci95"][0]
                                   if r["net_benefit_ci95"] else 0.0 for r in rows]},
        "marker": {"color": colours},
        "customdata": ["within the breach limits" if fits else "breaches a limit" for fits in ok],
        "hovertemplate": "%{y}: %{x:$,.0f} (%{customdata})<extra></extra>",
        "meta": {"series": "strategies.net_benefit"},
    })  # fmt: skip
    fig["layout"]["yaxis"]["autorange"] = "reversed"  # the table's order, top down
    return fig


def _sentences(notes: Iterable[str | None]) -> str:
    """The notes given, escaped, each a sentence ending in a full stop and a space (the
    JSON's notes end without one: run together they read "…narrow it Parts…")."""
    return "".join(f"{escape(_capital(n.rstrip('. ')))}. " for n in notes if n)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def optimise_blocks(report: ReportInput) -> list[Block]:
    """The optimiser's section: a one-line answer and the frontier."""
    from hashshock.report.sections import Chart, Html

    data = report.extras.get("optimise")
    if not data:
        return []
    chart = frontier_chart(data)
    chosen, head = data["chosen"], data["optimise"]
    verified = chosen.get("verified") or {}
    ci = verified.get("objective_ci95") or [None, None]
    # Shares rounded down as the terminal rounds them: a stock below the target never
    # reads as meeting it, and the note's figure is the line's.
    reached = "reached on the search's paths" if data["reached"] else "not reached"
    text = (f"<p>Target {head['target']['availability']:.1%} at {head['target']['at']}: "
            f"{reached} — buy ${chosen['cost_usd']:,.0f} of spares; verified on seed "
            f"{verified.get('seed')}: {share_down(verified.get('objective', float('nan')))} "
            f"(95% interval {share_down(ci[0] or 0)}–{share_down(ci[1] or 0)}). "
            f"{_sentences(data.get(k) for k in ('verified_note', 'technicians_note', 'note'))}"
            "Parts availability here: the share of "
            "machines not waiting for a part, over each path's worst 30 days; the sections "
            "below give the chosen stock's run, whose availability is delivered over "
            "nameplate hashrate (downtime and repairs count there too), a lower "
            "number.</p>")  # fmt: skip
    blocks: list[Block] = [Html(text)]
    if chart is not None:
        blocks.append(Chart("frontier", chart,
                            "Closed form: VARI-METRIC marginal analysis in steady state. "
                            "Simulated points: every stock evaluated on the same paths "
                            "and seed under the scenario (docs/decisions.md)."))  # fmt: skip
    return blocks


def strategies_blocks(report: ReportInput) -> list[Block]:
    """The strategies' section: net benefit against doing nothing."""
    from hashshock.report.sections import Chart, Html

    data = report.extras.get("strategies")
    chart = net_benefit_chart(data) if data else None
    if chart is None or data is None:
        return []
    return [Chart("net-benefit", chart,
                  "Paired differences over paths (common random numbers): the same failures, "
                  "events and prices with and without the strategy."),
            Html(strategies_table(data))]  # fmt: skip


def strategies_table(data: dict[str, Any]) -> str:
    """Each strategy's costs, availability, money and covenant breach probabilities: what
    the net benefit alone does not show (a strategy that gains by breaking a commitment)."""
    from hashshock.report.tables import usd  # the report's money, as every table shows it

    rows, days = data["strategies"], data["strategies_run"]["checkpoint_days"]
    covenants = list(rows[0].get("covenants") or {})

    def benefit(row: dict[str, Any]) -> str:
        interval = row.get("net_benefit_ci95")
        around = f" ({usd(interval[0])} … {usd(interval[1])})" if interval else ""
        return usd(row.get("net_benefit_usd")) + around

    head = ["strategy", "upfront", "per month", *(f"availability day {d} (p50)" for d in days),
            "revenue (p50)", "cash at end (p50)", "net benefit (mean, 95%)",
            *covenants]  # fmt: skip
    body = []
    for r in rows:
        upfront = r["upfront_usd"] + r.get("order_deposits_usd", 0.0) - r.get(
            "deposits_refunded_usd", 0.0)  # fmt: skip
        breached = [r["covenants"][c]["probability_breach"] for c in covenants]
        cells = [escape(r["name"]), usd(upfront), usd(r["running_usd_per_month"]),
                 *(f"{r['availability_p50'][str(d)]:.1%}" for d in days),
                 usd(r.get("revenue_usd_p50")), usd(r.get("cash_end_usd_p50")),
                 benefit(r), *(f"{p:.1%}" for p in breached)]  # fmt: skip
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return (
        '<table class="numbers"><caption>Each strategy: availability (delivered / '
        "nameplate), revenue and cash the median over paths; net benefit against doing "
        "nothing the mean over paths, with its 95% interval; "
        "the covenants' breach probabilities over the horizon; upfront includes the "
        "deposits of orders a strategy moves, less those refunded</caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
