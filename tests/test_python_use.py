"""Using hashshock from a notebook: one-line reprs, plain numbers, short messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import EXAMPLES, small_fleet

import hashshock
from hashshock.execution import InProcess
from hashshock.fit import fit_failure_rates, fleet_cohorts
from hashshock.inputs.errors import InputError
from hashshock.results.labelled import to_dataframe, to_dataset


def test_results_print_on_one_line() -> None:
    """A notebook cell showing a result prints one line, not every path's arrays."""
    from datetime import date

    from hashshock.market import load_market, simulate_market

    fleet = small_fleet()
    shown = [
        hashshock.strategies(fleet, paths=5, horizon_days=40, executor=InProcess()),
        hashshock.optimise(fleet, paths=5, horizon_days=40, executor=InProcess()),
        fit_failure_rates(EXAMPLES / "small-farm" / "repairs.csv", as_of="2026-11-30"),
        # and the inputs one holds: 7,300 and 10,000 characters before
        hashshock.load_fleet(EXAMPLES / "small-farm" / "fleet.yaml"),
        simulate_market(load_market(None), date(2026, 12, 1), 30, 300, 0),
    ]
    for result in shown:
        text = repr(result)
        assert "\n" not in text and len(text) < 400, text[:200]
        assert text.startswith(type(result).__name__ + "(")


def test_numpy_numbers_in_a_fleet_mapping_are_numbers() -> None:
    """A mapping built from arrays: np.int64 counts are the whole numbers they hold."""
    plain, from_arrays = small_fleet(), small_fleet()
    from_arrays["cohorts"][0]["count"] = np.int64(plain["cohorts"][0]["count"])
    from_arrays["sites"][0]["technicians"] = np.int64(3)
    plain["sites"][0]["technicians"] = 3
    runs = [hashshock.run(f, paths=4, horizon_days=20, seed=1) for f in (plain, from_arrays)]
    assert runs[0].machines == runs[1].machines
    np.testing.assert_array_equal(runs[0].output.hashrate_ths, runs[1].output.hashrate_ths)


def test_one_variable_name_is_one_variable() -> None:
    ds = to_dataset(hashshock.run(small_fleet(), paths=3, horizon_days=10))
    one = to_dataframe(ds, "spares_on_hand")
    assert set(one["variable"]) == {"spares_on_hand"}
    assert one.equals(to_dataframe(ds, ["spares_on_hand"]))


def test_a_path_as_text_and_a_short_message_for_a_huge_value() -> None:
    assert fleet_cohorts(str(EXAMPLES / "small-farm" / "fleet.yaml"))
    with pytest.raises(InputError) as caught:
        hashshock.run(list(range(10_000)))  # type: ignore[arg-type]
    assert len(str(caught.value)) < 300 and "(list) is not a fleet" in str(caught.value)


def test_every_labelled_variable_carries_its_units() -> None:
    ds = to_dataset(hashshock.run(EXAMPLES / "midsize-public-miner" / "fleet.yaml", paths=3,
                                  horizon_days=30))  # fmt: skip
    assert all(ds[v].attrs.get("units") for v in ds.data_vars)
    assert ds["hashrate_ths"].attrs["units"] == "TH/s" and "covenant_first_breach_day" in ds
    # a first day that never came is −1 on its path: said, so a mean can leave it out
    for name in ("stage_first_day", "first_stockout_day", "covenant_first_breach_day"):
        days = ds[name]
        assert days.attrs["never"] == -1 and int(days.min()) >= -1
        assert "never" not in ds["hashrate_ths"].attrs


def test_workers_and_an_executor_together_are_refused() -> None:
    """Both say where the runs go; one would be silently ignored."""
    with pytest.raises(InputError, match="not both"):
        hashshock.compare(small_fleet(), ["baseline"], paths=2, horizon_days=5, workers=2,
                          executor=InProcess())  # fmt: skip


def test_an_executor_and_a_scheduler_together_are_refused_by_every_api() -> None:
    """``sweep`` ran on the executor and never looked at the scheduler (optimise and
    strategies refused both)."""
    from hashshock.decide.api import strategies

    nowhere = "tcp://127.0.0.1:1"
    with pytest.raises(InputError, match=r"scheduler='tcp://127\.0\.0\.1:1': both say"):
        hashshock.sweep(EXAMPLES / "sweeps" / "tornado.yaml", executor=InProcess(),
                        scheduler=nowhere)  # fmt: skip
    with pytest.raises(InputError, match=r"scheduler='tcp://127\.0\.0\.1:1': both say"):
        strategies(EXAMPLES / "small-farm" / "fleet.yaml", executor=InProcess(), scheduler=nowhere)


@pytest.mark.parametrize("example", ["midsize-public-miner", "small-farm", "well-capitalised"])
def test_a_fleet_dumped_whole_runs_as_the_file_does(example: str) -> None:
    """Dump, change, run: a fleet's own dump (defaults and all: a DSCR covenant's
    quarters: [], a liquidity covenant's test_every_days: 90) reads back, and a fleet whose
    cohorts CSV is read dumps its cohorts once (not the CSV's name as well, which would
    count them twice); so does the Fleet object itself."""
    loaded = hashshock.load_fleet(EXAMPLES / example / "fleet.yaml")
    for given in (loaded.fleet.model_dump(mode="json"), loaded.fleet.model_dump(),
                  loaded.fleet):  # fmt: skip
        again = hashshock.load_fleet(given)
        assert again.machines == loaded.machines
        # the same fleet, but that the file it was read from named a CSV
        same = {"exclude": {"cohorts_csv"}}
        assert again.fleet.model_dump(**same) == loaded.fleet.model_dump(**same)


def test_no_scenario_names_the_argument_as_well_as_the_option() -> None:
    """A Python caller passed ``scenarios=``; "--scenarios: no scenario given" named only
    the command's option."""
    with pytest.raises(InputError, match=r"scenarios \(--scenarios\): no scenario given"):
        hashshock.compare(small_fleet(), [], paths=2, horizon_days=5)


def test_the_documented_lower_level_functions_check_their_arguments(tmp_path: Path) -> None:
    """docs/market.md's simulate_market, docs/calibration.md's simulate_log and
    fleet_cohorts and docs/scan.md's read_inventory failed deep inside ("'<' not supported
    between 'str' and 'int'", "'str' object has no attribute 'exists'") or took a share of
    2 as doubling every cohort: each names its argument."""
    from datetime import date

    from hashshock.fit import simulate_log
    from hashshock.market import load_market, simulate_market
    from hashshock.scan import read_inventory

    config = load_market(None)
    for args, field in (((config, date(2026, 6, 1), 30, "10", 0), "paths"),
                        ((config, date(2026, 6, 1), 30, -1, 0), "paths"),
                        ((config, "2026-06-01", 30, 4, 0), "start_date"),
                        (("x.yaml", date(2026, 6, 1), 30, 4, 0), "config")):  # fmt: skip
        with pytest.raises(InputError) as raised:
            simulate_market(*args)
        assert raised.value.field == field
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    for share in (2, -1, 0, True):
        with pytest.raises(InputError, match="share"):
            fleet_cohorts(farm, share=share)
    cohorts = fleet_cohorts(farm)
    text = simulate_log(cohorts, observed_until="2026-11-30", seed=1)  # text, as fit takes
    assert text == simulate_log(cohorts, observed_until=date(2026, 11, 30), seed=1)
    with pytest.raises(InputError, match="observed_until"):
        simulate_log(cohorts, observed_until="30/11/2026", seed=1)
    with pytest.raises(InputError, match=r"nope\.csv"):
        read_inventory(str(tmp_path / "nope.csv"))


def test_a_fleet_mapping_s_error_names_the_fleet_as_a_scenario_s_names_the_scenario() -> None:
    """Beside a scenario mapping, "start_date: field required" did not say which was
    wrong; a scenario mapping's error said "scenario: …"."""
    with pytest.raises(InputError) as raised:
        hashshock.run({"name": "x"}, {"name": "s", "events": []}, paths=4)
    assert raised.value.message.startswith("fleet: start_date: field required")


@pytest.mark.parametrize("call", ["fleet", "scenario", "market", "industry", "sweep"])
def test_a_file_s_text_given_for_its_path_is_said_to_be_text(call: str) -> None:
    """``run(open(f).read())`` raised the system's "File name too long" from pathlib, and
    a scenario's text was "file not found" naming the whole text: one line saying what
    it is, naming the argument."""
    farm = str(EXAMPLES / "small-farm" / "fleet.yaml")
    text = "name: x\n" + "#" * 300
    calls = {
        "fleet": lambda: hashshock.run(Path(farm).read_text(encoding="utf-8"), paths=2),
        "scenario": lambda: hashshock.run(farm, text, paths=2),
        "market": lambda: hashshock.run(farm, market="as_of:\n  btc_price_usd: 1\n", paths=2),
        "industry": lambda: hashshock.industry(text),
        "sweep": lambda: hashshock.sweep(text),
    }
    with pytest.raises(InputError) as caught:
        calls[call]()
    said = str(caught.value)
    assert "looks like a file's text" in said and "not its path" in said
    assert len(said) < 300 and "\n" not in said


def test_numpy_numbers_and_flags_are_taken_where_python_s_are() -> None:
    """``budget_usd=np.int64(500)`` was "not an amount", ``stockpile_months=np.int64(3)``
    "3 months is out of range … at most 36", ``ordered=np.bool_(True)`` "not True or
    False", a scenario's ``start_day: np.int64(10)`` "expected a number of days": numpy's
    numbers and flags are taken, and the results still write as JSON."""
    import json

    farm = str(EXAMPLES / "small-farm" / "fleet.yaml")
    scenario = {"name": "m", "events": [{"type": "parts_supply_stop", "name": "e",
                                         "start_day": np.int64(10)}]}  # fmt: skip
    plain = {"name": "m", "events": [{"type": "parts_supply_stop", "name": "e",
                                      "start_day": 10}]}  # fmt: skip
    runs = [hashshock.run(farm, s, paths=4, horizon_days=40).to_dict() for s in (scenario, plain)]
    assert runs[0]["daily"] == runs[1]["daily"]
    found = hashshock.optimise(farm, "sanctions", availability=np.float32(0.95),
                               budget_usd=np.int64(500), ordered=np.bool_(True), paths=8,
                               horizon_days=40)  # fmt: skip
    json.dumps(found.to_dict(), allow_nan=False)
    chosen = hashshock.strategies(farm, "sanctions", stockpile_months=np.int64(3), paths=4,
                                  horizon_days=40)  # fmt: skip
    json.dumps(chosen.to_dict(), allow_nan=False)
    with pytest.raises(InputError, match="not a number of months"):
        hashshock.strategies(farm, "sanctions", stockpile_months="3", paths=4, horizon_days=40)


def test_every_used_price_tier_of_a_result_is_read_only() -> None:
    """A used-price tier is computed when first read: the two the fleet never read were
    still writable after the result was frozen."""
    run = hashshock.run(str(EXAMPLES / "small-farm" / "fleet.yaml"), "sanctions", paths=4,
                        horizon_days=30)  # fmt: skip
    assert run.money is not None
    prices = run.money.market.used_price_usd_per_th
    assert all(not prices[tier].flags.writeable for tier in prices)


def test_a_path_inside_a_mapping_names_its_file_as_text_does() -> None:
    """``{"failure_rates": Path(...)}`` was "input should be a valid string": a path in a
    fleet's or an industry's mapping reads as the file name it holds."""
    from hashshock.inputs.catalog import _data_path

    rates = _data_path("failure_rates.csv")
    runs = [hashshock.run(small_fleet(failure_rates=given), paths=3, horizon_days=20).to_dict()
            for given in (rates, str(rates))]  # fmt: skip
    assert runs[0]["daily"] == runs[1]["daily"]
    farm = EXAMPLES / "small-farm" / "fleet.yaml"
    industry = {"name": "one", "start_date": "2026-12-01",
                "operators": [{"name": "a", "fleet": farm}]}  # fmt: skip
    result = hashshock.industry(industry, ["baseline"], paths=2, horizon_days=5,
                                say_warnings=False)  # fmt: skip
    assert result.to_dict()["operators"][0]["name"] == "a"
