"""A network-wide shock cushions hashprice for everyone; common random numbers hold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from tests.market.conftest import MarketFactory

from hashshock.market import (
    hashprice_cushion,
    load_market,
    network_shock_multiplier,
    simulate_market,
)

START = dt.date(2026, 3, 1)


def _default_shock(lost: np.ndarray) -> np.ndarray:
    """The multiplier with the market defaults' shares (data/market/defaults.yaml)."""
    network = load_market(None).network
    return network_shock_multiplier(
        lost, us_share=network.us_share, vendor_share=network.vendor_share
    )


def test_multiplier_formula() -> None:
    """1 − US share × Bitmain share × lost share, with the shares the market gives."""
    lost = np.array([[0.0, 0.5, 1.0]])
    network = load_market(None).network
    exposed = network.us_share * network.vendor_share
    np.testing.assert_allclose(_default_shock(lost), 1.0 - exposed * lost)
    assert float(network_shock_multiplier(0.5, us_share=0.4, vendor_share=0.9)) == pytest.approx(
        0.82
    )
    with pytest.raises(ValueError):
        network_shock_multiplier(1.2, us_share=0.4, vendor_share=0.9)


def test_network_wide_shock_gives_higher_hashprice_than_local() -> None:
    """Same seed, same BTC prices; the shock kept local leaves the network untouched, the
    network-wide one takes us_share × vendor_share × lost off its hashrate from day 20
    (mid-window: the windows close on days 16 and 30). Until the next retarget both earn
    the same per TH — fewer blocks, but a larger share of each; from it on the
    network-wide case earns strictly more, on every path."""
    config = load_market(None)
    paths, days, shock = 64, 240, 20
    lost = np.zeros((paths, days))
    lost[:, shock:] = np.linspace(0.2, 0.9, paths)[:, None]  # differs by path
    multiplier = _default_shock(lost)
    local = simulate_market(config, START, days, paths, seed=11)
    wide = simulate_market(config, START, days, paths, seed=11, hashrate_multiplier=multiplier)

    np.testing.assert_array_equal(local.btc_price_usd, wide.btc_price_usd)
    assert np.all(wide.network_hashrate_ths[:, shock:] < local.network_hashrate_ths[:, shock:])
    hp_local, hp_wide = local.hashprice_usd_per_ph_day, wide.hashprice_usd_per_ph_day
    assert np.all(hp_wide >= hp_local * (1 - 1e-12))
    first = np.argmax(wide.difficulty[:, shock:] < local.difficulty[:, shock:], axis=1) + shock
    assert np.all((first > shock + 5) & (first < shock + 16))  # the window closing next
    for p in range(paths):
        day = first[p]
        np.testing.assert_allclose(hp_wide[p, :day], hp_local[p, :day], rtol=1e-12)
        assert np.all(hp_wide[p, day:] > hp_local[p, day:])
    cushion = hashprice_cushion(local, wide)
    # a few weeks on, difficulty has absorbed the lost hashrate: +25 % to +36 % on the path
    # that lost 90 % (a 26 % smaller network: 1 / 0.741 = 1.35), less on the others
    assert 0.25 < cushion[-1, 75] < 0.36
    assert np.all(np.diff(cushion[:, 75]) > 0)


def test_price_feedback_lets_others_fill_the_gap_over_time(market: MarketFactory) -> None:
    """With the default hashprice feedback the rest of the network grows into a network-wide
    shock, so the cushion fades; without feedback it stays."""
    paths, days = 4, 720
    multiplier = _default_shock(np.full((paths, days), 0.8))
    cushions = []
    for feedback in (0.5, 0.0):
        config = market(network={"hashprice_feedback_per_year": feedback})
        local = simulate_market(config, START, days, paths, seed=3)
        wide = simulate_market(config, START, days, paths, seed=3, hashrate_multiplier=multiplier)
        cushions.append(hashprice_cushion(local, wide))
    with_feedback, without = cushions
    assert np.all(with_feedback[:, 60:] > 0) and np.all(without[:, 60:] > 0)
    assert np.all(with_feedback[:, -1] < 0.8 * without[:, -1])


def test_common_random_numbers() -> None:
    """Same seed: identical price paths whatever the path count or horizon; a run that
    starts later (from its own known start state) sees the same daily price moves on the
    same calendar days; another seed: different ones."""
    config = load_market(None)
    small = simulate_market(config, START, 60, paths=5, seed=42)
    large = simulate_market(config, START, 90, paths=40, seed=42)
    np.testing.assert_array_equal(small.btc_price_usd, large.btc_price_usd[:5, :60])
    np.testing.assert_array_equal(
        small.hashprice_usd_per_ph_day, large.hashprice_usd_per_ph_day[:5, :60]
    )
    later = simulate_market(config, START + dt.timedelta(days=10), 50, paths=5, seed=42)
    np.testing.assert_allclose(
        np.diff(np.log(later.btc_price_usd), axis=1),
        np.diff(np.log(small.btc_price_usd[:, 10:]), axis=1),
        rtol=1e-9, atol=1e-12,
    )  # fmt: skip
    assert np.ptp(later.btc_price_usd[:, 0]) == 0  # its own day 0 is known
    other = simulate_market(config, START, 60, paths=5, seed=43)
    assert not np.allclose(other.btc_price_usd, small.btc_price_usd)


def test_bad_multiplier_shapes_and_values() -> None:
    config = load_market(None)
    with pytest.raises(ValueError, match="broadcast"):
        simulate_market(config, START, 10, 3, 0, hashrate_multiplier=np.ones((2, 10)))
    with pytest.raises(ValueError, match="positive"):
        simulate_market(config, START, 10, 3, 0, hashrate_multiplier=np.zeros((3, 10)))
