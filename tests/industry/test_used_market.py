"""The used market (hashshock.industry.used): conservation, the price curve, monotone
in what is offered."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.industry.used import clear, grey_doa_share, grey_premium
from hashshock.inputs.industry import UsedMarket

MARKET = UsedMarket()


@st.composite
def flows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    days = draw(st.integers(2, 90))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    scale = MARKET.turnover_ehs_per_window * 1e6 / MARKET.window_days
    offered = rng.exponential(scale, (3, days)) * (rng.random((3, days)) < 0.3)
    wanted = rng.exponential(scale, (3, days)) * (rng.random((3, days)) < 0.3)
    more = offered + rng.exponential(scale, (3, days)) * (rng.random((3, days)) < 0.5)
    return offered, wanted, more


@settings(max_examples=80, deadline=None)
@given(flows())
def test_machines_bought_are_machines_sold_plus_grey_imports(case: tuple) -> None:
    """Every day: bought = traded + grey; over the run: offered = traded + the stock left."""
    offered, wanted, _ = case
    used = clear(offered, wanted, MARKET)
    np.testing.assert_allclose(used.traded + used.grey, wanted)
    np.testing.assert_allclose(used.traded.sum(1) + used.stock[:, -1], offered.sum(1))
    assert (used.traded >= 0).all() and (used.grey >= -1e-9).all() and (used.stock >= -1e-9).all()
    assert (used.price_factor >= MARKET.floor_factor).all()
    assert (used.price_factor <= 1 + grey_premium(MARKET)).all()


@settings(max_examples=80, deadline=None)
@given(flows())
def test_more_used_supply_never_raises_used_prices(case: tuple) -> None:
    """Paired days: offering more (and wanting the same) never raises the price factor."""
    offered, wanted, more = case
    assert (clear(more, wanted, MARKET).price_factor
            <= clear(offered, wanted, MARKET).price_factor + 1e-12).all()  # fmt: skip


def test_a_window_of_excess_turnover_moves_prices_by_e_to_the_eta() -> None:
    """Offering one window's turnover more than is wanted, spread over the window, lowers
    prices by e^−η at its end; wanting it raises them by e^η (below the grey cap)."""
    days = 2 * MARKET.window_days
    per_day = MARKET.turnover_ehs_per_window * 1e6 / MARKET.window_days
    flood = np.zeros((1, days))
    flood[:, : MARKET.window_days] = per_day
    none = np.zeros((1, days))
    end = MARKET.window_days - 1
    down = clear(flood, none, MARKET).price_factor[0, end]
    up = clear(none, flood, MARKET).price_factor[0, end]
    np.testing.assert_allclose(down, np.exp(-MARKET.sensitivity))
    np.testing.assert_allclose(up, np.exp(MARKET.sensitivity))
    assert clear(none, none, MARKET).price_factor.max() == 1.0
    assert clear(flood, none, MARKET).price_factor[0, -1] == 1.0  # the window has passed


def test_grey_defaults_are_the_grey_channel_row() -> None:
    """The used market's grey premium and dead-on-arrival share default to the grey-parts
    channel's (data/channels.csv), the one source the fleets' grey purchases read too."""
    from hashshock.finance.data import channels

    grey = channels()["grey-parts"]
    assert grey_premium(UsedMarket()) == pytest.approx(grey.price_factor - 1.0, abs=1e-12)
    assert grey_doa_share(UsedMarket()) == grey.doa_share
