"""The shared network: world = operators + rest of world, difficulty retargets from it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from numpy.typing import NDArray

from hashshock.industry.network import SharedNetwork, shared_network
from hashshock.inputs.industry import RestOfWorld
from hashshock.market import MarketConfig, load_market, simulate_market

START = date(2026, 12, 1)
DAYS, PATHS, SEED = 70, 3, 2
US_EHS, REST_EHS = 400.0, 800.0


def _quiet_market(feedback: float = 0.0) -> MarketConfig:
    """The bundled market without hashrate noise (and, by default, without feedback)."""
    config = load_market(None)
    network = config.network.model_copy(
        update={"volatility_per_year": 0.0, "hashprice_feedback_per_year": feedback}
    )
    return config.model_copy(update={"network": network})


def _network(
    config: MarketConfig, us_ths: NDArray[np.float64], growth: float | None = 0.0
) -> SharedNetwork:
    prices = simulate_market(config, START, DAYS, PATHS, SEED)
    rest = RestOfWorld(hashrate_ehs=REST_EHS, growth_per_year=growth)
    return shared_network(config, prices, us_ths, rest, SEED)


@pytest.mark.parametrize("cut", [0.1, 0.3, 0.6])
def test_retarget_follows_world_hashrate(cut: float) -> None:
    """US hashrate forced down by ``cut`` from day 0: after two full retarget windows at
    constant world hashrate W, D ∝ W (D' = D · 14 days / T₂₀₁₆), so difficulty falls by
    W_cut / W and every remaining TH/s earns W / W_cut times as much."""
    config = _quiet_market()
    base_us = np.full((PATHS, DAYS), US_EHS * 1e6)
    base = _network(config, base_us)
    hit = _network(config, base_us * (1 - cut))
    world, world_cut = US_EHS + REST_EHS, US_EHS * (1 - cut) + REST_EHS
    np.testing.assert_allclose(base.market.network_hashrate_ths, world * 1e6, rtol=1e-12)
    np.testing.assert_allclose(hit.market.network_hashrate_ths, world_cut * 1e6, rtol=1e-12)
    np.testing.assert_allclose(hit.us_share, US_EHS * (1 - cut) / world_cut, rtol=1e-12)
    # before either chain retargets, both have the snapshot's difficulty: same hashprice
    same = (base.market.difficulty == base.market.difficulty[:, :1]) & (
        hit.market.difficulty == hit.market.difficulty[:, :1]
    )
    assert same[:, 0].all()
    np.testing.assert_array_equal(
        base.market.hashprice_usd_per_ph_day[same], hit.market.hashprice_usd_per_ph_day[same]
    )
    # the last day lies after two retargets of each chain at constant W
    changes = (np.diff(hit.market.difficulty, axis=1) != 0).sum(axis=1)
    assert (changes >= 2).all()
    ratio = hit.market.difficulty[:, -1] / base.market.difficulty[:, -1]
    np.testing.assert_allclose(ratio, world_cut / world, rtol=1e-6)
    earn = hit.market.hashprice_usd_per_ph_day[:, -1] / base.market.hashprice_usd_per_ph_day[:, -1]
    np.testing.assert_allclose(earn, world / world_cut, rtol=1e-6)


def test_more_us_loss_never_lowers_hashprice() -> None:
    """Paired paths, with the hashprice feedback on: the more US hashrate is lost, the
    lower the US share every day and, once the chain with the larger loss has retargeted
    twice (a slower chain reaches its retarget later, so around the first one a day can go
    either way), the higher every day's hashprice and the larger the rest of the world."""
    config = _quiet_market(feedback=load_market(None).network.hashprice_feedback_per_year)
    us = np.full((PATHS, DAYS), US_EHS * 1e6)
    previous = None
    for cut in (0.0, 0.2, 0.5):
        net = _network(config, us * (1 - cut), growth=None)
        if previous is not None:
            assert (net.us_share[:, 1:] < previous.us_share[:, 1:]).all()
            changed = np.cumsum(np.diff(net.market.difficulty, axis=1) != 0, axis=1)
            settled = np.zeros_like(net.us_share, dtype=bool)
            settled[:, 1:] = changed >= 2
            assert settled[:, -1].all()
            hashprice = net.market.hashprice_usd_per_ph_day
            assert (hashprice >= previous.market.hashprice_usd_per_ph_day)[settled].all()
            assert (net.rest_of_world_ths[:, -1] > previous.rest_of_world_ths[:, -1]).all()
        previous = net


def test_a_rest_of_world_given_sets_the_day_0_network_once() -> None:
    """``rest_of_world.hashrate_ehs`` sets the day-0 network (and so the difficulty) to it
    plus the operators' nameplate, as the market's network hashrate would — it used to
    leave the market's difficulty, a network 30 % off it and a hashprice windfall until
    the first retarget; with the market giving the network too it is refused."""
    from pathlib import Path

    from hashshock.industry.api import validate_industry
    from hashshock.industry.load import industry_from_mapping
    from hashshock.inputs.errors import InputError
    from hashshock.market.start import market_start

    fleet = Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml"
    data = {"name": "small", "start_date": "2026-12-01",
            "rest_of_world": {"hashrate_ehs": REST_EHS},
            "operators": [{"name": "farm", "fleet": str(fleet)}]}  # fmt: skip
    loaded = industry_from_mapping(data)
    nameplate = loaded.members[0].loaded.nameplate_ths
    inputs = validate_industry(loaded, ["baseline"])
    start = market_start(inputs.market, START)
    assert start.network_hashrate_ths == pytest.approx(REST_EHS * 1e6 + nameplate, rel=1e-9)
    bundled = load_market(None)
    as_of = bundled.as_of.model_copy(update={"difficulty": 1.5e14})
    with pytest.raises(InputError) as raised:
        validate_industry(loaded, ["baseline"],
                          market=bundled.model_copy(update={"as_of": as_of}))  # fmt: skip
    assert raised.value.field == "rest_of_world.hashrate_ehs"
