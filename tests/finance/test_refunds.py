"""Deposits refunded on cancelled orders (hashshock.finance.cashflow, moneyplan): an
order disruption's ``refund_share`` lowers the refund on the vendors it acts on, never
raises it, and the money of a cancelled order follows (deposit × share, on its due day)."""

from __future__ import annotations

from typing import Any

import numpy as np
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for

from hashshock.engine import simulate
from hashshock.finance.cashflow import compute_cashflows
from hashshock.finance.moneyplan import compile_money
from hashshock.inputs.load import fleet_from_mapping
from hashshock.market import load_market
from hashshock.market.simulate import simulate_market

FLEET_SHARE = 0.5


def _fleet() -> dict[str, Any]:
    due = {"due_date": "2026-03-01", "site": "a"}
    orders = [{"model": "antminer-s21", "count": 100, **due},
              {"model": "whatsminer-m60s", "count": 50, **due}]  # fmt: skip
    return small_fleet(orders=orders, finance={"order_refund_share": FLEET_SHARE})


def _refunds(events: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Each order's refund share as compiled, and the refunds paid [P, T] on 4 paths."""
    fleet = _fleet()
    plan = plan_for(fleet, events, horizon=120)
    money = compile_money(fleet_from_mapping(fleet), plan)
    out = simulate(plan, 4, 0)
    market = simulate_market(load_market(None), plan.start_date, 120, 4, 0)
    return money.refund_share, compute_cashflows(money, plan, out, market).refunds_usd


def _cancel_all(**event: Any) -> dict[str, Any]:
    return {"type": "order_disruption", "vendors": ["bitmain", "microbt"], "start_day": 0,
            "cancel_probability": 1.0, **event}  # fmt: skip


def test_a_vendor_that_cannot_pay_refunds_nothing_the_others_as_contracted() -> None:
    """Every order is cancelled; a second event with ``refund_share: 0`` on Bitmain alone
    takes the Antminer order's refund to 0 and leaves the Whatsminer order's at the
    fleet's share, paid on the due day as share × deposit × value."""
    shares, refunds = _refunds([_cancel_all(), _cancel_all(vendors=["bitmain"], refund_share=0)])
    np.testing.assert_array_equal(shares, [0.0, FLEET_SHARE])
    fleet = _fleet()
    plan = plan_for(fleet, [], horizon=120)
    money = compile_money(fleet_from_mapping(fleet), plan)
    due = int(plan.order_due_day[1])
    expected = FLEET_SHARE * money.deposit_share * money.order_value_usd[1]
    np.testing.assert_allclose(refunds[:, due], expected)
    assert refunds.sum() == refunds[:, due].sum()


def test_an_event_never_refunds_more_than_the_contract() -> None:
    """A ``refund_share`` above the fleet's leaves the fleet's; without any, the fleet's."""
    assert (_refunds([_cancel_all(refund_share=0.9)])[0] == FLEET_SHARE).all()
    assert (_refunds([_cancel_all()])[0] == FLEET_SHARE).all()


def test_the_refunds_are_reported_beside_revenue_and_costs() -> None:
    """Cash = start + revenue + refunds − costs: the refunds are in the run's JSON (every
    order cancelled on every path: share × deposit × the orders' value on each path, none
    under baseline), in the money table, and among the reasons cash ends higher."""
    import io

    from rich.console import Console

    import hashshock
    from hashshock.cli.render_money import render_money
    from hashshock.inputs.scenario import Scenario

    fleet = _fleet()
    fleet["finance"]["cash_usd"] = 5_000_000
    money = compile_money(fleet_from_mapping(fleet), plan_for(fleet, [], horizon=120))
    expected = FLEET_SHARE * money.deposit_share * float(money.order_value_usd.sum())
    cancel = Scenario.model_validate({"name": "cancel", "events": [_cancel_all()]})
    runs = [r.to_dict() for r in hashshock.compare(fleet, ["baseline", cancel], paths=8,
                                                   horizon_days=120)]  # fmt: skip
    base, shocked = (r["finance"]["refunds_usd"] for r in runs)
    assert base == {"p5": 0, "p50": 0, "p95": 0}
    for key in ("p5", "p50", "p95"):
        assert abs(shocked[key] - expected) <= 1
    text = io.StringIO()
    render_money(Console(file=text, width=100), runs)
    shown = " ".join(text.getvalue().split())
    assert "deposits refunded" in shown
    assert "deposits refunded on cancelled orders" in shown
