"""An industry run's results: ``to_dict()`` is the JSON contract (docs/industry.md).

Bands are p5/p50/p95 over paths, as in ``hashshock run``; differences from baseline are
taken path by path (common random numbers) before the bands.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock import __version__
from hashshock.analysis import bands, stage_summary
from hashshock.frozen import make_read_only
from hashshock.industry.lender import group_money, portfolio_losses
from hashshock.industry.queues import quoted_days
from hashshock.industry.ranking import break_before, first_to_break, group_days
from hashshock.industry.simulate import IndustryRuns, MemberRun
from hashshock.results.jsontext import JsonText

FloatArray = NDArray[np.float64]

#: How an operator "breaks": money (first covenant breach or cash below zero) or
#: operations (the hashrate-decline stage: 7-day mean ≥ 10 % below baseline's, 30 days).
BREAK_KINDS = ("financial", "operational")


#: Decimals of the EH/s figures: a tenth of a PH/s, so that an industry of a few farms,
#: read in PH/s (:func:`hashshock.industry.notes.hashrate_unit`), has its tenths too.
EHS_DIGITS = 4


def _ehs(values: FloatArray) -> dict[str, list[float]]:
    return bands(values / 1e6, EHS_DIGITS)


def _donors(runs: list[MemberRun], counts: FloatArray, members: Sequence[int]
            ) -> dict[str, float]:  # fmt: skip
    """Used machines the ``members`` bought as donors over the horizon, and their price
    (USD), each Σ operators it stands for × the member's, mean over paths."""
    bought = spend = 0.0
    for i in members:
        run = runs[i]
        if run.donors_bought is not None and run.donor_spend_usd is not None:
            bought += counts[i] * float(run.donors_bought.mean())
            spend += counts[i] * float(run.donor_spend_usd.mean())
    return {"bought_mean": round(bought, 1), "spend_usd_mean": round(spend)}


def _event(days: NDArray[np.int64]) -> dict[str, Any]:
    summary = stage_summary(days)
    return {"probability": summary["probability"], "day_p50": summary["day_p50"]}


@dataclass(frozen=True, repr=False)
class IndustryResult(JsonText):
    """Every scenario's industry figures (``to_dict()``) and the runs behind them, read
    only, as a :class:`~hashshock.results.RunResult` is: ``x = r.us_hashrate_ths(1);
    x /= 1e6`` changed the result's own figures (and ``to_dict()``) in place."""

    runs: IndustryRuns
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "warnings", tuple(self.warnings))
        make_read_only(self.runs)

    def __repr__(self) -> str:
        # One line, not every member's arrays.
        loaded = self.runs.inputs.loaded
        return (f"IndustryResult(industry={loaded.industry.name!r}, "
                f"scenarios={self.scenario_names!r}, members={len(loaded.members)}, "
                f"warnings={len(self.warnings)})")  # fmt: skip

    @property
    def scenario_names(self) -> list[str]:
        return [s.name for s in self.runs.inputs.to_run]

    def _weights(self) -> FloatArray:
        """Nameplate TH/s each member stands for (weight × its nameplate)."""
        members = self.runs.inputs.loaded.members
        return np.array([m.weight * m.loaded.nameplate_ths for m in members])

    def member_runs(self, k: int) -> list[MemberRun]:
        """Each simulated member's run of scenario ``k`` (0: baseline), in member order."""
        return [runs[k] for runs in self.runs.runs]

    def us_hashrate_ths(self, k: int) -> FloatArray:
        """[P, T] delivered TH/s of all operators (weighted) under scenario ``k``."""
        return self.runs.totals[k].us_ths

    def _growth(self, k: int) -> dict[str, Any]:
        """Planned growth (open orders, nameplate EH/s), and by day the EH/s of it
        cancelled and late (due, not delivered, not cancelled)."""
        members = self.runs.inputs.loaded.members
        planned = sum(m.weight * o.count * m.loaded.model_of(o.model).hashrate_ths
                      for m in members for i, o in enumerate(m.loaded.fleet.orders)
                      if not m.is_twin(i))  # fmt: skip
        out: dict[str, Any] = {"growth_planned_ehs": round(planned / 1e6, EHS_DIGITS)}
        totals = self.runs.totals[k]
        if totals.growth_cancelled_ths is not None and totals.growth_late_ths is not None:
            out["growth_cancelled_ehs"] = _ehs(totals.growth_cancelled_ths)
            out["growth_late_ehs"] = _ehs(totals.growth_late_ths)
        return out

    def _us(self, k: int) -> dict[str, Any]:
        us, base = self.us_hashrate_ths(k), self.us_hashrate_ths(0)
        out: dict[str, Any] = {"hashrate_ehs": _ehs(us), **self._growth(k)}
        spot = self.runs.spots[k] if self.runs.spots is not None else None
        if spot is not None:
            out["replacement_ordered_ehs"] = _ehs(np.cumsum(spot.ordered_ths, axis=1))
            delivered = self.runs.totals[k].spot_delivered_ths
            if delivered is not None:
                out["replacement_delivered_ehs"] = _ehs(delivered)
        if k > 0:
            out["hashrate_ehs_vs_baseline"] = _ehs(us - base)
        if self._buys_donors():
            runs = self.member_runs(k)
            out["donors"] = _donors(runs, self._counts(), range(len(runs)))
        if self.runs.networks is not None:
            net, base_net = self.runs.networks[k], self.runs.networks[0]
            out["share_of_network"] = bands(net.us_share, 5)
            if k > 0:
                out["share_vs_baseline"] = bands(net.us_share - base_net.us_share, 5)
            out["network_hashrate_ehs"] = _ehs(net.market.network_hashrate_ths)
        gap = self.runs.totals[k].steering_gap
        if gap is not None:  # the engines' hashprice against the shared network's
            q = np.percentile(gap, [50, 95])
            out["steering_hashprice_gap"] = {"p50": round(float(q[0]), 5),
                                             "p95": round(float(q[1]), 5),
                                             "max": round(float(gap.max()), 5)}  # fmt: skip
            out["rest_of_world_ehs"] = _ehs(net.rest_of_world_ths)
            out["moved_overseas_ehs"] = _ehs(net.moved_overseas_ths)
            out["hashprice_usd_per_ph_day"] = bands(net.market.hashprice_usd_per_ph_day, 3)
        return out

    def break_days(self, k: int) -> dict[str, dict[str, NDArray[np.int64]]]:
        """Per break kind, each group's first day [P] under scenario ``k``."""
        runs = self.member_runs(k)
        groups = [m.group for m in self.runs.inputs.loaded.members]
        weights = self._weights()
        member_days = {
            "financial": [r.break_day for r in runs],
            "operational": [r.stage_days["hashrate_decline"] for r in runs],
        }
        return {kind: group_days(days, groups, weights) for kind, days in member_days.items()}

    def _covenant_days(self, k: int) -> dict[str, dict[str, NDArray[np.int64]]]:
        """Per group, each of its members' covenants' first breach by the group [P] under
        scenario ``k`` (by name: the group's rule, ``ranking.group_days``, applied to one
        covenant; a member without that covenant never breaches it)."""
        runs = self.member_runs(k)
        groups = [m.group for m in self.runs.inputs.loaded.members]
        weights = self._weights()
        out: dict[str, dict[str, NDArray[np.int64]]] = {}
        for group in dict.fromkeys(groups):
            idx = [i for i, g in enumerate(groups) if g == group]
            names = dict.fromkeys(name for i in idx for name in runs[i].covenant_days)
            never = np.full_like(runs[idx[0]].cash_out_day, -1)
            out[group] = {
                name: group_days([runs[i].covenant_days.get(name, never) for i in idx],
                                 [group] * len(idx), weights[idx])[group]
                for name in names
            }  # fmt: skip
        return out

    def _groups(self, k: int) -> dict[str, Any]:
        runs = self.member_runs(k)
        members = self.runs.inputs.loaded.members
        groups = [m.group for m in members]
        weights = self._weights()
        out: dict[str, Any] = {}
        stages = {name: group_days([r.stage_days[name] for r in runs], groups, weights)
                  for name in runs[0].stage_days}  # fmt: skip
        money = {
            "covenant_breach": group_days([r.covenant_breach_day for r in runs], groups, weights),
            "cash_out": group_days([r.cash_out_day for r in runs], groups, weights),
        }
        breaks = self.break_days(k)
        by_covenant = self._covenant_days(k)
        never = np.full_like(runs[0].cash_out_day, -1)
        called = [r.margin_call_day for r in runs]
        margin_calls = group_days([never if c is None else c for c in called], groups, weights)
        for group in dict.fromkeys(groups):
            idx = [i for i, g in enumerate(groups) if g == group]
            availability = {}
            for point in runs[0].delivered_at:
                delivered = sum(members[i].weight * runs[i].delivered_at[point] for i in idx)
                nameplate = sum(members[i].weight * runs[i].nameplate_at[point] for i in idx)
                share = np.divide(delivered, nameplate, out=np.zeros_like(delivered),
                                  where=nameplate > 0)  # fmt: skip
                q = np.percentile(share, [5, 50, 95])
                availability[point] = {"p5": round(float(q[0]), 4), "p50": round(float(q[1]), 4),
                                       "p95": round(float(q[2]), 4)}  # fmt: skip
            base_runs = [self.member_runs(0)[i] for i in idx] if k > 0 else None
            money_of_group = group_money([members[i] for i in idx], [runs[i] for i in idx],
                                         base_runs)  # fmt: skip
            out[group] = {
                "stages": {name: stage_summary(days[group]) for name, days in stages.items()},
                "availability": availability,
                "covenant_breach": _event(money["covenant_breach"][group]),
                "covenants": {name: _event(days) for name, days in by_covenant[group].items()},
                "cash_out": _event(money["cash_out"][group]),
                "break": {kind: _event(breaks[kind][group]) for kind in BREAK_KINDS},
            }
            if any(called[i] is not None for i in idx):  # BTC pledged: called, not broken
                out[group]["margin_call"] = _event(margin_calls[group])
            if money_of_group is not None:
                out[group]["money"] = money_of_group
            if self._buys_donors():
                out[group]["donors"] = _donors(runs, self._counts(), idx)
        return out

    def _counts(self) -> FloatArray:
        """[members] the operators each member stands for."""
        return np.array([m.weight for m in self.runs.inputs.loaded.members])

    def _buys_donors(self) -> bool:
        """Whether any member's fleet buys donors (the industry's donor_buyers or its own)."""
        return any(m.loaded.fleet.finance is not None
                   and m.loaded.fleet.finance.replacement.donor_machines
                   for m in self.runs.inputs.loaded.members)  # fmt: skip

    def _vendors(self, k: int) -> dict[str, Any]:
        """Each vendor line's lead time (days), output (EH/s a year), backlog, machines
        made and ordered (made or waiting) so far (EH/s, at the start of each day), its
        orders cancelled so far (EH/s), the share of paths on which the scenario cuts the
        vendor's supply, and with replacement orders its spot lead time and spot output,
        bands by day. Work left at the horizon is made at the last day's capacity
        (:func:`~hashshock.industry.vendors.wait_for`), for up to three years; an order
        not started by then is quoted as :func:`~hashshock.industry.queues.quoted_days`
        says (a lower bound; ``bound_share`` by day: the share of paths quoted so)."""
        assert self.runs.lines is not None
        spot = self.runs.spots[k] if self.runs.spots is not None else None
        spot_lines = {s.name: s for s in spot.lines} if spot is not None else {}
        out: dict[str, Any] = {}
        for line in self.runs.lines[k]:

            def lead(values: FloatArray, base: float = line.base_lead_days) -> dict[str, Any]:
                # the share of paths whose quote is the lower bound rides with the bands,
                # so that a reader can tell "at least" from a wait the queue computed
                out_bands = bands(quoted_days(values, base), 1)
                beyond = (~np.isfinite(values)).mean(axis=0)
                out_bands["bound_share"] = [round(float(v), 4) for v in beyond]
                return out_bands

            made = np.cumsum(line.made, axis=1) - line.made  # before each day, as the backlog
            out[line.name] = {
                "vendor": line.vendor,
                "lead_time_days": lead(line.lead_days),
                "made_ehs_per_year": bands(line.made * 365 / 1e6, EHS_DIGITS),
                "capacity_ehs_per_year": bands(line.capacity * 365 / 1e6, EHS_DIGITS),
                "backlog_ehs": _ehs(line.backlog),
                "made_ehs": _ehs(made),
                "ordered_ehs": _ehs(made + line.backlog),
                "cancelled_ehs": _ehs(line.cancelled),
                "supply_cut_share": [round(float(v), 4) for v in line.supply_cut.mean(axis=0)],
            }
            if line.components_cut is not None:
                out[line.name]["components_cut_share"] = [
                    round(float(v), 4) for v in line.components_cut.mean(axis=0)
                ]
            if line.name in spot_lines:
                on_spot = spot_lines[line.name]
                out[line.name]["spot_lead_time_days"] = lead(on_spot.lead_days)
                out[line.name]["spot_made_ehs_per_year"] = bands(
                    on_spot.made * 365 / 1e6, EHS_DIGITS
                )
        return out

    def _grey_doa(self) -> float:
        from hashshock.industry.used import grey_doa_share

        return grey_doa_share(self.runs.inputs.loaded.industry.used_market)

    def _used_market(self, k: int) -> dict[str, Any]:
        """The used market and distress sales by day (bands): the price factor on the
        market's curve, each tier's price (USD/TH), TH/s offered, wanted by buyers, bought
        through dealers, in the dealers' stock and imported grey (all, and those working on
        arrival), EH/s sold in distress so far; and the grey imports over the horizon
        (bands over paths of each path's sum)."""
        assert self.runs.settlements is not None
        settled = self.runs.settlements[k]
        used = settled.used
        prices = settled.network.market.used_price_usd_per_th
        return {
            "price_factor": bands(used.price_factor, 4),
            "price_usd_per_th": {tier: bands(p, 3) for tier, p in prices.items()},
            "offered_ehs": _ehs(used.offered),
            "wanted_ehs": _ehs(used.wanted),
            "bought_ehs": _ehs(used.traded),
            "stock_ehs": _ehs(used.stock),
            "grey_ehs": _ehs(used.grey),
            "grey_working_ehs": _ehs(used.grey * (1.0 - self._grey_doa())),
            "grey_total_ehs": {
                name: round(value / 1e6, EHS_DIGITS)
                for name, value in zip(
                    ("p5", "p50", "p95"),
                    np.percentile(used.grey.sum(axis=1), [5, 50, 95]),
                    strict=True,
                )
            },
            "sold_in_distress_ehs": _ehs(np.cumsum(used.offered, axis=1)),
            "rounds": settled.rounds,
            "settled": settled.settled,
        }

    def _scenario(self, k: int) -> dict[str, Any]:
        breaks = self.break_days(k)
        out = {
            "us": self._us(k),
            "groups": self._groups(k),
            "first_to_break": {kind: first_to_break(breaks[kind]) for kind in BREAK_KINDS},
            "break_before": {kind: break_before(breaks[kind]) for kind in BREAK_KINDS},
        }
        if self.runs.lines is not None:
            out["vendors"] = self._vendors(k)
        if self.runs.settlements is not None:
            out["used_market"] = self._used_market(k)
        loaded = self.runs.inputs.loaded
        portfolio = loaded.industry.portfolio
        if portfolio.loans or portfolio.operators_own_loans:
            out["lender"] = portfolio_losses(
                portfolio,
                loaded.members,
                self.member_runs(k),
                loaded.industry.start_date,
                self.runs.inputs.horizon_days,
            )
        return out

    def _operators(self) -> list[dict[str, Any]]:
        members = self.runs.inputs.loaded.members
        unfunded = set(self.runs.inputs.loaded.groups_without_finance)
        out = []
        for op in self.runs.inputs.loaded.industry.operators:
            mine = [m for m in members if m.group == op.name]
            nameplate = sum(m.weight * m.loaded.nameplate_ths for m in mine)
            out.append({
                "name": op.name, "kind": op.kind, "count": op.count, "simulated": len(mine),
                "machines": round(sum(m.weight * m.loaded.machines for m in mine)),
                "nameplate_ehs": round(nameplate / 1e6, EHS_DIGITS),
                "has_finance": op.name not in unfunded,  # without: never breaks financially
                "source": op.source,
            })  # fmt: skip
        return out

    def _pipelines_at_start(self) -> str:
        """The members' repairs and orders on day 0: ``empty``, ``steady`` or ``mixed``."""
        starts = {m.loaded.fleet.pipelines_at_start for m in self.runs.inputs.loaded.members}
        return starts.pop() if len(starts) == 1 else "mixed"

    def _manifest(self) -> dict[str, Any]:
        inputs = self.runs.inputs
        payload = json.dumps({
            "industry": inputs.loaded.industry.model_dump(mode="json"),
            "fleets": [m.loaded.content() for m in inputs.loaded.members],
            "catalogs": sorted({json.dumps(m.loaded.catalog.figures(), sort_keys=True)
                                for m in inputs.loaded.members}),  # each distinct one once
            "scenarios": [s.model_dump(mode="json") for s in inputs.to_run],
            "market": inputs.market.content(),
        }, sort_keys=True, default=str)  # fmt: skip
        return {"inputs_sha256": hashlib.sha256(payload.encode()).hexdigest(),
                "seed": self.runs.seed, "paths": self.runs.paths,
                "horizon_days": inputs.horizon_days, "version": __version__}  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``hashshock industry --json`` (docs/industry.md)."""
        inputs = self.runs.inputs
        industry = inputs.loaded.industry
        start = industry.start_date
        requested = [s.name for s in inputs.requested]
        index = {name: k for k, name in enumerate(self.scenario_names)}
        return {
            "industry": industry.name,
            "description": industry.description.strip(),
            "paths": self.runs.paths,
            "horizon_days": inputs.horizon_days,
            "seed": self.runs.seed,
            "start_date": start.isoformat(),
            "version": __version__,
            "network_feedback": industry.network_feedback,
            "engine_passes": industry.engine_passes,
            "donor_buyers": (
                None
                if industry.donor_buyers is None
                else industry.donor_buyers.model_dump(exclude={"source"})
            ),
            "replacement": (
                None
                if industry.replacement is None
                else industry.replacement.model_dump(exclude={"source"})
            ),
            "pipelines_at_start": self._pipelines_at_start(),
            "manifest": self._manifest(),
            "market": self._market(),
            "warnings": list(self.warnings),
            "operators": self._operators(),
            "dates": [(start + timedelta(days=d)).isoformat() for d in range(inputs.horizon_days)],
            "scenarios": {name: self._scenario(index[name]) for name in requested},
        }

    def _market(self) -> dict[str, Any]:
        """Where the run's day-0 network comes from: the market snapshot's date, the days it
        was carried forward to the start date, whether the start date's network was given
        (``--difficulty``, ``--network-hashrate``, ``as_of``), the market file's US share
        of network hashrate (the reference the operators' share is read against), and the
        rest of the world's growth a year at the reference hashprice (USD/PH/day) and its
        feedback κ (docs/industry.md, "The network")."""
        config = self.runs.inputs.market
        snapshot = config.snapshot()
        industry = self.runs.inputs.loaded.industry
        start = industry.start_date
        given = config.as_of.given()
        network = config.network
        growth = industry.rest_of_world.growth_per_year
        return {"snapshot_date": snapshot.date.isoformat(),
                "carried_days": max((start - snapshot.date).days, 0),
                "network_given": "difficulty" in given or "network_hashrate_ehs" in given,
                "us_share_reference": network.us_share,
                "rest_of_world_growth_per_year": (network.growth_per_year if growth is None
                                                  else growth),
                "growth_reference_hashprice_usd_per_ph_day":
                    network.growth_reference_hashprice_usd_per_ph_day,
                "hashprice_feedback_per_year": network.hashprice_feedback_per_year}  # fmt: skip
