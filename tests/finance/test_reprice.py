"""Cash flows repriced on another market equal the flows computed on it."""

from __future__ import annotations

import numpy as np
from tests.engine.helpers import plan_for
from tests.finance.test_finance import FlatMarket, _finance_fleet

from hashshock.engine import simulate
from hashshock.finance import build_economy, compile_money, compute_cashflows
from hashshock.finance.covenants import evaluate_covenants
from hashshock.finance.reprice import FixedFlows, reprice
from hashshock.inputs.load import fleet_from_mapping


def test_repriced_flows_equal_the_flows_on_that_market() -> None:
    """Priced on one market, repriced on another (lower hashprice, higher used prices):
    revenue, EBITDA, cash, collateral and every covenant's first breach are those of
    the flows computed on the second market from the same engine run."""
    covenants = [
        {"name": "cash", "type": "min_liquidity", "value": 1_500_000},
        {"name": "ltv", "type": "max_ltv", "value": 0.9, "loan": "term"},
    ]
    fleet = _finance_fleet(covenants=covenants)
    events = [{"type": "order_disruption", "cancel_probability": 0.5}]
    paths, days = 16, 200
    plan = plan_for(fleet, events, horizon=days)
    money = compile_money(fleet_from_mapping(fleet), plan)
    first = FlatMarket.make(paths, days, hashprice=45.0, used=10.0)
    second = FlatMarket.make(paths, days, hashprice=30.0, used=14.0)
    second.hashprice_usd_per_ph_day = second.hashprice_usd_per_ph_day * np.linspace(1.2, 0.8, days)
    out = simulate(plan, paths, 3, economy=build_economy(money, first))
    fixed = FixedFlows.of(compute_cashflows(money, plan, out, first).market_free(), money,
                          out.hashrate_ths, out.nameplate_ths)  # fmt: skip
    again = reprice(fixed, second)
    direct = compute_cashflows(money, plan, out, second)
    for name in ("revenue_usd", "ebitda_usd", "cash_usd", "collateral_usd"):
        np.testing.assert_allclose(getattr(again, name), getattr(direct, name),
                                   rtol=1e-12, atol=1e-6, err_msg=name)  # fmt: skip
    ours = evaluate_covenants(money.covenants, again, out.hashrate_ths)
    theirs = evaluate_covenants(money.covenants, direct, out.hashrate_ths)
    assert len(ours) == 2
    assert any((c.first_breach_day >= 0).any() for c in theirs)  # the test has teeth
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.first_breach_day, b.first_breach_day)
