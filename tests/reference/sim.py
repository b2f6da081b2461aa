"""The reference simulation: one SimPy environment per Monte Carlo path.

:func:`simulate_reference` mirrors ``hashshock.engine.simulate``: it takes a compiled
:class:`~hashshock.plan.Plan` and returns a :class:`ReferenceOutput` whose arrays
have the names, shapes and meaning of the physical fields of ``EngineOutput``
(``hashshock.engine.output``), from ``paths`` independent replications, each with
its own generator spawned from ``SeedSequence(seed)``. It reproduces the engine's
*distribution*, not its random streams. Day phases are listed in :mod:`tests.reference.timing`.
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray
from tests.reference import timing
from tests.reference.donors import DonorStore
from tests.reference.entities import Board, Machine, Part, Pool, State
from tests.reference.hazards import FailureClocks
from tests.reference.logistics import MachineOrders, RepairShop, Replenishment
from tests.reference.scenario_events import EventWindow, ScenarioState
from tests.reference.swaps import SwapShop
from tests.reference.transfers import Transshipment
from tests.reference.warm import start_warm

from hashshock.engine.output import DOWN_CAUSES
from hashshock.plan import Plan

PARTS = 4


@dataclass
class ReferenceOutput:
    """The physical arrays of ``EngineOutput`` (same names, shapes, ``-1`` = never)."""

    hashrate_ths: NDArray[np.float64]  # [P, T]
    nameplate_ths: NDArray[np.float64]  # [P, T]
    machines_installed: NDArray[np.int64]  # [P, T]
    spares_on_hand: NDArray[np.int32]  # [P, T, 4]
    backorders: NDArray[np.int32]  # [P, T, 4]
    parts_in_repair: NDArray[np.int32]  # [P, T, 4]
    parts_on_order: NDArray[np.int32]  # [P, T, 4]
    machines_down: NDArray[np.int32]  # [P, T, 5] by DOWN_CAUSES
    first_customs_hold_day: NDArray[np.int64]  # [P]
    first_stockout_day: NDArray[np.int64]  # [P, 4]
    customs_held_unit_days: NDArray[np.float64]  # [P]
    failures: NDArray[np.int64]  # [P, 4]
    scrapped: NDArray[np.int64]  # [P, 4]
    swaps: NDArray[np.int64]  # [P, 4]
    ordered: NDArray[np.int64]  # [P, 4]
    order_arrival_day: NDArray[np.int64]  # [O, P] −1: cancelled (or after the horizon)
    order_cancelled: NDArray[np.bool_]  # [O, P]
    bench_waits: NDArray[np.float64]  # [P, S, 3] parts served, parts that waited, days waited
    parts_transferred: NDArray[np.int32]  # [P, T, 4] spares sent between sites
    parts_from_donors: NDArray[np.int32]  # [P, T, 4] parts taken from donor machines


class PathSimulation:
    """One replication: entities, processes and the daily record."""

    def __init__(
        self,
        plan: Plan,
        rng: np.random.Generator,
        clocks: FailureClocks,
        repair_holds_at_mean_return: bool = False,
    ) -> None:
        self.plan = plan
        self.repair_holds_at_mean_return = repair_holds_at_mean_return
        self.rng = rng
        self.clocks = clocks
        self.horizon = plan.horizon_days
        self.env = simpy.Environment()
        self.scenario = ScenarioState(self.env, plan, rng)
        self.failures = np.zeros(PARTS, np.int64)
        self.scrapped = np.zeros(PARTS, np.int64)
        self.swaps = np.zeros(PARTS, np.int64)
        self.ordered = np.zeros(PARTS, np.int64)
        self.first_hold_day = -1
        self.held_units = 0
        self.held_unit_days = 0.0
        self.order_arrival_day = [-1] * len(plan.order_cohort)
        self.order_cancelled = [False] * len(plan.order_cohort)
        self._disabled_by: dict[int, list[Machine]] = {}  # remote-disable event → machines
        self._disabling: dict[int, EventWindow] = {}  # remote-disable events under way
        self.pools = [self._pool(j) for j in range(plan.n_pools)]
        self.shop = SwapShop(self)
        self.transshipment = Transshipment(self) if plan.transfer_days >= 0 else None
        self.donors = DonorStore(self) if plan.donors else None
        self._build_machines()

    # --- set-up -------------------------------------------------------------------------

    def _pool(self, j: int) -> Pool:
        plan = self.plan
        shelf = simpy.Store(self.env)
        shelf.items.extend(Part(j) for _ in range(int(plan.pool_on_hand[j])))
        return Pool(
            index=j, site=int(plan.pool_site[j]), part=int(plan.pool_part[j]),
            vendor=int(plan.pool_vendor[j]), crosses_border=bool(plan.pool_crosses_border[j]),
            target=int(plan.pool_target[j]), shelf=shelf,
        )  # fmt: skip

    def _build_machines(self) -> None:
        plan = self.plan
        counts = plan.cohort_initial.copy()
        counts[plan.order_cohort] += plan.order_count
        cohort = np.repeat(np.arange(plan.n_cohorts), counts)
        self.machine_cohort = cohort
        self.state = np.full(cohort.size, int(State.NOT_INSTALLED), np.int64)
        self.working = plan.cohort_boards[cohort].astype(np.int64)
        self.dead = np.zeros(cohort.size, np.int64)
        # The realisation factors (downtime, degraded boards) are expected values the
        # plan computes; the reference applies them as the engine does. They are checked
        # on their own against a per-board simulation (tests/plan/test_realisation.py).
        self.ths_per_board = (
            plan.cohort_ths_per_machine / plan.cohort_boards * plan.cohort_uptime
        )[cohort]
        self.ths_per_machine = plan.cohort_ths_per_machine[cohort]
        self.board_pool = plan.cohort_pool[cohort, 0]
        self.machines = [
            Machine(self, i, int(c), int(plan.cohort_boards[c])) for i, c in enumerate(cohort)
        ]
        first = np.concatenate([[0], np.cumsum(counts)])
        self.order_machines = [
            self.machines[first[c] : first[c] + n]
            for c, n in zip(plan.order_cohort, plan.order_count, strict=True)
        ]
        self._installed_cohorts = [
            self.machines[first[c] : first[c] + int(plan.cohort_initial[c])]
            for c in range(plan.n_cohorts)
        ]

    def _initial_state(self) -> None:
        """Day 0: installed machines run, except those down at the start; dead boards."""
        plan = self.plan
        for c, machines in enumerate(self._installed_cohorts):
            down = [k for k in range(3) for _ in range(int(plan.cohort_initial_down[c, k]))]
            for machine, k in zip(machines, down, strict=False):
                machine.state = State.WAITING
                self.shop.waiting[c][k].append(machine)
            running = machines[len(down) :]
            boards = int(plan.cohort_boards[c])
            dead = int(plan.cohort_initial_dead_boards[c])
            slots = self.rng.choice(len(running) * boards, size=dead, replace=False)
            for slot in slots:
                machine = running[int(slot) // boards]
                machine.boards[int(slot) % boards] = Board.DEAD
                self.working[machine.index] -= 1
                self.dead[machine.index] += 1
                self.shop.dead_boards[c].append((machine, int(slot) % boards))
            for machine in running:
                machine.start_running()

    # --- hooks used by the entities ----------------------------------------------------

    def machine_stopped(self, machine: Machine, cause: int) -> None:
        """A running machine stopped for stop part ``cause``; the part enters repair."""
        part_type = 1 + cause
        self.failures[part_type] += 1
        pool = self.pools[self.plan.cohort_pool[machine.cohort, part_type]]
        pool.failed_today.append(Part(pool.index))
        self.shop.waiting[machine.cohort][cause].append(machine)

    def board_failed(self, machine: Machine, slot: int) -> None:
        """A board died in a running machine; it enters repair, the slot waits for a spare."""
        self.failures[0] += 1
        pool = self.pools[self.plan.cohort_pool[machine.cohort, 0]]
        pool.failed_today.append(Part(pool.index))
        self.shop.dead_boards[machine.cohort].append((machine, slot))

    def held_at_customs(
        self, units: int, days: int, recorded_day: int | None = None
    ) -> Generator[simpy.Event, object, None]:
        """Hold ``units`` at the border for ``days`` days from today.

        The hold counts for the first-customs-hold stage on ``recorded_day`` (default today).
        """
        day = timing.today(self.env)
        stage_day = day if recorded_day is None else recorded_day
        if stage_day < self.horizon and (
            self.first_hold_day < 0 or stage_day < self.first_hold_day
        ):
            self.first_hold_day = stage_day
        self.held_units += units
        yield timing.until(self.env, day + days, timing.ARRIVALS)
        self.held_units -= units

    def pool_backorders(self) -> np.ndarray:
        """[J] machines waiting per stop-part pool, dead boards of running machines."""
        plan = self.plan
        out = np.zeros(plan.n_pools, np.int64)
        for c in range(plan.n_cohorts):
            for k in range(3):
                out[plan.cohort_pool[c, 1 + k]] += len(self.shop.waiting[c][k])
        running = self.state == State.RUNNING
        out += np.bincount(self.board_pool[running], weights=self.dead[running],
                           minlength=plan.n_pools).astype(np.int64)  # fmt: skip
        return out

    # --- remote disable ----------------------------------------------------------------

    def _disable_starts(self, window: EventWindow) -> None:
        self.env.process(self._disable(window))

    def _disable(self, window: EventWindow) -> Generator[simpy.Event, object, None]:
        yield timing.until(self.env, window.start, timing.DISABLE)
        share = window.event.params["share"]
        vendor_hit = window.event.vendor_mask[self.plan.cohort_vendor[self.machine_cohort]]
        hit = []
        for machine in self.machines:
            eligible = machine.state is State.RUNNING and vendor_hit[machine.index]
            if eligible and self.rng.random() < share:
                machine.stop(State.DISABLED)
                hit.append(machine)
        self._disabled_by[window.index] = hit
        self._disabling[window.index] = window

    def disable_returning(self, machine: Machine) -> None:
        """A machine back from a swap while a remote disable is under way is disabled with
        the event's share, like the running machines were when it started (docs/model.md)."""
        for index, window in self._disabling.items():
            if machine.state is not State.RUNNING:
                return
            if not window.event.vendor_mask[
                self.plan.cohort_vendor[self.machine_cohort[machine.index]]
            ]:
                continue
            if self.rng.random() < window.event.params["share"]:
                machine.stop(State.DISABLED)
                self._disabled_by[index].append(machine)

    def _disable_ends(self, window: EventWindow) -> None:
        self._disabling.pop(window.index, None)
        for machine in self._disabled_by.pop(window.index, []):
            if machine.state is State.DISABLED:
                machine.start_running()

    # --- run and record ----------------------------------------------------------------

    def run(self) -> dict[str, np.ndarray]:
        """Simulate all days; return this path's arrays."""
        plan, env = self.plan, self.env
        T, J = self.horizon, plan.n_pools
        self.scenario.on_start["remote_disable"] = [self._disable_starts]
        self.scenario.on_end["remote_disable"] = [self._disable_ends]
        self.scenario.start()  # first, so event flags flip before anything else at a time
        self._initial_state()
        start_warm(self)
        MachineOrders(self).start()
        repairs = RepairShop(self)
        env.process(repairs.daily())
        env.process(self.shop.daily())
        env.process(Replenishment(self).daily())
        rec: dict[str, np.ndarray] = {
            "hashrate_ths": np.zeros(T), "nameplate_ths": np.zeros(T),
            "machines_installed": np.zeros(T, np.int64),
            "spares_on_hand": np.zeros((T, PARTS), np.int32),
            "backorders": np.zeros((T, PARTS), np.int32),
            "parts_in_repair": np.zeros((T, PARTS), np.int32),
            "parts_on_order": np.zeros((T, PARTS), np.int32),
            "machines_down": np.zeros((T, len(DOWN_CAUSES)), np.int32),
            "first_stockout_day": np.full(PARTS, -1, np.int64),
        }  # fmt: skip
        pool_part = plan.pool_part

        def record() -> Generator[simpy.Event, object, None]:
            for day in range(T):
                yield timing.until(env, day, timing.RECORD)
                state = self.state
                running = state == State.RUNNING
                installed = (state >= State.RUNNING) & (state <= State.DISABLED)
                per_board = (
                    self.ths_per_board * self.plan.cohort_board_yield[self.machine_cohort, day]
                )
                rec["hashrate_ths"][day] = float((per_board * self.working)[running].sum())
                rec["nameplate_ths"][day] = float(self.ths_per_machine[installed].sum())
                rec["machines_installed"][day] = int(installed.sum())
                for i, s in enumerate((State.WAITING, State.IN_SWAP, State.HELD, State.DISABLED)):
                    rec["machines_down"][day, i] = int((state == s).sum())
                on_hand = np.array([p.on_hand for p in self.pools], np.int64)
                backorders = self.pool_backorders()
                in_repair = np.array([p.in_repair for p in self.pools], np.int64)
                on_order = np.array([p.on_order + p.in_transfer for p in self.pools], np.int64)
                for key, values in (
                    ("spares_on_hand", on_hand),
                    ("backorders", backorders),
                    ("parts_in_repair", in_repair),
                    ("parts_on_order", on_order),
                ):
                    rec[key][day] = np.bincount(pool_part, weights=values, minlength=PARTS)
                # A stopped machine whose pool still holds a spare waits for hands.
                stop_pool = np.asarray(pool_part) > 0
                for_hands = int(np.minimum(on_hand, backorders)[stop_pool].sum())
                rec["machines_down"][day, 0] -= for_hands
                rec["machines_down"][day, 4] = for_hands
                for j in range(J):
                    p = pool_part[j]
                    if on_hand[j] == 0 and backorders[j] > 0 and rec["first_stockout_day"][p] < 0:
                        rec["first_stockout_day"][p] = day
                self.held_unit_days += self.held_units

        env.process(record())
        env.run(until=T)
        rec["first_customs_hold_day"] = np.array(self.first_hold_day, np.int64)
        rec["customs_held_unit_days"] = np.array(self.held_unit_days)
        for name in ("failures", "scrapped", "swaps", "ordered"):
            rec[name] = getattr(self, name).copy()
        rec["order_arrival_day"] = np.array(self.order_arrival_day, np.int64)
        rec["order_cancelled"] = np.array(self.order_cancelled, bool)
        rec["bench_waits"] = np.zeros((len(plan.site_names), 3))
        for site, bench in repairs.benches.items():
            rec["bench_waits"][site] = (bench.served, bench.waited, bench.days_waited)
        sent = self.transshipment.sent if self.transshipment else np.zeros((T, PARTS), np.int32)
        rec["parts_transferred"] = sent
        rec["parts_from_donors"] = (
            self.donors.taken if self.donors else np.zeros((T, PARTS), np.int32)
        )
        return rec


def simulate_reference(
    plan: Plan, paths: int, seed: int, *, repair_holds_at_mean_return: bool = False,
    processes: int = 1,
) -> ReferenceOutput:  # fmt: skip
    """Run the reference model on ``paths`` independent replications.

    ``repair_holds_at_mean_return`` switches on the engine's documented approximation
    (docs/model.md): customs decides on a vendor repair lot on the lot's mean return
    day, and that day is the lot's customs-hold day. Off (default), every part meets
    customs on its own border day.

    ``processes`` > 1 runs the replications in that many worker processes (SimPy is
    plain Python: one core each). Each replication keeps its own generator and the
    results keep their order, so the output is the same for any ``processes``.
    """
    streams = np.random.SeedSequence(seed).spawn(paths)
    if processes > 1 and paths > 1:
        # A few chunks per process even out replications that take longer than others.
        chunks = [c.tolist() for c in np.array_split(np.arange(paths), 4 * processes) if c.size]
        parts = _pool(processes).map(
            _replications, [plan] * len(chunks), [[streams[i] for i in c] for c in chunks],
            [repair_holds_at_mean_return] * len(chunks),
        )  # fmt: skip
        runs = [run for part in parts for run in part]
    else:
        runs = _replications(plan, streams, repair_holds_at_mean_return)
    stacked = {key: np.stack([run[key] for run in runs]) for key in runs[0]}
    for key in ("order_arrival_day", "order_cancelled"):
        stacked[key] = stacked[key].T
    return ReferenceOutput(**stacked)


def _replications(
    plan: Plan, streams: list[np.random.SeedSequence], repair_holds_at_mean_return: bool
) -> list[dict[str, NDArray[Any]]]:
    """The daily records of one replication per stream, in order."""
    clocks = FailureClocks(plan)
    return [
        PathSimulation(plan, np.random.default_rng(s), clocks, repair_holds_at_mean_return).run()
        for s in streams
    ]


@cache
def _pool(processes: int) -> ProcessPoolExecutor:
    """Worker processes kept for the session (started afresh: no thread or lock of the
    test process is copied into them), shut down when it ends."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    atexit.register(pool.shutdown, cancel_futures=True)
    return pool
