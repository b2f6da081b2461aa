"""Difficulty follows the protocol rule on deterministic hashrate paths; the halving happens
at block 1,050,000.

The reference below is independent of the day-based engine: it walks block by block,
spending ``D · 2^32`` hashes per block out of each day's budget ``H_k · 10^12 · 86 400``
(the same expected-time model, without segments), and retargets every 2016 blocks with
Bitcoin Core's rule ``D' = D · clip(1 209 600 s / T_2016, 1/4, 4)``.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from tests.market.conftest import MarketFactory

from hashshock.market import difficulty_hashrate_ths, simulate_market

START = dt.date(2026, 1, 1)
D0 = 100e12
H_D0 = float(difficulty_hashrate_ths(D0))  # TH/s at which D0 gives 10-minute blocks


def flat_network(market: MarketFactory, height: int, hashrate_ths: float, growth: float = 0.0):  # type: ignore[no-untyped-def]
    """A market whose hashrate path is exactly ``hashrate_ths · (1+growth)^(k/365) · m_k``."""
    return market(
        price={"model": "gbm", "drift_per_year": 0.0, "volatility_per_year": 0.0},
        network={
            "growth_per_year": growth,
            "hashprice_feedback_per_year": 0.0,
            "volatility_per_year": 0.0,
            "fee_share": 0.01,
            "snapshot": {
                "date": START.isoformat(),
                "difficulty": D0,
                "network_hashrate_ehs": hashrate_ths / 1e6,
                "block_height": height,
                "epoch_elapsed_days": 0.0,
            },
        },
    )


def reference_difficulties(
    hashrate_ths: np.ndarray, difficulty: float, first_height: int
) -> tuple[np.ndarray, np.ndarray]:
    """Block-by-block reference: difficulty at each day's end and blocks per day."""
    days = hashrate_ths.size
    out = np.empty(days)
    blocks = np.zeros(days)
    day, left = 0, hashrate_ths[0] * 1e12 * 86_400.0  # hashes left in the current day
    now, epoch_start = 0.0, 0.0  # seconds
    height = first_height
    while day < days:
        need = difficulty * 2.0**32
        while need > 0 and day < days:
            if left >= need:
                left -= need
                now = (day + 1) * 86_400.0 - left / (hashrate_ths[day] * 1e12)
                need = 0.0
            else:
                need -= left
                out[day] = difficulty
                day += 1
                if day < days:
                    left = hashrate_ths[day] * 1e12 * 86_400.0
        if need > 0:
            break
        blocks[day] += 1
        height += 1
        if height % 2016 == 0:  # the block just mined closed a window
            factor = 1_209_600.0 / (now - epoch_start)
            difficulty *= min(max(factor, 0.25), 4.0)
            epoch_start = now
    return out, blocks


def test_difficulty_tracks_a_growing_hashrate(market: MarketFactory) -> None:
    """Hashrate growing 60 %/year with a dip to 70 % on days 40-70: every retarget matches."""
    days = 150
    config = flat_network(market, height=2016 * 470 - 1, hashrate_ths=H_D0, growth=0.6)
    mult = np.ones(days)
    mult[40:70] = 0.7
    paths = simulate_market(config, START, days, paths=2, seed=0, hashrate_multiplier=mult)
    expected_h = H_D0 * np.exp(np.arange(days) * math.log1p(0.6) / 365) * mult
    np.testing.assert_allclose(paths.network_hashrate_ths[0], expected_h, rtol=1e-12)
    ref_d, ref_blocks = reference_difficulties(expected_h, D0, 2016 * 470)
    np.testing.assert_allclose(paths.difficulty[0], ref_d, rtol=1e-9)
    assert len(np.unique(np.round(ref_d / 1e9))) >= 8  # several retargets happened
    # expected (fractional) blocks vs whole reference blocks agree over the run
    assert paths.blocks[0].sum() == pytest.approx(ref_blocks.sum(), abs=1.0)


def test_twice_the_hashrate_doubles_difficulty_after_one_week(market: MarketFactory) -> None:
    config = flat_network(market, height=2016 * 470 - 1, hashrate_ths=2 * H_D0)
    paths = simulate_market(config, START, 20, paths=1, seed=0)
    d = paths.difficulty[0]
    assert np.all(d[:6] == D0)  # 2016 blocks at 288 a day take exactly 7 days
    assert d[6] == pytest.approx(2 * D0, rel=1e-12)  # window closes at the end of day 7
    assert np.all(paths.blocks[0, :7] == pytest.approx(288.0))
    assert np.all(paths.blocks[0, 8:] == pytest.approx(144.0))
    assert np.all(d[7:] == pytest.approx(2 * D0, rel=1e-12))


@pytest.mark.parametrize("ratio, factor", [(10.0, 4.0), (0.1, 0.25)])
def test_retarget_is_clamped_to_four(market: MarketFactory, ratio: float, factor: float) -> None:
    """Ten times the hashrate moves difficulty ×4, then ×2.5; a tenth moves it ÷4."""
    days = 200 if ratio < 1 else 10
    config = flat_network(market, height=2016 * 470 - 1, hashrate_ths=ratio * H_D0)
    d = simulate_market(config, START, days, paths=1, seed=0).difficulty[0]
    changes = d[np.flatnonzero(np.diff(d)) + 1] / d[np.flatnonzero(np.diff(d))]
    assert changes[0] == pytest.approx(factor, rel=1e-12)
    if ratio > 1:
        assert changes[1] == pytest.approx(2.5, rel=1e-9)  # 10 / 4


def test_halving_at_block_1_050_000(market: MarketFactory) -> None:
    """100 blocks before the halving at 144 a day: day 0 blends 100 blocks at 3.125 BTC and
    44 at 1.5625 BTC; from day 1 one TH/s earns exactly half of the pre-halving amount."""
    height = 1_050_000 - 101  # tip; the next block is 1,049,900
    config = flat_network(market, height=height, hashrate_ths=H_D0)
    paths = simulate_market(config, START, 3, paths=1, seed=0)
    full = 86_400e12 / (D0 * 2**32) * 3.125 / 0.99
    assert paths.btc_per_th_day[0, 0] == pytest.approx(full * (100 + 44 / 2) / 144, rel=1e-12)
    assert paths.btc_per_th_day[0, 1] == pytest.approx(full / 2, rel=1e-12)
    assert list(paths.subsidy_btc[0]) == [1.5625, 1.5625, 1.5625]
    assert paths.block_height[0, 0] == pytest.approx(1_050_000 - 101 + 144)


def test_expected_halving_date_from_the_bundled_snapshot(market: MarketFactory) -> None:
    """At the snapshot's hashrate with no growth the halving comes in early-to-mid 2028
    (FACTS.md §4.1: next halving at block 1,050,000, expected ~2028)."""
    config = market(network={"growth_per_year": 0.0, "hashprice_feedback_per_year": 0.0})
    paths = simulate_market(config, dt.date(2025, 12, 29), 1000, paths=1, seed=0)
    day = int(np.argmax(paths.subsidy_btc[0] < 3))
    assert (
        dt.date(2028, 1, 1) < dt.date(2025, 12, 29) + dt.timedelta(days=day) < dt.date(2028, 7, 1)
    )
