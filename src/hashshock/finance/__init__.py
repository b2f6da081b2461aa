"""Money on every path: costs, cash flows, debt, covenants and margin calls.

:func:`compile_money` compiles a fleet's money beside its plan once; the rest reads the
compiled :class:`MoneyPlan` and the market paths. Names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.finance.cashflow import CashFlows, compute_cashflows
    from hashshock.finance.covenants import CovenantResult, evaluate_covenants, margin_calls
    from hashshock.finance.moneyplan import MoneyPlan, compile_money
    from hashshock.finance.steering import MarketLike, build_economy

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "CashFlows": "hashshock.finance.cashflow",
        "compute_cashflows": "hashshock.finance.cashflow",
        "CovenantResult": "hashshock.finance.covenants",
        "evaluate_covenants": "hashshock.finance.covenants",
        "margin_calls": "hashshock.finance.covenants",
        "MoneyPlan": "hashshock.finance.moneyplan",
        "compile_money": "hashshock.finance.moneyplan",
        "MarketLike": "hashshock.finance.steering",
        "build_economy": "hashshock.finance.steering",
    },
)
__all__ = [
    "CashFlows",
    "CovenantResult",
    "MarketLike",
    "MoneyPlan",
    "build_economy",
    "compile_money",
    "compute_cashflows",
    "evaluate_covenants",
    "margin_calls",
]
