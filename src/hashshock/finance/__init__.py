"""Money on every path: costs, cash flows, debt, covenants and margin calls."""

from hashshock.finance.cashflow import CashFlows, compute_cashflows
from hashshock.finance.covenants import CovenantResult, evaluate_covenants, margin_calls
from hashshock.finance.economy import MarketLike, build_economy

__all__ = [
    "CashFlows",
    "CovenantResult",
    "MarketLike",
    "build_economy",
    "compute_cashflows",
    "evaluate_covenants",
    "margin_calls",
]
