"""BTC price models: GBM moments, block bootstrap of a user's history, deterministic deck."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from tests.market.conftest import MarketFactory

from hashshock.market import bundled_snapshot, simulate_market

SNAP = dt.date(2025, 12, 29)


def write_prices(
    path: Path, start: dt.date, prices: list[float], header: str = "date,price_usd"
) -> Path:
    lines = [header] + [
        f"{(start + dt.timedelta(days=i)).isoformat()},{p}" for i, p in enumerate(prices)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_gbm_log_returns_have_the_stated_drift_and_volatility(market: MarketFactory) -> None:
    """ln(S_365/S_0) ~ N(μ − σ²/2, σ²): 1,500 paths, tolerances of ~4 standard errors."""
    mu, sigma = 0.2, 0.5
    config = market(price={"drift_per_year": mu, "volatility_per_year": sigma})
    paths = simulate_market(config, SNAP, 366, paths=1500, seed=5)
    s0 = bundled_snapshot().btc_price_usd
    np.testing.assert_allclose(paths.btc_price_usd[:, 0], s0, rtol=1e-14)
    log_ret = np.log(paths.btc_price_usd[:, 365] / s0)
    assert log_ret.mean() == pytest.approx(mu - sigma**2 / 2, abs=4 * sigma / math.sqrt(1500))
    assert log_ret.std() == pytest.approx(sigma, rel=0.08)
    daily = np.diff(np.log(paths.btc_price_usd), axis=1)
    assert daily.std() * math.sqrt(365) == pytest.approx(sigma, rel=0.01)


def test_default_volatility_and_start_price(market: MarketFactory) -> None:
    """Defaults: flat expected price, σ = 0.42 (FACTS-derived, see defaults.yaml); an
    ``as_of`` price pins the price on the start date even when the start is after the
    snapshot."""
    config = market(as_of={"btc_price_usd": 70_000})
    assert config.price.volatility_per_year == 0.42  # type: ignore[union-attr]
    start = SNAP + dt.timedelta(days=40)
    paths = simulate_market(config, start, 30, paths=20, seed=1)
    assert np.allclose(paths.btc_price_usd[:, 0], 70_000)
    assert np.std(paths.btc_price_usd[:, -1]) > 0


def test_bootstrap_resamples_blocks_of_the_history(tmp_path: Path, market: MarketFactory) -> None:
    rng = np.random.default_rng(0)
    history = 30_000 * np.exp(np.cumsum(rng.normal(0.001, 0.03, 120)))
    csv = write_prices(tmp_path / "btc.csv", dt.date(2024, 1, 1), [round(p, 2) for p in history])
    config = market(price={"model": "bootstrap", "csv": csv.name, "block_days": 10})
    returns = np.diff(np.log(np.asarray([round(p, 2) for p in history])))
    paths = simulate_market(config, SNAP, 61, paths=8, seed=2)
    sim = np.diff(np.log(paths.btc_price_usd), axis=1)
    index = np.abs(sim[..., None] - returns[None, None, :]).argmin(axis=-1)
    np.testing.assert_allclose(sim, returns[index], atol=1e-12)  # only historical returns
    # blocks of ten consecutive historical days, aligned on the calendar: a new block
    # starts on day k (return k - 1 of sim) when the day's ordinal is a multiple of 10
    ordinals = SNAP.toordinal() + np.arange(1, 61)
    starts_block = ordinals % 10 == 0
    jumps = np.diff(index, axis=-1) != 1
    assert not np.any(jumps[:, ~starts_block[1:]])
    assert len(np.unique(index[:, 1:][:, starts_block[1:]])) > 10  # blocks start at many places
    again = simulate_market(config, SNAP, 61, paths=8, seed=2)
    np.testing.assert_array_equal(again.btc_price_usd, paths.btc_price_usd)


def test_bootstrap_demean_and_gaps(tmp_path: Path, market: MarketFactory) -> None:
    # a rising history with a 3-day gap (spread evenly over the missing days)
    csv = tmp_path / "rising.csv"
    csv.write_text(
        "time,PriceUSD\n2024-01-01,100\n2024-01-02,110\n2024-01-05,146.41\n2024-01-06,161.051\n",
        encoding="utf-8",
    )
    config = market(price={"model": "bootstrap", "csv": str(csv), "block_days": 2})
    series = config.price.series()  # type: ignore[union-attr]
    np.testing.assert_allclose(series.daily_log_returns(), [math.log(1.1)] * 5, rtol=1e-9)
    flat = market(price={"model": "bootstrap", "csv": str(csv), "block_days": 2, "demean": True})
    paths = simulate_market(flat, SNAP, 10, paths=3, seed=0)
    np.testing.assert_allclose(paths.btc_price_usd, bundled_snapshot().btc_price_usd)


def test_deck_is_deterministic_and_interpolated(tmp_path: Path, market: MarketFactory) -> None:
    csv = tmp_path / "deck.csv"
    csv.write_text("date,price_usd\n2026-01-01,100000\n2026-01-11,120000\n", encoding="utf-8")
    config = market(price={"model": "deck", "csv": str(csv)})
    paths = simulate_market(config, dt.date(2025, 12, 30), 16, paths=4, seed=9)
    expected = [100_000.0] * 2 + [100_000 + 2_000 * i for i in range(11)] + [120_000.0] * 3
    for row in paths.btc_price_usd:
        np.testing.assert_allclose(row, expected)
