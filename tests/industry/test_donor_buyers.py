"""Cannibalisation buyers on the used market (``donor_buyers``; docs/industry.md, "Used
and grey markets"): every operator with a finance block buys used machines for their
parts (docs/model.md, *Cannibalisation*, C4), and what it buys is wanted on the shared
used market."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping, load_industry, with_donor_buyers
from hashshock.industry.result import IndustryResult
from hashshock.inputs.files import read_yaml_mapping
from hashshock.inputs.industry import DonorBuyers

PATHS, DAYS, SEED = 12, 365, 1


def _bundled_mapping(donor_buyers: dict[str, Any] | None) -> dict[str, Any]:
    """The bundled ``us`` industry with ``donor_buyers`` and no replacement bought used
    (so that what the used market is asked for is the donors alone)."""
    bundled = load_industry()
    assert bundled.path is not None
    data: dict[str, Any] = copy.deepcopy(read_yaml_mapping(bundled.path))
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    data["replacement"]["used_share"] = 0.0
    data.pop("donor_buyers", None)
    if donor_buyers is not None:
        data["donor_buyers"] = donor_buyers
    return data


def test_members_with_money_take_the_rule_unless_their_fleet_says() -> None:
    """Every member with a finance block runs the rule with the industry's share and
    review; a member without money buys nothing; a fleet that sets ``donor_machines``
    keeps its own choice."""
    buyers = DonorBuyers(share=0.5, review_days=14)
    loaded = industry_from_mapping(_bundled_mapping(buyers.model_dump()))
    with_money = [m.loaded.fleet.finance for m in loaded.members]
    assert any(f is not None for f in with_money)
    for finance in with_money:
        if finance is not None:
            rule = finance.replacement
            assert rule.donor_machines and rule.donor_share == 0.5
            assert rule.donor_review_days == 14
    assert with_donor_buyers(None, buyers) is None
    own = {"cash_usd": 1.0, "replacement": {"donor_machines": False}}
    assert with_donor_buyers(own, buyers) is own
    kept = with_donor_buyers({"cash_usd": 1.0, "replacement": {"grey_market_parts": True}},
                             buyers)  # fmt: skip
    assert kept["replacement"] == {"grey_market_parts": True, "donor_machines": True,
                                   "donor_share": 0.5, "donor_review_days": 14}  # fmt: skip


@pytest.fixture(scope="module")
def paired() -> tuple[IndustryResult, IndustryResult]:
    """The bundled industry under baseline and sanctions, without and with donor buyers."""
    runs = []
    for buyers in (None, {"share": 1.0, "review_days": 7}):
        loaded = industry_from_mapping(_bundled_mapping(buyers))
        runs.append(industry(loaded, ["baseline", "sanctions"], PATHS, DAYS, SEED))
    return runs[0], runs[1]


def test_donor_buyers_want_used_machines_and_keep_us_hashrate_under_sanctions(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """The articles: under sanctions operators strip used Antminers for parts. With donor
    buyers the used market is asked for machines (nothing without: no replacement is
    bought used), machines bought = machines sold + grey imports, its price is higher on
    average over the year, and the US keeps more of its hashrate at 12 months (median
    over paths) than without them, but not more than under baseline."""
    without, with_ = paired
    assert without.runs.settlements is not None and with_.runs.settlements is not None
    before, after = without.runs.settlements[1].used, with_.runs.settlements[1].used
    assert before.wanted.sum() == 0 and after.wanted.sum() > 0
    np.testing.assert_allclose(after.traded + after.grey, after.wanted)
    assert after.price_factor.mean() > before.price_factor.mean()
    last = DAYS - 1
    kept = [np.median(r.us_hashrate_ths(1)[:, last]) for r in paired]
    baseline = np.median(with_.us_hashrate_ths(0)[:, last])
    assert kept[0] < kept[1] <= baseline * (1 + 1e-3)


def test_no_donor_is_bought_without_a_shock(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """Under baseline the vendor keeps the bundled operators' shelves stocked, so nothing
    is short beyond what is on its way: no donor is bought and the used market is asked
    for nothing; baseline is the run without donor buyers, bit for bit. Under sanctions
    the JSON says how many donors each group bought and what they cost, and the groups
    add up to the industry."""
    without, with_ = paired
    assert with_.runs.settlements is not None
    baseline, sanctions = (s.used.wanted.sum() for s in with_.runs.settlements)
    assert baseline == 0 and sanctions > 0
    np.testing.assert_array_equal(without.us_hashrate_ths(0), with_.us_hashrate_ths(0))
    data = with_.to_dict()
    assert data["donor_buyers"] == {"share": 1.0, "review_days": 7}
    hit = data["scenarios"]["sanctions"]
    groups = [g["donors"] for g in hit["groups"].values()]
    assert hit["us"]["donors"]["bought_mean"] > 0
    assert sum(g["bought_mean"] for g in groups) == pytest.approx(
        hit["us"]["donors"]["bought_mean"], rel=1e-3)  # fmt: skip
    assert data["scenarios"]["baseline"]["us"]["donors"]["bought_mean"] == 0
    assert "donors" not in without.to_dict()["scenarios"]["sanctions"]["us"]


def test_the_report_shows_the_donors_of_the_json(
    paired: tuple[IndustryResult, IndustryResult],
) -> None:
    """The report's donors table has each group's donors and their price, and the
    industry's, as the JSON gives them; no table without donor buyers."""
    from hashshock.report.industry_sections import donors_table

    without, with_ = paired
    assert donors_table(without.to_dict()) is None
    data = with_.to_dict()
    html = donors_table(data)
    assert html is not None
    for scenario in data["scenarios"].values():
        for group in [*scenario["groups"].values(), scenario["us"]]:
            donors = group["donors"]
            if donors["bought_mean"] >= 0.5:
                assert (
                    f"{donors['bought_mean']:,.0f} (${donors['spend_usd_mean'] / 1e6:,.1f} M)"
                    in html
                )


def test_donors_met_by_grey_imports_cost_the_grey_price() -> None:
    """With nothing offered on the used market (no distress sales), the dealers' stock is
    empty and every donor is a grey import, paid at the curve × (1 + premium)
    (docs/industry.md, "Used and grey markets"): on the same paths the donors' price with
    a 50 % premium is 1.5 times their price with none, path by path (the engines, steered
    by the scenario's market, buy the same donors either way)."""
    spend, cash = [], []
    for premium in (0.0, 0.5):
        data = _bundled_mapping({"share": 1.0, "review_days": 7})
        data["distress"] = {"sell_share": 0.0, "cancel_orders": False}
        data["used_market"] = {**data.get("used_market", {}), "grey_premium": premium}
        result = industry(industry_from_mapping(data), ["baseline", "sanctions"], 6, DAYS, SEED)
        runs = [member[1] for member in result.runs.runs]
        spend.append(np.array([r.donor_spend_usd for r in runs if r.donor_spend_usd is not None]))
        cash.append(np.array([r.cash_end_usd for r in runs if r.donor_spend_usd is not None]))
    assert spend[0].sum() > 0
    np.testing.assert_allclose(spend[1], 1.5 * spend[0], rtol=1e-9)
    # and the members paid it: their cash at the end is lower by the difference
    np.testing.assert_allclose(cash[0] - cash[1], spend[1] - spend[0], rtol=1e-9, atol=1e-3)


def test_engine_purchases_at_the_settled_price() -> None:
    """Worked by hand: the engine paid $100 for 1 TH/s at 100 $/TH ($60 of it for donors);
    the market settles the curve at 110 $/TH, half from the dealers at m = 1.2, half grey
    at 1 + 0.5: 110 × (0.5 × 1.2 + 0.5 × 1.5) = $148.50, $48.50 more; donors $89.10."""
    from hashshock.industry.used import EnginePurchases, paid_factor
    from hashshock.inputs.industry import UsedMarket

    days = np.array([2])
    bought = EnginePurchases(days, np.array([[100.0]]), np.array([[60.0]]),
                             np.array([[100.0]]))  # fmt: skip
    share, m = np.full((1, 4), 0.5), np.full((1, 4), 1.2)
    factor = paid_factor(days, share, m, UsedMarket(grey_premium=0.5))
    np.testing.assert_allclose(factor, [[1.35]])
    extra, donors = bought.at_cleared(np.array([[110.0]]), factor)
    np.testing.assert_allclose(extra, [[48.5]])
    np.testing.assert_allclose(donors, [89.1])


def test_a_member_that_broke_buys_no_donors_in_the_next_pass() -> None:
    """Small farms whose DSCR covenant (×50) breaks at its first test, under sanctions:
    one pass's engines buy donors all year (they do not know they broke); with two
    passes the second pass's engines stop buying on the day each broke in the first, so
    they buy a fraction of the donors."""
    data = _bundled_mapping({"share": 1.0, "review_days": 7})
    data.pop("portfolio")
    farms = next(op for op in data["operators"] if op["name"] == "small-farms")
    farms["finance"] = {"cash_usd": 2.0e6, "loans": [
        {"name": "loan", "principal_usd": 1.0e5, "rate_per_year": 0.1,
         "amortisation": "linear", "payment_every_days": 30, "maturity_date": "2029-01-01"}],
        "covenants": [{"name": "dscr", "type": "min_dscr", "value": 50.0, "loan": "loan",
                       "test_every_days": 30, "window_days": 30}]}  # fmt: skip
    data["operators"] = [dict(farms, simulated=2)]
    donors = {}
    for passes in (1, 2):
        data["engine_passes"] = passes
        run = industry(industry_from_mapping(data), ["baseline", "sanctions"], PATHS, DAYS, SEED)
        members = [m[1] for m in run.runs.runs]
        assert all((m.break_day >= 0).all() and (m.break_day < 60).all() for m in members)
        donors[passes] = sum(float(m.donors_bought.sum()) for m in members)  # type: ignore[union-attr]
    assert donors[1] > 0
    assert donors[2] < 0.5 * donors[1]
