"""Replacement machines bought on the used market (``replacement.used_share``;
hashshock.industry.used ``received`` / ``paid_usd``): what arrives, when, at what price,
and what the bundled industry's buyers do to the used market under sanctions."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.finance.data import channels
from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.industry.result import IndustryResult
from hashshock.industry.used import (
    Purchases,
    clear,
    grey_doa_share,
    grey_premium,
    paid_usd,
    received,
    traded_share,
)
from hashshock.inputs.files import read_yaml_mapping
from hashshock.inputs.industry import UsedMarket

MARKET = UsedMarket()
PATHS, DAYS, SEED = 12, 365, 1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(60, 200))
def test_used_machines_arrive_after_their_channel_less_the_dead(seed: int, days: int) -> None:
    """Of a day's purchase the dealers' share arrives after the used-machines lead less
    its dead-on-arrival share, the grey share after the grey lead less the grey DOA;
    checked day by day against the purchases one at a time."""
    rng = np.random.default_rng(seed)
    dealers, grey = channels()["used-machines"], channels()["grey-parts"]
    on_days = np.sort(rng.choice(days, size=5, replace=False))
    bought = Purchases(on_days, rng.exponential(1e4, (2, 5)))
    share = rng.uniform(0.0, 1.0, (2, days))
    expected = np.zeros((2, days))
    for n, day in enumerate(on_days):
        for part, lead, dead in ((share[:, day], dealers.lead_time_days, dealers.doa_share),
                                 (1 - share[:, day], grey.lead_time_days,
                                  grey_doa_share(MARKET))):  # fmt: skip
            if day + lead < days:
                expected[:, day + lead :] += (bought.ths[:, n] * part * (1 - dead))[:, None]
    np.testing.assert_allclose(received(bought, share, MARKET), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31))
def test_dealers_machines_at_the_cleared_price_grey_at_the_premium(seed: int) -> None:
    """From the dealers a buyer pays the curve × the cleared factor, for grey imports the
    curve × (1 + premium) — the price the cleared factor never exceeds — so a purchase
    costs more the less of it the dealers' stock meets."""
    rng = np.random.default_rng(seed)
    every_day = np.arange(30)
    bought = Purchases(every_day, rng.exponential(1e4, (2, 30)))
    curve = rng.uniform(2.0, 20.0, (2, 30))
    factor = rng.uniform(MARKET.floor_factor, 1 + grey_premium(MARKET), (2, 30))
    ones, zeros = np.ones((2, 30)), np.zeros((2, 30))
    np.testing.assert_allclose(paid_usd(bought, ones, factor, MARKET, curve),
                               bought.ths * curve * factor)  # fmt: skip
    np.testing.assert_allclose(paid_usd(bought, zeros, factor, MARKET, curve),
                               bought.ths * curve * (1 + grey_premium(MARKET)))  # fmt: skip
    half = paid_usd(bought, 0.5 * ones, factor, MARKET, curve)
    assert (half <= paid_usd(bought, zeros, factor, MARKET, curve) + 1e-9).all()
    some = Purchases(np.array([3, 17]), bought.ths[:, [3, 17]])
    paid = paid_usd(some, ones, factor, MARKET, curve[:, [3, 17]])
    np.testing.assert_allclose(paid[:, [3, 17]], some.ths * curve[:, [3, 17]] * factor[:, [3, 17]])
    assert (np.delete(paid, [3, 17], axis=1) == 0).all()  # paid on the days bought only


def test_what_the_dealers_cannot_meet_is_imported_grey() -> None:
    """The dealers' share of each day's wants is what their stock met: all of it while the
    stock lasts, none of it once empty (then grey imports), 1 on days nothing is wanted."""
    offered = np.array([[10.0, 0.0, 0.0, 0.0]])
    wanted = np.array([[0.0, 4.0, 8.0, 5.0]])
    share = traded_share(clear(offered, wanted, MARKET))
    np.testing.assert_allclose(share, [[1.0, 1.0, 0.75, 0.0]])


def _bundled(used_share: float) -> IndustryResult:
    bundled = load_industry()
    assert bundled.path is not None
    data: dict[str, Any] = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    data["replacement"]["used_share"] = used_share
    return industry(industry_from_mapping(data), ["baseline", "sanctions"], PATHS, DAYS, SEED)


@pytest.fixture(scope="module")
def paired() -> tuple[IndustryResult, IndustryResult]:
    return _bundled(0.0), _bundled(0.5)


def test_replacement_buyers_make_used_machines_hot_under_sanctions(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """The articles: under sanctions used Antminers are suddenly in demand and grey
    imports appear. With half the replacements bought used, the used market sees wants
    (none without), grey imports on some path, and machines bought = machines sold +
    grey imports; the same orders are placed, and US replacement deliveries are higher
    within the first months (used machines come in weeks, new ones queue)."""
    all_new, half_used = paired
    assert all_new.runs.settlements is not None and half_used.runs.settlements is not None
    before, after = all_new.runs.settlements[1].used, half_used.runs.settlements[1].used
    assert before.wanted.sum() == 0
    assert after.wanted.sum() > 0 and after.grey.sum() > 0
    np.testing.assert_allclose(after.traded + after.grey, after.wanted)
    assert (after.traded.sum(axis=1) <= after.offered.sum(axis=1) + 1e-6).all()
    us = [r.to_dict()["scenarios"]["sanctions"]["us"] for r in paired]
    np.testing.assert_allclose(us[0]["replacement_ordered_ehs"]["p50"],
                               us[1]["replacement_ordered_ehs"]["p50"])  # fmt: skip
    day = 90
    assert (us[1]["replacement_delivered_ehs"]["p50"][day]
            > us[0]["replacement_delivered_ehs"]["p50"][day])  # fmt: skip
    # baseline orders no replacements: the two industries' baselines are the same run
    np.testing.assert_array_equal(all_new.us_hashrate_ths(0), half_used.us_hashrate_ths(0))
