"""The daily Monte Carlo loop on cohort counts, vectorised over paths.

State is counts, not machines: per path and cohort, machines running,
machines stopped waiting for each stop part, dead hashboards in running
machines; per path and spare pool, parts on hand, in repair, on order. Each
day (``docs/model.md`` states the rules as equations):

1. arrivals: repaired and ordered parts reach the shelf, machines come back
   from swaps, ordered machines are delivered, remote-disabled machines return;
2. remote-disable events start;
3. failures: every running machine's fans, PSU and control board, and every
   working hashboard, fail at their daily hazard (the competing-risk process,
   sampled exactly per cohort); a stop part stops its machine;
4. each broken part goes to scrap, in-house or vendor repair and draws its own
   repair time; closed repair centres and stopped vendor parts supply hold parts
   back in backlogs;
5. swaps: spares then technician-days are allocated greedily, stopped
   machines first, then dead boards;
6. replenishment: each pool orders up to its base-stock level; held back while
   the vendor's parts supply is stopped; shipments may be held at customs;
7. the day's figures are recorded.

The per-cohort and per-pool work runs in compiled kernels
(:mod:`hashshock.engine.kernels`); this module decides what they get each day
and handles what is rare (events, orders, policies) with numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from hashshock.engine import kernels
from hashshock.engine.allocate import GroupSum, job_lists
from hashshock.engine.economy import EconomyInputs
from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.orders import OrderPaths
from hashshock.engine.output import EngineOutput
from hashshock.engine.pipeline import Pipeline
from hashshock.engine.random import DelayTables
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

        self.boards = plan.cohort_boards.astype(np.int64)
        self.ths_per_board = plan.cohort_ths_per_machine / plan.cohort_boards
        jobs = job_lists(plan.cohort_pool, plan.cohort_site, self.J, self.S)
        self.pool_ptr, self.pool_jobs, self.site_ptr, self.site_jobs = jobs[:4]
        self.job_pool, self.job_site = jobs[4:]
        self.swap_days = np.array([r.swap_days for r in plan.routes], np.int64)
        self.site_capacity = plan.site_swaps_per_day.astype(np.int64)
        self.pool_to_part = GroupSum(plan.pool_part, N_PARTS)  # [P, J] → [P, 4]
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
        self.every_pool = np.ones(self.J, dtype=bool)
        self.pool_origin = tuple(plan.vendor_parts_origin[v] for v in plan.pool_vendor)
        self.pool_transit = plan.vendor_transit_days[plan.pool_vendor]
        self.pool_clearance = plan.vendor_clearance_days[plan.pool_vendor]
        self.turnaround_mean = np.array([r.vendor_turnaround_days.mean for r in routes])[
            plan.pool_part
        ]
        self.in_house_tables = DelayTables.of([r.in_house_days for r in routes])
        self.vendor_tables = DelayTables.of([r.vendor_turnaround_days for r in routes])
        self.lead_tables = DelayTables.of(plan.vendor_parts_lead)
        # Daily failure intensities per machine (stop parts, all slots) and per board.
        hazard = np.clip(plan.hazard, 0.0, 1.0 - 1e-12)
        self.stop_rate = -plan.cohort_stop_parts[:, :, None] * np.log1p(-hazard[:, 1:, :])
        self.board_rate = -np.log1p(-hazard[:, HASHBOARD, :])  # [C, T]
        self._init_state()

    # --- state -------------------------------------------------------------------

    def _pipeline_length(self, longest: int) -> int:
        return min(longest, self.T) + 1

    def _init_state(self) -> None:
        plan, P, C, J, T = self.plan, self.P, self.C, self.J, self.T

        def tile(a: IntArray) -> IntArray:
            return np.tile(a.astype(np.int64), (P,) + (1,) * a.ndim)

        self.installed = tile(plan.cohort_initial)
        self.waiting = tile(plan.cohort_initial_down)  # [P, C, 3]
        self.running = self.installed - self.waiting.sum(axis=2)
        self.dead_run = tile(plan.cohort_initial_dead_boards)  # dead boards, running machines
        self.dead_stop = np.zeros((P, C), np.int64)  # dead boards inside stopped machines
        self.clock = np.zeros((P, C), np.float64)  # failure thresholds left (kernels)
        kernels.init_clock(self.rng.key("cohorts", 10_000_000), self.clock)
        self.on_hand = tile(plan.pool_on_hand)
        self.vendor_backlog = np.zeros((P, J), np.int64)
        self.in_house_backlog = np.zeros((P, J), np.int64)
        self.order_backlog = np.zeros((P, J), np.int64)
        # Scratch filled by the kernels each day.
        self.routed = np.zeros((3, P, J), np.int64)  # broken parts: scrap, in-house, vendor
        self.broken_in_house, self.broken_vendor = self.routed[1], self.routed[2]
        self.demand_pool = np.zeros((P, J), np.int64)
        self.demand_site = np.zeros((P, self.S), np.int64)
        self.order = np.zeros((P, J), np.int64)
        self.granted = np.zeros((P, C * N_PARTS), np.int64)
        self.pool_state = np.zeros((P, J), np.int8)
        self.all_on = np.ones((P, C), dtype=bool)
        self.no_delay = np.zeros((P, J), np.int64)
        crossing_clearance = np.where(plan.pool_crosses_border, self.pool_clearance, 0)
        self.vendor_base = np.ascontiguousarray(
            np.broadcast_to(2 * self.pool_transit + crossing_clearance, (P, J)), dtype=np.int64
        )
        self.power_price = (
            plan.cohort_power_w * 24 / 1e6 * self.economy.cohort_power_price
            if self.economy.cohort_power_price is not None
            else np.zeros(C)
        )
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
        self.on = self.all_on  # machines allowed to run today
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
        # Day-major copies of the daily series the kernels write one day at a time.
        self._daily = {
            name: np.zeros((T, P)) for name in ("hashrate", "nameplate", "power", "cost")
        }
        self._installed_daily = np.zeros((T, P), np.int64)
        self._down_daily = np.zeros((T, 2, P), np.int32)

    # --- the loop ----------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> EngineOutput:
        for day in range(self.T):
            self._today = day
            self._arrivals(day)
            self._remote_disable(day)
            self._failures(day)
            self._route(day)
            self._swaps_and_record(day)
            self._replenish(day)
            self._record_pools(day)
            self._buy_replacements(day)
            if progress is not None:
                progress(day + 1, self.T)
        out = self.out
        out.hashrate_ths[:] = self._daily["hashrate"].T
        out.nameplate_ths[:] = self._daily["nameplate"].T
        out.power_mw[:] = self._daily["power"].T
        out.power_cost[:] = self._daily["cost"].T
        out.machines_installed[:] = self._installed_daily.T
        out.machines_down[:, :, :2] = self._down_daily.transpose(2, 0, 1)
        out.customs_held_unit_days = self.held_unit_days
        return out

    def _arrivals(self, day: int) -> None:
        self.repairs.pop_into(day, self.on_hand)
        self.replenishments.pop_into(day, self.on_hand)
        # Machines and boards back from swaps return inside the cohort kernel.
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

    def _remote_disable(self, day: int, returning: IntArray | None = None) -> None:
        """Disable ``share`` of the vendor's running machines when an event starts.

        With ``returning`` [P, C] (machines back from a swap today), the events already
        under way disable the same share of those machines too.
        """
        for i, e in enumerate(self.events.indices("remote_disable")):
            if returning is None:
                hit = self.events.occurs[e] & (self.events.start[e] == day)
                hit &= self.events.end[e] > day
                pool = self.running
            else:
                hit = self.events.active(e, day)
                pool = returning
            if not hit.any():
                continue
            event = self.events.events[e]
            share = event.params["share"] * event.vendor_mask[self.plan.cohort_vendor]
            rng = self.rng.day("disable", day * 64 + i + (32 if returning is not None else 0))
            n = rng.binomial(pool, share) * hit[:, None]
            moved = _hypergeometric(rng, self.dead_run, self.boards * self.running, self.boards * n)
            self.running -= n
            self.dead_run -= moved
            self.disabled[i] += n
            self.disabled_dead[i] += moved

    def _failures(self, day: int) -> None:
        mask = self.economy.on_mask(day, self.plan.cohort_site)
        # Machines switched off (unprofitable or curtailed) neither hash nor fail.
        self.on = self.all_on if mask is None else np.ascontiguousarray(mask)
        self.routed.fill(0)
        returning = None
        if self.events.any_active("remote_disable", day):
            returning = self.machine_swaps.ring[day % self.machine_swaps.length].astype(np.int64)
        kernels.cohort_day(
            day, self.rng.key("cohorts", day),
            self.running, self.waiting, self.dead_run, self.dead_stop, self.clock, self.on,
            self.boards, np.ascontiguousarray(self.stop_rate[:, :, day]),
            np.ascontiguousarray(self.board_rate[:, day]), self.plan.cohort_pool,
            self.plan.cohort_site, self.scrap_share, self.in_house_given_rest,
            self.machine_swaps.ring, self.machine_swaps.in_transit,
            self.board_swaps.ring, self.board_swaps.in_transit,
            self.routed, self.failures, self.scrapped, self.demand_pool, self.demand_site,
            self.on_hand,
        )  # fmt: skip
        if returning is not None and returning.any():
            self._remote_disable(day, returning)

    def _swaps_and_record(self, day: int) -> None:
        plan, daily = self.plan, self._daily
        kernels.swaps_day(
            day, self.T, self.waiting, self.dead_run, self.on_hand, self.demand_pool,
            self.demand_site, self.pool_ptr, self.pool_jobs, self.site_ptr, self.site_jobs,
            self.job_pool, self.job_site, self.site_capacity, self.swap_days, self.granted,
            self.pool_state,
            self.machine_swaps.ring, self.machine_swaps.in_transit,
            self.board_swaps.ring, self.board_swaps.in_transit,
            self.swaps_done, self.out.swaps_daily[:, day],
            self.installed, self.running, self.on, self.boards,
            self.ths_per_board, plan.cohort_ths_per_machine, plan.cohort_power_w,
            self.power_price,
            daily["hashrate"][day], daily["nameplate"][day], self._installed_daily[day],
            daily["power"][day], daily["cost"][day],
            self._down_daily[day, 0], self._down_daily[day, 1],
        )  # fmt: skip

    def _replenish(self, day: int) -> None:
        plan, J = self.plan, self.J
        order = self.order
        if plan.replenish:
            kernels.reorder(
                plan.pool_target, self.on_hand, self.repairs.in_transit, self.in_house_backlog,
                self.replenishments.in_transit, self.order_backlog, self.demand_pool,
                plan.pool_part, order, self.ordered,
            )  # fmt: skip
        else:
            order.fill(0)
        ship = order
        if self.events.any_active("parts_supply_stop", day):
            stop = self.events.pool_mask("parts_supply_stop", day, plan.pool_vendor, plan.pool_part)
            grey = self.economy.grey_market
            if grey is not None:
                # The vendor ships nothing: buy the order (and any backlog) on the grey market.
                buy = np.where(stop, order + self.order_backlog, 0)
                self.order_backlog = np.where(stop, 0, self.order_backlog)
                order = np.where(stop, 0, order)
                if buy.any():
                    rng = self.rng.day("supply", day)
                    good = buy - _binomial(rng, buy, np.full(J, grey.doa_share))
                    self.replenishments.add(day, grey.lead_days, good)
                    self.scrapped += self.pool_to_part(buy - good)  # dead on arrival
                    self.out.parts_shipped_grey[:, day] = self.pool_to_part(buy)
                    if self.economy.grey_unit_cost is not None:
                        self.out.grey_spend[:, day] = buy @ self.economy.grey_unit_cost
            ship = np.empty_like(order)
            kernels.hold_back(
                stop, self.every_pool, np.ascontiguousarray(order), self.order_backlog, ship
            )
        elif self.order_backlog.any():
            ship = order + self.order_backlog
            self.order_backlog[:] = 0
        if not ship.any():
            return
        kernels.sum_by_part(ship, plan.pool_part, self.out.parts_shipped[:, day])
        if self.economy.pool_unit_cost is not None:
            self.out.parts_spend[:, day] = ship @ self.economy.pool_unit_cost[:, day]
        lead = np.empty_like(ship)
        tables = self.lead_tables
        kernels.sample_lots(
            self.rng.key("lots", day), ship, plan.pool_vendor,
            tables.values, tables.cdf, tables.length, lead,
        )  # fmt: skip
        if self.events.any_active("lead_time_change", day):
            lead += self.events.pool_extra_days(
                "lead_time_change", day, plan.pool_vendor, shipment="parts"
            )
            np.maximum(lead, 0, out=lead)
        lead += self.pool_transit
        delay = lead + self.pool_clearance
        if self.events.holds_possible("parts"):
            border_day = day + lead
            held, hold_days = self.events.customs_holds(
                self.rng.key("customs", 100_000 + day), border_day, plan.pool_vendor,
                self.pool_origin, "parts",
                lots=ship > 0,
            )  # fmt: skip
            held &= ship > 0
            self._note_holds(held, border_day, ship, hold_days)
            delay += np.where(held, hold_days, 0)
        self.replenishments.add(day, delay, ship)

    def _record_pools(self, day: int) -> None:
        out = self.out
        kernels.pool_record(
            day, self.on_hand, self.demand_pool, self.repairs.in_transit,
            self.in_house_backlog, self.vendor_backlog, self.replenishments.in_transit,
            self.order_backlog, self.plan.pool_part,
            out.spares_on_hand[:, day], out.backorders[:, day], out.parts_in_repair[:, day],
            out.parts_on_order[:, day], self.first_stockout,
        )  # fmt: skip
        out.machines_down[:, day, 2] = self.orders.held_on(day, self.plan.order_count)
        out.machines_down[:, day, 3] = self.disabled.sum(axis=(0, 2))

    def _buy_replacements(self, day: int) -> None:
        """Buy machines while hashrate is below target × starting nameplate and budget lasts."""
        policy = self.economy.replacement
        if policy is None or self.plan.replacement_cohort < 0:
            return
        c = self.plan.replacement_cohort
        ths = float(self.plan.cohort_ths_per_machine[c])
        coming = self.bought.in_transit[:, 0] * ths
        target = policy.target_share_of_nameplate * self.start_nameplate
        gap = target - self._daily["hashrate"][day] - coming
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
