"""Every chart draws the result's own numbers; sections come from the registry."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from tests.report.conftest import MIDSIZE

import hashshock
from hashshock.report.figures.style import DAY_MS
from hashshock.report.sections import _REGISTRY as registry
from hashshock.report.sections import Chart, Html, ReportInput, Section, build, register_section
from hashshock.report.write import report_input


def _charts(runs) -> dict[str, dict]:
    report = report_input(runs)
    return {b.key: b.figure for _, blocks in build(report) for b in blocks if isinstance(b, Chart)}


def _trace(fig: dict, scenario: str, series: str, band: str) -> dict:
    found = [
        t
        for t in fig["data"]
        if t.get("meta", {}).get("scenario") == scenario
        and t["meta"].get("series") == series
        and t["meta"].get("band") == band
    ]
    assert len(found) == 1, (scenario, series, band)
    return found[0]


def test_fan_charts_draw_the_results_bands(midsize_runs):
    charts = _charts(midsize_runs)
    for result in midsize_runs:
        contract = result.to_dict()
        for chart, name in (
            ("hashrate", "hashrate_ths"),
            ("availability", "availability"),
            ("cash", "cash_usd"),
        ):
            for band in ("p5", "p50", "p95"):
                trace = _trace(charts[chart], result.scenario, name, band)
                assert trace["y"] == contract["daily"][name][band]
                assert trace["x0"] == contract["start_date"] and trace["dx"] == DAY_MS
            q25 = np.percentile(result.output.hashrate_ths, 25, axis=0)
            if name == "hashrate_ths":
                assert np.allclose(
                    _trace(charts[chart], result.scenario, name, "p25")["y"], q25, atol=0.006
                )
        index = [r.scenario for r in midsize_runs].index(result.scenario)
        spares = charts[f"spares-{index}"]
        # Each dated panel spans the run, whatever its day labels (plotly widened an
        # autorange to fit them: a year's panel ran three years on a phone).
        last = result.dates[-1]
        for chart in (charts["hashrate"], charts["availability"], spares):
            ranges = [v["range"] for k, v in chart["layout"].items()
                      if k.startswith("xaxis") and "range" in v]  # fmt: skip
            assert ranges and all(r == [contract["start_date"], last] for r in ranges)
        for part in result.part_names:
            trace = _trace(spares, result.scenario, f"spares_on_hand.{part}", "p50")
            assert trace["y"] == contract["daily"]["spares_on_hand"][part]["p50"]


def test_stage_timeline_spans_p10_to_p90_with_the_median(midsize_runs):
    fig = _charts(midsize_runs)["stages"]
    sanctions = midsize_runs[1].to_dict()
    start = date.fromisoformat(sanctions["start_date"])
    for key, stage in sanctions["stages"].items():
        traces = [
            t
            for t in fig["data"]
            if t["meta"]["scenario"] == "sanctions" and t["meta"]["series"] == f"stages.{key}"
        ]
        if stage["day_p50"] is None:
            assert [t["mode"] for t in traces] == ["text"]
            continue
        bar = next(t for t in traces if t["type"] == "bar")
        marker = next(t for t in traces if t["type"] == "scatter")
        assert bar["base"] == [(start + timedelta(days=stage["day_p10"])).isoformat()]
        assert bar["x"] == [max(stage["day_p90"] - stage["day_p10"], 1) * DAY_MS]
        assert marker["x"] == [(start + timedelta(days=stage["day_p50"])).isoformat()]
        assert f"{stage['probability']:.0%}" in marker["text"][0]


def test_a_run_where_nothing_happens_keeps_its_horizon_and_says_so(midsize_runs):
    """No stage dated and no part run out (a fleet the scenario leaves alone): the timeline
    spans the horizon as the fans do — it read in milliseconds around day 0 — and the
    first-to-break panel says no part runs out rather than stand empty."""
    from hashshock.report.figures.stages import first_to_break, stage_timeline

    quiet = midsize_runs[0].to_dict()
    quiet["stages"] = {k: dict(v, day_p50=None) for k, v in quiet["stages"].items()}
    quiet["first_to_break"] = [dict(r, probability_first=0.0) for r in quiet["first_to_break"]]
    last = (date.fromisoformat(quiet["start_date"])
            + timedelta(days=quiet["horizon_days"] - 1)).isoformat()  # fmt: skip
    timeline = stage_timeline([quiet], ["baseline"])
    assert timeline["layout"]["xaxis"]["range"] == [quiet["start_date"], last]
    notes = first_to_break([quiet], ["baseline"])["layout"].get("annotations", [])
    assert [a["text"] for a in notes] == ["no part runs out on any path"]
    busy = first_to_break([midsize_runs[1].to_dict()], ["sanctions"])["layout"]
    assert busy.get("annotations", []) == []
    # a run starting later is drawn to its own end, not cut at the first run's
    later = dict(quiet, start_date=(date.fromisoformat(quiet["start_date"])
                                    + timedelta(days=200)).isoformat())  # fmt: skip
    both = stage_timeline([quiet, later], ["now", "later"])["layout"]["xaxis"]["range"]
    assert both == [quiet["start_date"], (date.fromisoformat(last) + timedelta(days=200)
                                          ).isoformat()]  # fmt: skip


def test_first_to_break_and_covenants_show_probabilities_and_intervals(midsize_runs):
    charts = _charts(midsize_runs)
    for result in midsize_runs:
        contract = result.to_dict()
        bars = next(
            t for t in charts["first-to-break"]["data"] if t["meta"]["scenario"] == result.scenario
        )
        expected = {r["part"]: r["probability_first"] for r in contract["first_to_break"]}
        assert dict(zip(bars["x"], bars["y"], strict=True)) == expected
        cov = next(
            t for t in charts["covenants"]["data"] if t["meta"]["scenario"] == result.scenario
        )
        for name, p, hi, lo in zip(
            cov["x"], cov["y"], cov["error_y"]["array"], cov["error_y"]["arrayminus"], strict=True
        ):
            summary = (
                contract["finance"]["covenants"].get(name)
                or contract["finance"]["margin_calls"]["pledges"][
                    name.removeprefix("margin call: ")
                ]
            )
            assert p == summary["probability_breach"]
            assert np.isclose(p + hi, summary["probability_breach_ci95"][1])
            assert np.isclose(p - lo, summary["probability_breach_ci95"][0])


def test_breach_days_chart_is_the_distribution_of_first_breaches(midsize_runs):
    fig = _charts(midsize_runs).get("breach-days")
    assert fig is not None
    for result in midsize_runs:
        for covenant in result.money.covenants:
            traces = [
                t
                for t in fig["data"]
                if t["meta"]["scenario"] == result.scenario
                and t["meta"]["series"].endswith(f".{covenant.name}")
            ]
            if not traces:
                continue
            by_week = (
                np.cumsum(
                    np.bincount(
                        covenant.first_breach_day[covenant.first_breach_day >= 0] // 7,
                        minlength=len(traces[0]["y"]),
                    )
                )
                / result.paths
            )
            assert np.allclose(traces[0]["y"], by_week[: len(traces[0]["y"])], atol=1e-4)


def test_overlays_compare_scenarios_against_baseline(midsize_runs):
    charts = _charts(midsize_runs)
    overlay = charts["overlay-hashrate"]
    assert {t["meta"]["scenario"] for t in overlay["data"]} == {"baseline", "sanctions"}
    lost = charts["hashrate-lost"]
    assert {t["meta"]["scenario"] for t in lost["data"]} == {"sanctions"}


def test_baseline_is_drawn_over_the_scenarios_it_shares_a_chart_with(midsize_runs):
    """Drawn first, baseline lay under a scenario that matches it (before its shock, or
    where it changes nothing) and could not be seen: it is drawn last, dashed, and keeps
    its place in the legend."""
    charts = _charts(midsize_runs)
    for key in ("overlay-hashrate", "overlay-availability", "breach-days"):
        traces = charts[key]["data"]
        for series in {t["meta"]["series"] for t in traces}:  # each panel
            drawn = [t["meta"]["scenario"] for t in traces if t["meta"]["series"] == series]
            assert drawn[-1] == "baseline" and len(drawn) > 1, (key, series)
        for trace in traces:
            is_baseline = trace["meta"]["scenario"] == "baseline"
            assert (trace["line"]["dash"] == "dash") == is_baseline, key
            assert trace["legendrank"] < 1001 if is_baseline else trace["legendrank"] > 1000


def test_fleets_of_very_different_sizes_share_a_log_hashrate_axis(small_runs, midsize_runs):
    """A 70 PH/s farm beside a 4,600 PH/s miner was a flat line at 0 on one linear axis."""
    from hashshock.report.figures.overlay import LOG_AXIS_SPREAD

    mixed = _charts([small_runs[0], midsize_runs[0]])["overlay-hashrate"]
    peaks = [max(t["y"]) for t in mixed["data"]]
    assert max(peaks) / min(peaks) > LOG_AXIS_SPREAD
    assert mixed["layout"]["yaxis"]["type"] == "log"
    assert mixed["layout"]["yaxis"]["title"]["text"].endswith("log scale")
    one_fleet = _charts(midsize_runs)["overlay-hashrate"]
    assert one_fleet["layout"]["yaxis"].get("type", "linear") == "linear"


def test_cash_against_baseline_is_the_scenarios_cash_less_baselines(midsize_runs):
    """Below zero means less cash than baseline, and the outer band keeps p5 lowest."""
    baseline, sanctions = midsize_runs
    gap = sanctions.money.flows.cash_usd - baseline.money.flows.cash_usd
    fig = _charts(midsize_runs)["cash-gap"]
    name = "cash_gap_vs_baseline_usd"
    for band, q in (("p5", 5), ("p50", 50), ("p95", 95)):
        trace = _trace(fig, "sanctions", name, band)
        assert np.allclose(trace["y"], np.percentile(gap, q, axis=0), atol=0.6)
    assert "below 0: less cash" in fig["layout"]["title"]["text"]


def test_a_registered_section_joins_the_report_in_order(small_runs) -> None:
    def build_extra(report: ReportInput) -> list[Chart | Html]:
        return [Html(f"<p>{len(report.runs)} runs, extra {report.extras.get('tornado')}</p>")]

    register_section(Section("tornado", "Sensitivity", 80, build_extra))
    register_section(Section("empty", "Nothing", 85, lambda report: []))
    try:
        sections = build(report_input(small_runs, {"tornado": 7}))
        keys = [s.key for s, _ in sections]
        assert keys.index("tornado") == keys.index("manifest") - 1
        assert "empty" not in keys
        assert "2 runs, extra 7" in sections[keys.index("tornado")][1][0].html
    finally:
        registry.pop("tornado")
        registry.pop("empty")


def test_fleet_without_finance_has_no_money_charts(small_runs):
    charts = _charts(small_runs)
    assert "covenants" not in charts and "breach-days" not in charts
    assert "hashrate" in charts and "spares-1" in charts


def test_a_built_in_scenario_has_one_colour_in_every_report() -> None:
    """Sanctions is the same colour wherever it is drawn (a compare, an industry, a
    decision's page), whatever its place among the runs, and baseline is grey; a
    scenario of the user's takes a colour no other run has — not sanctions' blue when it
    comes first, nor vermilion beside customs-2024's orange."""
    from hashshock.report.figures.style import (
        BASELINE_COLOUR,
        PALETTE,
        SCENARIO_COLOURS,
        run_colours,
    )

    blue = SCENARIO_COLOURS["sanctions"]
    assert run_colours(["sanctions"]) == [blue]
    assert run_colours(["baseline", "customs-2024", "mitigation", "sanctions"])[3] == blue
    assert run_colours(["my-shock", "baseline"]) == [PALETTE[0], BASELINE_COLOUR]
    assert blue not in run_colours(["my-shock", "sanctions"])[:1]
    assert run_colours(["my-shock", "customs-2024"])[0] not in (PALETTE[0], PALETTE[4])


@given(st.lists(st.sampled_from(["baseline", "sanctions", "customs-2024", "mitigation",
                                 "quiet-end", "remote-disable", "mine", "yours"]),
                min_size=1, max_size=12))  # fmt: skip
def test_runs_sharing_a_chart_never_share_a_colour_while_the_palette_lasts(
    scenarios: list[str],
) -> None:
    """Two fleets' runs of one scenario (a mixed-fleet report), or a scenario of the
    user's, each take a colour of their own: while the palette's seven last (and grey,
    which only a baseline takes) all runs differ, and a built-in scenario's first run
    keeps its own colour."""
    from hashshock.report.figures.style import (
        BASELINE_COLOUR,
        PALETTE,
        SCENARIO_COLOURS,
        run_colours,
    )

    colours = run_colours(scenarios)
    assert len(colours) == len(scenarios)
    if len(scenarios) <= len(PALETTE) + ("baseline" in scenarios):
        assert len(set(colours)) == len(colours), (scenarios, colours)
    for name in set(scenarios):
        own = BASELINE_COLOUR if name == "baseline" else SCENARIO_COLOURS.get(name)
        if own is not None:
            assert colours[scenarios.index(name)] == own


def test_panels_sharing_a_y_axis_are_labelled_once_per_row() -> None:
    """Small multiples whose y axes are shared show tick labels in the left column only:
    a right panel's labels (long group names) would sit over its left neighbour."""
    from hashshock.report.figures.style import small_multiples

    shared = small_multiples(["a", "b", "c"], "t", shared_y=True)["layout"]
    assert [shared[k].get("showticklabels", True) for k in ("yaxis", "yaxis2", "yaxis3")] == [
        True, False, True]  # fmt: skip
    own = small_multiples(["a", "b"], "t", shared_y=False)["layout"]
    assert own["yaxis2"].get("showticklabels", True)


def test_every_value_axis_of_a_run_report_names_its_unit(midsize_runs):
    """A chart copied onto a slide without its title still says what it counts: every y
    axis showing numbers (not the stage timeline's rows) carries a title, and one that
    shares its row's left axis shows neither numbers nor a title."""
    charts = _charts(midsize_runs)
    assert len(charts) > 10
    for key, fig in charts.items():
        for name, axis in fig["layout"].items():
            if not name.startswith("yaxis") or axis.get("categoryorder") == "array":
                continue
            labelled = axis.get("showticklabels", True)
            assert bool(axis.get("title", {}).get("text")) == labelled, (key, name)


def test_machines_down_draw_the_results_bands_and_a_remote_disable_shows_above_the_median():
    """The machines-down chart's median and p95 are the JSON's; a remote disable at a random
    moment of the first quarter is off the median path on most days, and on the p95."""
    runs = hashshock.compare(MIDSIZE, ["baseline", "remote-disable"], paths=40,
                             horizon_days=120, seed=2)  # fmt: skip
    chart = _charts(runs)["machines-down"]
    for result in runs:
        contract = result.to_dict()["daily"]["machines_down"]
        for cause in ("in_repair", "disabled"):
            for band in ("p50", "p95"):
                trace = _trace(chart, result.scenario, f"machines_down.{cause}", band)
                assert trace["y"] == contract[cause][band]
    disabled = runs[1].to_dict()["daily"]["machines_down"]["disabled"]
    assert max(disabled["p95"]) > 0 and min(disabled["p50"]) == 0
    assert max(runs[0].to_dict()["daily"]["machines_down"]["disabled"]["p95"]) == 0
    # baseline's empty "disabled" panel says so (alone it read as a chart that failed)
    said = [a["text"] for a in chart["layout"].get("annotations", [])]
    assert said.count("none down on any path") == 1


def test_readable_figure_spans_every_one_day_run_and_labels_small_axes_plainly() -> None:
    """One-day runs starting on different days both fall inside the day-wide axis; an SI
    axis of a few units goes by whole units, of hundreds by plain numbers, of millions
    keeps its prefixes."""
    from hashshock.report.figures.style import DAY_MS, readable_figure

    def point(x0: str, y: float, axis: str = "") -> dict[str, object]:
        return {"type": "scatter", "mode": "lines", "x0": x0, "dx": DAY_MS, "y": [y],
                **({"xaxis": f"x{axis}", "yaxis": f"y{axis}"} if axis else {})}  # fmt: skip

    fig = {
        "data": [point("2026-12-01", 0.5), point("2026-12-09", 0.2), point("2026-12-01", 450, "2"),
                 point("2026-12-01", 4.5e6, "3")],
        "layout": {"xaxis": {"type": "date"}, "yaxis": {"tickformat": "$~s"},
                   "xaxis2": {"type": "date", "matches": "x"}, "yaxis2": {"tickformat": "~s"},
                   "xaxis3": {"type": "date", "matches": "x"}, "yaxis3": {"tickformat": "~s"}},
    }  # fmt: skip
    layout = readable_figure(fig)["layout"]
    assert layout["xaxis"]["range"] == ["2026-11-30", "2026-12-10"]
    assert all(t["mode"] == "lines+markers" for t in fig["data"])
    assert (layout["yaxis"]["tickformat"], layout["yaxis"]["dtick"]) == ("$,d", 1)
    assert layout["yaxis2"]["tickformat"] == ",~r" and "dtick" not in layout["yaxis2"]
    assert layout["yaxis3"]["tickformat"] == "~s"


def test_scenarios_on_one_chart_differ_in_line_too_and_charts_are_named() -> None:
    """Only baseline was dashed: three shocks on one chart differed by colour alone. And
    a chart's title lived only inside plotly's drawing: its element names it too."""
    from hashshock.report.figures.overlay import median_overlay
    from hashshock.report.page import _block_html
    from hashshock.report.sections import Chart

    runs = [{"scenario": name, "start_date": "2026-12-01",
             "daily": {"hashrate_ths": {"p50": [1.0, 2.0, 3.0]}}}
            for name in ("baseline", "sanctions", "customs-2024", "mitigation")]  # fmt: skip
    fig = median_overlay(runs, [r["scenario"] for r in runs], "hashrate_ths",
                         "Median hashrate<br><sup>a note</sup>", {}, ",.0f")  # fmt: skip
    assert fig is not None
    dashes = [t["line"]["dash"] for t in fig["data"]]
    assert len(set(dashes)) == len(runs)
    html = _block_html(Chart("overlay", fig, ""))
    assert 'role="img" aria-label="Median hashrate"' in html


def test_a_stage_nearly_certain_is_not_labelled_certain() -> None:
    """stages.png labelled a decline on 99.8 % of paths "100% · day 286" where the terminal
    and the JSON said 99.8 %: the chart words a probability as the terminal does (>99%)."""
    from hashshock.report.figures.stages import stage_timeline

    stage = {"probability": 0.998, "day_p10": 250, "day_p50": 286, "day_p90": 320}
    run = {"scenario": "sanctions", "start_date": "2026-12-01", "horizon_days": 365,
           "stages": {"hashrate_decline": stage}}  # fmt: skip
    fig = stage_timeline([run], ["sanctions"])
    texts = [t for trace in fig["data"] for t in trace.get("text") or []]
    assert ">99% · day 286" in texts and not any(t.startswith("100%") for t in texts)
    # and the page's key-numbers table beside it
    from hashshock.report.tables import key_numbers

    run["daily"] = {"availability": {k: [0.9] for k in ("p5", "p50", "p95")}}
    run["first_to_break"] = []
    page = key_numbers([run], ["sanctions"])
    assert "&gt;99%, day 286" in page or ">99%, day 286" in page
    assert "100%, day 286" not in page
