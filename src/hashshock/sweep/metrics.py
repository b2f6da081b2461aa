"""What a sweep measures at each point: stable metric names and how each is computed.

A name is ``kind``, ``kind:argument`` and/or a ``:pQ`` percentile over paths (default
p50) where the kind is a distribution::

    covenant_breach:dscr          probability (share of paths) the covenant is ever breached
    margin_call                   probability any BTC pledge gets a margin call (4 digits)
    hashrate_lost:180             share of baseline's delivered hashrate (TH/s-days, days
                                  0..180) lost on the same paths, all paths pooled
    stage_probability:spares_depleted   share of paths on which the stage happens
    stage_day:spares_depleted     median first day of the stage over the paths where it
                                  happens (null when it happens on < 10 % of paths)
    stockout:hashboard            share of paths on which a part runs out somewhere
    availability:364[:p10]        availability on day 364, percentile over paths
    hashrate:364[:p10]            delivered TH/s on day 364
    cash_end[:p5]  cash_min  revenue  ebitda        USD over the horizon, percentile
    revenue_at_risk  cash_at_risk  baseline's minus the point's, USD, on the same paths
    cash_and_spares_at_risk        cash at risk + baseline's spares at cost minus the point's

Values are unrounded floats computed from the same arrays and the same definitions as
the run's JSON (README "JSON output"), so a point equals ``hashshock.compare`` of its
inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.analysis import MIN_SHARE_FOR_DAYS
from hashshock.finance.scenario_money import Money
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.load import LoadedFleet
from hashshock.results import RunResult
from hashshock.sweep.spec import tidy_metric

STAGES = ("customs_delay", "spares_depleted", "hashrate_decline")


@dataclass(frozen=True)
class Kind:
    """A metric kind: its argument (``"name"``, ``"day"``, ``"stage"``, ``"part"`` or None),
    whether it takes a percentile, and what it needs beyond the point's own run."""

    argument: str | None
    percentile: bool
    money: bool
    baseline: bool = False
    baseline_money: bool = False
    unit: str = ""


KINDS: dict[str, Kind] = {
    "covenant_breach": Kind("name", False, True, unit="probability"),
    "margin_call": Kind(None, False, True, unit="probability"),
    "hashrate_lost": Kind("day", False, False, baseline=True, unit="share"),
    "stage_probability": Kind("stage", False, False, unit="probability"),
    "stage_day": Kind("stage", False, False, unit="day"),
    "stockout": Kind("part", False, False, unit="probability"),
    "availability": Kind("day", True, False, unit="share"),
    "hashrate": Kind("day", True, False, unit="TH/s"),
    "cash_end": Kind(None, True, True, unit="USD"),
    "cash_min": Kind(None, True, True, unit="USD"),
    "revenue": Kind(None, True, True, unit="USD"),
    "ebitda": Kind(None, True, True, unit="USD"),
    "revenue_at_risk": Kind(None, True, True, baseline_money=True, unit="USD"),
    "cash_at_risk": Kind(None, True, True, baseline_money=True, unit="USD"),
    "cash_and_spares_at_risk": Kind(None, True, True, baseline_money=True, unit="USD"),
    "donors_bought": Kind(None, True, False, unit="machines"),
    "donor_spend": Kind(None, True, False, unit="USD"),
}
#: What a percentile was meant to be, in or out of 0..100 (``p150``, ``p-5``, ``p2.5.1``).
_PERCENTILE_LIKE = re.compile(r"^p[-+]?[\d.]+$")
#: The day a metric's example names, when the horizon reaches it.
_EXAMPLE_DAY = 180

#: What each kind measures, for people; ``{arg}`` is its argument (``_`` read as spaces)
#: and the percentile is said when it is not the median.
DESCRIPTIONS = {
    "covenant_breach": "probability the {arg} covenant is breached",
    "margin_call": "probability of a margin call on a BTC pledge",
    "hashrate_lost": "share of the point's baseline hashrate lost by day {arg}",
    "stage_probability": "probability of the {arg} stage",
    "stage_day": "median first day of the {arg} stage (days)",
    "stockout": "probability the {arg} spares run out",
    "availability": "availability on day {arg}",
    "hashrate": "delivered hashrate on day {arg} (TH/s)",
    "cash_end": "cash at the end (USD)",
    "cash_min": "lowest cash (USD)",
    "revenue": "revenue over the horizon (USD)",
    "ebitda": "EBITDA over the horizon (USD)",
    "revenue_at_risk": "revenue lost against baseline (USD)",
    "cash_at_risk": "cash behind baseline at the end (USD)",
    "cash_and_spares_at_risk": "cash and spares (at cost) behind baseline at the end (USD)",
    "donors_bought": "used machines bought as donors over the horizon",
    "donor_spend": "spent on donor machines over the horizon (USD)",
}


def describe(text: str) -> str:
    """``text`` (a metric name) in words: ``covenant_breach:dscr`` is "probability the dscr
    covenant is breached", ``availability:364:p10`` "availability on day 364, p10 over
    paths"; a name that does not parse is returned as it is.

    >>> describe("stage_day:spares_depleted")
    'median first day of the spares depleted stage (days)'
    >>> describe("cash_end"), describe("cash_end:p10")
    ('median cash at the end (USD)', 'cash at the end (USD), p10 over paths')
    """
    try:
        metric = parse_metric(text)
    except MetricError:
        from hashshock.sweep.industry import describe_industry

        return describe_industry(text) or text
    words = DESCRIPTIONS[metric.kind].format(arg=(metric.argument or "").replace("_", " "))
    if metric.spec.percentile:
        percentile = metric.percentile
        words = f"median {words}" if percentile == 50 else f"{words}, p{percentile:g} over paths"
    return words


class MetricError(ValueError):
    """A metric name that does not parse or does not fit the base inputs."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class Metric:
    """A parsed metric name."""

    name: str
    kind: str
    argument: str | None
    percentile: float

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def needs_baseline(self) -> bool:
        """Needs baseline's run on the same paths (hashrate lost; the decline stage)."""
        decline = self.kind.startswith("stage_") and self.argument == "hashrate_decline"
        return self.spec.baseline or self.spec.baseline_money or decline

    @property
    def unit(self) -> str:
        return self.spec.unit


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_metric(text: str, horizon_days: int | None = None) -> Metric:
    """Parse a metric name; :class:`MetricError` with the fix if it is not one (its
    examples name a day inside ``horizon_days``, in days, when given)."""
    parts = [p.strip() for p in text.strip().split(":")]
    kind = parts[0]
    if kind not in KINDS:
        from hashshock.inputs.errors import unknown_name_fix

        raise MetricError(f"unknown metric {text!r}", unknown_name_fix(kind, sorted(KINDS),
                                                                       "metric"))  # fmt: skip
    spec = KINDS[kind]
    rest = parts[1:]
    percentile = 50.0
    need = 1 if spec.argument else 0
    day = _EXAMPLE_DAY if horizon_days is None else min(_EXAMPLE_DAY, horizon_days - 1)
    example = {"name": "dscr", "day": str(day), "stage": "spares_depleted", "part": "fan"}
    form = f"{kind}:{example[spec.argument]}" if spec.argument else kind
    if spec.percentile and rest and _PERCENTILE_LIKE.match(rest[-1]):
        given = ":".join([kind, *rest[:-1]])
        value = _number_or_none(rest[-1][1:])
        if value is None or not 0 <= value <= 100:
            raise MetricError(f"{text!r}: percentile {rest[-1]} is not between p0 and p100",
                              f"write it as {given}:p90 (or any p0 to p100)")  # fmt: skip
        percentile = value
        rest.pop()
    # a percentile left: a second one, or one after a kind that takes none (a covenant
    # or part named like one, `covenant_breach:p90`, is its argument, not an extra part)
    if rest and _PERCENTILE_LIKE.match(rest[-1]) and (spec.percentile or len(rest) > need):
        given = ":".join([kind, *rest[:-1]]) if len(rest) - 1 == need else form
        if spec.percentile:
            raise MetricError(f"{text!r}: two percentiles given", f"keep one, e.g. "
                              f"{given}:{parts[-1]}")  # fmt: skip
        raise MetricError(f"{text!r}: {kind} takes no percentile (one number over all "
                          "paths)", f"write it as {given}")  # fmt: skip
    if len(rest) != need:
        raise MetricError(f"{text!r} is not a metric name",
                          f"write it as {form}" + (" (optionally :p10)" if spec.percentile
                                                   else ""))  # fmt: skip
    argument = rest[0] if rest else None
    if spec.argument == "day" and not (argument or "").isdigit():
        raise MetricError(f"{text!r}: {argument!r} is not a day", f"write e.g. {form}")
    if spec.argument == "stage" and argument not in STAGES:
        raise MetricError(
            f"{text!r}: unknown stage {argument!r}", f"use one of {', '.join(STAGES)}"
        )
    if spec.argument == "part" and argument not in PART_TYPES:
        raise MetricError(f"{text!r}: unknown part {argument!r}",
                          f"use one of {', '.join(PART_TYPES)}")  # fmt: skip
    return Metric(tidy_metric(text), kind, argument, percentile)


def check_metric(metric: Metric, loaded: LoadedFleet, horizon_days: int) -> None:
    """The metric must fit the base fleet and horizon (a known covenant, a day inside)."""
    finance = loaded.fleet.finance
    if metric.spec.money and finance is None:
        raise MetricError(
            f"{metric.name} needs money, and the base fleet has no finance:",
            "add a finance: block to the fleet, or measure e.g. hashrate_lost:180",
        )
    if metric.kind == "covenant_breach":
        assert finance is not None
        names = [c.name for c in finance.covenants]
        if metric.argument not in names:
            from hashshock.inputs.errors import unknown_name_fix

            raise MetricError(
                f"{metric.name}: the fleet has no covenant {metric.argument!r}",
                unknown_name_fix(str(metric.argument), names, "covenant"),
            )
    if metric.kind == "margin_call" and finance is not None and not finance.btc_pledges:
        raise MetricError(f"{metric.name}: the fleet pledges no BTC", "add btc_pledges or drop it")
    if metric.spec.argument == "day" and int(str(metric.argument)) >= horizon_days:
        raise MetricError(f"{metric.name}: day {metric.argument} is past the horizon",
                          f"use a day from 0 to {horizon_days - 1}")  # fmt: skip


@dataclass(frozen=True)
class BaselineRef:
    """What metrics need of baseline's run on the same paths (kept small to ship):
    delivered hashrate [P, T] (TH/s) and, with money, revenue, final cash and the spares'
    value at the end per path."""

    hashrate_ths: NDArray[np.float64]
    revenue_usd: NDArray[np.float64] | None = None
    cash_end_usd: NDArray[np.float64] | None = None
    spares_value_usd: NDArray[np.float64] | None = None

    @classmethod
    def of(cls, hashrate_ths: NDArray[np.float64], money: Money | None) -> BaselineRef:
        """Copies (an engine output's arrays are views of one block that goes back to
        the engine's memory recycler only when none of them is held)."""
        hashrate = np.array(hashrate_ths, dtype=np.float64, copy=True)
        if money is None:
            return cls(hashrate)
        flows = money.flows
        revenue = np.array(flows.totals()["revenue_usd"], dtype=np.float64, copy=True)
        cash = np.array(flows.cash_usd[:, -1], dtype=np.float64, copy=True)
        return cls(hashrate, revenue, cash, np.array(money.spares_value_usd, dtype=np.float64))

    @classmethod
    def of_result(cls, result: RunResult) -> BaselineRef | None:
        """From a compared scenario's result (its ``baseline_*`` fields)."""
        if result.baseline_hashrate_ths is None:
            return None
        return cls.of(result.baseline_hashrate_ths, result.baseline_money)


def _share(mask: NDArray[np.bool_]) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _stage_day(first_day: NDArray[np.int64]) -> float | None:
    """As ``analysis.stage_summary``'s ``day_p50``, unrounded."""
    happened = first_day >= 0
    if not happened.any() or _share(happened) < MIN_SHARE_FOR_DAYS:
        return None
    return float(np.percentile(first_day[happened], 50))


def _per_path(metric: Metric, run: RunResult, baseline: BaselineRef | None) -> NDArray[np.float64]:
    """The per-path values a percentile metric takes its percentile of."""
    kind = metric.kind
    if kind in ("availability", "hashrate"):
        day = int(str(metric.argument))
        series = run.availability if kind == "availability" else run.output.hashrate_ths
        return np.asarray(series[:, day], dtype=np.float64)
    if kind == "donors_bought":
        return np.asarray(run.output.donors_bought.sum(axis=1), dtype=np.float64)
    if kind == "donor_spend":
        return np.asarray(run.output.donor_spend.sum(axis=1), dtype=np.float64)
    money = run.money
    if money is None:
        raise ValueError(f"{metric.name} needs the run's money")
    flows = money.flows
    if kind == "cash_end":
        return flows.cash_usd[:, -1]
    if kind == "cash_min":
        return np.asarray(flows.lowest_cash_usd(), dtype=np.float64)
    totals = flows.totals()
    if kind in ("revenue", "ebitda"):
        return np.asarray(totals[f"{kind}_usd"], dtype=np.float64)
    if baseline is None or baseline.revenue_usd is None or baseline.cash_end_usd is None:
        raise ValueError(f"{metric.name} needs baseline's money")
    if kind == "revenue_at_risk":
        return baseline.revenue_usd - totals["revenue_usd"]
    cash_gap = baseline.cash_end_usd - flows.cash_usd[:, -1]
    if kind == "cash_and_spares_at_risk":
        assert baseline.spares_value_usd is not None
        return np.asarray(cash_gap + baseline.spares_value_usd - money.spares_value_usd)
    return cash_gap


def evaluate(metric: Metric, run: RunResult, baseline: BaselineRef | None) -> float | None:
    """The metric's value for ``run`` (with ``baseline``'s run on the same paths)."""
    kind, argument = metric.kind, metric.argument
    if metric.spec.percentile:
        return float(np.percentile(_per_path(metric, run, baseline), metric.percentile))
    if kind == "covenant_breach":
        assert run.money is not None
        covenant = next(c for c in run.money.covenants if c.name == argument)
        # a covenant the horizon never tests has no breach share (as in the run's JSON)
        return _share(covenant.first_breach_day >= 0) if covenant.tested else None
    if kind == "margin_call":
        assert run.money is not None
        return float(run.money.margin_calls["probability"])
    if kind == "hashrate_lost":
        if baseline is None:
            raise ValueError(f"{metric.name} needs baseline's run")
        last = int(str(argument)) + 1
        delivered = float(run.output.hashrate_ths[:, :last].sum())
        base = float(baseline.hashrate_ths[:, :last].sum())
        return 1.0 - delivered / base if base > 0 else 0.0
    if kind == "stockout":
        k = PART_TYPES.index(str(argument))
        return _share(run.output.first_stockout_day[:, k] >= 0)
    first = run.stage_first_days()[str(argument)]
    return _share(first >= 0) if kind == "stage_probability" else _stage_day(first)


def evaluate_all(
    metrics: list[Metric], run: RunResult, baseline: BaselineRef | None
) -> dict[str, float | None]:
    """Every metric of ``run``, by name."""
    return {m.name: evaluate(m, run, baseline) for m in metrics}
