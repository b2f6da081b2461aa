"""Sweeps over an industry: a point edits the industry file's fields (and the scenario's
and the market's) and runs :func:`hashshock.industry` on them; its metrics are read from
that run's result, the same numbers ``hashshock industry --json`` gives for the point's
inputs. Every point uses the spec's seed (common random numbers) and is one task on the
execution layer; a point runs its members one after the other in its task.

Metrics (``NAME[:ARG]``; D a day from 0 to the horizon − 1)::

    us_share:D            US share of network hashrate on day D (median over paths)
    us_hashrate:D         US delivered hashrate on day D, EH/s (median)
    us_hashrate_lost:D    EH/s below baseline's on day D on the same paths (median)
    break:GROUP           probability the operator or class breaks financially
    first:GROUP           probability it breaks before all the others
    lender_loss           the lender's expected loss, USD
    lender_loss_p95       the lender's 95th-percentile loss, USD
    lender_interest       the interest the lender expects to receive, USD
    lender_net_income     expected interest less losses, USD
    lender_net_income_p5  interest less losses on the 5th percentile of paths, USD
    default:LOAN          the portfolio loan's probability of default (a class: the
                          expected share of its operators)
    lead_time:LINE        the vendor line's longest median lead time, days
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hashshock.execution.base import InProcess
from hashshock.industry.load import LoadedIndustry, industry_from_mapping, load_industry
from hashshock.inputs.errors import InputError, unknown_name_fix
from hashshock.inputs.scenario import Scenario
from hashshock.market import MarketConfig
from hashshock.sweep.inputs import (
    Editable,
    load_scenario_and_market,
    scenario_or_market,
    spec_start,
    where,
)
from hashshock.sweep.spec import BaseInputs

#: Metric kinds and the argument each takes ("day", "group", "line" or None).
KINDS: dict[str, str | None] = {
    "us_share": "day", "us_hashrate": "day", "us_hashrate_lost": "day", "break": "group",
    "first": "group", "lender_loss": None, "lender_loss_p95": None, "lender_interest": None,
    "lender_net_income": None, "lender_net_income_p5": None, "default": "loan",
    "lead_time": "line",
}  # fmt: skip
#: The lender's portfolio figure each lender metric reads (``hashshock industry --json``).
LENDER_KEYS = {"lender_loss": "expected_loss_usd", "lender_loss_p95": "loss_p95_usd",
               "lender_interest": "interest_income_usd", "lender_net_income": "net_income_usd",
               "lender_net_income_p5": "net_income_p5_usd"}  # fmt: skip
#: Units of the industry metrics (as the fleet metrics' ``Kind.unit``), for their text.
UNITS = {"us_share": "share", "break": "probability", "first": "probability",
         "default": "probability", **dict.fromkeys(LENDER_KEYS, "USD")}  # fmt: skip
DESCRIPTIONS = {
    "us_share": "US share of network hashrate on day {arg}",
    "us_hashrate": "US delivered hashrate on day {arg} (EH/s)",
    "us_hashrate_lost": "US EH/s below baseline's on day {arg}",
    "break": "probability {arg} breaks financially",
    "first": "probability {arg} breaks first",
    "lender_loss": "the lender's expected loss (USD)",
    "lender_loss_p95": "the lender's 95th-percentile loss (USD)",
    "lender_interest": "the lender's expected interest received (USD)",
    "lender_net_income": "the lender's expected interest less losses (USD)",
    "lender_net_income_p5": "the lender's interest less losses, 5th percentile (USD)",
    "default": "probability loan {arg} defaults",
    "lead_time": "{arg}'s longest median lead time (days)",
}


@dataclass(frozen=True)
class IndustryMetric:
    """One metric of an industry sweep: its kind and argument."""

    name: str
    kind: str
    arg: str | None

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind].format(arg=self.arg)

    def read(self, scenario: dict[str, Any]) -> float | None:
        """The metric from one scenario of ``hashshock industry --json``."""
        us = scenario["us"]
        if self.kind in ("us_share", "us_hashrate", "us_hashrate_lost"):
            key = {"us_share": "share_of_network", "us_hashrate": "hashrate_ehs",
                   "us_hashrate_lost": "hashrate_ehs_vs_baseline"}[self.kind]  # fmt: skip
            series = us.get(key)
            if series is None:  # baseline against itself
                return 0.0
            value = series["p50"][int(str(self.arg))]
            return -float(value) if self.kind == "us_hashrate_lost" else float(value)
        if self.kind in ("break", "first"):
            row = next(r for r in scenario["first_to_break"]["financial"]
                       if r["group"] == self.arg)  # fmt: skip
            return float(row["probability_break" if self.kind == "break" else "probability_first"])
        if self.kind in LENDER_KEYS or self.kind == "default":
            lender = scenario.get("lender")
            if lender is None:
                return None
            if self.kind in LENDER_KEYS:
                return float(lender[LENDER_KEYS[self.kind]])
            loan = next(row for row in lender["loans"] if row["loan"] == self.arg)
            return float(loan["probability_default"])
        lead = scenario["vendors"][str(self.arg)]["lead_time_days"]["p50"]
        return float(max(lead))


def describe_industry(text: str) -> str | None:
    """``text`` (an industry metric's name) in words; None if it is not one."""
    kind, _, arg = text.partition(":")
    if kind not in KINDS or (KINDS[kind] is None) != (not arg):
        return None
    return DESCRIPTIONS[kind].format(arg=arg)


def loan_names(loaded: LoadedIndustry) -> list[str]:
    """The portfolio's loans by their names in the outputs: its own (``loans[i]`` when
    unnamed) and, with ``operators_own_loans``, each operator's (``operator/loan``)."""
    portfolio = loaded.industry.portfolio
    names = [name for name, _ in portfolio.named_loans()]
    if portfolio.operators_own_loans:
        for member in loaded.members:
            finance = member.own_fleet.fleet.finance
            own = [] if finance is None else finance.loans
            names += [f"{member.group}/{loan.name}" for loan in own]
    return list(dict.fromkeys(names))


def parse_industry_metric(text: str, loaded: LoadedIndustry, horizon_days: int,
                          file: Path | None, field: str) -> IndustryMetric:  # fmt: skip
    """``text`` as an industry metric, checked against the industry and the horizon."""
    from hashshock.sweep.metrics import KINDS as FLEET_KINDS

    kind, _, arg = text.partition(":")
    if kind in FLEET_KINDS:
        raise InputError(file, field, f"{text} is a fleet's metric, and the base is an "
                         "industry", f"use an industry's: {', '.join(KINDS)}")  # fmt: skip
    if kind not in KINDS:
        raise InputError(file, field, f"unknown industry metric {kind!r}",
                         unknown_name_fix(kind, list(KINDS), "metric"))  # fmt: skip
    wants = KINDS[kind]
    if wants is None and arg:
        # lender_loss:p95, as a fleet's metrics take a quantile: name the metric that is one
        quantile = f"{kind}_{arg}"
        raise InputError(file, field, f"{kind} takes no argument",
                         f"write {quantile}" if quantile in KINDS else f"write {kind}")  # fmt: skip
    if wants is not None and not arg:
        raise InputError(file, field, f"{kind} needs a {wants}", f"write {kind}:{wants.upper()}")
    portfolio = loaded.industry.portfolio
    if (kind.startswith("lender") or kind == "default") and (
        portfolio is None or not (portfolio.loans or portfolio.operators_own_loans)
    ):
        raise InputError(file, field, f"{loaded.industry.name} has no lender portfolio",
                         "add portfolio: loans to the industry file")  # fmt: skip
    if wants == "day" and not (arg.isdigit() and int(arg) < horizon_days):
        raise InputError(file, field, f"{arg!r} is not a day of the horizon",
                         f"use a day from 0 to {horizon_days - 1}")  # fmt: skip
    names = {"group": loaded.groups, "line": [v.name for v in loaded.industry.vendor_lines],
             "loan": loan_names(loaded)}  # fmt: skip
    if wants in names and arg not in names[wants]:
        known = names[wants]
        what = {"group": "an operator or class", "line": "a vendor line",
                "loan": "a portfolio loan"}[wants]  # fmt: skip
        raise InputError(file, field, f"{arg!r} is not {what} of {loaded.industry.name}",
                         unknown_name_fix(arg, known, what.split(" ", 1)[1]) if known
                         else f"add vendor_lines to {loaded.industry.name}")  # fmt: skip
    if kind in ("break", "first") and arg in loaded.groups_without_finance:
        funded = [g for g in loaded.groups if g not in loaded.groups_without_finance]
        raise InputError(file, field, f"{arg} has no finance block, so it never breaks "
                         "financially", "give it a finance: block in the industry file"
                         + (f", or use one that has: {', '.join(funded[:5])}" if funded
                            else ""))  # fmt: skip
    return IndustryMetric(text, kind, arg or None)


@dataclass
class IndustryBase(Editable):
    """An industry sweep's base inputs: the industry, scenario and market loaded, their
    addressable mappings by root and where they came from."""

    loaded: LoadedIndustry
    scenario: Scenario
    market: MarketConfig
    scenario_label: str
    market_file: Path | None
    spec_file: Path | None

    def __post_init__(self) -> None:
        self._address({"industry": self.loaded.industry, "scenario": self.scenario,
                       "market": self.market})  # fmt: skip

    def build(self, edits: dict[str, dict[str, Any]]
              ) -> tuple[LoadedIndustry, Scenario, MarketConfig]:  # fmt: skip
        """A point's inputs from its edited mappings; :class:`InputError` if invalid."""
        loaded, scenario, market = self._point("industry", self.loaded, self.scenario,
                                               self.market, edits)  # fmt: skip
        assert isinstance(loaded, LoadedIndustry)
        return loaded, scenario, market

    def _load(self, root: str, data: dict[str, Any]) -> Any:
        if root == "industry":
            # Relative fleet and template names start at the industry file's folder.
            return industry_from_mapping(data, self.loaded.path)
        return scenario_or_market(root, data, self.scenario_label, self.market_file,
                                  self.spec_file)  # fmt: skip


def load_industry_base(base: BaseInputs, folder: Path, spec_file: Path | None) -> IndustryBase:
    """Load the base industry (a file relative to ``folder``, or a bundled name), its
    scenario and market."""
    from hashshock.industry.load import bundled_industries

    assert base.industry is not None
    name, path = base.industry, where(base.industry, folder)
    bundled = ", ".join(bundled_industries())
    if not path.exists() and name not in bundled_industries():
        raise InputError(spec_file, "base.industry", f"{name}: file not found (looked for "
                         f"{path})", "check the name (a relative path starts at "
                         f"{spec_start(spec_file)}), or give a bundled industry: "
                         f"{bundled}")  # fmt: skip
    loaded = load_industry(path if path.exists() else name)
    rest = load_scenario_and_market(base, folder, spec_file)
    return IndustryBase(loaded, rest.scenario, rest.market, rest.label, rest.market_file,
                        spec_file)  # fmt: skip


def run_industry_point(
    index: int, loaded: LoadedIndustry, scenario: Scenario, market: MarketConfig,
    horizon_days: int, paths: int, seed: int, metrics: tuple[IndustryMetric, ...],
) -> tuple[int, dict[str, float | None] | None, str | None]:  # fmt: skip
    """One point: the industry run of its inputs, its metrics (or why it cannot run)."""
    from hashshock.industry.api import industry

    try:  # a point's warnings are the base's: not said again point by point
        result = industry(loaded, [scenario], paths, horizon_days, seed, market=market,
                          executor=InProcess(), say_warnings=False)  # fmt: skip
    except InputError as exc:
        return index, None, exc.message
    data = result.to_dict()["scenarios"][scenario.name]
    return index, {m.name: m.read(data) for m in metrics}, None
