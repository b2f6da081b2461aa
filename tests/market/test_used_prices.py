"""Used-ASIC prices by tier: follow hashprice, reproduce the 2021-22 collapse, jump on a
supply cut and relax afterwards."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from tests.market.conftest import MarketFactory

from hashshock.market import (
    TIERS,
    MarketConfig,
    bundled_snapshot,
    difficulty_hashrate_ths,
    simulate_market,
)

SNAP = dt.date(2025, 12, 29)
FROZEN_NETWORK = {"growth_per_year": 0.0, "hashprice_feedback_per_year": 0.0}


def deck_market(market: MarketFactory, tmp_path: Path, rows: str, **extra: object) -> MarketConfig:
    csv = tmp_path / "deck.csv"
    csv.write_text("date,price_usd\n" + rows, encoding="utf-8")
    return market(price={"model": "deck", "csv": str(csv)}, network=FROZEN_NETWORK, **extra)


def test_prices_at_the_reference_equal_the_tier_table(market: MarketFactory) -> None:
    config = market()
    paths = simulate_market(config, SNAP, 1, paths=2, seed=0)
    for tier in TIERS:
        expected = config.used_prices.tiers[tier].usd_per_th  # type: ignore[index]
        assert paths.used_price_usd_per_th[tier][0, 0] == pytest.approx(expected, rel=1e-4)
    assert paths.used_price_for(17.5) is paths.used_price_usd_per_th["under19"]


def test_prices_follow_smoothed_hashprice(tmp_path: Path, market: MarketFactory) -> None:
    """p_k = p_ref · (HP̃_k / HP_ref)^ε · e^{−δ t}, HP̃ smoothed with α = 1 − e^{−1/lag}."""
    config = deck_market(market, tmp_path, "2025-12-29,87133.51\n2026-03-01,60000\n")
    paths = simulate_market(config, SNAP, 200, paths=1, seed=0)
    used = config.used_prices
    hp = paths.hashprice_usd_per_ph_day[0]
    alpha = 1 - math.exp(-1 / used.lag_days)
    smooth, level = hp[0], []
    for value in hp:
        smooth += alpha * (value - smooth)
        level.append(smooth)
    years = np.arange(200) / 365
    for tier in TIERS:
        p = used.tiers[tier]  # type: ignore[index]
        expected = (
            p.usd_per_th
            * (np.asarray(level) / used.reference_hashprice_usd_per_ph_day) ** p.elasticity
            * np.exp(-p.obsolescence_per_year * years)
        )
        np.testing.assert_allclose(paths.used_price_usd_per_th[tier][0], expected, rtol=1e-10)
    # the less efficient the tier, the harder it falls
    falls = [
        paths.used_price_usd_per_th[t][0, -1] / paths.used_price_usd_per_th[t][0, 0] for t in TIERS
    ]
    assert falls == sorted(falls, reverse=True)


def test_reproduces_the_2021_22_collapse(tmp_path: Path, market: MarketFactory) -> None:
    """FACTS.md §4.6: the <38 J/TH tier fell 86.8 % ($119.25 → $15.71/TH, May 2021 → Dec
    2022) while hashprice fell from its 2021 high $412.57 to the 2022 low $55.94 (−86.4 %,
    [S115]). Replaying that hashprice fall over the same 597 days with the efficient tiers'
    defaults (ε = 1, δ = 10 %/year) lands within 2.5 points of the published fall."""
    end = SNAP + dt.timedelta(days=597)
    price_end = 87133.51 * 55.94 / 412.57
    steady = float(difficulty_hashrate_ths(bundled_snapshot().difficulty)) / 1e6  # EH/s
    config = deck_market(market, tmp_path, f"{SNAP},87133.51\n{end},{price_end}\n")
    config = market(
        price={"model": "deck", "csv": str(tmp_path / "deck.csv")},
        network={**FROZEN_NETWORK, "snapshot": {"network_hashrate_ehs": steady}},
    )
    paths = simulate_market(config, SNAP, 700, paths=1, seed=0)
    assert paths.hashprice_usd_per_ph_day[0, 650] / paths.hashprice_usd_per_ph_day[0, 0] == (
        pytest.approx(55.94 / 412.57, rel=1e-9)
    )
    for tier in ("under19", "19to25"):
        prices = paths.used_price_usd_per_th[tier][0]
        # 84.9 % after the same 597 days: the 30-day lag holds it back a little, the
        # 10 %/year obsolescence [E] pushes it further (88.0 % a lag later)
        assert 1 - prices[597] / prices[0] == pytest.approx(0.868, abs=0.025)
        assert 1 - prices[650] / prices[0] == pytest.approx(0.868, abs=0.025)


def test_supply_cut_premium_builds_and_fades(tmp_path: Path, market: MarketFactory) -> None:
    """While supply is cut the premium builds as 1 − e^{−n/rise}; afterwards it fades as
    e^{−m/relax}. Defaults: +24 % for the efficient tiers (FACTS.md §4.6 [S120] [U]),
    +12 % for 25-38 J/TH, none below."""
    config = deck_market(market, tmp_path, "2025-12-29,87133.51\n")
    days = 250
    cut = np.zeros((2, days), dtype=bool)
    cut[1, 10:100] = True
    paths = simulate_market(config, SNAP, days, paths=2, seed=0, supply_cut=cut)
    np.testing.assert_array_equal(
        paths.hashprice_usd_per_ph_day[0], paths.hashprice_usd_per_ph_day[1]
    )
    used = config.used_prices
    for tier, jump in (("under19", 0.24), ("19to25", 0.24), ("25to38", 0.12), ("above68", 0.0)):
        prices = paths.used_price_usd_per_th[tier]
        ratio = prices[1] / prices[0]
        assert np.all(ratio[:10] == 1.0)
        n = np.arange(1, 91)
        np.testing.assert_allclose(
            ratio[10:100], 1 + jump * (1 - np.exp(-n / used.jump_rise_days)), rtol=1e-9
        )
        m = np.arange(1, days - 99)
        top = 1 - math.exp(-90 / used.jump_rise_days)
        np.testing.assert_allclose(
            ratio[100:], 1 + jump * top * np.exp(-m / used.jump_relax_days), rtol=1e-9
        )
    assert (
        paths.used_price_usd_per_th["under19"][1, 99]
        / paths.used_price_usd_per_th["under19"][0, 99]
        > 1.23
    )


def test_a_negative_jump_models_a_dump(tmp_path: Path, market: MarketFactory) -> None:
    """A regional ban that floods the market (2021 China ban: new-generation prices −50 %,
    FACTS.md §4.6 [S98]) is a jump of −0.5."""
    config = deck_market(
        market,
        tmp_path,
        "2025-12-29,87133.51\n",
        used_prices={"tiers": {"under19": {"jump_on_supply_cut": -0.5}}},
    )
    cut = np.ones((1, 120), dtype=bool)
    base = simulate_market(config, SNAP, 120, paths=1, seed=0)
    dumped = simulate_market(config, SNAP, 120, paths=1, seed=0, supply_cut=cut)
    ratio = (
        dumped.used_price_usd_per_th["under19"][0, -1]
        / base.used_price_usd_per_th["under19"][0, -1]
    )
    assert ratio == pytest.approx(0.5, abs=0.01)
