"""A portfolio loan marked ``new_debt`` (hashshock.industry.load._lend_new_debt): the
borrower pays it out of its cash and its covenants count it — checked against the same
loan written into the borrower's own finance block; more interest never breaks a
borrower earlier on the same paths; the loan is counted once by the lender."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from hashshock.industry.api import industry
from hashshock.industry.load import industry_from_mapping, with_portfolio
from hashshock.inputs.errors import InputError

TEMPLATES = (Path(__file__).resolve().parents[2] / "src" / "hashshock" / "data" / "industry"
             / "us" / "templates")  # fmt: skip
PRINCIPAL = 150_000.0
#: A lender's LTV test of its loan, monthly.
LTV = {"name": "rig-ltv", "type": "max_ltv", "value": 0.6, "test_every_days": 30}
PATHS, DAYS = 24, 240


def _loan(**changes: Any) -> dict[str, Any]:
    return {"borrower": "farms", "name": "rig", "principal_usd": PRINCIPAL,
            "rate_per_year": 0.14, "maturity_date": "2028-12-01", "new_debt": True,
            **changes}  # fmt: skip


def _data(loans: list[dict[str, Any]], **portfolio: Any) -> dict[str, Any]:
    return {"name": "farms", "start_date": "2026-12-01",
            "operators": [{"name": "farms", "template": "small-farm", "count": 6,
                           "machines_each": {"mean": 450, "cv": 0.5}, "simulated": 3}],
            "portfolio": {"loans": loans, **portfolio}}  # fmt: skip


def _groups(data: dict[str, Any]) -> dict[str, Any]:
    result = industry(industry_from_mapping(data), ["baseline", "sanctions"], PATHS, DAYS, 0)
    scenarios = result.to_dict()["scenarios"]
    return {name: scenario["groups"] for name, scenario in scenarios.items()}


@pytest.mark.parametrize("proceeds", ["cash", "spent"])
def test_new_debt_runs_as_the_loan_in_the_borrowers_own_finance_block(
    tmp_path: Path, proceeds: str
) -> None:
    """Every group figure (stages, breaks, covenants, money) equals the industry whose
    template carries the loan and the lender's LTV test of it in its finance block (and,
    for ``cash``, its principal in the cash): the same fleets run, written two ways."""
    template = yaml.safe_load((TEMPLATES / "small-farm.yaml").read_text())
    finance = template["finance"]
    # The template's finance is that of its own size; the class scales it to each member,
    # so the loan is written in the class's finance block, at the class's mean size.
    finance["loans"].append({"name": "rig", "principal_usd": PRINCIPAL, "rate_per_year": 0.14,
                             "maturity_date": "2028-12-01"})  # fmt: skip
    finance["covenants"].append(LTV | {"loan": "rig"})
    if proceeds == "cash":
        finance["cash_usd"] += PRINCIPAL
    own = _data([])
    own["operators"][0]["finance"] = finance
    lent = _data([_loan(proceeds=proceeds, covenants=[LTV])])
    lent["operators"][0]["finance"] = template["finance"] | {
        "loans": finance["loans"][:-1],
        "covenants": finance["covenants"][:-1],
        "cash_usd": finance["cash_usd"] - (PRINCIPAL if proceeds == "cash" else 0.0),
    }
    # machines_each.mean is the class's mean size, so the finance blocks scale the same way
    # for every member except for the new debt, which is principal each: give equal sizes.
    for data in (own, lent):
        data["operators"][0]["machines_each"] = {"mean": 450, "cv": 0}
    assert _groups(lent) == _groups(own)


def _break_days(rate: float, proceeds: str = "spent") -> list[np.ndarray]:
    data = _data([_loan(rate_per_year=rate, proceeds=proceeds)])
    result = industry(industry_from_mapping(data), ["sanctions"], PATHS, DAYS, 0)
    return [run.break_day for run in result.member_runs(0)]


def test_more_interest_never_breaks_a_borrower_earlier_on_the_same_paths() -> None:
    """Rates 0 → 14 % → 40 % on paired paths: each member's first financial break (−1
    never) comes no earlier, and the highest rate breaks some path the lowest does not."""
    never = np.iinfo(np.int64).max
    runs = [_break_days(rate) for rate in (0.0, 0.14, 0.4)]
    for low, high in itertools.pairwise(runs):
        for member_low, member_high in zip(low, high, strict=True):
            low_day = np.where(member_low < 0, never, member_low)
            high_day = np.where(member_high < 0, never, member_high)
            assert (high_day <= low_day).all()
    assert any((np.where(a < 0, never, a) < np.where(b < 0, never, b)).any()
               for a, b in zip(runs[2], runs[0], strict=True))  # fmt: skip


def test_the_lender_counts_new_debt_once() -> None:
    """With the operators' own loans also in the portfolio, the new loan is one row, not
    also ``farms/rig`` (it is in the finance block the own loans are read from)."""
    data = _data([_loan()], operators_own_loans=True)
    result = industry(industry_from_mapping(data), ["baseline"], 4, 60, 0)
    loans = [row["loan"] for row in result.to_dict()["scenarios"]["baseline"]["lender"]["loans"]]
    assert loans == ["rig", "farms/equipment-loan"]


def test_a_portfolio_file_takes_back_what_the_industrys_portfolio_lent(tmp_path: Path) -> None:
    """``--portfolio`` replaces the industry's loans: its members run the fleets as their
    operators gave them, plus only the new file's new debt."""
    loaded = industry_from_mapping(_data([_loan()]))
    plain = industry_from_mapping(_data([]))
    other = tmp_path / "lender.yaml"
    other.write_text(yaml.safe_dump({"loans": [_loan(new_debt=False)]}))
    replaced = with_portfolio(loaded, other)
    assert [m.loaded.fleet for m in replaced.members] == [m.loaded.fleet for m in plain.members]
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump({"loans": [_loan(principal_usd=1.0, proceeds="spent")]}))
    for member, base in zip(with_portfolio(replaced, again).members, plain.members, strict=True):
        finance, before = member.loaded.fleet.finance, base.loaded.fleet.finance
        assert finance is not None and before is not None
        assert finance.cash_usd == before.cash_usd
        assert [loan.name for loan in finance.loans] == ["equipment-loan", "rig"]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (_data([_loan(maturity_date="2026-12-01")]), r"portfolio\.loans\[0\] \(rig\)"
         r"\.maturity_date: 2026-12-01 is not after the start"),
        (_data([_loan(name=None, maturity_date="2026-12-01")]),
         r"portfolio\.loans\[0\]\.maturity_date: 2026-12-01"),  # unnamed: its index alone
        (_data([_loan(name="equipment-loan")]), "already has a loan named equipment-loan"),
        (_data([_loan(new_debt=False, proceeds="spent")]), "proceeds does nothing without"),
        # $100 bn to farms of about 450 machines: the lender's loss read hundreds of billions
        (_data([_loan(principal_usd=1e11)]), r"portfolio\.loans\[0\] \(rig\)\.principal_usd: "
         r"\$100,000,000,000 lent to each operator of farms is [\d,]+ times what it has"),
        # the same loan not marked new_debt was accepted with a warning
        (_data([_loan(principal_usd=1e11, new_debt=False)]), r"portfolio\.loans\[0\] \(rig\)"
         r"\.principal_usd: \$100,000,000,000 lent to each operator of farms is [\d,]+ times"),
    ],
)  # fmt: skip
def test_bad_new_debt_is_refused_naming_the_loan(data: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        industry_from_mapping(data)


def test_new_debt_up_to_ten_times_what_the_borrower_has_is_lent() -> None:
    """The size check's bound: a loan of ten times the largest member's cash and machines
    at new prices is lent, one a tenth more is refused."""
    from hashshock.finance.data import machine_prices
    from hashshock.industry.load import NEW_DEBT_MOST_TIMES_WORTH

    loaded = industry_from_mapping(_data([_loan()]))
    prices = machine_prices()
    worth = max((m.own_fleet.fleet.finance.cash_usd if m.own_fleet.fleet.finance else 0.0)
                + sum(c.count * m.own_fleet.model_of(c.model).hashrate_ths * prices[c.model]
                      for c in m.own_fleet.fleet.cohorts) for m in loaded.members)  # fmt: skip
    bound = NEW_DEBT_MOST_TIMES_WORTH * worth
    industry_from_mapping(_data([_loan(principal_usd=bound)]))
    with pytest.raises(InputError, match="times what it has"):
        industry_from_mapping(_data([_loan(principal_usd=bound * 1.1)]))


def test_new_debt_needs_the_borrowers_finance_block(tmp_path: Path) -> None:
    """The small-farm example has no finance block: a new loan to it (from a portfolio
    file) is refused, naming the file's loan and the fix."""
    fleet = Path(__file__).resolve().parents[2] / "examples" / "small-farm" / "fleet.yaml"
    one = {"name": "farm", "fleet": str(fleet)}
    loaded = industry_from_mapping({"name": "one", "start_date": "2026-12-01",
                                    "operators": [one]})  # fmt: skip
    file = tmp_path / "lender.yaml"
    file.write_text(yaml.safe_dump({"loans": [_loan(borrower="farm")]}))
    with pytest.raises(InputError) as error:
        with_portfolio(loaded, file)
    assert error.value.file == str(file)
    assert error.value.field == "loans[0] (rig).new_debt"
    assert "farm has no finance block" in error.value.problem
    assert "new_debt: false" in error.value.fix


def test_loans_nobody_pays_or_counted_twice_are_said() -> None:
    """A loan not marked new_debt and larger than all the borrower's own loans is paid by
    nobody (its size cannot move the borrower's defaults): said, with the fix; beside
    ``operators_own_loans`` a loan that may be one of them is said to count twice. The
    bundled ``us`` says neither."""
    from hashshock.industry.load import load_industry

    assert load_industry("us").portfolio_warnings == []
    huge = industry_from_mapping(_data([_loan(new_debt=False, principal_usd=1.5e7)]))
    (line,) = huge.portfolio_warnings
    assert "portfolio loans[0] (rig): $15,000,000 to farms (lent to each of its" in line
    assert "is more than" in line
    assert "mark it new_debt: true" in line
    both = industry_from_mapping(_data([_loan(new_debt=False, principal_usd=1.0e5)],
                                       operators_own_loans=True))  # fmt: skip
    (line,) = both.portfolio_warnings
    assert "counted twice" in line


@pytest.mark.parametrize("name", ["loans[1]", "farms/equipment-loan"])
def test_a_loan_cannot_take_a_name_the_outputs_give_others(name: str) -> None:
    """``loans[i]`` names unnamed loans and ``operator/loan`` operators' own loans in the
    outputs: a loan named so would share their row."""
    with pytest.raises(InputError, match=f"a loan cannot be named {re.escape(name)}"):
        industry_from_mapping(_data([_loan(name=name, new_debt=False)]))


def test_new_secured_debt_shares_the_machines_with_the_borrowers_own_loans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The borrower's own loans claim its machines whether or not the lender holds them:
    a new secured loan recovers the same, and so loses the same, with the own loans in
    the portfolio or not; and it loses more than if it had the machines alone."""
    from hashshock.industry import lender

    def rig_loss(**portfolio: Any) -> int:
        data = _data([_loan(secured_by_machines=True, proceeds="spent")], **portfolio)
        result = industry(industry_from_mapping(data), ["baseline"], PATHS, DAYS, 0)
        rows = result.to_dict()["scenarios"]["baseline"]["lender"]["loans"]
        return next(row["expected_loss_usd"] for row in rows if row["loan"] == "rig")

    shared = rig_loss()
    assert shared == rig_loss(operators_own_loans=True)
    monkeypatch.setattr(lender, "_other_claims", lambda *_: [])
    assert 0 < rig_loss() < shared


def test_the_lenders_covenant_on_a_larger_loan_breaks_no_later() -> None:
    """The lender's LTV test of its own loan (the template's tests its equipment loan
    only): on paired paths a larger principal never breaches it later, and twenty times
    the loan breaches it on some path the smaller does not."""
    never = np.iinfo(np.int64).max

    def ltv_days(principal: float) -> list[np.ndarray]:
        loan = _loan(principal_usd=principal, proceeds="spent", covenants=[LTV])
        result = industry(industry_from_mapping(_data([loan])), ["sanctions"], PATHS, DAYS, 0)
        return [np.where(run.covenant_days["rig-ltv"] < 0, never, run.covenant_days["rig-ltv"])
                for run in result.member_runs(0)]  # fmt: skip

    small, large = ltv_days(PRINCIPAL / 10), ltv_days(PRINCIPAL * 2)
    assert all((b <= a).all() for a, b in zip(small, large, strict=True))
    assert any((b < a).any() for a, b in zip(small, large, strict=True))


@pytest.mark.parametrize(
    ("covenant", "match"),
    [
        ({"name": "c", "type": "max_ltv", "value": 0.6, "loan": "equipment-loan"},
         "a portfolio loan's covenants test that loan — fix: drop loan:"),
        ({"name": "c", "type": "hashrate_commitment",
          "quarters": [{"quarter_end": "2027-03-31", "min_ths": 1}]},
         "a lender's covenant is min_dscr, max_ltv or min_liquidity"),
        ({"name": "liquidity", "type": "min_liquidity", "value": 1.0},
         r"portfolio\.loans\[0\] \(rig\)\.covenants\[0\]\.name.*has a covenant named "
         "liquidity"),
    ],
)  # fmt: skip
def test_bad_lender_covenants_are_refused(covenant: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        industry_from_mapping(_data([_loan(covenants=[covenant])]))
    with pytest.raises(InputError, match="covenants does nothing without new_debt"):
        industry_from_mapping(_data([_loan(new_debt=False, covenants=[LTV])]))


@pytest.mark.parametrize(("loan", "match"), [
    ({"secured_by_machines": True, "recovery_share": 0.9},
     "recovery_share does nothing here: this loan recovers the machines' used value"),
    ({"liquidation_cost_share": 0.9},
     "liquidation_cost_share does nothing here: this loan recovers recovery_share"),
])  # fmt: skip
def test_a_recovery_the_loan_does_not_use_is_refused(loan: dict[str, Any], match: str) -> None:
    """A secured loan recovers the machines' value, an unsecured one a share of what is
    owed: the other's field would be accepted and ignored (a 90 % recovery unused)."""
    with pytest.raises(InputError, match=match):
        industry_from_mapping(_data([_loan(new_debt=False, **loan)]))
    industry_from_mapping(_data([_loan(new_debt=False, secured_by_machines=True,
                                       liquidation_cost_share=0.3)]))  # fmt: skip
