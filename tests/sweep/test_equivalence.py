"""A sweep's points are independent ``hashshock.compare`` runs of the edited inputs.

Each expected value comes from files written here with the edited values (fleet YAML,
a copy of the built-in scenario's YAML, a market YAML) and run through
``hashshock.compare``; the sweep's metric must equal it bit for bit (common random
numbers: same seed, same paths). Covers points that share the base's engine run,
points that share baseline's run, points that make their own, shared baseline tasks,
and a sweep whose scenario is baseline itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.sweep.conftest import HORIZON, PATHS, SEED, money_fleet

import hashshock
import hashshock.sweep
from hashshock.inputs.load import builtin_scenarios
from hashshock.sweep.metrics import BaselineRef, evaluate_all, parse_metric
from hashshock.sweep.result import SweepResult

HOLD = "scenario.events[border-enforcement].hold_days.mode"
DOWNTIME = "fleet.operations.downtime_share"
TECHS = "fleet.sites[a].technicians"
VOLATILITY = "market.price.volatility_per_year"
CASH = "fleet.finance.cash_usd"
FAILURES = "fleet.operations.failure_rate_multiplier"
DONORS = "fleet.finance.replacement.donor_machines"


def _edit_fleet(data: dict[str, Any], path: str, value: Any) -> None:
    if path == DOWNTIME:
        data.setdefault("operations", {})["downtime_share"] = value
    elif path == FAILURES:
        data.setdefault("operations", {})["failure_rate_multiplier"] = value
    elif path == TECHS:
        data["sites"][0]["technicians"] = value
    elif path == CASH:
        data["finance"]["cash_usd"] = value
    elif path == DONORS:
        data["finance"].setdefault("replacement", {})["donor_machines"] = value
    else:
        raise AssertionError(path)


def _expected(tmp: Path, name: str, values: dict[str, Any], scenario: str,
              metrics: list[str]) -> dict[str, float | None]:  # fmt: skip
    """The metrics of ``hashshock.compare`` on files with ``values`` set."""
    folder = tmp / f"expected-{abs(hash((name, tuple(sorted(values.items()))))) % 10**8}"
    folder.mkdir()
    fleet = money_fleet()
    scenario_ref: str = scenario
    market: Path | None = None
    for path, value in values.items():
        if path.startswith("fleet."):
            _edit_fleet(fleet, path, value)
        elif path == HOLD:
            raw = yaml.safe_load(builtin_scenarios()[scenario].read_text(encoding="utf-8"))
            event = next(e for e in raw["events"] if e.get("name") == "border-enforcement")
            event["hold_days"]["mode"] = value
            file = folder / "scenario.yaml"
            file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
            scenario_ref = str(file)
        elif path == VOLATILITY:
            market = folder / "market.yaml"
            market.write_text(yaml.safe_dump({"price": {"volatility_per_year": value}}),
                              encoding="utf-8")  # fmt: skip
        else:
            raise AssertionError(path)
    fleet_file = folder / "fleet.yaml"
    fleet_file.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    result = hashshock.compare(fleet_file, [scenario_ref], PATHS, HORIZON, SEED, market=market)[0]
    parsed = [parse_metric(m) for m in metrics]
    return evaluate_all(parsed, result, BaselineRef.of_result(result))


def _check_all(result: SweepResult, tmp: Path, scenario: str) -> None:
    assert not result.failed, [p.error for p in result.failed]
    by_path = {i["name"]: i["path"] for i in result.inputs}
    for point in result.points:
        values = {by_path[name]: value for name, value in point.inputs.items()}
        expected = _expected(tmp, result.name, values, scenario, result.metrics)
        assert point.metrics == expected, (point.index, point.inputs)


def test_tornado_points_equal_compare_runs(
    spec_of: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    spec = spec_of(inputs=[
        {"path": HOLD, "low": 40, "high": 120},            # scenario only: base's baseline
        {"path": VOLATILITY, "p10": 0.3, "p90": 0.6},      # same engine run as the base
        {"path": CASH, "low": 300_000, "high": 1_500_000},  # same engine run as the base
        {"path": DOWNTIME, "low": 0.0, "high": 0.1},       # its own baseline
    ])  # fmt: skip
    result = hashshock.sweep(spec)
    assert [p.role for p in result.points] == ["base"] + ["low", "high"] * 4
    assert result.points[1].inputs == {HOLD: 48} and result.points[2].inputs == {HOLD: 112}
    _check_all(result, tmp_path, "sanctions")


def test_grid_points_equal_compare_runs(
    spec_of: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    """Technicians 3 makes a baseline that two groups (hold 50, hold 100) share."""
    spec = spec_of(method="grid", metrics=["hashrate_lost:60", "covenant_breach:dscr"],
                   inputs=[{"path": TECHS, "values": [2, 3]},
                           {"path": HOLD, "values": [50, 100]}])  # fmt: skip
    result = hashshock.sweep(spec)
    assert len(result.points) == 1 + 4
    _check_all(result, tmp_path, "sanctions")


def test_points_that_differ_in_donor_buying_run_their_own_engine(
    spec_of: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    """Buying donors changes what the engine does (its steering), so a point that buys
    them is not served the base's run: each point equals its own compare run, and the
    two differ."""
    spec = spec_of(method="grid", metrics=["availability:119", "cash_end", "donors_bought",
                                           "donor_spend:p90"],
                   inputs=[{"path": DONORS, "values": [False, True]}])  # fmt: skip
    result = hashshock.sweep(spec)
    _check_all(result, tmp_path, "sanctions")
    without, with_ = (p.metrics for p in result.points[1:])
    assert without is not None and with_ is not None
    assert with_["availability:119"] > without["availability:119"]
    assert without["donors_bought"] == 0 and with_["donors_bought"] > 0
    assert with_["donor_spend:p90"] > 0


def test_a_sweep_of_baseline_itself_equals_compare(
    spec_of: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    spec = spec_of(method="oneway", base={"fleet": spec_of()["base"]["fleet"],
                                          "scenario": "baseline"},
                   metrics=["availability:119", "cash_end", "hashrate_lost:119"],
                   inputs=[{"path": FAILURES, "values": [0.5, 2.0]}])  # fmt: skip
    result = hashshock.sweep(spec)
    assert all(p.metrics and p.metrics["hashrate_lost:119"] == 0.0 for p in result.points)
    _check_all(result, tmp_path, "baseline")


def test_baseline_against_itself_is_never_at_risk(
    spec_of: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    """Points of a baseline sweep that share the base's engine run but not its money (more
    cash, another BTC volatility) are measured against their own run, as compare measures
    baseline: nothing is at risk, whatever the point — not the base point's money."""
    spec = spec_of(method="oneway", base={"fleet": spec_of()["base"]["fleet"],
                                          "scenario": "baseline"},
                   metrics=["cash_at_risk", "revenue_at_risk", "cash_and_spares_at_risk"],
                   inputs=[{"path": CASH, "values": [500_000, 2_000_000]},
                           {"path": VOLATILITY, "values": [0.3, 0.9]}])  # fmt: skip
    result = hashshock.sweep(spec)
    assert len(result.points) == 5
    for point in result.points:
        assert point.metrics is not None
        assert all(value == 0.0 for value in point.metrics.values()), point
    _check_all(result, tmp_path, "baseline")


def test_the_json_is_the_same_whatever_the_method_of_grouping(
    spec_of: Callable[..., dict[str, Any]],
) -> None:
    """Points measured in the base's task, in shared groups or alone give the numbers a
    one-point sweep of the same inputs gives (no state leaks between points)."""
    inputs = [{"path": HOLD, "values": [70]}, {"path": CASH, "values": [400_000]}]
    together = hashshock.sweep(spec_of(method="oneway", inputs=inputs), with_runs=False)
    for point in together.points[1:]:
        alone = hashshock.sweep(spec_of(method="oneway", inputs=[
            copy.deepcopy(next(i for i in inputs if i["path"] == point.varies))
        ]), with_runs=False)  # fmt: skip
        assert alone.points[1].metrics == point.metrics


@pytest.mark.parametrize("how", ["package", "function"])
def test_hashshock_sweep_is_callable(how: str, spec_of: Callable[..., dict[str, Any]]) -> None:
    spec = spec_of(paths=4, horizon_days=20, metrics=["availability:19"],
                   inputs=[{"path": DOWNTIME, "low": 0.0, "high": 0.1}])  # fmt: skip
    run = hashshock.sweep if how == "package" else hashshock.sweep.sweep
    result = run(spec)
    assert isinstance(result, SweepResult) and len(result.points) == 3


def test_cash_and_spares_at_risk_is_the_runs_own_figure() -> None:
    """The metric (sweep/metrics.py) and the run's JSON (results/money.py) compute it each
    their own way: the same median."""
    result = hashshock.compare(money_fleet(), ["sanctions"], PATHS, HORIZON, SEED)[0]
    metric = parse_metric("cash_and_spares_at_risk")
    value = evaluate_all([metric], result, BaselineRef.of_result(result))[metric.name]
    band = result.to_dict()["finance"]["vs_baseline"]["cash_and_spares_at_risk_usd"]
    assert value == pytest.approx(band["p50"], abs=0.5)
