"""Sweeps over an industry (docs/sweeps.md, "An industry as the base"): each point's
metrics are those ``hashshock.industry`` gives for its inputs on the spec's seed, whatever
runs them; the industry's fields are inputs by path; bad metrics are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import hashshock
from hashshock.execution import InProcess, Threads
from hashshock.industry.load import industry_from_mapping
from hashshock.inputs.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
LINE = "industry.vendor_lines[microbt].capacity_ehs_per_year"
PATHS, DAYS, SEED = 6, 90, 3


def _industry() -> dict[str, Any]:
    return {
        "name": "two", "start_date": "2026-12-01",
        "operators": [
            {"name": "farms", "template": "small-farm", "count": 12,
             "machines_each": {"mean": 800, "cv": 0.5}, "simulated": 2},
            {"name": "farm", "fleet": str(ROOT / "examples" / "small-farm" / "fleet.yaml")},
        ],
        "vendor_lines": [{"name": "microbt", "vendor": "microbt", "capacity_ehs_per_year": 4,
                          "us_share": 0.36, "model": "whatsminer-m60s"}],
        "portfolio": {"loans": [{"borrower": "farms", "principal_usd": 150000,
                                 "rate_per_year": 0.14, "maturity_date": "2028-12-01"}]},
    }  # fmt: skip


def _spec(tmp_path: Path, **fields: Any) -> dict[str, Any]:
    (tmp_path / "industry.yaml").write_text(yaml.safe_dump(_industry()), encoding="utf-8")
    spec: dict[str, Any] = {
        "base": {"industry": str(tmp_path / "industry.yaml"), "scenario": "sanctions"},
        "method": "tornado", "paths": PATHS, "horizon_days": DAYS, "seed": SEED,
        "metrics": ["us_share:89", "us_hashrate_lost:89", "break:farms", "lender_loss",
                    "lender_interest", "lender_net_income", "lender_net_income_p5",
                    "default:loans[0]", "lead_time:microbt"],
        "inputs": [{"path": LINE, "low": 2, "high": 20}],
    }  # fmt: skip
    spec.update(fields)
    return spec


def _direct(capacity: float) -> dict[str, Any]:
    data = _industry()
    data["vendor_lines"][0]["capacity_ehs_per_year"] = capacity
    result = hashshock.industry(industry_from_mapping(data), ["sanctions"], PATHS, DAYS, SEED)
    return result.to_dict()["scenarios"]["sanctions"]


def test_each_point_is_the_industry_run_of_its_inputs(tmp_path: Path) -> None:
    """The base point and the tornado's ends read what ``hashshock.industry`` of the
    same inputs gives; threads or not, the same numbers. From Python it warns as
    ``hashshock.industry`` does (here: the day-0 market carried from its snapshot)."""
    from hashshock.notices import HashshockWarning

    with pytest.warns(HashshockWarning, match="carried"):
        result = hashshock.sweep(_spec(tmp_path), InProcess())
    again = hashshock.sweep(_spec(tmp_path), Threads(2))
    assert result.to_dict()["points"] == again.to_dict()["points"]
    by_value = {p.inputs.get(LINE, 4.0): p.metrics for p in result.points}
    for capacity, metrics in by_value.items():
        assert metrics is not None
        direct = _direct(capacity)
        assert metrics["us_share:89"] == direct["us"]["share_of_network"]["p50"][89]
        assert (
            metrics["us_hashrate_lost:89"] == -direct["us"]["hashrate_ehs_vs_baseline"]["p50"][89]
        )
        lender = direct["lender"]
        assert metrics["lender_loss"] == lender["expected_loss_usd"]
        assert metrics["lender_interest"] == lender["interest_income_usd"]
        assert metrics["lender_net_income"] == lender["net_income_usd"]
        assert metrics["lender_net_income_p5"] == lender["net_income_p5_usd"]
        assert metrics["default:loans[0]"] == lender["loans"][0]["probability_default"]
        assert metrics["lead_time:microbt"] == max(
            direct["vendors"]["microbt"]["lead_time_days"]["p50"]
        )
    # more capacity never lengthens the queue's longest quote (common random numbers)
    ordered = sorted(by_value)
    quotes = [by_value[c]["lead_time:microbt"] for c in ordered]  # type: ignore[index]
    assert quotes == sorted(quotes, reverse=True)
    page = tmp_path / "sweep.html"
    from hashshock.sweep.report import write_sweep_report

    write_sweep_report(result, page)
    html = page.read_text(encoding="utf-8")
    assert 'id="chart-tornado-1"' in html and f"{DAYS} days from 2026-12-01" in html


@pytest.mark.parametrize(("metric", "words"), [
    ("us_share", "needs a day"), ("us_share:400", "not a day of the horizon"),
    ("break:farmz", "farms?"), ("lead_time:canaan", "not a vendor line"),
    ("availability:30", "is a fleet's metric, and the base is an industry"),
    ("lender_los", "did you mean lender_loss"),
    ("lender_loss:p95", "takes no argument — fix: write lender_loss_p95"),
    ("lender_interest:p5", "takes no argument — fix: write lender_interest"),
    ("default:loans[1]", "'loans[1]' is not a portfolio loan of two — fix: did you mean "
     "loans[0]?"),
])  # fmt: skip
def test_bad_industry_metrics_are_refused(tmp_path: Path, metric: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        hashshock.sweep(_spec(tmp_path, metrics=[metric]))
    assert caught.value.field == "metrics[0]" and words in caught.value.message


def test_a_base_names_a_fleet_or_an_industry(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    spec["base"]["fleet"] = str(ROOT / "examples" / "small-farm" / "fleet.yaml")
    with pytest.raises(InputError, match="gives both a fleet and an industry"):
        hashshock.sweep(spec)


def test_the_bundled_industry_example_is_a_valid_spec() -> None:
    """examples/sweeps/industry-tornado.yaml (docs/sweeps.md) checks: the bundled `us`,
    its paths and metrics; a tornado of two inputs is five points."""
    from hashshock.sweep.run import survey

    plan = survey(ROOT / "examples" / "sweeps" / "industry-tornado.yaml")
    assert plan.points == 5


def test_an_industry_metric_on_a_fleet_base_says_so(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    spec["base"] = {"fleet": str(ROOT / "examples" / "small-farm" / "fleet.yaml")}
    spec["inputs"] = [{"path": "fleet.operations.downtime_share", "low": 0.0, "high": 0.1}]
    with pytest.raises(InputError, match="an industry's metric, and the base is a fleet"):
        hashshock.sweep(spec)


def test_the_rest_of_the_world_as_an_input_is_each_points_own(tmp_path: Path) -> None:
    """Points that set the day-0 network (rest_of_world.hashrate_ehs) each start from
    their own: a copy of the market once shared its day-0 cache, so the first point to
    run fixed the network of all (and threads made it differ from run to run). Each point
    equals ``hashshock.industry`` of its file; threads leave the warnings filters alone."""
    import warnings

    row = "industry.rest_of_world.hashrate_ehs"
    spec = _spec(tmp_path, method="oneway", metrics=["us_hashrate:89"],
                 inputs=[{"path": row, "values": [500, 1500]}])  # fmt: skip
    data = _industry()
    data["rest_of_world"] = {"hashrate_ehs": 900}
    (tmp_path / "rest.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    spec["base"]["industry"] = str(tmp_path / "rest.yaml")
    filters = list(warnings.filters)
    threaded = hashshock.sweep(spec, Threads(2))
    assert list(warnings.filters) == filters
    assert hashshock.sweep(spec, InProcess()).to_dict()["points"] == threaded.to_dict()["points"]
    for point in threaded.points:
        data["rest_of_world"]["hashrate_ehs"] = point.inputs.get(row, 900)
        direct = hashshock.industry(industry_from_mapping(data), ["sanctions"], PATHS, DAYS, SEED)
        us = direct.to_dict()["scenarios"]["sanctions"]["us"]["hashrate_ehs"]["p50"][89]
        assert point.metrics is not None and point.metrics["us_hashrate:89"] == us


def test_a_lender_metric_needs_a_portfolio(tmp_path: Path) -> None:
    spec = _spec(tmp_path, metrics=["lender_loss"])
    data = _industry()
    del data["portfolio"]
    (tmp_path / "bare.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    spec["base"]["industry"] = str(tmp_path / "bare.yaml")
    with pytest.raises(InputError, match="has no lender portfolio"):
        hashshock.sweep(spec)


def test_a_missing_industry_file_is_named_in_the_spec(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    spec["base"]["industry"] = "nowhere.yaml"
    with pytest.raises(InputError) as caught:
        hashshock.sweep(spec)
    assert caught.value.field == "base.industry" and "a bundled industry: us" in caught.value.fix


def test_a_break_metric_of_a_group_without_money_is_refused(tmp_path: Path) -> None:
    """``break:`` and ``first:`` of a group without a finance block would read 0 at every
    point (it cannot break financially): refused, offering the groups that can."""
    data = _industry()
    data["operators"].append({"name": "bare", "template": "modern-bitmain", "machines": 200})
    (tmp_path / "bare.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    for metric in ("break:bare", "first:bare"):
        spec = _spec(tmp_path, metrics=[metric])
        spec["base"]["industry"] = str(tmp_path / "bare.yaml")
        with pytest.raises(InputError) as caught:
            hashshock.sweep(spec)
        assert caught.value.field == "metrics[0]"
        assert "bare has no finance block" in caught.value.message and "farms" in caught.value.fix


def test_an_industry_sweep_says_its_inputs_warnings_before_its_runs(
    tmp_path: Path, said_and_runs: list[str]
) -> None:
    """The stale day-0 market (and each point whose inputs are invalid) was issued after
    every run, and the command, which prints what comes after its runs itself, said nothing
    of it: issued before the runs, as a fleet's sweep issues them, and printed."""
    from typer.testing import CliRunner

    from hashshock.cli.app import app

    events = said_and_runs
    spec = _spec(tmp_path, paths=2, horizon_days=20, metrics=["us_share:19"],
                 inputs=[{"path": LINE, "values": [2, 6]}], method="grid")  # fmt: skip
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    done = CliRunner().invoke(app, ["sweep", str(path), "-q"])
    assert done.exit_code == 0, done.output
    stale = [i for i, e in enumerate(events) if e.startswith("market on 2026-12-01")]
    assert stale and stale[0] < events.index("runs"), events
