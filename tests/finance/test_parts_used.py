"""Spares are expensed as they are used (hashshock.finance.cashflow): EBITDA's parts are
the parts bought less the change in the shelves' value, so over a run they add up to what
was bought less what the shelves gained, and cash is untouched."""

from __future__ import annotations

import numpy as np
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for
from tests.finance.test_finance import FlatMarket

from hashshock.engine import simulate
from hashshock.finance.cashflow import CashFlows, compute_cashflows, part_unit_value_usd
from hashshock.finance.moneyplan import compile_money
from hashshock.finance.steering import build_economy
from hashshock.inputs.load import fleet_from_mapping

CUT = [{"type": "parts_supply_stop", "vendors": ["bitmain"]},
       {"type": "repair_centre_closed", "vendors": ["bitmain"]}]  # fmt: skip


def _run(events: list[dict[str, object]] | None, days: int = 200) -> tuple[CashFlows, object]:
    fleet = small_fleet(finance={"cash_usd": 1_000_000})
    plan = plan_for(fleet, events, horizon=days)
    money = compile_money(fleet_from_mapping(fleet), plan)
    market = FlatMarket.make(20, days)
    out = simulate(plan, 20, 3, economy=build_economy(money, market))
    shelf = out.spares_on_hand.astype(np.float64) @ part_unit_value_usd(money, plan)
    start = float(np.bincount(plan.pool_part.astype(np.int64), weights=plan.pool_on_hand,
                              minlength=4) @ part_unit_value_usd(money, plan))  # fmt: skip
    flows = compute_cashflows(money, plan, out, market)
    return flows, (shelf, start)


def test_parts_used_are_parts_bought_less_what_the_shelves_gained() -> None:
    for events in (None, CUT):
        flows, (shelf, start) = _run(events)
        used, bought = flows.parts_used_usd.sum(axis=1), flows.parts_usd.sum(axis=1)
        np.testing.assert_allclose(used, bought - (shelf[:, -1] - start), rtol=1e-9, atol=1e-6)
        # EBITDA takes what was used; cash what was paid: the identity holds as before.
        np.testing.assert_allclose(
            flows.ebitda_usd,
            flows.revenue_usd - flows.operating_costs_usd(), rtol=1e-12, atol=1e-6)  # fmt: skip
        change = flows.cash_usd[:, -1] - flows.cash_start_usd
        net = flows.revenue_usd + flows.refunds_usd
        for name in CashFlows.OUTFLOWS:
            net = net - getattr(flows, name)
        np.testing.assert_allclose(change, net.sum(axis=1), rtol=1e-9)


def test_a_fleet_living_off_its_shelves_pays_for_them_in_its_ebitda() -> None:
    """With the vendor's parts stopped nothing is bought from it, yet every spare taken
    off the shelf is an expense: EBITDA is below what cash-basis parts would give."""
    flows, (shelf, start) = _run(CUT)
    drawn = start - shelf[:, -1]
    assert np.all(drawn > 0)
    cash_basis = flows.ebitda_usd.sum(axis=1) + (flows.parts_used_usd - flows.parts_usd).sum(
        axis=1)  # fmt: skip
    np.testing.assert_allclose(cash_basis - flows.ebitda_usd.sum(axis=1), drawn, rtol=1e-9)
