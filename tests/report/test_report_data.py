"""The report's numbers equal the result's: contract bands, fan quantiles, distributions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.report.conftest import MIDSIZE

import hashshock
from hashshock.inputs.errors import InputError
from hashshock.report.data import (
    load_json_runs,
    quantile_bands,
    report_dict,
    scenario_labels,
    series,
)


def test_fan_quantiles_match_the_contract_and_the_paths(midsize_runs):
    for result in midsize_runs:
        data = report_dict(result)
        contract = result.to_dict()
        for name in ("hashrate_ths", "availability", "cash_usd"):
            for band in ("p5", "p50", "p95"):
                assert data["quantiles"][name][band] == contract["daily"][name][band]
        expected = np.percentile(result.output.hashrate_ths, [25, 75], axis=0)
        assert np.allclose(data["quantiles"]["hashrate_ths"]["p25"], expected[0], atol=0.006)
        assert np.allclose(data["quantiles"]["hashrate_ths"]["p75"], expected[1], atol=0.006)
        for k, part in enumerate(result.part_names):
            fan = data["quantiles"][f"spares_on_hand.{part}"]
            assert fan["p50"] == contract["daily"]["spares_on_hand"][part]["p50"]
            assert np.allclose(
                fan["p95"],
                np.percentile(result.output.spares_on_hand[:, :, k], 95, axis=0),
                atol=0.006,
            )


def test_cumulative_money_and_gaps_come_from_the_flows(midsize_runs):
    sanctions = midsize_runs[1]
    data = report_dict(sanctions)
    revenue = np.cumsum(sanctions.money.flows.revenue_usd, axis=1)
    assert np.allclose(
        data["quantiles"]["revenue_usd_cum"]["p50"], np.median(revenue, axis=0), atol=0.6
    )
    gap = sanctions.baseline_hashrate_ths - sanctions.output.hashrate_ths
    assert np.allclose(
        data["quantiles"]["hashrate_lost_vs_baseline_ths"]["p50"],
        np.median(gap, axis=0),
        atol=0.006,
    )
    assert "hashrate_lost_vs_baseline_ths" not in report_dict(midsize_runs[0])["quantiles"]


def test_breach_distribution_sums_to_the_breach_probability(midsize_runs):
    result = midsize_runs[1]
    data = report_dict(result)
    for covenant in result.money.covenants:
        share = data["distributions"]["covenant_first_breach"][covenant.name]["share"]
        assert sum(share) == pytest.approx(float((covenant.first_breach_day >= 0).mean()), abs=1e-4)


def test_quantile_bands_equal_numpy_percentiles() -> None:
    values = np.random.default_rng(0).normal(size=(101, 30))
    bands = quantile_bands(values, 12)
    for q in (5, 25, 50, 75, 95):
        assert np.allclose(bands[f"p{q}"], np.percentile(values, q, axis=0), atol=1e-11)


def test_series_falls_back_on_the_contract_bands(small_runs):
    contract = small_runs[1].to_dict()
    assert set(series(contract, "hashrate_ths")) == {"p5", "p50", "p95"}
    assert series(contract, "spares_on_hand.fan") == {
        "p50": contract["daily"]["spares_on_hand"]["fan"]["p50"]
    }
    assert series(contract, "revenue_usd_cum") == {}


def test_bad_json_names_the_file_and_the_fix(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text('{"scenario": "x", "dates": [', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_json_runs(cut)
    assert str(cut) in err.value.message and "not valid JSON" in err.value.message
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    with pytest.raises(InputError, match="not a hashshock run"):
        load_json_runs(other)
    with pytest.raises(InputError, match="file not found"):
        load_json_runs(tmp_path / "missing.json")


def test_a_run_json_with_a_series_of_the_wrong_type_is_refused(tmp_path: Path, small_runs) -> None:
    """A hand-edited run JSON whose hashrate is not bands of numbers: one message naming
    the field, not a traceback."""
    data = small_runs[0].to_dict()
    data["daily"]["hashrate_ths"] = "lots"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"daily\.hashrate_ths"):
        load_json_runs(edited)


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("paths", "many", "paths: 'many' is not a whole number of at least 1"),
    ("paths", float("nan"), "NaN is not JSON; a missing number is null"),
    ("horizon_days", -5, "horizon_days: -5 is not a whole number"),
    ("horizon_days", 7, "horizon_days: is 7 for "),
])  # fmt: skip
def test_a_run_json_with_a_nonsense_header_is_refused(
    tmp_path: Path, small_runs, key: str, value: object, problem: str
) -> None:
    data = {**small_runs[0].to_dict(), key: value}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_json_runs(edited)
    assert problem in err.value.message


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d.pop("operators"), "operators: missing"),
    (lambda d: d.update(operators=[]), "operators: is not a list of operators, or is empty"),
    (lambda d: d.update(scenarios={}), "scenarios: is not a mapping of scenarios"),
    (lambda d: d["scenarios"]["baseline"].pop("us"), "scenarios.baseline.us: missing"),
    (lambda d: d.update(paths="ten"), "paths: 'ten' is not a whole number"),
    (lambda d: d.update(dates=[]), "dates: is not a list of the horizon's 2 dates"),
])  # fmt: skip
def test_a_damaged_industry_json_says_what_is_missing(
    tmp_path: Path, edit: Any, field: str
) -> None:
    from hashshock.industry.report import load_industry_json

    data: dict[str, Any] = {"industry": "us", "paths": 3, "horizon_days": 2,
                            "dates": ["2026-12-01", "2026-12-02"], "operators": [{"name": "a"}],
                            "scenarios": {"baseline": {"us": {}, "groups": {}}}}  # fmt: skip
    edit(data)
    path = tmp_path / "industry.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_industry_json(path)
    assert err.value.message.startswith(f"{path}: {field}")
    assert "not an industry's JSON as written" in err.value.message


def test_compare_json_gives_every_run(tmp_path: Path, small_runs) -> None:
    path = tmp_path / "compare.json"
    path.write_text(json.dumps({"scenarios": [r.to_dict() for r in small_runs]}), encoding="utf-8")
    runs = load_json_runs(path)
    assert [r["scenario"] for r in runs] == ["baseline", "sanctions"]


def test_labels_stay_distinct() -> None:
    runs = [
        {"scenario": "sanctions", "fleet_name": "a"},
        {"scenario": "sanctions", "fleet_name": "b"},
    ]
    assert scenario_labels(runs) == ["a:sanctions", "b:sanctions"]
    same = [{"scenario": "s", "fleet_name": "a"}] * 2
    assert len(set(scenario_labels(same))) == 2


def test_key_numbers_say_no_stock_out_as_the_terminal_does(small_runs) -> None:
    """A run on which no part runs out first (every share 0) reads "no stock-out" in the
    page, as in `compare`, not its first listed part at 0 %."""
    from hashshock.report.data import report_dict
    from hashshock.report.tables import key_numbers

    run = report_dict(small_runs[0])
    run["first_to_break"] = [{**r, "probability_first": 0.0} for r in run["first_to_break"]]
    assert run["first_to_break"], "the fixture lists parts"
    html = key_numbers([run], ["baseline"])
    assert "no stock-out" in html and "(0%)" not in html


def test_the_money_table_s_bands_read_apart_as_the_terminal_s_do(midsize_runs) -> None:
    """Spares at cost of $6.35M ($6.32M–$6.37M) in the terminal read "$6.3M ($6.3M –
    $6.4M)" in the page: p5 and p50 alike. Decimals enough that they differ."""
    from hashshock.report.tables import money_table

    run = report_dict(midsize_runs[0])
    run["finance"]["spares_value_usd_end"] = {"p50": 6.35e6, "p5": 6.32e6, "p95": 6.37e6}
    html = money_table([run], ["baseline"])
    assert html is not None and "$6.35M ($6.32M – $6.37M)" in html


def test_a_run_json_with_a_cut_series_is_refused(small_runs) -> None:
    """Every band of every daily series has one value per date: a file cut by hand would
    show a median outside its own p5–p95."""
    import json

    from hashshock.inputs.errors import InputError
    from hashshock.report.data import runs_from_json

    run = json.loads(json.dumps(report_dict(small_runs[0])))
    run["daily"]["availability"]["p50"] = run["daily"]["availability"]["p50"][:10]
    with pytest.raises(InputError) as caught:
        runs_from_json(run, "short.json")
    assert caught.value.field == "daily.availability.p50"
    assert caught.value.problem.startswith("has 10 values for")


def test_runs_not_drawn_together_are_not_said_to_share_random_numbers(small_runs) -> None:
    """compare's scenarios share their random numbers and the page says so; a page of runs
    of different fleets or seeds does not, and names each run with its fleet."""
    from hashshock.report.page import render_page
    from hashshock.report.write import report_input

    together = render_page(report_input(list(small_runs)))
    assert "Compared scenarios share their random numbers" in together
    other = hashshock.compare(MIDSIZE, ["sanctions"], paths=20, horizon_days=150, seed=7)[-1]
    mixed = [small_runs[0], other]
    assert scenario_labels([report_dict(r) for r in mixed]) == [
        f"{small_runs[0].fleet_name}:baseline", f"{other.fleet_name}:sanctions"]  # fmt: skip
    page = render_page(report_input(mixed))
    assert "share their random numbers" not in page and "These runs differ" in page


def test_a_page_from_saved_json_does_not_describe_a_band_it_cannot_draw(
    tmp_path: Path, small_runs
) -> None:
    """A run's JSON keeps p5/p50/p95 only: the page rebuilt from it says so, not "inner
    band p25–p75"; the page of the runs themselves draws and says both bands."""
    from hashshock.report.page import render_page
    from hashshock.report.write import report_input

    path = tmp_path / "run.json"
    path.write_text(json.dumps(small_runs[0].to_dict()), encoding="utf-8")
    assert "inner band p25–p75" in render_page(report_input([small_runs[0]]))
    rebuilt = render_page(report_input(load_json_runs(path)))
    assert "inner band" not in rebuilt and "Band p5–p95, line the median" in rebuilt
