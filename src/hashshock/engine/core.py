"""The Monte Carlo run on cohort counts: state, and the order the days are run in.

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

The rules run in compiled phases (:mod:`hashshock.engine.step`). Most days need
nothing else, and run path by path over spans of days in one kernel. Days with a
remote-disable event under way, or money-driven policies that act between phases
(:mod:`hashshock.engine.hooks`), run phase by phase for all paths, with the
driver's steps in between; both ways give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import as_completed

import numba
import numpy as np
from numpy.typing import NDArray

from hashshock.engine import step
from hashshock.engine.allocate import GroupSum, job_lists
from hashshock.engine.arrays import (
    N_PARTS,
    Cohorts,
    Fleet,
    Keys,
    Pools,
    Record,
    Rules,
    Scratch,
    State,
    SwapJobs,
)
from hashshock.engine.bench import bench_shape, bench_tables
from hashshock.engine.eventpaths import EventPaths
from hashshock.engine.failures import init_clock
from hashshock.engine.hooks import Hooks
from hashshock.engine.kernel_random import DelayTables
from hashshock.engine.memory import OUTPUT_BLOCKS, STATE_BLOCKS, zeros_together
from hashshock.engine.orders import OrderPaths
from hashshock.engine.output import DOWN_CAUSES, EngineOutput
from hashshock.engine.policies import EconomyInputs
from hashshock.engine.rings import Pipeline
from hashshock.engine.threads import (
    BLOCKS_PER_THREAD,
    SPAN_BLOCKS_PER_THREAD,
    _pool,
    path_blocks,
)
from hashshock.engine.transfers import transfer_tables
from hashshock.engine.warm import start_warm
from hashshock.plan.kinds import kinds_for_rule, kinds_tagged
from hashshock.plan.model import Plan
from hashshock.streams import RandomTree

IntArray = NDArray[np.int64]
Progress = Callable[[int, int], None]

HASHBOARD = 0
#: Spans of fewer days run as one block of paths a thread (:meth:`Simulation._span`).
SHORT_SPAN_DAYS = 30


class Simulation(Hooks):
    """One plan simulated on ``paths`` paths with random tree ``seed``."""

    def __init__(
        self, plan: Plan, paths: int, seed: int, economy: EconomyInputs | None = None,
        events_seed: int | None = None, order_ship_day: IntArray | None = None,
        first_path: int = 0,
    ) -> None:  # fmt: skip
        self.plan = plan
        self.first_path = int(first_path)
        self.economy = economy or EconomyInputs()
        self.P = int(paths)
        self.T = plan.horizon_days
        self.C = plan.n_cohorts
        self.J = plan.n_pools
        self.S = len(plan.site_names)
        self.bench_shape = bench_shape(plan)
        self.rng = RandomTree(seed)
        # The scenario's events may come from another seed: operators of one industry
        # share the events (one world) and draw their own failures.
        events_rng = self.rng if events_seed is None else RandomTree(events_seed)
        self.events = EventPaths.realise(plan.events, self.P, events_rng, self.first_path)
        self.orders = OrderPaths.realise(plan, self.events, self.P, self.rng, order_ship_day)
        self.boards = plan.cohort_boards.astype(np.int64)
        self.pool_to_part = GroupSum(plan.pool_part, N_PARTS)  # [P, J] → [P, 4]
        self._init_state()
        self.fleet = self._fleet()
        self.rules = self._rules()
        self.keys = self._keys()
        start_warm(plan, self.rng, self.rules, self.fleet, self.repairs.arrays,
                   self.replenishments.arrays, self.record, self.first_path)  # fmt: skip

    # --- state -------------------------------------------------------------------

    def _ring_length(self, longest: int) -> int:
        return min(longest, self.T) + 1

    def _init_state(self) -> None:
        plan, P, C, J, T = self.plan, self.P, self.C, self.J, self.T
        # donors held from day 0, or bought during the run (docs/model.md, C1, C4)
        self.cannibalise = bool(plan.donors) or self.economy.donors is not None
        lengths = {k: self._ring_length(v) for k, v in self._longest_delays().items()}
        n_rd = len(self.events.indices(kinds_tagged("disable")))
        i64 = np.int64
        # The state and scratch, zeroed in one block that the next run of the same
        # size reuses (memory.STATE_BLOCKS): fresh, its pages cost more than the run.
        specs: dict[str, tuple[tuple[int, ...], type]] = {
            "installed": ((P, C), i64), "waiting": ((P, C, 3), i64), "running": ((P, C), i64),
            "dead_run": ((P, C), i64),  # dead boards in running machines
            "dead_stop": ((P, C), i64),  # dead boards inside stopped machines
            "clock": ((P, C), np.float64),  # failure thresholds left (kernels)
            "on_hand": ((P, J), i64), "vendor_backlog": ((P, J), i64),
            "donor_parts": ((P, J if self.cannibalise else 0), i64),
            "in_house_backlog": ((P, J), i64), "order_backlog": ((P, J), i64),
            "on": ((P, C), np.bool_),
            "disabled": ((n_rd, P, C), i64), "disabled_dead": ((n_rd, P, C), i64),
            "routed": ((2, P, J), i64), "demand_pool": ((P, J), i64),
            "demand_site": ((P, self.S), i64), "order": ((P, J), i64),
            "granted": ((P, C * N_PARTS), i64), "pool_state": ((P, J), np.int8),
            "amounts": ((4, P, J), i64),
            "bench_free": ((P, *self.bench_shape), np.float64),
            "bench_queue": ((P, J if plan.site_bench else 0), i64),
        }  # fmt: skip
        # Each delay pipeline: the longest delay it holds, and its width.
        rings = {
            "repairs": ("repair", J), "replenishments": ("order", J),
            "machine_swaps": ("swap", C), "board_swaps": ("swap", C),
            "transfers": ("transfer", J),
        }  # fmt: skip
        for name, (delay, width) in rings.items():
            specs[f"{name}.ring"] = ((P, lengths[delay], width), np.int32)
            specs[f"{name}.in_transit"] = ((P, width), i64)
        memory = dict(zip(specs, zeros_together(list(specs.values()), STATE_BLOCKS), strict=True))

        def pipeline(name: str) -> Pipeline:
            return Pipeline.over(memory[f"{name}.ring"], memory[f"{name}.in_transit"], T)

        self.repairs, self.replenishments = pipeline("repairs"), pipeline("replenishments")
        self.machine_swaps, self.board_swaps = pipeline("machine_swaps"), pipeline("board_swaps")
        self.transfers = pipeline("transfers")
        self.installed, self.waiting = memory["installed"], memory["waiting"]
        self.running, self.dead_run = memory["running"], memory["dead_run"]
        self.dead_stop, self.clock, self.on = memory["dead_stop"], memory["clock"], memory["on"]
        self.installed[:] = plan.cohort_initial
        self.waiting[:] = plan.cohort_initial_down
        np.subtract(self.installed, self.waiting.sum(axis=2), out=self.running)
        self.dead_run[:] = plan.cohort_initial_dead_boards
        self.on[:] = True
        init_clock(self.rng.key("cohorts", 10_000_000), self.clock, self.first_path)
        self.on_hand = memory["on_hand"]
        self.on_hand[:] = plan.pool_on_hand
        self.vendor_backlog = memory["vendor_backlog"]
        self.in_house_backlog = memory["in_house_backlog"]
        self.order_backlog = memory["order_backlog"]
        self.donor_parts = memory["donor_parts"]
        if plan.donors:
            self.donor_parts[:] = plan.donor_parts()
        self.disabled, self.disabled_dead = memory["disabled"], memory["disabled_dead"]
        policy, buying = self.economy.replacement, self.economy.donors
        budget = policy.budget if policy else buying.budget if buying else np.zeros(P)
        self.budget_left = budget.astype(np.float64).copy()  # both policies spend from it
        self.bought = Pipeline(self._ring_length(policy.lead_days if policy else 0), P, 1, T)
        groups = buying.parts.shape[0] if buying else 0
        self.donor_arrival_days: set[int] = set()  # days donors bought so far arrive on
        self.donors_coming = Pipeline(self._ring_length(buying.lead_days if buying else 0),
                                      P, groups, T)  # fmt: skip
        self.start_nameplate = plan.nameplate_ths
        n_orders = len(plan.order_count)
        daily4 = (P, T, N_PARTS)

        def totals() -> IntArray:
            return np.zeros((P, N_PARTS), np.int64)

        # The daily series, zeroed in one block (see zeros_together).
        f64, i32 = np.float64, np.int32
        daily_specs: dict[str, tuple[tuple[int, ...], type]] = {
            "hashrate_ths": ((P, T), f64), "nameplate_ths": ((P, T), f64),
            "machines_installed": ((P, T), np.int64), "spares_on_hand": (daily4, i32),
            "backorders": (daily4, i32), "parts_in_repair": (daily4, i32),
            "parts_on_order": (daily4, i32), "machines_down": ((P, T, len(DOWN_CAUSES)), i32),
            "power_mw": ((P, T), f64), "swaps_daily": (daily4, i32),
            "repairs_in_house": (daily4, i32), "repairs_vendor": (daily4, i32),
            "parts_shipped": (daily4, i32), "parts_shipped_grey": (daily4, i32),
            "storage_unit_days": ((P, T), f64), "power_cost": ((P, T), f64),
            "parts_spend": ((P, T), f64), "grey_spend": ((P, T), f64),
            "machines_bought": ((P, T), i32), "replacement_spend": ((P, T), f64),
            "donors_bought": ((P, T), i32), "donors_bought_ths": ((P, T), f64),
            "donor_spend": ((P, T), f64),
            "bench_waits": ((P, self.S, 3), f64), "parts_transferred": (daily4, i32),
            "parts_from_donors": (daily4, i32),
        }  # fmt: skip
        daily_arrays = zeros_together(list(daily_specs.values()), OUTPUT_BLOCKS)
        daily = dict(zip(daily_specs, daily_arrays, strict=True))
        self.out = EngineOutput(
            first_customs_hold_day=self.orders.first_hold_day(T).copy(),
            first_stockout_day=np.full((P, N_PARTS), -1, np.int64),
            customs_held_unit_days=np.zeros(P, np.float64),
            failures=totals(),
            scrapped=totals(),
            swaps=totals(),
            ordered=totals(),
            order_arrival_day=self.orders.arrival_day,
            order_cancelled=self.orders.cancelled.reshape(n_orders, P),
            donor_parts_left=np.zeros((P, self.J), np.int64),
            pool_on_hand_end=np.zeros((P, self.J), np.int64),
            pool_waiting_end=np.zeros((P, self.J), np.int64),
            **daily,
        )
        self.scrapped = self.out.scrapped
        self.state = State(
            cohorts=Cohorts(
                installed=self.installed, running=self.running, waiting=self.waiting,
                dead_run=self.dead_run, dead_stop=self.dead_stop, clock=self.clock, on=self.on,
            ),
            pools=Pools(
                on_hand=self.on_hand, vendor_backlog=self.vendor_backlog,
                in_house_backlog=self.in_house_backlog, order_backlog=self.order_backlog,
                donor_parts=self.donor_parts,
            ),
            repairs=self.repairs.arrays, orders=self.replenishments.arrays,
            machine_swaps=self.machine_swaps.arrays, board_swaps=self.board_swaps.arrays,
            transfers=self.transfers.arrays, disabled=self.disabled,
            bench_free=memory["bench_free"],
        )  # fmt: skip

        self.scratch = Scratch(
            routed=memory["routed"], demand_pool=memory["demand_pool"],
            demand_site=memory["demand_site"], order=memory["order"],
            granted=memory["granted"], pool_state=memory["pool_state"],
            amounts=memory["amounts"], bench_queue=memory["bench_queue"],
        )  # fmt: skip
        out = self.out
        self.record = Record(
            failures=out.failures, scrapped=out.scrapped, swaps_done=out.swaps,
            ordered=out.ordered, first_stockout=out.first_stockout_day,
            first_customs=out.first_customs_hold_day, held_unit_days=out.customs_held_unit_days,
            hashrate=out.hashrate_ths, nameplate=out.nameplate_ths,
            installed=out.machines_installed, power=out.power_mw, power_cost=out.power_cost,
            machines_down=out.machines_down, swaps_daily=out.swaps_daily,
            repairs_in_house=out.repairs_in_house, repairs_vendor=out.repairs_vendor,
            parts_shipped=out.parts_shipped, spares=out.spares_on_hand,
            backorders=out.backorders, in_repair=out.parts_in_repair,
            on_order=out.parts_on_order, storage_unit_days=out.storage_unit_days,
            parts_spend=out.parts_spend, bench_waits=out.bench_waits,
            transferred=out.parts_transferred, from_donors=out.parts_from_donors,
        )  # fmt: skip

    def _longest_delays(self) -> dict[str, int]:
        """Longest delay (days) a repair, a spares order, a swap and a transfer between
        sites (0: none) can take."""
        plan = self.plan
        customs = kinds_tagged("customs")
        holds = [ev.dists["hold_days"].max_days for ev in plan.events if ev.kind in customs]
        extra = sum(
            max(0, int(ev.params.get("extra_days", 0)))
            for ev in plan.events
            if ev.kind in kinds_tagged("extra_days")
        )
        border = (
            int(plan.vendor_transit_days.max(initial=0))
            + int(plan.vendor_clearance_days.max(initial=0))
            + max(holds, default=0)
            + extra
        )
        order = max(d.max_days for d in plan.vendor_parts_lead) + border
        swap = max(r.swap_days for r in plan.routes)
        transfer = max(plan.transfer_days, 1) if plan.transfer_days >= 0 else 0
        if plan.site_bench:  # a part may wait at a bench for any time
            return {"repair": self.T, "order": order, "swap": swap, "transfer": transfer}
        return {
            "repair": max(
                max(r.in_house_days.max_days for r in plan.routes),
                max(r.vendor_turnaround_days.max_days for r in plan.routes)
                + int(plan.vendor_transit_days.max(initial=0))
                + border,
            ),
            "order": order,
            "swap": swap,
            "transfer": transfer,
        }

    def _fleet(self) -> Fleet:
        plan, economy, routes = self.plan, self.economy, self.plan.routes
        # The technicians' bound on a site's swaps is summed over its pools
        # (swaps.site_demand), so a cohort may only draw on its own site's pools.
        if not (plan.pool_site[plan.cohort_pool] == plan.cohort_site[:, None]).all():
            raise ValueError("plan: every cohort's spare pools must be at the cohort's site")
        hazard = np.clip(plan.hazard, 0.0, 1.0 - 1e-12)  # [C, 4, T] daily probabilities
        # Daily failure intensities per machine (stop parts, all slots) and per board.
        stop_rate = -plan.cohort_stop_parts[:, :, None] * np.log1p(-hazard[:, 1:, :])
        board_rate = -np.log1p(-hazard[:, HASHBOARD, :])
        by_part = plan.pool_part
        scrap = np.array([r.scrap_share for r in routes])  # per part
        in_house = np.array([r.in_house_share for r in routes])
        rest = 1.0 - scrap
        transit = plan.vendor_transit_days[plan.pool_vendor].astype(np.int64)
        clearance = plan.vendor_clearance_days[plan.pool_vendor].astype(np.int64)
        return_clearance = np.where(plan.pool_crosses_border, clearance, 0)
        turnaround = np.array([r.vendor_turnaround_days.mean for r in routes])[by_part]
        pool_ptr, pool_jobs, site_ptr, site_jobs, job_pool, job_site = job_lists(
            plan.cohort_pool, plan.cohort_site, self.J, self.S
        )
        switch = economy.hashprice_usd_per_ph_day is not None and (
            economy.cohort_breakeven_hashprice is not None or economy.site_curtail_below is not None
        )
        power_price = economy.cohort_power_price
        uptime = plan.cohort_uptime.astype(np.float64)
        return Fleet(
            horizon=self.T,
            boards=self.boards,
            stop_rate=np.ascontiguousarray(stop_rate.transpose(2, 0, 1)),
            board_rate=np.ascontiguousarray(board_rate.T),
            cohort_pool=plan.cohort_pool.astype(np.int64),
            cohort_site=plan.cohort_site.astype(np.int64),
            scrap_share=scrap,
            storage_share=np.array([r.storage_share for r in routes]),
            in_house_given_rest=np.divide(
                in_house, rest, out=np.zeros_like(in_house), where=rest > 0
            ),
            jobs=SwapJobs(
                pool_ptr=pool_ptr,
                pool_jobs=pool_jobs,
                site_ptr=site_ptr,
                site_jobs=site_jobs,
                job_pool=job_pool,
                job_site=job_site,
                site_capacity=plan.site_swaps_per_day.astype(np.int64),
            ),
            pool_site=plan.pool_site.astype(np.int64),
            swap_days=np.array([r.swap_days for r in routes], np.int64),
            # what a working board delivers: nameplate share × degraded-board yield × uptime
            ths_per_board=np.ascontiguousarray(
                (
                    plan.cohort_board_yield
                    * (uptime * plan.cohort_ths_per_machine / plan.cohort_boards)[:, None]
                ).T
            ),
            ths_per_machine=plan.cohort_ths_per_machine.astype(np.float64),
            power_w=plan.cohort_power_w * uptime,
            mwh_cost=(
                plan.cohort_power_w * uptime * 24 / 1e6 * power_price
                if power_price is not None
                else np.zeros(0)
            ),
            hashprice=_floats(economy.hashprice_usd_per_ph_day if switch else None, (self.P, 0)),
            breakeven=_floats(economy.cohort_breakeven_hashprice, (0,)),
            curtail_below=_floats(economy.site_curtail_below, (0,)),
            pool_part=by_part.astype(np.int64),
            pool_vendor=plan.pool_vendor.astype(np.int64),
            pool_target=plan.pool_target.astype(np.int64),
            replenish=bool(plan.replenish),
            needs_vendor_parts=np.array([r.in_house_needs_vendor_parts for r in routes])[by_part],
            vendor_base=2 * transit + return_clearance,
            return_clearance=return_clearance,
            turnaround_days=np.rint(turnaround).astype(np.int64),
            crosses_border=plan.pool_crosses_border.astype(bool),
            pool_transit=transit,
            pool_clearance=clearance,
            pool_unit_cost=_floats(economy.pool_unit_cost, (self.J, 0)),
            in_house_days=DelayTables.of([r.in_house_days for r in routes]),
            vendor_days=DelayTables.of([r.vendor_turnaround_days for r in routes]),
            lead_days=DelayTables.of(plan.vendor_parts_lead),
            order_arrival=self.orders.arrival_day,
            order_cohort=plan.order_cohort.astype(np.int64),
            order_count=plan.order_count.astype(np.int64),
            order_hold_start=self.orders.hold_start,
            order_hold_end=self.orders.hold_end,
            order_cancelled=self.orders.cancelled,
            bench=bench_tables(plan),
            transfers=transfer_tables(plan),
            cannibalise=self.cannibalise,
        )

    def _rules(self) -> Rules:
        plan, events = self.plan, self.events
        origin = tuple(plan.vendor_parts_origin[v] for v in plan.pool_vendor)
        bound = tuple(plan.site_countries[s] for s in plan.pool_site)
        return Rules(
            occurs=events.occurs,
            start=events.start,
            end=events.end,
            supply_stop=events.pool_rule(
                kinds_for_rule("supply_stop"), plan.pool_vendor, plan.pool_part
            ),
            centre_closed=events.pool_rule(
                kinds_for_rule("centre_closed"), plan.pool_vendor, plan.pool_part
            ),
            turnaround=events.pool_rule(
                kinds_for_rule("turnaround"), plan.pool_vendor, plan.pool_part
            ),
            lead=events.pool_rule(kinds_for_rule("lead"), plan.pool_vendor, shipment="parts"),
            repair_holds=events.holds("repairs", plan.pool_vendor, origin, bound),
            parts_holds=events.holds("parts", plan.pool_vendor, origin, bound),
        )

    def _keys(self) -> Keys:
        keys = self.rng.keys
        return Keys(
            cohorts=keys("cohorts", 0, self.T),
            items=keys("items", 0, 2 * self.T),
            customs_repairs=keys("customs", 0, self.T),
            customs_parts=keys("customs", 100_000, self.T),
            lots=keys("lots", 0, self.T),
            bench=keys("bench", 0, self.T),
            first_path=self.first_path,
        )

    # --- the loop ----------------------------------------------------------------

    def hook_days(self) -> NDArray[np.bool_]:
        """[T]: the days that must run phase by phase (the driver acts between phases)."""
        days = self.events.days_touched(kinds_tagged("disable"), self.T)
        economy = self.economy
        if economy.repair_or_replace is not None or (
            economy.replacement is not None and self.plan.replacement_cohort >= 0
        ):
            days[:] = True
        if economy.grey_market is not None:
            days |= self.events.days_touched(kinds_tagged("grey_market"), self.T)
        return days

    def between_days(self) -> NDArray[np.bool_]:
        """[T + 1]: the days before which the driver acts between whole days, known before
        the run (the donors bought at the end of a review day); no span runs across them,
        nor across a day donors arrive on (``donor_arrival_days``, known once bought)."""
        days = np.zeros(self.T + 1, dtype=bool)
        buying = self.economy.donors
        if buying is not None:
            days[np.arange(0, self.T, buying.review_days) + 1] = True
        return days

    def _between(self, day: int) -> None:
        """Before ``day``: donors bought at the end of the day before, then those arriving
        (both act on whole days: bit for bit the same whether the days around run in
        spans or phase by phase)."""
        if day > 0:
            self._buy_donors(day - 1)
        if day < self.T:
            self._arrive_donors(day)

    def run(self, progress: Progress | None = None) -> EngineOutput:
        """Run every day; ``progress(days_done, horizon)`` is called as the run advances
        (``days_done`` counts whole days on every path, rounded down)."""
        hooks, between = self.hook_days(), self.between_days()
        arriving = self.donor_arrival_days

        def cut(day: int) -> bool:
            return bool(between[day]) or day in arriving

        day = 0
        while day < self.T:
            if cut(day):
                self._between(day)
            if hooks[day]:
                self._day_by_phases(day)
                day += 1
                if progress is not None:
                    progress(day, self.T)
            else:
                last = day + 1
                while last < self.T and not hooks[last] and not cut(last):
                    last += 1
                self._span(day, last, progress)
                day = last
        if between[self.T]:
            self._between(self.T)
        if self.cannibalise:  # a copy: the state's block is reused
            self.out.donor_parts_left[:] = self.donor_parts
        # The last day's pools (copies, as above): what the daily series sum by part type.
        self.out.pool_on_hand_end[:] = self.on_hand
        self.out.pool_waiting_end[:] = self.scratch.demand_pool
        self.orders.book_storage(self.plan.order_count, self.T, self.out)
        # The kernels book each hold's start and end; a running sum gives the machine-days
        # of storage at customs on each day (customs.book_hold). Parts count as fractions of
        # a machine, whose sums leave rounding residue: rounded to 10⁻⁹ machine-days, a day
        # with nothing held is exactly 0.
        storage = self.out.storage_unit_days
        np.cumsum(storage, axis=1, out=storage)
        np.round(storage, 9, out=storage)
        return self.out

    def _span(self, first: int, last: int, progress: Progress | None) -> None:
        """Days ``first`` to ``last − 1`` on every path, each block of paths through all of
        them in one kernel call, with no wait for the other threads along the way
        (spans capped at 30 days ran 4–16 % slower). Progress is reported as blocks
        finish. A short span (the driver acting between days every week) is one block a
        thread: its blocks would be too small to pay for their calls."""

        def finished(paths_done: int) -> None:
            if progress is not None:
                progress(first + (last - first) * paths_done // self.P, self.T)

        long = last - first >= SHORT_SPAN_DAYS
        self._over_paths(step.run_days, first, last,
                         per_thread=SPAN_BLOCKS_PER_THREAD if long else 1,
                         on_block=finished, taper=long)  # fmt: skip

    def _tuples(self) -> tuple[Fleet, Rules, State, Scratch, Record, Keys]:
        return self.fleet, self.rules, self.state, self.scratch, self.record, self.keys

    def _over_paths(
        self, kernel: Callable[..., None], *args: int, per_thread: int = BLOCKS_PER_THREAD,
        on_block: Callable[[int], None] | None = None, taper: bool = False,
    ) -> None:  # fmt: skip
        """Run ``kernel(paths, *args, *tuples)`` on blocks of paths, on threads;
        ``on_block(paths_done)`` after each block (``taper``: see :func:`path_blocks`)."""
        tuples = self._tuples()
        threads = numba.get_num_threads()
        if threads <= 1 and on_block is None:
            per_thread = 1  # one call does it all; blocks only serve progress reports
        blocks = path_blocks(self.P, threads, per_thread, taper)
        if threads <= 1 or len(blocks) == 1:
            paths_done = 0
            for block in blocks:
                kernel(block, *args, *tuples)
                paths_done += block[1] - block[0]
                if on_block is not None:
                    on_block(paths_done)
            return
        pool = _pool(threads)
        futures = {pool.submit(kernel, block, *args, *tuples): block for block in blocks}
        paths_done = 0
        for future in as_completed(futures):
            future.result()
            first, last = futures[future]
            paths_done += last - first
            if on_block is not None:
                on_block(paths_done)

    def _phase(self, phase: int, day: int) -> None:
        self._over_paths(step.run_phase, phase, day)

    def _day_by_phases(self, day: int) -> None:
        self._phase(step.ARRIVALS, day)
        self._arrive_bought(day)
        self._end_disable(day)
        self._remote_disable(day)
        returning = None
        if self.events.any_active(kinds_tagged("disable"), day):
            slot = day % self.machine_swaps.length
            returning = self.machine_swaps.ring[:, slot].astype(np.int64)
        self._phase(step.FAILURES, day)
        if returning is not None and returning.any():
            self._remote_disable(day, returning)
        self._repair_or_replace(day)
        self._phase(step.ROUTE_AND_SWAP, day)
        self._phase(step.REORDER, day)
        self._grey_market(day)
        self._phase(step.SHIP_AND_RECORD, day)
        self._buy_replacements(day)


def _floats(values: NDArray[np.float64] | None, empty: tuple[int, ...]) -> NDArray[np.float64]:
    """``values`` as contiguous floats, or an empty array of shape ``empty`` for "none"."""
    if values is None:
        return np.zeros(empty)
    return np.ascontiguousarray(values, dtype=np.float64)


def simulate(
    plan: Plan,
    paths: int,
    seed: int,
    progress: Progress | None = None,
    economy: EconomyInputs | None = None,
    events_seed: int | None = None,
    order_ship_day: IntArray | None = None,
    first_path: int = 0,
) -> EngineOutput:
    """Run ``plan`` on ``paths`` Monte Carlo paths with random tree ``seed``; the scenario's
    events are drawn from ``events_seed`` if given (default: ``seed``). ``order_ship_day``
    [O, P] (−1: never) replaces the machine orders' own disruptions and lead times, for
    an industry whose vendor queues decide when each order ships.

    ``first_path``: these are the run's paths ``first_path`` … ``first_path + paths − 1``
    (``economy`` and ``order_ship_day`` are theirs), so that a run cut into blocks of
    paths gives the numbers of the whole run: every stream, the scenario's draws and
    the driver's (remote disabling, grey-market parts, bought machines) included, is
    keyed by the run's path number."""
    if paths < 1:
        raise ValueError("paths must be at least 1")
    simulation = Simulation(plan, paths, seed, economy, events_seed, order_ship_day, first_path)
    return simulation.run(progress)
