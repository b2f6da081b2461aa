"""Results as labelled arrays hold the engine's numbers under the right labels."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from tests.report.conftest import ROOT, SMALL

import hashshock
from hashshock.results.labelled import to_dataframe, to_dataset


def test_dataset_labels_the_engine_arrays(midsize_runs) -> None:
    ds = to_dataset(midsize_runs)
    first = midsize_runs[0]
    assert {"scenario", "path", "day", "part"} <= set(ds.dims)
    assert list(ds.scenario.values) == ["baseline", "sanctions"]
    assert list(ds.part.values) == list(first.part_names)
    assert str(ds.date.values[0])[:10] == first.dates[0]
    for i, result in enumerate(midsize_runs):
        assert np.array_equal(ds.hashrate_ths.isel(scenario=i).values, result.output.hashrate_ths)
        assert np.array_equal(ds.availability.isel(scenario=i).values, result.availability)
        fan = ds.spares_on_hand.isel(scenario=i).sel(part="fan").values
        assert np.array_equal(
            fan, result.output.spares_on_hand[:, :, list(first.part_names).index("fan")]
        )
        assert np.array_equal(ds.cash_usd.isel(scenario=i).values, result.money.flows.cash_usd)
        stages = result.stage_first_days()
        for stage in ds.stage.values:
            assert np.array_equal(
                ds.stage_first_day.isel(scenario=i).sel(stage=stage).values, stages[stage]
            )
        dscr = next(c for c in result.money.covenants if c.name == "dscr")
        assert np.array_equal(
            ds.covenant_first_breach_day.isel(scenario=i).sel(covenant="dscr").values,
            dscr.first_breach_day,
        )


def test_long_frame_rows_equal_the_dataset(small_runs) -> None:
    ds = to_dataset(small_runs)
    frame = to_dataframe(ds, ["availability", "spares_on_hand", "machines_down"])
    assert list(frame.columns) == ["scenario", "path", "day", "date", "part", "variable", "value"]
    row = frame[
        (frame.scenario == "sanctions")
        & (frame.path == 7)
        & (frame.day == 30)
        & (frame.variable == "spares_on_hand")
        & (frame.part == "psu")
    ]
    assert row.value.item() == float(
        ds.spares_on_hand.sel(scenario="sanctions", path=7, day=30, part="psu")
    )
    fleet_rows = frame[frame.variable == "availability"]
    assert fleet_rows.part.isna().all()
    assert len(fleet_rows) == ds.sizes["scenario"] * ds.sizes["path"] * ds.sizes["day"]
    assert set(frame.variable) >= {
        "machines_down.waiting_for_part",
        "machines_down.held_at_customs",
    }
    assert frame.date.iloc[0] == pd.Timestamp(small_runs[0].dates[0])
    # few names repeated over millions of rows: categorical, as part is (object strings
    # took several GB at 4 scenarios x 1,000 paths x 365 days)
    for column in ("scenario", "part", "variable"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column


def test_bad_requests_say_what_to_do(small_runs) -> None:
    from hashshock.inputs.errors import InputError

    with pytest.raises(InputError, match="not daily variables"):
        to_dataframe(small_runs, ["stage_first_day"])
    with pytest.raises(InputError, match="no results"):
        to_dataset([])


def test_only_runs_that_share_their_labels_are_stacked(small_runs) -> None:
    """Runs of another market, or the same scenario twice, would stack under one label
    (``.sel(scenario=...)`` then returns both): refused. A run of another call on the same
    inputs shares the baseline run, and stacks."""
    from hashshock.inputs.errors import InputError

    sanctions = small_runs[1]
    again = hashshock.run(SMALL, "sanctions", paths=60, horizon_days=150, seed=3)
    other_market = hashshock.run(SMALL, "sanctions", paths=60, horizon_days=150, seed=3,
                                 market={"price": {"volatility_per_year": 0.9}})  # fmt: skip
    with pytest.raises(InputError, match="differ in fleet, market"):
        to_dataset([sanctions, other_market])
    with pytest.raises(InputError, match="sanctions is given more than once"):
        to_dataset([sanctions, again])
    stacked = to_dataset([small_runs[0], again])
    assert list(stacked.scenario.values) == ["baseline", "sanctions"]
    together = to_dataset(small_runs).hashrate_ths.sel(scenario="sanctions")
    assert np.array_equal(stacked.hashrate_ths.sel(scenario="sanctions"), together)


def test_the_notebook_runs() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "notebook.py"), "60"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "availability on day 364" in done.stdout and "hashrate" in done.stdout
