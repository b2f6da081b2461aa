"""The lender's interest income (hashshock.industry.lender): the schedule's interest is
paid on the payment days before the default day, else through maturity or the horizon —
checked against closed forms of simple interest; a later default never pays less."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hashshock.industry.api import industry
from hashshock.industry.lender import _loan, paid_on_break_day
from hashshock.industry.load import industry_from_mapping
from hashshock.inputs.finance import Loan

START = date(2026, 12, 1)
PRINCIPAL, RATE = 1.0e6, 0.12
DAILY = PRINCIPAL * RATE / 365


def _terms(amortisation: str, every: int, maturity_day: int) -> Loan:
    return Loan(name="l", principal_usd=PRINCIPAL, rate_per_year=RATE,
                amortisation=amortisation, payment_every_days=every,
                maturity_date=START + timedelta(days=maturity_day))  # fmt: skip


def _interest(terms: Loan, break_days: list[int], horizon: int,
              cash_out: list[int] | None = None) -> list[float]:  # fmt: skip
    """Interest received on defaults on ``break_days``; by a covenant (the day's payment
    made) unless the cash ran out that day (``cash_out``, default never)."""
    loan = _loan("l", "b", terms, START, 0.4, False, 0.2)
    days = np.array(break_days)
    paid = paid_on_break_day(days, np.array(cash_out or [-1] * len(break_days)))
    return [float(x) for x in loan.interest_received(days, paid, horizon)]


def test_a_bullet_loan_pays_simple_interest_until_default_or_the_horizon() -> None:
    """Bullet, paid every 90 days, maturing on day 364: no default pays B·r over the year;
    a horizon of 200 days ends after the payments of days 89 and 179 (180 days' interest);
    a default on day 100, 90 or 89 comes after day 89's payment — a covenant's on day
    89 with the day's cash, which made the payment, not below zero — one on day 88 before
    it, and so does one on day 89 when the cash ran out that day."""
    terms = _terms("bullet", 90, 364)
    never, late, on_90, on_89, on_88 = _interest(terms, [-1, 100, 90, 89, 88], 365)
    assert never == pytest.approx(PRINCIPAL * RATE)
    assert late == on_90 == on_89 == pytest.approx(90 * DAILY)
    assert on_88 == 0.0
    assert _interest(terms, [89], 365, cash_out=[89]) == [0.0]
    assert _interest(terms, [-1], 200) == pytest.approx([180 * DAILY])
    # a break after maturity is no default: the loan was repaid with all its interest
    assert _interest(terms, [400], 500) == pytest.approx([PRINCIPAL * RATE])


def test_a_default_on_a_payment_day_is_owed_what_is_left_after_that_payment() -> None:
    """Linear, 12 instalments every 30 days (days 29, 59, …): a covenant's default on day
    29 — the day the borrower's cash paid the first instalment — is owed B·11/12, one on
    day 28 all of B, one after maturity nothing; the cash run out on day 29, all of B."""
    loan = _loan("l", "b", _terms("linear", 30, 12 * 30 - 1), START, 0.4, False, 0.2)
    days = np.array([28, 29, 30, 359, 360, -1, 29])
    cash_out = np.array([-1, -1, -1, -1, -1, -1, 29])
    owed = loan.exposure(days, paid_on_break_day(days, cash_out))
    assert owed == pytest.approx(
        [PRINCIPAL, PRINCIPAL * 11 / 12, PRINCIPAL * 11 / 12, 0, 0, 0, PRINCIPAL]
    )


def test_a_linear_loan_pays_interest_on_what_is_still_owed() -> None:
    """n equal instalments every p days, the last on maturity: the balance before the
    k-th payment is B·(1 − k/n), so the interest over the loan is r·p/365 · B · (n + 1)/2."""
    n, every = 12, 30
    terms = _terms("linear", every, n * every - 1)
    (total,) = _interest(terms, [-1], 1000)
    assert total == pytest.approx(RATE * every / 365 * PRINCIPAL * (n + 1) / 2)


@given(st.lists(st.integers(-1, 800), min_size=2, max_size=2),
       st.sampled_from(["bullet", "linear", "annuity"]), st.integers(200, 800))  # fmt: skip
def test_a_later_default_never_pays_the_lender_less_interest(
    days: list[int], amortisation: str, horizon: int
) -> None:
    terms = _terms(amortisation, 30, 540)
    early, late = sorted(d for d in days if d >= 0) + [-1] * days.count(-1)
    if early < 0:
        return
    got_early, got_late = _interest(terms, [early, late], horizon)
    assert got_early <= got_late + 1e-6
    assert got_late <= PRINCIPAL * RATE * 541 / 365 + 1e-6  # never more than a bullet's


def test_the_terminal_gives_interest_and_net_income_with_their_signs() -> None:
    from hashshock.cli.industry_lender import lender_losses

    def lender(net: float) -> dict:
        return {"loans": [{"principal_usd": 1e8}], "expected_loss_usd": 3e7,
                "loss_p95_usd": 6e7, "interest_income_usd": 1.2e7, "net_income_usd": net,
                "net_income_p5_usd": net - 2.5e7}  # fmt: skip

    shock, base = lender(-1.8e7), lender(4e6)
    lines = lender_losses({"lender": shock}, {"lender": base})
    assert lines[2].split() == ["interest", "received", "$12.0M,", "baseline", "$12.0M"]
    assert lines[3].split() == ["net", "of", "losses", "-$18.0M", "(p5", "-$43.0M),",
                                "baseline", "$4.0M"]  # fmt: skip
    assert all(len(line) <= 80 for line in lines)
    old = {k: v for k, v in shock.items() if "income" not in k}  # a JSON from before
    assert len(lender_losses({"lender": old}, None)) == 2


def test_the_terminal_lists_each_loan_with_its_change_from_baseline() -> None:
    """A lender sees each loan's probability of default (the share of a class's operators
    that default), its change from baseline in points, expected loss and interest; a
    borrower with two loans is told apart by the loan's key."""
    import io

    from rich.console import Console

    from hashshock.cli.industry_lender import loans_table

    def loan(key: str, borrower: str, pd: float) -> dict:
        return {"loan": key, "borrower": borrower, "operators": 300.0, "principal_usd": 4.5e7,
                "probability_default": pd, "expected_loss_usd": 5.4e6,
                "interest_income_usd": 4.8e6}  # fmt: skip

    shock = {"loans": [loan("loans[0]", "farms", 0.31), loan("loans[1]", "mara", 0.0),
                       loan("loans[2]", "mara", 0.02)]}  # fmt: skip
    base = {"loans": [loan("loans[0]", "farms", 0.19), loan("loans[1]", "mara", 0.0),
                      loan("loans[2]", "mara", 0.02)]}  # fmt: skip
    text = io.StringIO()
    Console(file=text, width=80).print(loans_table("sanctions", shock, base))
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in text.getvalue().splitlines()
            if line.startswith("│")]  # fmt: skip
    assert rows[0] == ["farms", "300", "31%", "+12", "$5.4M", "$4.8M"]
    assert [r[0] for r in rows[1:]] == ["mara loans[1]", "mara loans[2]"]
    text = io.StringIO()
    Console(file=text, width=80).print(loans_table("baseline", base, None))
    assert "Δ base" not in text.getvalue()
    # an operator's own loan (operators_own_loans) reads by its key, never cut in two
    own = {"loans": [loan("farms/equipment-loan", "farms", 0.2), loan("fr", "farms", 0.1)]}
    text = io.StringIO()
    Console(file=text, width=80).print(loans_table("baseline", own, None))
    names = [line.split("│")[1].strip() for line in text.getvalue().splitlines()
             if line.startswith("│")]  # fmt: skip
    assert names == ["farms/equipment-loan", "farms fr"]
    # a key longer than the column breaks after its slash, never inside a word
    # ("small-farms/equipmen" / "t-loan" in a portfolio with a wider table)
    long = {"loans": [loan("midsize-private/equipment-loan", "midsize-private", 0.1),
                      loan("small-public/converts", "small-public", 0.5)]}  # fmt: skip
    text = io.StringIO()
    Console(file=text, width=80).print(loans_table("sanctions", long, base))
    cells = [line.split("│")[1].strip() for line in text.getvalue().splitlines()
             if line.startswith("│")]  # fmt: skip
    assert [c for c in cells if c] == ["midsize-private/", "equipment-loan", "small-public/",
                                       "converts"]  # fmt: skip


def test_a_portfolio_loan_may_be_named(tmp_path: Path) -> None:
    """A lender's loans by their own names in the outputs (they were ``loans[0]`` …);
    two loans of one name are refused."""
    from hashshock.inputs.errors import InputError

    fleet = Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml"
    loan = {"borrower": "mid", "principal_usd": 1_000_000, "rate_per_year": 0.1,
            "maturity_date": "2029-12-01"}  # fmt: skip
    data = {"name": "one", "start_date": "2026-12-01",
            "operators": [{"name": "mid", "fleet": str(fleet)}],
            "portfolio": {"loans": [{**loan, "name": "rig-loan"}, loan]}}  # fmt: skip
    result = industry(industry_from_mapping(data), ["baseline"], 4, 60, 0)
    loans = result.to_dict()["scenarios"]["baseline"]["lender"]["loans"]
    assert [entry["loan"] for entry in loans] == ["rig-loan", "loans[1]"]
    data["portfolio"]["loans"][1]["name"] = "rig-loan"
    with pytest.raises(InputError, match="two loans are named rig-loan"):
        industry_from_mapping(data)


def test_a_small_portfolio_s_figures_read_in_their_own_units() -> None:
    """A $200k loan's losses are not "$0.0 M" nor "44 % of $0 M lent": under a million
    in thousands, under a thousand in dollars; no minus on what prints as zero; written
    as every money table writes them ($88.1M, not $88.1 M beside $973.0k)."""
    from hashshock.money_notes import musd

    assert [musd(v) for v in (88.1e6, -59.9e6, 9.5e6)] == ["$88.1M", "-$59.9M", "$9.5M"]
    assert [musd(v) for v in (117_261, 200_000, 950_000)] == ["$117.3k", "$200.0k",
                                                              "$950.0k"]  # fmt: skip
    assert [musd(v) for v in (0.0, -0.4, -20.0)] == ["$0", "$0", "-$20"]
