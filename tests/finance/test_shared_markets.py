"""The markets of one call's scenarios share their draws and network, with the same numbers;
so do the medians of counts taken from one sort."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

import numpy as np
import pytest
from tests.conftest import EXAMPLES

from hashshock.analysis import bands, median_band, median_bands
from hashshock.analysis.summary import _sorted_percentile
from hashshock.finance.scenario_money import ScenarioMarkets, scenario_market
from hashshock.market.simulate import MarketPaths
from hashshock.prepare import prepare

MID = EXAMPLES / "midsize-public-miner" / "fleet.yaml"


def _same(a: MarketPaths, b: MarketPaths) -> None:
    for field in dataclasses.fields(MarketPaths):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=field.name)
        elif isinstance(x, Mapping):  # used prices by tier
            assert x.keys() == y.keys()
            for key in x:
                np.testing.assert_array_equal(x[key], y[key], err_msg=f"{field.name}[{key}]")
        else:
            assert x == y, field.name


def test_shared_markets_are_the_markets_one_by_one() -> None:
    paths, seed = 40, 7
    prepared = prepare(MID, ["sanctions"], 200, None, paths)
    baseline, sanctions = prepared.plans
    shared = ScenarioMarkets(prepared.market, baseline.start_date, 200, paths, seed)
    lost = np.random.default_rng(0).uniform(0.0, 0.3, (paths, 200))
    alone = [scenario_market(prepared.market, plan, paths, seed) for plan in (baseline, sanctions)]
    _same(shared.market(baseline), alone[0])
    _same(shared.market(sanctions), alone[1])  # the supply cut moves used prices only
    assert not np.array_equal(alone[0].used_price_usd_per_th["19to25"],
                              alone[1].used_price_usd_per_th["19to25"])  # fmt: skip
    _same(shared.market(sanctions, lost),
          scenario_market(prepared.market, sanctions, paths, seed, lost))  # fmt: skip


def test_median_bands_of_counts_are_median_band_of_each() -> None:
    rng = np.random.default_rng(1)
    for paths in (1, 2, 7, 40):
        counts = rng.integers(0, 30, (paths, 12, 3)).astype(np.int32)
        names = ("a", "b", "c")
        assert median_bands(counts, names) == {
            name: median_band(counts[:, :, k]) for k, name in enumerate(names)
        }
        with_upper = median_bands(counts, names, upper=True)
        for k, name in enumerate(names):
            each = bands(counts[:, :, k], 2)
            assert with_upper[name] == {"p50": each["p50"], "p95": each["p95"]}


def test_a_percentile_of_sorted_counts_is_numpys_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    for paths in (1, 2, 3, 7, 20, 21, 40, 101, 1000):
        ordered = np.sort(rng.integers(0, 10**6, (paths, 9, 2)), axis=0)
        for q in (0.05, 0.5, 0.95, 0.99, 1.0, 0.0):
            np.testing.assert_array_equal(
                _sorted_percentile(ordered, q),
                np.percentile(ordered.astype(np.float64), 100 * q, axis=0))  # fmt: skip


def test_bands_are_numpys_percentiles() -> None:
    """Bands take the percentiles of the paths sorted first: numpy's numbers exactly."""
    rng = np.random.default_rng(2)
    values = rng.normal(0.0, 1e6, (101, 30))
    values[:, 3] = 0.0
    values[::2, 4] = -0.0  # both zeros in one array: numpy's percentile as it is
    values[5, 6] = np.nan
    for array in (values, np.abs(values[:, 5:]), values.round(-5)):
        q = np.percentile(array, [5, 50, 95], axis=0)
        expected = {f"p{p}": [round(float(v), 6) for v in q[k]] for k, p in enumerate((5, 50, 95))}
        assert json.dumps(bands(array, 6)) == json.dumps(expected)  # the JSON, NaN and -0.0 too


def test_percentiles_of_paths_sorted_in_place_are_numpys_bit_for_bit() -> None:
    """The bands' percentiles (paths sorted day by day in a contiguous copy, each
    percentile read from its two rows) equal ``np.percentile`` exactly, whatever the
    number of paths, with ties, NaN and values of every size."""
    from hashshock.analysis.summary import _percentiles, sorted_paths

    rng = np.random.default_rng(5)
    for paths in (*range(1, 42), 99, 100, 101, 333, 1000, 1001):
        values = rng.lognormal(0.0, 3.0, (paths, 7)) * rng.choice([-1.0, 1.0], (paths, 7))
        values[:, 1] = values[:, 1].round()  # ties
        values[:, 2] = 4.0
        values[rng.integers(paths), 3] = np.nan
        values[rng.integers(paths), 4] = np.inf
        values[:, 5] = -np.inf if paths % 2 else values[:, 5]
        q = [0, 5, 10, 25, 50, 75, 90, 95, 99, 100]
        with np.errstate(invalid="ignore"):  # inf − inf: NaN, in numpy's as in ours
            found = _percentiles(values, q)
            expected = np.percentile(values, q, axis=0)
        assert found.tobytes() == expected.tobytes(), paths
        counts = rng.integers(0, 9, (paths, 5, 3))
        np.testing.assert_array_equal(sorted_paths(counts), np.sort(counts, axis=0))


@pytest.mark.parametrize("shape", [(1, 30), (9, 1), (1, 1), (1, 4, 3), (6, 1, 2)])
def test_sorting_the_paths_leaves_the_caller_s_array_alone(shape: tuple[int, ...]) -> None:
    """One path or one day (an axis of size 1, where a contiguous view is no copy): the
    sort works on a copy, so a read-only result is read and a writable one kept as it
    was."""
    from hashshock.analysis.summary import _percentiles, sorted_paths

    values = np.random.default_rng(3).normal(size=shape)
    before = values.copy()
    values.flags.writeable = False
    np.testing.assert_array_equal(sorted_paths(values), np.sort(before, axis=0))
    if len(shape) == 2:
        found = _percentiles(values, [5, 50, 95])
        assert found.tobytes() == np.percentile(before, [5, 50, 95], axis=0).tobytes()
    writable = before.copy()
    sorted_paths(writable)
    assert writable.tobytes() == before.tobytes()
