"""The daily Monte Carlo loop on cohort counts, vectorised over paths.

State is counts, not machines: per path and cohort, machines running,
machines stopped waiting for each stop part, dead hashboards in running
machines; per path and spare pool, parts on hand, in repair, on order. Each
day (``docs/model.md`` states the rules as equations):

1. arrivals: repaired and ordered parts reach the shelf, machines come back
   from swaps, ordered machines are delivered, remote-disabled machines return;
2. remote-disable events start;
3. failures: each running machine stops for the first of its fans, PSU or
   control board to fail (sequential binomials), then each working hashboard of
   the still-running machines fails (binomial);
4. broken parts split into scrap / in-house repair / vendor repair
   (binomials); repair delays are drawn per part; closed repair centres and
   stopped vendor parts supply hold parts back in backlogs;
5. swaps: spares then technician-days are allocated greedily, stopped
   machines first, then dead boards;
6. replenishment: each pool orders up to its base-stock level; held back while
   the vendor's parts supply is stopped; shipments may be held at customs;
7. the day's figures are recorded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.allocate import GroupedGreedy, GroupSum
from hashshock.engine.economy import EconomyInputs
from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.orders import OrderPaths
from hashshock.engine.output import EngineOutput
from hashshock.engine.pipeline import Pipeline
from hashshock.engine.repairs import RepairLoop, _binomial
from hashshock.engine.rng import RandomTree
from hashshock.plan.model import Plan

IntArray = NDArray[np.int64]
Progress = Callable[[int, int], None]

N_PARTS = 4
N_STOP = 3
HASHBOARD = 0


def _hypergeometric(
    rng: np.random.Generator, good: IntArray, total: IntArray, sample: IntArray
) -> IntArray:
    """Good items in a draw of ``sample`` from ``total`` items of which ``good`` are good."""
    out = np.zeros_like(good)
    mask = (sample > 0) & (good > 0)
    if mask.any():
        g = good[mask]
        t = np.maximum(total[mask], g)
        out[mask] = rng.hypergeometric(g, t - g, np.minimum(sample[mask], t))
    return out


class Simulation(RepairLoop):
    """One plan simulated on ``paths`` paths with random tree ``seed``."""

    def __init__(
        self, plan: Plan, paths: int, seed: int, economy: EconomyInputs | None = None
    ) -> None:
        self.plan = plan
        self.economy = economy or EconomyInputs()
        self.P = int(paths)
        self.T = plan.horizon_days
        self.C = plan.n_cohorts
        self.J = plan.n_pools
        self.S = len(plan.site_names)
        self.rng = RandomTree(seed)
        self.events = EventPaths.realise(plan.events, self.P, self.rng)
        self.orders = OrderPaths.realise(plan, self.events, self.P, self.rng)

        C, J = self.C, self.J
        self.boards = plan.cohort_boards
        self.ths_per_board = plan.cohort_ths_per_machine / plan.cohort_boards
        # Jobs: C×3 stop-part jobs (priority 0) then C board jobs (priority 1).
        stop_pool = plan.cohort_pool[:, 1:].reshape(-1)
        self.job_pool = np.concatenate([stop_pool, plan.cohort_pool[:, HASHBOARD]])
        job_site = np.concatenate([np.repeat(plan.cohort_site, N_STOP), plan.cohort_site])
        priority = np.concatenate([np.zeros(C * N_STOP, np.int64), np.ones(C, np.int64)])
        self.by_pool = GroupedGreedy(self.job_pool, priority)
        self.by_site = GroupedGreedy(job_site, priority)
        self.pool_to_part = GroupSum(plan.pool_part, N_PARTS)  # [P, J] → [P, 4]
        self.job_to_pool = GroupSum(self.job_pool, J)  # [P, jobs] → [P, J]
        self.failed_to_pool = GroupSum(plan.cohort_pool.reshape(-1), J)  # [P, C·4] → [P, J]
        routes = plan.routes
        self.scrap_share = np.array([r.scrap_share for r in routes])[plan.pool_part]
        in_house = np.array([r.in_house_share for r in routes])[plan.pool_part]
        rest = 1.0 - self.scrap_share
        self.in_house_given_rest = np.divide(
            in_house, rest, out=np.zeros_like(in_house), where=rest > 0
        )
        self.needs_vendor_parts = np.array([r.in_house_needs_vendor_parts for r in routes])[
            plan.pool_part
        ]
        self.pool_transit = plan.vendor_transit_days[plan.pool_vendor]
        self.pool_clearance = plan.vendor_clearance_days[plan.pool_vendor]
        self.turnaround_mean = np.array([r.vendor_turnaround_days.mean for r in routes])[
            plan.pool_part
        ]
        self._init_state()

    # --- state -------------------------------------------------------------------

    def _pipeline_length(self, longest: int) -> int:
        return min(longest, self.T) + 1

    def _init_state(self) -> None:
        plan, P, C, J, T = self.plan, self.P, self.C, self.J, self.T

        def tile(a: IntArray) -> IntArray:
            return np.tile(a, (P,) + (1,) * a.ndim)

        self.installed = tile(plan.cohort_initial)
        self.waiting = tile(plan.cohort_initial_down)  # [P, C, 3]
        self.running = self.installed - self.waiting.sum(axis=2)
        self.dead_run = tile(plan.cohort_initial_dead_boards)  # dead boards, running machines
        self.dead_stop = np.zeros((P, C), np.int64)  # dead boards inside stopped machines
        self.on_hand = tile(plan.pool_on_hand)
        self.vendor_backlog = np.zeros((P, J), np.int64)
        self.in_house_backlog = np.zeros((P, J), np.int64)
        self.order_backlog = np.zeros((P, J), np.int64)
        holds = [ev.dists["hold_days"].max_days for ev in plan.events if ev.kind == "customs_hold"]
        extra = sum(
            max(0, int(ev.params.get("extra_days", 0)))
            for ev in plan.events
            if ev.kind in {"repair_turnaround_change", "lead_time_change"}
        )
        max_transit = int(plan.vendor_transit_days.max(initial=0))
        max_clear = int(plan.vendor_clearance_days.max(initial=0))
        longest_repair = max(
            max(r.in_house_days.max_days for r in plan.routes),
            max(r.vendor_turnaround_days.max_days for r in plan.routes)
            + 2 * max_transit
            + max_clear
            + max(holds, default=0)
            + extra,
        )
        longest_order = (
            max(d.max_days for d in plan.vendor_parts_lead)
            + max_transit
            + max_clear
            + max(holds, default=0)
            + extra
        )
        longest_swap = max(r.swap_days for r in plan.routes)
        self.repairs = Pipeline(self._pipeline_length(longest_repair), P, J, T)
        self.replenishments = Pipeline(self._pipeline_length(longest_order), P, J, T)
        self.machine_swaps = Pipeline(self._pipeline_length(longest_swap), P, C, T)
        self.board_swaps = Pipeline(self._pipeline_length(longest_swap), P, C, T)
        n_rd = len(self.events.indices("remote_disable"))
        self.disabled = np.zeros((n_rd, P, C), np.int64)
        self.disabled_dead = np.zeros((n_rd, P, C), np.int64)
        self.first_customs = self.orders.first_hold_day().copy()
        self.held_unit_days = np.zeros(P, np.float64)
        self.failures = np.zeros((P, N_PARTS), np.int64)
        self.scrapped = np.zeros((P, N_PARTS), np.int64)
        self.swaps_done = np.zeros((P, N_PARTS), np.int64)
        self.ordered = np.zeros((P, N_PARTS), np.int64)
        self.first_stockout = np.full((P, N_PARTS), -1, np.int64)
        self.on = np.ones((P, C), dtype=bool)  # machines allowed to run today
        policy = self.economy.replacement
        self.budget_left = policy.budget.astype(np.float64).copy() if policy else np.zeros(P)
        self.bought = Pipeline(self._pipeline_length(policy.lead_days if policy else 0), P, 1, T)
        self.start_nameplate = plan.nameplate_ths
        n_orders = len(plan.order_count)
        daily4 = (P, T, N_PARTS)
        self.out = EngineOutput(
            hashrate_ths=np.zeros((P, T)),
            nameplate_ths=np.zeros((P, T)),
            machines_installed=np.zeros((P, T), np.int64),
            spares_on_hand=np.zeros((P, T, N_PARTS), np.int32),
            backorders=np.zeros((P, T, N_PARTS), np.int32),
            parts_in_repair=np.zeros((P, T, N_PARTS), np.int32),
            parts_on_order=np.zeros((P, T, N_PARTS), np.int32),
            machines_down=np.zeros((P, T, 4), np.int32),
            first_customs_hold_day=self.first_customs,
            first_stockout_day=self.first_stockout,
            customs_held_unit_days=self.held_unit_days,
            failures=self.failures,
            scrapped=self.scrapped,
            swaps=self.swaps_done,
            ordered=self.ordered,
            power_mw=np.zeros((P, T)),
            swaps_daily=np.zeros(daily4, np.int32),
            repairs_in_house=np.zeros(daily4, np.int32),
            repairs_vendor=np.zeros(daily4, np.int32),
            parts_shipped=np.zeros(daily4, np.int32),
            parts_shipped_grey=np.zeros(daily4, np.int32),
            storage_unit_days=np.zeros((P, T)),
            power_cost=np.zeros((P, T)),
            parts_spend=np.zeros((P, T)),
            grey_spend=np.zeros((P, T)),
            machines_bought=np.zeros((P, T), np.int32),
            replacement_spend=np.zeros((P, T)),
            order_arrival_day=self.orders.arrival_day,
            order_cancelled=self.orders.cancelled.reshape(n_orders, P),
        )

    # --- the loop ----------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> EngineOutput:
        for day in range(self.T):
            self._today = day
            self._arrivals(day)
            self._remote_disable(day)
            self._failures_and_repairs(day)
            self._swaps(day)
            self._replenish(day)
            self._record(day)
            self._buy_replacements(day)
            if progress is not None:
                progress(day + 1, self.T)
        self.out.customs_held_unit_days = self.held_unit_days
        return self.out

    def _stopped_total(self) -> IntArray:
        """[P, C] machines stopped for a part: waiting or in a swap."""
        return np.asarray(self.waiting.sum(axis=2) + self.machine_swaps.in_transit)

    def _arrivals(self, day: int) -> None:
        self.on_hand += self.repairs.pop(day)
        self.on_hand += self.replenishments.pop(day)
        self.board_swaps.pop(day)
        back = self.machine_swaps.pop(day)
        if back.any():
            stopped = self._stopped_total() + back  # before they leave the stopped pool
            moved = _hypergeometric(
                self.rng.day("failures", 10_000 + day), self.dead_stop,
                self.boards * stopped, self.boards * back,
            )  # fmt: skip
            self.dead_stop -= moved
            self.dead_run += moved
            self.running += back
        if self.plan.replacement_cohort >= 0:
            arrived_machines = self.bought.pop(day)[:, 0]
            c = self.plan.replacement_cohort
            self.installed[:, c] += arrived_machines
            self.running[:, c] += arrived_machines
        for o in range(len(self.plan.order_count)):
            arrived = self.orders.arrival_day[o] == day
            if arrived.any():
                c = int(self.plan.order_cohort[o])
                n = int(self.plan.order_count[o])
                self.installed[arrived, c] += n
                self.running[arrived, c] += n
        for i, e in enumerate(self.events.indices("remote_disable")):
            ending = self.events.occurs[e] & (self.events.end[e] == day)
            if ending.any():
                self.running[ending] += self.disabled[i][ending]
                self.dead_run[ending] += self.disabled_dead[i][ending]
                self.disabled[i][ending] = 0
                self.disabled_dead[i][ending] = 0

    def _remote_disable(self, day: int) -> None:
        for i, e in enumerate(self.events.indices("remote_disable")):
            starting = self.events.occurs[e] & (self.events.start[e] == day)
            starting &= self.events.end[e] > day
            if not starting.any():
                continue
            event = self.events.events[e]
            share = event.params["share"] * event.vendor_mask[self.plan.cohort_vendor]
            rng = self.rng.day("disable", day * 64 + i)
            n = rng.binomial(self.running, share) * starting[:, None]
            moved = _hypergeometric(rng, self.dead_run, self.boards * self.running, self.boards * n)
            self.running -= n
            self.dead_run -= moved
            self.disabled[i] += n
            self.disabled_dead[i] += moved

    def _failures_and_repairs(self, day: int) -> None:
        plan, P, C = self.plan, self.P, self.C
        rng = self.rng.day("failures", day)
        hazard = plan.hazard[:, :, day]  # [C, 4]
        q_stop = -np.expm1(plan.cohort_stop_parts * np.log1p(-hazard[:, 1:]))  # [C, 3]
        failed = np.zeros((P, C, N_PARTS), np.int64)
        # A machine stops for the first of its stop parts to fail (fan, PSU, control board
        # in that order): P(stop) = 1 − Π(1 − q_k); the stopped are then split by cause
        # with the conditional chain, drawn only where something stopped.
        q_none = np.prod(1.0 - q_stop, axis=1)
        mask = self.economy.on_mask(day, plan.cohort_site)
        self.on = np.ones((P, C), dtype=bool) if mask is None else mask
        # Machines switched off (unprofitable or curtailed) neither hash nor fail.
        stopped = rng.binomial(self.running * self.on, 1.0 - q_none)
        hit = np.nonzero(stopped)
        if hit[0].size:
            left = stopped[hit]
            reach = np.ones(C)  # P(no earlier stop part failed)
            for k in range(N_STOP - 1):
                # P(cause k | cause not earlier, stopped) = q_k·reach_k / (reach_k − P(none))
                tail = reach - q_none
                cond = np.divide(q_stop[:, k] * reach, tail, out=np.zeros(C), where=tail > 0)
                draw = rng.binomial(left, np.clip(cond[hit[1]], 0.0, 1.0))
                failed[:, :, k + 1][hit] = draw
                left = left - draw
                reach = reach * (1.0 - q_stop[:, k])
            failed[:, :, N_STOP][hit] = left
        moved = _hypergeometric(
            rng, self.dead_run, self.boards * self.running, self.boards * stopped
        )
        self.dead_run -= moved
        self.dead_stop += moved
        self.running -= stopped
        self.waiting += failed[:, :, 1:]
        working = np.maximum(
            self.boards * self.running - self.dead_run - self.board_swaps.in_transit, 0
        )
        failed[:, :, HASHBOARD] = rng.binomial(working * self.on, hazard[:, HASHBOARD])
        self.dead_run += failed[:, :, HASHBOARD]
        self.failures += failed.sum(axis=1)
        self._route(day, self.failed_to_pool(failed.reshape(P, C * N_PARTS)))

    def _demand(self) -> IntArray:
        """[P, N_jobs]: machines waiting per stop part, then dead boards, per cohort."""
        return np.concatenate([self.waiting.reshape(self.P, -1), self.dead_run], axis=1)

    def _swaps(self, day: int) -> None:
        plan, P, C = self.plan, self.P, self.C
        demand = self._demand()
        with_spare = self.by_pool.allocate(demand, self.on_hand)
        capacity = np.broadcast_to(plan.site_swaps_per_day, (P, self.S))
        done = self.by_site.allocate(with_spare, capacity)
        if not done.any():
            return
        self.on_hand -= self.job_to_pool(done)
        done_stop = done[:, : C * N_STOP].reshape(P, C, N_STOP)
        done_boards = done[:, C * N_STOP :]
        self.waiting -= done_stop
        for k in range(N_STOP):
            self.machine_swaps.add(day, plan.routes[k + 1].swap_days, done_stop[:, :, k])
        self.dead_run -= done_boards
        self.board_swaps.add(day, plan.routes[HASHBOARD].swap_days, done_boards)
        self.swaps_done[:, 1:] += done_stop.sum(axis=1)
        self.swaps_done[:, HASHBOARD] += done_boards.sum(axis=1)
        self.out.swaps_daily[:, day, 1:] = done_stop.sum(axis=1)
        self.out.swaps_daily[:, day, HASHBOARD] = done_boards.sum(axis=1)

    def _replenish(self, day: int) -> None:
        plan, P, J = self.plan, self.P, self.J
        order = np.zeros((P, J), np.int64)
        if plan.replenish:
            position = (
                self.on_hand
                + self.repairs.in_transit
                + self.in_house_backlog
                + self.replenishments.in_transit
                + self.order_backlog
                - self.job_to_pool(self._demand())
            )
            order = np.maximum(plan.pool_target - position, 0)
            self.ordered += self.pool_to_part(order)
        stop = self.events.pool_mask("parts_supply_stop", day, plan.pool_vendor, plan.pool_part)
        rng = self.rng.day("supply", day)
        grey = self.economy.grey_market
        if grey is not None:
            # The vendor ships nothing: buy the order (and any backlog) on the grey market.
            buy = np.where(stop, order + self.order_backlog, 0)
            self.order_backlog = np.where(stop, 0, self.order_backlog)
            order = np.where(stop, 0, order)
            if buy.any():
                good = buy - _binomial(rng, buy, np.full(J, grey.doa_share))
                self.replenishments.add(day, grey.lead_days, good)
                self.scrapped += self.pool_to_part(buy - good)  # dead on arrival
                self.out.parts_shipped_grey[:, day] = self.pool_to_part(buy)
                if self.economy.grey_unit_cost is not None:
                    self.out.grey_spend[:, day] = buy @ self.economy.grey_unit_cost
        self.order_backlog += np.where(stop, order, 0)
        ship = np.where(stop, 0, order + self.order_backlog)
        self.order_backlog = np.where(stop, self.order_backlog, 0)
        if not ship.any():
            return
        self.out.parts_shipped[:, day] = self.pool_to_part(ship)
        if self.economy.pool_unit_cost is not None:
            self.out.parts_spend[:, day] = ship @ self.economy.pool_unit_cost[:, day]
        lead = np.zeros((P, J), np.int64)
        for v, dist in enumerate(plan.vendor_parts_lead):
            cols = plan.pool_vendor == v
            if cols.any():
                lead[:, cols] = dist.sample(rng, (P, int(cols.sum())))
        lead += self.events.pool_extra_days(
            "lead_time_change", day, plan.pool_vendor, shipment="parts"
        )
        lead = np.maximum(lead, 0) + self.pool_transit
        border_day = day + lead
        held, hold_days = self.events.customs_holds(
            self.rng.day("customs", 100_000 + day), border_day, plan.pool_vendor,
            tuple(plan.vendor_parts_origin[v] for v in plan.pool_vendor), "parts",
            lots=ship > 0,
        )  # fmt: skip
        held &= ship > 0
        self._note_holds(held, border_day, ship, hold_days)
        delay = lead + self.pool_clearance + np.where(held, hold_days, 0)
        self.replenishments.add(day, delay, ship)

    def _buy_replacements(self, day: int) -> None:
        """Buy machines while hashrate is below target × starting nameplate and budget lasts."""
        policy = self.economy.replacement
        if policy is None or self.plan.replacement_cohort < 0:
            return
        c = self.plan.replacement_cohort
        ths = float(self.plan.cohort_ths_per_machine[c])
        coming = self.bought.in_transit[:, 0] * ths
        target = policy.target_share_of_nameplate * self.start_nameplate
        gap = target - self.out.hashrate_ths[:, day] - coming
        cost = policy.unit_cost[:, day]
        affordable = np.floor(np.divide(self.budget_left, cost, out=np.zeros(self.P),
                                        where=cost > 0))  # fmt: skip
        n = np.minimum(np.ceil(np.maximum(gap, 0.0) / ths), affordable).astype(np.int64)
        if not n.any():
            return
        rng = self.rng.day("supply", 200_000 + day)
        good = n - _binomial(rng, n, np.full(self.P, policy.doa_share))
        self.budget_left -= n * cost
        self.out.machines_bought[:, day] = n
        self.out.replacement_spend[:, day] = n * cost
        self.bought.add(day, policy.lead_days, good[:, None])

    def _record(self, day: int) -> None:
        out = self.out
        plan = self.plan
        boards_up = np.maximum(
            self.boards * self.running - self.dead_run - self.board_swaps.in_transit, 0
        )
        out.hashrate_ths[:, day] = (boards_up * self.on) @ self.ths_per_board
        running_on = self.running * self.on
        out.power_mw[:, day] = running_on @ plan.cohort_power_w / 1e6
        if self.economy.cohort_power_price is not None:
            mwh_per_day = plan.cohort_power_w * 24 / 1e6
            out.power_cost[:, day] = running_on @ (mwh_per_day * self.economy.cohort_power_price)
        out.nameplate_ths[:, day] = self.installed @ plan.cohort_ths_per_machine
        out.machines_installed[:, day] = self.installed.sum(axis=1)
        demand_pool = self.job_to_pool(self._demand())
        in_repair = self.repairs.in_transit + self.in_house_backlog + self.vendor_backlog
        on_order = self.replenishments.in_transit + self.order_backlog
        # One grouped sum for all four pool-level quantities.
        stacked = np.stack([self.on_hand, demand_pool, in_repair, on_order], axis=1)
        by_part = self.pool_to_part(stacked.reshape(self.P * 4, self.J)).reshape(self.P, 4, N_PARTS)
        out.spares_on_hand[:, day] = by_part[:, 0]
        out.backorders[:, day] = by_part[:, 1]
        out.parts_in_repair[:, day] = by_part[:, 2]
        out.parts_on_order[:, day] = by_part[:, 3]
        out.machines_down[:, day, 0] = self.waiting.sum(axis=(1, 2))
        out.machines_down[:, day, 1] = self.machine_swaps.in_transit.sum(axis=1)
        out.machines_down[:, day, 2] = self.orders.held_on(day, plan.order_count)
        out.machines_down[:, day, 3] = self.disabled.sum(axis=(0, 2))
        stockout = self.pool_to_part(((self.on_hand == 0) & (demand_pool > 0)).astype(np.int64)) > 0
        new = stockout & (self.first_stockout < 0)
        self.first_stockout[new] = day


def simulate(
    plan: Plan,
    paths: int,
    seed: int,
    progress: Progress | None = None,
    economy: EconomyInputs | None = None,
) -> EngineOutput:
    """Run ``plan`` on ``paths`` Monte Carlo paths with random tree ``seed``."""
    if paths < 1:
        raise ValueError("paths must be at least 1")
    return Simulation(plan, paths, seed, economy).run(progress)
