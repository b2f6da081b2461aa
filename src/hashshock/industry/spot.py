"""Replacement machines bought on the spot: what operators order when a shock leaves
machines waiting for parts, and when the alternative vendors deliver them
(docs/industry.md, "Replacement orders").

Member m under a shock has X(p, t) = max(0, machines waiting for a part − those waiting
on the same path under baseline). Every ``review_days`` (day r = 0, R, 2R, …) it orders
machines for a ``share`` of them not yet ordered:

    order(r) = max(0, min(share · X(r), B(r)) − Σ_{r' < r} order(r'))   machines,

in nameplate TH/s at its fleet's mean TH/s per machine. B(r) = (cash(r) − floor) / c is
what it can pay for: its cash on review day r on its scenario's market (the engine's
run, before any spot machine is paid for) above its liquidity floor (its highest
``min_liquidity`` covenant), at c USD a new machine on the lines below. So everything it
has on order is covered by cash above the floor when placed, and an operator whose cash
is at or below its floor orders nothing. With ``max_payback_days`` D it orders only on a
review day when the order pays back within D days at that day's hashprice h
(USD/PH/day, the market its engine was steered by):

    c(r) ≤ D · m(r),   m = u(h) · h / 1000 − power(h),                  (payback)

per nameplate TH/s, each the mix of the order's new and used machines by ``used_share``
s (:class:`OrderEconomics`): c = (1 − s) · c_new + s · c_used, the lines' price and the
used price of the buyer's tiers; u and power what a replacement delivers and draws that
day (:class:`ReplacementEconomics`: 0 under its break-even); else B(r) = 0.

A ``used_share`` of each order is bought on the used market (settled with the network:
:mod:`hashshock.industry.distress`); the rest is split between the lines that sell to
new buyers (:func:`hashshock.industry.orders.alternative_lines`) by the US capacity
each runs on the review day (a line not started yet takes none while another runs), at
each line's model's price per TH/s (data/machine_prices.csv) paid on delivery. These
spot orders are served first come first served on what each line's contracted orders
leave of its capacity (contracted orders go first, so their ship days do not change); a
spot machine is delivered the line's lead time with no queue after it is made (so an
order waits that lead time + the queue ahead: the lead time the line quotes) and joins
the member's fleet (:class:`ReplacementEconomics`).

A new replacement machine delivers its nameplate × the fleet's uptime (1 − downtime,
nameplate-weighted over its cohorts), on every day its hashprice covers its power when
the fleet switches unprofitable machines off: break-even hashprice = J/TH × 24 × the
fleet's power price / 1000 (USD/PH/day, as the engine's own rule), J/TH the lines'
models' (weighted by their US capacity); the share of them at a site that curtails
below a hashprice (its share of the fleet's nameplate) stands on the days below it, as
the site's own machines do. Not the fleet's delivered-to-installed ratio: that counts
the machines the fleet switched off (old models a small farm cannot run at its power
price), which an efficient replacement is not. A used one is a machine of the buyer's
own mix of tiers, as its price is: each cohort's share of the fleet's nameplate at that
cohort's uptime, J/TH, power price, break-even and site, so that an old fleet's used
replacements stand when its own old machines would. Their power is billed on its own
(delivered TH/s × J/TH × 24 × $/MWh / 1e6 a day), not as a share of the fleet's running
costs, which follow the fleet's own machines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.data import machine_prices
from hashshock.finance.moneyplan import MoneyPlan, cohort_machines
from hashshock.industry.orders import alternative_lines
from hashshock.industry.queues import LineFlows
from hashshock.industry.vendors import serve
from hashshock.inputs.catalog import bundled_catalog
from hashshock.inputs.industry import Industry
from hashshock.plan.model import Plan
from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
CountArray = NDArray[np.int32]  # machines, as the engine counts them


@dataclass
class SpotLine:
    """A line's spot queue: lead time of a spot order joining each day [P, T] (with the
    line's lead time with no queue; ``inf`` if it cannot start within the horizon) and
    TH/s it ships to spot buyers each day [P, T]."""

    name: str
    lead_days: FloatArray
    made: FloatArray


@dataclass
class Spot:
    """Per member [P, T] (``None``: it ordered nothing): nameplate TH/s of new machines
    delivered by each day and USD paid each day, and [P, R] TH/s to buy on the used market
    on each review day ``review_days`` [R] (``used_share`` of its orders; ``None`` with
    none); the weighted TH/s ordered each day, new and used; the lines' queues."""

    delivered_ths: list[FloatArray | None]
    paid_usd: list[FloatArray | None]
    ordered_ths: FloatArray
    lines: list[SpotLine]
    used_ths: list[FloatArray | None]
    review_days: IntArray


def spot_orders(
    waiting: CountArray, base_waiting: CountArray, share: float, review: int,
    affordable: FloatArray | None = None,
) -> FloatArray:  # fmt: skip
    """[P, T] machines ordered on each review day (module docstring); ``affordable``
    [P, R]: B(r), machines the member can pay for on each review day (``None``: no limit)."""
    paths, days = waiting.shape
    # X(r) on the review days only; what is placed by review r is the running maximum of
    # min(share · X, B) (never below 0), so each order is its rise from the review before
    wanted = share * np.maximum(waiting[:, ::review].astype(np.float64)
                                - base_waiting[:, ::review], 0.0)  # fmt: skip
    if affordable is not None:
        wanted = np.minimum(wanted, affordable)
    placed = np.maximum.accumulate(np.maximum(wanted, 0.0), axis=1)
    ordered = np.zeros((paths, days))
    ordered[:, ::review] = np.diff(placed, axis=1, prepend=0.0)
    return ordered


@dataclass(frozen=True)
class ReplacementEconomics:
    """What a nameplate TH/s of replacement machines delivers and what its power costs, as
    step functions of the hashprice h (USD/PH/day): its nameplate is cut in slices s, each
    delivering ``delivered[s]`` TH/s (its share of the nameplate × its uptime) at
    ``power_usd_per_ths_day[s]`` USD a delivered TH/s-day (J/TH × 24 × $/MWh / 1e6) on the
    days h ≥ ``threshold[s]`` (its break-even when the fleet switches unprofitable
    machines off, its site's curtailment level; −inf: every day), and nothing below:

        u(h) = Σ_s delivered[s] · 1[h ≥ threshold[s]],
        power(h) = Σ_s delivered[s] · power_usd_per_ths_day[s] · 1[h ≥ threshold[s]].

    :meth:`new` describes new machines from the lines, :meth:`used` used ones of the
    buyer's own tiers (module docstring)."""

    threshold: FloatArray  # [S] USD/PH/day
    delivered: FloatArray  # [S] delivered TH/s per nameplate TH/s
    power_usd_per_ths_day: FloatArray  # [S] USD per delivered TH/s-day

    @classmethod
    def new(cls, industry: Industry, plan: Plan, money: MoneyPlan) -> ReplacementEconomics:
        """New machines from the lines (J/TH of their models weighted by their US
        capacity), at the fleet's uptime and power price (nameplate-weighted over its
        cohorts), spread over its sites as its nameplate is."""
        weight = plan.cohort_initial * plan.cohort_ths_per_machine
        if weight.sum() <= 0:
            weight = np.ones_like(plan.cohort_ths_per_machine)
        uptime = float(np.average(plan.cohort_uptime, weights=weight))
        price = float(np.average(money.cohort_power_price, weights=weight))
        lines = [(line, share) for line, share in alternative_lines(industry) if line.model]
        catalog = bundled_catalog()
        j_per_th = (sum(share * catalog.get(str(line.model)).efficiency_j_per_th
                        for line, share in lines) / sum(share for _, share in lines)
                    if lines else 0.0)  # fmt: skip
        switches_off = money.cohort_breakeven_hashprice is not None and bool(lines)
        breakeven = j_per_th * 24.0 * price / 1000.0 if switches_off else -np.inf
        by_site = np.bincount(plan.cohort_site, weights=weight,
                              minlength=len(plan.site_names)) / weight.sum()  # fmt: skip
        threshold = np.maximum(breakeven, _curtailing(money, len(plan.site_names)))
        power = np.full(by_site.shape, j_per_th * 24.0 * price / 1e6)
        return cls(threshold, by_site * uptime, power)

    @classmethod
    def used(cls, plan: Plan, money: MoneyPlan) -> ReplacementEconomics:
        """Used machines of the buyer's own mix of tiers, as their price is
        (:attr:`~hashshock.finance.moneyplan.MoneyPlan.collateral_tier_share`: its cohorts
        weighted by nameplate, installed or ordered): each cohort's share at its uptime, its
        J/TH, its site's power price, break-even and curtailment."""
        weight = cohort_machines(plan) * plan.cohort_ths_per_machine
        if weight.sum() <= 0:
            weight = np.ones_like(plan.cohort_ths_per_machine)
        share = weight / weight.sum()
        breakeven = money.cohort_breakeven_hashprice
        threshold = np.maximum(
            np.full(share.shape, -np.inf) if breakeven is None else breakeven,
            _curtailing(money, len(plan.site_names))[plan.cohort_site],
        )
        j_per_th = plan.cohort_power_w / plan.cohort_ths_per_machine
        return cls(threshold, share * plan.cohort_uptime,
                   j_per_th * 24.0 * money.cohort_power_price / 1e6)  # fmt: skip

    def reached(self, hashprice_usd_per_ph_day: FloatArray) -> NDArray[np.integer]:
        """[P, ·] how many slices run on each day: those whose threshold the hashprice
        [P, ·] reaches (an index into :meth:`levels`; small integers, kept by a
        :class:`~hashshock.industry.room.Room` for every round of its settlement). A NaN
        hashprice reaches only the slices that run every day (threshold −inf), as a NaN
        price switches off a machine with a break-even in the engine."""
        thresholds = np.sort(self.threshold, kind="stable")
        reached = np.searchsorted(thresholds, hashprice_usd_per_ph_day, side="right")
        unknown = np.isnan(hashprice_usd_per_ph_day)
        if unknown.any():  # searchsorted puts NaN above every threshold
            reached[unknown] = np.searchsorted(thresholds, -np.inf, side="right")
        return reached.astype(np.min_scalar_type(self.threshold.size))

    def levels(self) -> tuple[FloatArray, FloatArray]:
        """u and power [S + 1] when the first k slices in order of threshold run (k = 0 … S):
        what :meth:`reached` indexes."""
        order = np.argsort(self.threshold, kind="stable")
        delivered = self.delivered[order]
        power = delivered * self.power_usd_per_ths_day[order]
        return (np.concatenate([[0.0], np.cumsum(delivered)]),
                np.concatenate([[0.0], np.cumsum(power)]))  # fmt: skip

    def at(self, hashprice_usd_per_ph_day: FloatArray) -> tuple[FloatArray, FloatArray]:
        """u(h) and power(h) [P, ·] on the hashprice [P, ·]: the share of its nameplate a
        replacement delivers each day and the USD of power a nameplate TH/s of it draws —
        the slices in order of threshold, summed up to the last one h reaches."""
        reached = self.reached(hashprice_usd_per_ph_day)
        running, power = self.levels()
        return running[reached], power[reached]

    def running(self, hashprice_usd_per_ph_day: FloatArray) -> FloatArray:
        """u(h) [P, ·]: the share of its nameplate a replacement delivers each day."""
        return self.at(hashprice_usd_per_ph_day)[0]

    def margin(self, hashprice_usd_per_ph_day: FloatArray) -> FloatArray:
        """USD a nameplate TH/s of replacement earns a day after its power, on the hashprice
        [P, ·] USD/PH/day: u(h) · h / 1000 − power(h) (module docstring, payback)."""
        running, power = self.at(hashprice_usd_per_ph_day)
        return np.asarray(running * hashprice_usd_per_ph_day / 1000.0 - power)


def _curtailing(money: MoneyPlan, sites: int) -> FloatArray:
    """[S] hashprice below which each site curtails, USD/PH/day (−inf: never)."""
    if money.site_curtail_below is None:
        return np.full(sites, -np.inf)
    return np.where(np.isnan(money.site_curtail_below), -np.inf, money.site_curtail_below)


@dataclass(frozen=True)
class OrderEconomics:
    """What a member's replacement order earns and costs on each review day [P, R], for
    the payback rule: per nameplate TH/s, the margin of a new machine and of a used one of
    its tiers (USD a day after power, :meth:`ReplacementEconomics.margin`) and the used
    one's price (USD/TH, the market's curve for its tiers)."""

    new_margin: FloatArray
    used_margin: FloatArray
    used_usd_per_ths: FloatArray

    def of_order(self, new_usd_per_ths: FloatArray, used_share: float
                 ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
        """(c, m) [P, R] of an order a ``used_share`` of which is used: its price and margin
        per nameplate TH/s, each the mix of new and used."""
        new_share = 1.0 - used_share
        return (new_share * new_usd_per_ths + used_share * self.used_usd_per_ths,
                new_share * self.new_margin + used_share * self.used_margin)  # fmt: skip


def paying(limit: FloatArray | None, usd_per_ths: FloatArray, margin: FloatArray | None,
           max_payback_days: int | None) -> FloatArray | None:  # fmt: skip
    """B(r) [P, R] with no machine on the review days when one does not pay back within
    ``max_payback_days`` at its ``margin`` [P, R] (USD per nameplate TH/s a day; ``None``:
    no check), at ``usd_per_ths`` [P, R]."""
    if max_payback_days is None or margin is None:
        return limit
    pays = usd_per_ths <= max_payback_days * margin
    return np.where(pays, np.inf if limit is None else limit, 0.0)


def affordable(spendable_usd: FloatArray | None, usd_each: FloatArray) -> FloatArray | None:
    """B(r): machines at ``usd_each`` [P, R] USD on each review day that cash above the floor
    pays for (``None``: no limit, as for a member without cash figures; unlimited on a
    day machines have no price)."""
    if spendable_usd is None:
        return None
    price = np.broadcast_to(usd_each, spendable_usd.shape)
    machines = np.full(spendable_usd.shape, np.inf)
    np.divide(np.maximum(spendable_usd, 0.0), price, out=machines, where=price > 0)
    return machines


def _line_shares(industry: Industry, flows: Sequence[LineFlows], reviews: IntArray
                 ) -> FloatArray:  # fmt: skip
    """[L, P, R]: each line's share of the orders placed on each review day, by the US
    capacity it runs that day on each path (its ramp and any components cut); where none
    runs, as :func:`~hashshock.industry.orders.alternative_lines` says for that day."""
    if not flows:  # no line sells to new buyers: no new machine is bought
        return np.zeros((0, 0, reviews.size))
    running = np.stack([flow.capacity[:, reviews] for flow in flows])  # [L, P, R]
    total = running.sum(axis=0)
    by_schedule = np.array([[share for _, share in alternative_lines(industry, int(day))]
                            for day in reviews]).T  # [L, R]  # fmt: skip
    shares = np.divide(running, total, out=np.zeros_like(running), where=total > 0)
    return np.where(total > 0, shares, by_schedule[:, None, :])


def replace(
    industry: Industry,
    weights: Sequence[float],
    ths_each: Sequence[float],
    waiting: Sequence[CountArray | None],
    base_waiting: Sequence[CountArray | None],
    contracted: Sequence[LineFlows],
    spendable_usd: Sequence[FloatArray | None],
    economics: Sequence[OrderEconomics | None] | None = None,
) -> Spot:
    """The spot orders of every member (``waiting`` and ``base_waiting``: machines waiting
    for a part [P, T] under the shock and under baseline; ``spendable_usd``: cash above
    its floor on each review day [P, R], ``None``: no limit; ``economics``: what its
    orders earn and cost on each review day, for the payback rule) served on what
    ``contracted`` leaves of each line."""
    assert industry.replacement is not None
    rule = industry.replacement
    flows = {line.vendor: line for line in contracted}
    lines = [line for line, _ in alternative_lines(industry)]
    paths, days = contracted[0].capacity.shape
    reviews = np.arange(0, days, rule.review_days)
    shares = _line_shares(industry, [flows[line.vendor] for line in lines], reviews)
    prices = machine_prices()
    usd_per_ths = sum((shares[n] * prices[line.model] for n, line in enumerate(lines)
                       if line.model is not None), np.zeros((paths, reviews.size)))  # fmt: skip
    economics = economics if economics is not None else [None] * len(waiting)

    def limit(cash: FloatArray | None, each: float, order: OrderEconomics | None
              ) -> FloatArray | None:  # fmt: skip
        """B(r): what cash above the floor pays for at the new price, none on the review
        days an order would not pay back."""
        cash_limit = affordable(cash, usd_per_ths * each)
        if order is None:
            return cash_limit
        price, margin = order.of_order(usd_per_ths, rule.used_share)
        return paying(cash_limit, price, margin, rule.max_payback_days)

    machines = [
        None if w is None or b is None else spot_orders(
            w, b, rule.share, rule.review_days, limit(cash, each, order))
        for w, b, cash, each, order in zip(waiting, base_waiting, spendable_usd, ths_each,
                                           economics, strict=True)
    ]  # fmt: skip
    # per buyer, the path-days (flat) its machines arrive on and their TH/s, line by line
    arrivals: dict[int, list[tuple[IntArray, FloatArray, float]]] = {}
    ordered = np.zeros((paths, days))
    spot_lines = []
    buying = [m for m, orders in enumerate(machines) if orders is not None]
    used: list[FloatArray | None] = [None] * len(machines)
    if rule.used_share > 0:
        for m in buying:
            orders = machines[m]
            assert orders is not None
            mine = orders[:, reviews] * ths_each[m] * rule.used_share
            ordered[:, reviews] += weights[m] * mine
            used[m] = mine
    new_share = 1.0 - rule.used_share
    rows = np.arange(paths)[:, None]
    for line, line_share in zip(lines, shares, strict=True):
        assert line.model is not None
        price = prices[line.model]
        # One order per buyer and review day, buyer by buyer: [P, buyers × reviews].
        blocks = []
        for m in buying:
            orders = machines[m]
            assert orders is not None
            block = orders[:, reviews] * ths_each[m] * line_share * new_share
            ordered[:, reviews] += weights[m] * block
            blocks.append(block)
        work = np.concatenate(blocks, axis=1) if blocks else np.zeros((paths, 0))
        join = np.where(work > 0, np.tile(reviews, len(buying)).astype(np.float64), np.nan)
        flow = flows[line.vendor]
        left = flow.capacity - flow.made
        # a day the contracted orders use up has only rounding left (±1e-10 of a day)
        left = np.where(left > 1e-9 * flow.capacity, left, 0.0)
        weight = np.repeat([weights[m] for m in buying], reviews.size)
        result = serve(left, join, work, weight)
        for n, m in enumerate(buying):
            columns = slice(n * reviews.size, (n + 1) * reviews.size)
            made, mine = result.ship_day[:, columns], work[:, columns]
            # made once the queue ahead is worked off, delivered the line's lead time later
            # (as the lead time it quotes: its lead with no queue + the wait)
            ship = np.where(made >= 0, made + flow.base_lead_days, -1)
            arrived = (ship >= 0) & (ship < days)
            at = (np.broadcast_to(rows, ship.shape) * days + ship)[arrived]
            arrivals.setdefault(m, []).append((at, mine[arrived], price))
        # past the horizon spot orders wait behind the contracted work still to make
        wait = result.lead_days(left, flow.later, flow.remaining())
        spot_lines.append(SpotLine(line.name, flow.base_lead_days + wait, result.made))
    delivered: list[FloatArray | None] = [None] * len(machines)
    paid: list[FloatArray | None] = [None] * len(machines)
    for m in buying:
        delivered[m], paid[m] = _on_days(arrivals.get(m, []), paths, days)
    return Spot(delivered, paid, ordered, spot_lines, used, reviews)


def _on_days(arrivals: Sequence[tuple[IntArray, FloatArray, float]], paths: int, days: int
             ) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """A buyer's machines delivered by each day, nameplate TH/s [P, T], and paid for on
    their day, USD [P, T], from its ``arrivals`` line by line: the path-days (flat,
    ``path · days + day``) its orders arrive on, their TH/s and the line's USD/TH. Summed
    in the order given (``np.bincount`` adds its weights in order, as ``np.add.at``
    would, without its cost)."""
    cells = paths * days
    at = np.concatenate([a for a, _, _ in arrivals]) if arrivals else np.zeros(0, np.int64)
    ths = np.concatenate([t for _, t, _ in arrivals]) if arrivals else np.zeros(0)
    usd = np.concatenate([t * price for _, t, price in arrivals]) if arrivals else np.zeros(0)
    delivered = np.bincount(at, weights=ths, minlength=cells).astype(np.float64, copy=False)
    paid = np.bincount(at, weights=usd, minlength=cells).astype(np.float64, copy=False)
    delivered = delivered.reshape(paths, days)
    return cumsum_rows(delivered, out=delivered), paid.reshape(paths, days)
