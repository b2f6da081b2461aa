"""The lender's block of ``hashshock industry``: the portfolio's losses, interest and net
income against baseline, and a table of its loans (80 columns). Light at import (start-up
rule in :mod:`hashshock.cli.app`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from hashshock.cli.common import literal, say
from hashshock.cli.table import Table
from hashshock.industry.notes import tail_below_baseline
from hashshock.money_notes import musd
from hashshock.words import probability


def print_indented(console: Console, line: str, indent: int = 8) -> None:
    """``line`` wrapped to the console, its continuation lines under the text of the
    lender block (``indent`` columns in), not at column 0."""
    say(console, line, indent=indent)


def loans_table(name: str, lender: dict[str, Any], base: dict[str, Any] | None) -> Table:
    """Per loan: its borrower (the loan's key where a borrower has several), operators
    lent to, probability of default (and the change from baseline, points), expected
    loss and interest received (all its operators')."""
    table = Table(title=f"Loans: {literal(name)}", title_justify="left")
    columns = ["borrower", "operators", "P default", "Δ base", "exp. loss", "interest"]
    borrowers = [loan["borrower"] for loan in lender["loans"]]
    # a borrower/loan key breaks after its slash, never inside a word ("equipmen" / "t-loan")
    # the column as wide as the longest key, up to what 80 columns leave it (20)
    widest = min(max((len(loan["loan"]) for loan in lender["loans"]), default=8), 20)
    for column in columns if base is not None else [c for c in columns if c != "Δ base"]:
        table.add_column(
            column,
            justify="left" if column == "borrower" else "right",
            overflow="fold",
            min_width=widest if column == "borrower" else None,
        )
    before = {loan["loan"]: loan["probability_default"] for loan in (base or {}).get("loans", [])}
    for loan in lender["loans"]:
        # an operator's own loan (operators_own_loans) by its key, borrower/loan; the
        # portfolio's by its borrower, and its name where the borrower has several
        own = loan["loan"].startswith(f"{loan['borrower']}/")
        who = loan["loan"] if own else loan["borrower"] if borrowers.count(
            loan["borrower"]) == 1 else f"{loan['borrower']} {loan['loan']}"  # fmt: skip
        shown = literal(who).replace("/", "/\n") if len(who) > widest else literal(who)
        cells = [shown, f"{loan['operators']:,.0f}",
                 probability(loan["probability_default"])]  # fmt: skip
        if base is not None:
            was = before.get(loan["loan"])
            cells.append("—" if was is None else points(loan["probability_default"] - was))
        cells += [musd(loan["expected_loss_usd"]),
                  musd(loan.get("interest_income_usd", 0.0))]  # fmt: skip
        table.add_row(*cells)
    return table


def lender_losses(scenario: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    """A scenario's (its JSON, with a ``lender``) portfolio expected and 95th-percentile
    loss, each as a share of what is lent and with baseline's, a line each; then the
    interest received and the net income (interest − loss), expected and at its 5th
    percentile."""
    lender = scenario["lender"]
    base_lender = None if base is None else base.get("lender")
    lent = sum(loan["principal_usd"] for loan in lender["loans"])
    lines: list[str] = []
    for label, key in (("expected loss", "expected_loss_usd"),
                       ("95th percentile loss", "loss_p95_usd")):  # fmt: skip
        text = f"{'lender: ' if not lines else ' ' * 8}{label} {musd(lender[key])}"
        if lent > 0:
            text += f" ({lender[key] / lent:.0%} of {musd(lent)} lent)"
        if base_lender is not None and base_lender is not lender:
            text += f", baseline {musd(base_lender[key])}"
        lines.append(text)
    if "interest_income_usd" in lender:  # absent in a JSON written before it was counted
        other = base_lender if base_lender is not lender else None
        for text, key in (
            (f"interest received {musd(lender['interest_income_usd'])}",
             "interest_income_usd"),
            (f"net of losses {musd(lender['net_income_usd'])} (p5 "
             f"{musd(lender['net_income_p5_usd'])})", "net_income_usd"),
        ):  # fmt: skip
            if other is not None and key in other:
                text += f", baseline {musd(other[key])}"
            lines.append(" " * 8 + text)
    tail = tail_below_baseline(scenario, base)
    if tail is not None:
        lines.append(" " * 8 + f"({tail})")
    return lines


def points(difference: float) -> str:
    """A difference of two probabilities in percentage points, signed ("+11", "0")."""
    points = round(difference * 100)
    return f"{points:+d}" if points else "0"
