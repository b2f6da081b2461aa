"""The methods lay out the points they promise and the analysis says what is true."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import hashshock.sweep
from hashshock.sweep import analysis
from hashshock.sweep.design import input_range, lhs_matrix, plan_points, sobol_matrix
from hashshock.sweep.spec import SweepInput, spec_from_mapping

DOWNTIME = "fleet.operations.downtime_share"
TECHS = "fleet.sites[a].technicians"
HOLD = "scenario.events[border-enforcement].hold_days.mode"


def _spec(method: str, inputs: list[dict[str, Any]], **extra: Any) -> Any:
    return spec_from_mapping(
        {
            "base": {"fleet": "f.yaml"},
            "method": method,
            "metrics": ["availability:1"],
            "inputs": inputs,
            **extra,
        }
    )


def test_grid_is_the_full_factorial() -> None:
    inputs = [{"path": "a.x", "values": [1, 2, 3]}, {"path": "b.y", "values": [0.1, 0.2]},
              {"path": "c.z", "low": 0.0, "high": 1.0, "steps": 3}]  # fmt: skip
    spec = _spec("grid", inputs)
    ranges = [input_range(i, 0.5 if i.path == "c.z" else 1) for i in spec.inputs]
    points = plan_points(spec, ranges)
    assert points[0].role == "base" and points[0].values == {}
    combos = [tuple(p.values[i] for i in range(3)) for p in points[1:]]
    assert sorted(combos) == sorted(itertools.product([1, 2, 3], [0.1, 0.2], [0.0, 0.5, 1.0]))
    assert len(set(combos)) == len(combos) == 18


def test_main_effects_run_ascending_and_text_levels_as_listed() -> None:
    """Numeric levels ascending (as a one-way line's), each effect its own levels' mean;
    levels that are not all numbers keep the order the spec lists them in."""
    at = [2.0, 0.5, 1.5, 2.0, 0.5, 1.5]
    effects = analysis.main_effects([2.0, 0.5, 1.5], at, [0.1, 0.5, 0.3, 0.3, 0.7, None])
    assert effects == [{"input": 0.5, "value": pytest.approx(0.6), "points": 2},
                       {"input": 1.5, "value": pytest.approx(0.3), "points": 1},
                       {"input": 2.0, "value": pytest.approx(0.2), "points": 2}]  # fmt: skip
    text = analysis.main_effects(["zeta", "alpha"], ["alpha", "zeta"], [0.1, 0.2])
    assert [e["input"] for e in text] == ["zeta", "alpha"]
    flags = analysis.main_effects([True, False], [False, True], [0.1, 0.2])
    assert [e["input"] for e in flags] == [True, False]


def test_tornado_takes_the_10th_and_90th_percentiles() -> None:
    spec = _spec("tornado", [{"path": "a.x", "low": 30, "high": 130},
                             {"path": "b.y", "p10": 0.3, "p90": 0.6}])  # fmt: skip
    ranges = [input_range(spec.inputs[0], 60), input_range(spec.inputs[1], 0.42)]
    points = plan_points(spec, ranges)
    assert [(p.role, p.input, p.values) for p in points[1:]] == [
        ("low", 0, {0: 40}), ("high", 0, {0: 120}), ("low", 1, {1: 0.3}), ("high", 1, {1: 0.6})
    ]  # fmt: skip
    # p10/p90 stand for the uniform on [p10 - w/8, p90 + w/8], w = p90 - p10
    assert ranges[1].low == pytest.approx(0.2625) and ranges[1].high == pytest.approx(0.6375)
    assert ranges[0].integer and not ranges[1].integer


def test_computed_levels_are_the_decimals_a_user_would_write() -> None:
    """Grid steps and percentiles are the short decimals, not 0.24000000000000005."""
    spec = _spec("grid", [{"path": "a.x", "low": 0.1, "high": 0.7, "steps": 7}])
    grid = input_range(spec.inputs[0], 0.3)
    assert grid.levels() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    spec = _spec("tornado", [{"path": "a.x", "low": 0.1, "high": 0.3}])
    tornado = input_range(spec.inputs[0], 0.2)
    assert (tornado.at_percentile(10), tornado.at_percentile(90)) == (0.12, 0.28)


def test_latin_hypercube_points_are_stratified() -> None:
    n = 40
    spec = _spec("lhs", [{"path": "a.x", "low": 0.0, "high": 10.0},
                         {"path": "b.y", "low": -1.0, "high": 1.0}], samples=n)  # fmt: skip
    ranges = [input_range(i, 0.0) for i in spec.inputs]
    matrix = lhs_matrix(ranges, n, seed=3)
    assert matrix.shape == (n, 2)
    for column, r in zip(matrix.T, ranges, strict=True):
        assert r.low is not None and r.high is not None
        strata = np.floor((column - r.low) / (r.high - r.low) * n).astype(int)
        assert sorted(strata) == list(range(n))  # one point in each of n equal strata


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_recover_the_ishigami_function() -> None:
    """Known indices (a=7, b=0.1): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    names = ["x1", "x2", "x3"]
    ranges = [input_range(SweepInput(path=f"a.{n}", low=-math.pi, high=math.pi), 0.0)
              for n in names]  # fmt: skip
    x = sobol_matrix(ranges, 2048, seed=1)
    y = _ishigami(x)
    found = analysis.sobol_indices(names, [(-math.pi, math.pi)] * 3, list(map(float, y)),
                                   0.95, 1000, seed=1)  # fmt: skip
    known = {"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}
    for key, values in known.items():
        for name, value in zip(names, values, strict=True):
            low, high = found[f"{key}_interval"][name]
            assert low <= value <= high, (key, name, found[key][name], low, high)


def test_sobol_of_an_additive_function_has_no_interactions() -> None:
    """y = 4 x1 + 2 x2 + x3 on [0, 1]: S_i = c_i² / Σc² and ST = S1."""
    names = ["x1", "x2", "x3"]
    ranges = [input_range(SweepInput(path=f"a.{n}", low=0.0, high=1.0), 0.0) for n in names]
    x = sobol_matrix(ranges, 1024, seed=2)
    y = x @ np.array([4.0, 2.0, 1.0])
    found = analysis.sobol_indices(names, [(0.0, 1.0)] * 3, list(map(float, y)), seed=2)
    for name, c in zip(names, [4.0, 2.0, 1.0], strict=True):
        for key in ("S1", "ST"):
            low, high = found[f"{key}_interval"][name]
            assert low <= c * c / 21.0 <= high


def test_sobol_intervals_are_the_same_at_every_seed_including_zero() -> None:
    """The bootstrap behind the intervals is seeded: two calls give the same intervals at
    seed 0 too (SALib draws unseeded for a seed of 0), and another seed others."""
    names = ["x1", "x2"]
    ranges = [input_range(SweepInput(path=f"a.{n}", low=0.0, high=1.0), 0.0) for n in names]
    x = sobol_matrix(ranges, 64, seed=0)
    y = list(map(float, x @ np.array([3.0, 1.0]) + np.sin(7 * x[:, 0])))
    first, again = (analysis.sobol_indices(names, [(0.0, 1.0)] * 2, y, seed=0) for _ in "ab")
    assert first == again
    assert analysis.sobol_indices(names, [(0.0, 1.0)] * 2, y, seed=1) != first


def test_sobol_estimates_that_break_the_rules_are_called_noise() -> None:
    """True indices keep 0 ≤ S1 ≤ ST and Σ S1 ≤ 1; estimates from few samples need not,
    and their intervals can be wider than half an index's range. From 2,048 samples of the
    Ishigami function nothing is said; from 8, where y is dominated by one input, what
    breaks is named with the sample count and the fix (the JSON's and terminal's warning
    is the chart's "too rough": one rule for all three)."""
    names = ["x1", "x2", "x3"]
    bounds = [(-math.pi, math.pi)] * 3
    ranges = [input_range(SweepInput(path=f"a.{n}", low=-math.pi, high=math.pi), 0.0)
              for n in names]  # fmt: skip
    many = analysis.sobol_indices(names, bounds, list(map(float, _ishigami(
        sobol_matrix(ranges, 2048, seed=1)))), seed=1)  # fmt: skip
    assert "warning" not in many
    said = []
    for seed in range(8):
        x = sobol_matrix(ranges, 8, seed=seed)
        y = 5 * x[:, 0] + 0.01 * x[:, 1] + 0.01 * x[:, 2]
        few = analysis.sobol_indices(names, bounds, list(map(float, y)), seed=seed)
        wide = any(hi - lo > analysis.WIDE_INTERVAL for key in ("S1_interval", "ST_interval")
                   for lo, hi in few[key].values())  # fmt: skip
        broken = (
            wide
            or sum(few["S1"].values()) > 1.005
            or any(few["S1"][n] > few["ST"][n] + 0.005 or few["S1"][n] < -0.005 for n in names)
        )
        assert ("warning" in few) == broken
        if broken:
            said.append(few["warning"])
            # The widest half-width quoted is the widest of every interval shown, ST's too.
            halves = [(hi - lo) / 2 for key in ("S1_interval", "ST_interval")
                      for lo, hi in few[key].values()]  # fmt: skip
            assert f"intervals up to ±{max(halves):.2f}:" in few["warning"]
    assert said and all("from 8 samples" in w and "double samples" in w for w in said)


def test_tornado_is_monotone_in_downtime(spec_of: Callable[..., dict[str, Any]]) -> None:
    """More downtime delivers less hashrate: availability lower at the high value, and
    the tornado ranks downtime's swing above an input that does not touch availability."""
    spec = spec_of(
        method="tornado",
        metrics=["availability:119", "hashrate:60"],
        inputs=[
            {"path": DOWNTIME, "low": 0.0, "high": 0.2},
            {"path": "fleet.finance.cash_usd", "low": 1e5, "high": 2e6},
        ],
    )
    result = hashshock.sweep(spec, with_runs=False)
    for metric in ("availability:119", "hashrate:60"):
        rows = result.analysis[metric]["rows"]
        assert rows[0]["input"] == DOWNTIME
        assert rows[0]["high"] < result.base.metrics[metric] < rows[0]["low"]  # type: ignore[index]
        assert rows[1]["swing"] == 0.0  # cash does not change hashrate (same paths)


def test_oneway_lines_are_ordered_and_monotone(spec_of: Callable[..., dict[str, Any]]) -> None:
    spec = spec_of(method="oneway", metrics=["availability:119"],
                   inputs=[{"path": DOWNTIME, "values": [0.15, 0.0, 0.05]}])  # fmt: skip
    result = hashshock.sweep(spec, with_runs=False)
    line = result.analysis["availability:119"]["inputs"][DOWNTIME]
    assert [p["input"] for p in line] == sorted(p["input"] for p in line)
    values = [p["value"] for p in line]
    assert values == sorted(values, reverse=True)


def test_a_small_real_sobol_sweep_has_s1_below_st(spec_of: Callable[..., dict[str, Any]]) -> None:
    spec = spec_of(method="sobol", samples=16, paths=12, horizon_days=90,
                   metrics=["availability:89", "stage_probability:spares_depleted"],
                   inputs=[{"path": DOWNTIME, "low": 0.0, "high": 0.1},
                           {"path": TECHS, "low": 1, "high": 4},
                           {"path": HOLD, "low": 40, "high": 150}])  # fmt: skip
    result = hashshock.sweep(spec, with_runs=False)
    assert len(result.points) == 1 + 16 * (3 + 2)
    for metric in spec["metrics"]:
        found = result.analysis[metric]
        assert "S1" in found, found
        for name in found["S1"]:
            s1_low = found["S1_interval"][name][0]
            st_high = found["ST_interval"][name][1]
            assert s1_low <= st_high, (metric, name)
    # availability: downtime is the input that matters most
    st = result.analysis["availability:89"]["ST"]
    assert max(st, key=st.get) == DOWNTIME


def test_lhs_sweep_reports_rank_correlations(spec_of: Callable[..., dict[str, Any]]) -> None:
    spec = spec_of(method="lhs", samples=8, paths=8, horizon_days=60,
                   metrics=["availability:59"],
                   inputs=[{"path": DOWNTIME, "low": 0.0, "high": 0.2}])  # fmt: skip
    result = hashshock.sweep(spec, with_runs=False)
    samples = [p for p in result.points if p.role == "sample"]
    assert len(samples) == 8
    assert result.analysis["availability:59"]["spearman"][DOWNTIME] == pytest.approx(-1.0)


def test_a_tornado_bar_spans_the_base_too() -> None:
    """An input whose both ends move the metric the same way (0 % at base, 100 % at both
    ends) has the bar's whole extent as its swing, not |high − low| = 0; an input that
    moves nothing has 0 and ranks last."""
    table = analysis.tornado(["cash", "volatility"], [2, 0.3], [8, 0.6], [1.0, 0.0],
                             [1.0, 0.0], 0.0)  # fmt: skip
    assert [(r["input"], r["swing"]) for r in table["rows"]] == [("cash", 1.0),
                                                                 ("volatility", 0.0)]  # fmt: skip
    plain = analysis.tornado(["a"], [0], [1], [2.0], [5.0], 3.0)
    assert plain["rows"][0]["swing"] == 3.0


def test_rank_correlations_say_when_the_sample_cannot_tell_inputs_apart() -> None:
    """ρ of an input that does nothing inherits another's when the two are correlated in
    the sample: said; a metric the same at every point: said, no ρ."""
    driver = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    follower = [1, 2, 4, 3, 5, 6, 8, 7]  # rank-correlated with the driver
    said = analysis.rank_correlations(["driver", "idle"], [driver, follower], driver)
    assert said["spearman"]["driver"] == pytest.approx(1.0)
    assert "themselves correlated" in said["warning"] and "driver and idle" in said["warning"]
    flat = analysis.rank_correlations(["driver"], [driver], [0.5] * 8)
    assert flat["spearman"] == {"driver": None} and "at every point" in flat["note"]


def test_rank_correlations_noise_band_holds_an_inert_inputs_rho_on_95_percent() -> None:
    """A Latin hypercube permutes an inert input's strata at random: its ρ with the metric
    then has variance exactly 1/(n − 1), and |ρ| stays under the reported band
    1.96/√(n − 1) on about 95 % of samples (2,000 samples of 40 points: ±4 standard
    errors of a share)."""
    rng = np.random.default_rng(0)
    points = 40
    metric = rng.normal(size=points).tolist()
    said = [
        analysis.rank_correlations(["idle"], [rng.permutation(points).tolist()], metric)
        for _ in range(2000)
    ]
    band = said[0]["noise_band"]
    assert band == pytest.approx(1.959964 / math.sqrt(points - 1))
    rho = np.array([s["spearman"]["idle"] for s in said])
    assert np.var(rho) == pytest.approx(1 / (points - 1), rel=0.12)
    assert 0.93 < np.mean(np.abs(rho) < band) < 0.97


def test_an_unset_field_takes_its_declared_kind_of_number(
    spec_of: Callable[..., dict[str, Any]],
) -> None:
    """A field left unset has no base value to say whether it is whole: overhead 0 to 1
    (dollars) was read as whole because 0 and 1 are, and its tornado ran at 0 and 1
    instead of 0.1 and 0.9. The field's declared type says it (a count stays whole)."""
    from hashshock.inputs.fleet import Fleet
    from hashshock.sweep.fieldpath import holds_whole_numbers, parse

    assert holds_whole_numbers(Fleet, parse("fleet.sites[a].technicians"))
    assert holds_whole_numbers(Fleet, parse("fleet.cohorts[0].count"))
    assert not holds_whole_numbers(Fleet, parse("fleet.finance.overhead_usd_per_machine_day"))
    # an event of a list of several kinds cannot tell: the spec's own numbers say (30 to
    # 95 days stay whole; it ran at 36.5 and 88.5, and both points failed)
    from hashshock.inputs.scenario import Scenario

    assert holds_whole_numbers(Scenario, parse("scenario.events[hold].end_day")) is None
    overhead = "fleet.finance.overhead_usd_per_machine_day"
    spec = spec_of(metrics=["cash_end"], inputs=[{"path": overhead, "low": 0, "high": 1}])
    result = hashshock.sweep(spec, with_runs=False)
    (row,) = result.analysis["cash_end"]["rows"]
    assert (row["low_input"], row["high_input"]) == (0.1, 0.9)
    assert next(i for i in result.inputs if i["path"] == overhead)["integer"] is False


def test_metric_names_are_read_without_their_spaces(
    spec_of: Callable[..., dict[str, Any]],
) -> None:
    """ " cash_end " was the analysis' key while the points said "cash_end": every row
    empty, and the report refused the sweep's own JSON. A name is its words and colons."""
    spec = spec_of(metrics=["cash_end ", " availability : 119 "],
                   inputs=[{"path": DOWNTIME, "low": 0.0, "high": 0.2}])  # fmt: skip
    result = hashshock.sweep(spec, with_runs=False)
    assert result.metrics == ["cash_end", "availability:119"]
    assert set(result.analysis) == {"cash_end", "availability:119"}
    assert all(row["swing"] for m in result.metrics for row in result.analysis[m]["rows"])


def test_rounding_is_not_a_swing_and_dates_are_levels_in_order() -> None:
    """The same figure at both ends, 1e-16 apart from the order of a sum, was a swing of
    1.1e-14 points ranked above the inputs that move nothing; a one-way sweep of dates
    put the base last (its "high")."""
    flat = analysis.tornado(["a", "b"], [0, 0], [1, 1], [0.0338, 1.0], [0.0338 + 1e-16, 2.0],
                            0.0338)  # fmt: skip
    assert [r["input"] for r in flat["rows"]] == ["b", "a"] and flat["rows"][1]["swing"] == 0
    line = analysis.spider(["2022-01-01", "2025-06-01"], [1.0, 3.0], "2024-05-01", 2.0)
    assert [p["input"] for p in line] == ["2022-01-01", "2024-05-01", "2025-06-01"]
    assert line[1].get("base") is True
