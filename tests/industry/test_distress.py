"""Distress spreads (hashshock.industry.distress): a broken operator's sale lowers used
prices, which can break others; never the other way round."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from hashshock.industry import couple, distress
from hashshock.industry.api import industry
from hashshock.industry.distress import OpenOrders
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.industry.result import IndustryResult
from hashshock.inputs.files import read_yaml_mapping

PATHS, DAYS, SEED = 16, 365, 4
ROOT = Path(__file__).resolve().parents[2]


def _bundled(**distress: float | bool) -> dict[str, Any]:
    bundled = load_industry()
    assert bundled.path is not None
    data = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    data["distress"] = distress
    return data


@pytest.fixture(scope="module")
def paired() -> tuple[IndustryResult, IndustryResult]:
    """The bundled `us` under baseline without sales and with 60 % sold on a break, every
    machine sold leaving the US (world hashrate, and so hashprice, as without sales)."""
    calm = _bundled(sell_share=0.0, cancel_orders=False)
    calm_result = industry(industry_from_mapping(calm), ["baseline"], PATHS, DAYS, SEED)
    sold = _bundled(sell_share=0.6, sold_abroad_share=1.0, cancel_orders=False)
    selling = industry(industry_from_mapping(sold), ["baseline"], PATHS, DAYS, SEED)
    return calm_result, selling


def test_sales_never_delay_a_break_and_spread(paired: tuple[IndustryResult, ...]) -> None:
    """On paired paths every member breaks no later with distress sales than without (its
    collateral is marked lower, its hashprice unchanged), and some member breaks
    earlier or only with them: the sale spreads."""
    calm, selling = paired
    spread = False
    for before, after in zip(calm.member_runs(0), selling.member_runs(0), strict=True):
        b, a = before.break_day, after.break_day
        assert not ((b >= 0) & ((a < 0) | (a > b))).any()
        spread |= bool(((a >= 0) & ((b < 0) | (a < b))).any())
    assert spread
    settled = selling.runs.settlements
    assert settled is not None and settled[0].settled and settled[0].rounds > 1
    used = settled[0].used
    assert used.offered.sum() > 0 and used.price_factor.min() < 1.0
    np.testing.assert_allclose(
        calm.runs.networks[0].market.hashprice_usd_per_ph_day,  # type: ignore[index]
        settled[0].network.market.hashprice_usd_per_ph_day,
    )


def test_a_seller_keeps_1_minus_the_share_of_its_machines(
    paired: tuple[IndustryResult, ...],
) -> None:
    """After its sale day a member delivers (1 − s) of what its engine delivered."""
    calm, selling = paired
    settled = selling.runs.settlements
    assert settled is not None
    sellers = [i for i, r in enumerate(calm.member_runs(0)) if r.cash_usd is not None]
    for n, i in enumerate(sellers):
        day = settled[0].sale_day[n]
        engine = calm.member_runs(0)[i].hashrate_ths
        after = selling.member_runs(0)[i].hashrate_ths
        for p in np.nonzero(day >= 0)[0]:
            np.testing.assert_allclose(after[p, day[p] :], 0.4 * engine[p, day[p] :])
            np.testing.assert_array_equal(after[p, : day[p]], engine[p, : day[p]])


def test_a_broken_member_cancels_the_orders_arriving_later() -> None:
    """Orders arriving after the sale day are cancelled from their arrival on: their
    nameplate never installed, their balance not paid; earlier ones are kept."""
    orders = OpenOrders(
        arrival_day=np.array([[3, 3], [8, -1]]), ths=np.array([100.0, 50.0]),
        balance_usd=np.array([1e6, 5e5]),
    )  # fmt: skip
    never, saved = orders.cancelled_after(np.array([5, -1]), 10)
    np.testing.assert_array_equal(never[0], [0] * 8 + [50, 50])
    np.testing.assert_array_equal(never[1], 0)
    assert saved[0, 8] == 5e5 and saved.sum() == 5e5


def test_an_industry_without_money_gets_its_network_and_no_sales(tmp_path: Path) -> None:
    """Members without a finance block cannot break: the network is built from their
    hashrate, the used market stays at its curve, one round."""
    fleet = yaml.safe_load((ROOT / "examples" / "small-farm" / "fleet.yaml").read_text())
    fleet.pop("finance", None)
    file = tmp_path / "fleet.yaml"
    file.write_text(yaml.safe_dump(fleet))
    mapping = {"name": "x", "start_date": str(fleet["start_date"]),
               "operators": [{"name": "a", "fleet": str(file)}]}  # fmt: skip
    result = industry(industry_from_mapping(mapping), ["baseline", "sanctions"], 8, 60, 0)
    assert result.runs.settlements is not None
    for k, settled in enumerate(result.runs.settlements):
        assert settled.rounds == 1 and (settled.used.price_factor == 1.0).all()
        np.testing.assert_array_equal(settled.network.us_ths, result.us_hashrate_ths(k))


def test_later_rounds_price_only_the_paths_whose_sales_moved(
    paired: tuple[IndustryResult, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each path settles on its own, so pricing again only the paths where a break moved
    gives every number of pricing all paths every round, bit for bit."""
    _, selling = paired
    monkeypatch.setattr(couple, "settle", functools.partial(distress.settle, only_changed=False))
    sold = _bundled(sell_share=0.6, sold_abroad_share=1.0, cancel_orders=False)
    every_path = industry(industry_from_mapping(sold), ["baseline"], PATHS, DAYS, SEED)
    assert selling.runs.settlements is not None and every_path.runs.settlements is not None
    assert selling.runs.settlements[0].rounds == every_path.runs.settlements[0].rounds
    for ours, theirs in zip(selling.member_runs(0), every_path.member_runs(0), strict=True):
        for name in ("hashrate_ths", "cash_usd", "revenue_usd", "covenant_breach_day",
                     "cash_out_day", "collateral_at_break"):  # fmt: skip
            np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert selling.to_dict() == every_path.to_dict()


def test_a_missed_hashrate_commitment_breaks_nobody(tmp_path: Path) -> None:
    """An operator with cash to spare that misses an investor's hashrate commitment on
    every path sells no machine and defaults on no loan; the same operator under a
    liquidity floor above its cash breaks on every path, sells and defaults."""
    from tests.conftest import small_fleet

    loan = {"name": "loan", "principal_usd": 100_000, "rate_per_year": 0.1,
            "maturity_date": "2029-12-01"}  # fmt: skip
    commitment = {"name": "promise", "type": "hashrate_commitment",
                  "quarters": [{"quarter_end": "2027-02-28", "min_ths": 1.0e9}]}  # fmt: skip
    floor = {"name": "floor", "type": "min_liquidity", "value": 1.0e9}

    def run(covenant: dict[str, Any]) -> dict[str, Any]:
        fleet = small_fleet(start_date="2026-12-01", finance={
            "cash_usd": 50_000_000, "loans": [loan], "covenants": [covenant]})  # fmt: skip
        file = tmp_path / f"{covenant['name']}.yaml"
        file.write_text(yaml.safe_dump(fleet), encoding="utf-8")
        data = {"name": "one", "start_date": "2026-12-01",
                "operators": [{"name": "op", "fleet": str(file)}],
                "portfolio": {"operators_own_loans": True}}  # fmt: skip
        result = industry(industry_from_mapping(data), ["baseline"], 8, 120, SEED)
        return result.to_dict()["scenarios"]["baseline"]

    missed = run(commitment)
    (first,) = missed["first_to_break"]["financial"]
    assert first["probability_break"] == 0
    assert missed["lender"]["loans"][0]["probability_default"] == 0
    assert missed["lender"]["expected_loss_usd"] == 0
    broken = run(floor)
    (first,) = broken["first_to_break"]["financial"]
    assert first["probability_break"] == 1
    assert broken["lender"]["loans"][0]["probability_default"] == 1


def test_a_member_that_sells_every_machine_sells_them_all() -> None:
    """``sell_share: 1``: the sale was priced from the nameplate left after it divided by
    1 − s (0/0, a traceback); it is priced from the nameplate before it. The member
    delivers nothing after its sale day, and offers the used market twice what selling
    half offers, on the same paths and sale days; nothing in the JSON is NaN."""
    import json

    floor = {"name": "liq", "type": "min_liquidity", "value": 10000}  # above its cash

    def run(share: float) -> IndustryResult:
        data = {"name": "t", "start_date": "2026-12-01", "distress": {
            "sell_share": share, "sold_abroad_share": 0.0, "cancel_orders": False},
            "operators": [{"name": "fragile", "template": "hosted-client", "machines": 2000,
                           "finance": {"cash_usd": 20000, "covenants": [floor]}}]}  # fmt: skip
        return industry(industry_from_mapping(data), ["baseline"], 5, 30, 0)

    whole, half = run(1.0), run(0.5)
    json.dumps(whole.to_dict(), allow_nan=False)
    assert whole.runs.settlements is not None and half.runs.settlements is not None
    sold, halved = whole.runs.settlements[0], half.runs.settlements[0]
    np.testing.assert_array_equal(sold.sale_day[0], halved.sale_day[0])
    assert (sold.sale_day[0] >= 0).all()
    (member,) = whole.member_runs(0)
    for p, day in enumerate(sold.sale_day[0]):
        assert (member.hashrate_ths[p, day:] == 0).all()
    assert sold.used.offered.sum() == 2 * halved.used.offered.sum() > 0
