"""Spares on the shelves count as owned (hashshock.finance.scenario_money.spares_value):
a shock that empties them is not a saving, and stock a strategy buys is still owned."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for
from tests.finance.test_finance import FlatMarket

import hashshock
from hashshock.engine import simulate
from hashshock.finance.moneyplan import compile_money
from hashshock.finance.scenario_money import part_unit_value_usd, spares_value
from hashshock.finance.steering import build_economy
from hashshock.inputs.load import fleet_from_mapping


def _fleet() -> dict[str, Any]:
    # Two families (S19j Pro, S21) of one vendor: two pools of each part, one duty.
    return small_fleet(finance={"cash_usd": 1_000_000})


def test_a_spare_on_the_shelf_is_worth_what_one_shipped_costs() -> None:
    """The engine pays for each spare shipped at its pool's landed cost; on a day when
    only one part type ships, spend / parts shipped is that part's shelf value."""
    fleet = _fleet()
    plan = plan_for(fleet, None, horizon=200)
    money = compile_money(fleet_from_mapping(fleet), plan)
    out = simulate(plan, 30, 5, economy=build_economy(money, FlatMarket.make(30, 200)))
    unit = part_unit_value_usd(money, plan)
    shipped = out.parts_shipped.astype(np.float64)
    checked = set()
    for k in range(4):
        alone = (shipped[:, :, k] > 0) & (np.delete(shipped, k, axis=2).sum(axis=2) == 0)
        if alone.any():
            np.testing.assert_allclose(out.parts_spend[alone] / shipped[:, :, k][alone],
                                       unit[k], rtol=1e-9)  # fmt: skip
            checked.add(k)
    assert {0, 1} <= checked  # hashboards and fans ship alone on some day
    expected = out.spares_on_hand[:, -1, :] @ unit
    np.testing.assert_allclose(spares_value(money, plan, out), expected)
    assert np.all(unit > 0)


def test_cash_and_spares_at_risk_adds_the_shelves_drawn_to_the_cash() -> None:
    """Paired per path: (baseline's cash − the scenario's) + (baseline's shelves − the
    scenario's); under sanctions the shelves end lower, so cash alone flatters it."""
    base, shock = hashshock.compare(small_fleet(finance={"cash_usd": 1_000_000}),
                                    ["baseline", "sanctions"], paths=40, horizon_days=150,
                                    seed=2, workers=1)  # fmt: skip
    assert base.money is not None and shock.money is not None
    cash_gap = base.money.flows.cash_usd[:, -1] - shock.money.flows.cash_usd[:, -1]
    drawn = base.money.spares_value_usd - shock.money.spares_value_usd
    vs = shock.to_dict()["finance"]["vs_baseline"]
    for key, values in (("spares_drawn_usd", drawn),
                        ("cash_and_spares_at_risk_usd", cash_gap + drawn)):  # fmt: skip
        p5, p50, p95 = np.percentile(values, [5, 50, 95])
        assert vs[key] == pytest.approx({"p5": p5, "p50": p50, "p95": p95}, abs=0.5)
    assert np.median(drawn) > 0  # the vendor's parts stop: the shelves are drawn down
    end = shock.to_dict()["finance"]["spares_value_usd_end"]
    assert end["p50"] == pytest.approx(np.median(shock.money.spares_value_usd), abs=0.5)


def test_costs_saved_are_each_costs_paired_gap_and_add_up_to_the_cash_gap() -> None:
    """``vs_baseline.costs_saved_usd_p50``: each cost's median over paths of baseline's
    total less the scenario's, path by path; with revenue and refunds they are the cash
    gap on every path (cash = start + revenue + refunds − costs), here checked on the
    medians' own paths' sums."""
    base, shock = hashshock.compare(small_fleet(finance={"cash_usd": 1_000_000}),
                                    ["baseline", "sanctions"], paths=40, horizon_days=150,
                                    seed=2, workers=1)  # fmt: skip
    assert base.money is not None and shock.money is not None
    saved = shock.to_dict()["finance"]["vs_baseline"]["costs_saved_usd_p50"]
    b, s = base.money.flows.totals(), shock.money.flows.totals()
    gaps = {name.removesuffix("_usd"): b[name] - s[name] for name in base.money.flows.OUTFLOWS}
    assert set(saved) == set(gaps)
    for name, gap in gaps.items():
        assert saved[name] == pytest.approx(np.median(gap), abs=0.5)
    # cash: what came in less what went out, so the gaps add up path by path
    cash_gap = base.money.flows.cash_usd[:, -1] - shock.money.flows.cash_usd[:, -1]
    inflow_gap = (b["revenue_usd"] - s["revenue_usd"]) + (b["refunds_usd"] - s["refunds_usd"])
    np.testing.assert_allclose(cash_gap, inflow_gap - sum(gaps.values()), atol=1.0)
    assert "vs_baseline" not in base.to_dict()["finance"]  # baseline against itself: none
