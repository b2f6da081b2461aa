"""Technicians and swaps (docs/model.md "Swaps").

Every day each site's crew can do ``plan.site_swaps_per_day`` swaps (a SimPy
``Container`` refilled each morning). Jobs are served in the documented order:
stopped machines first — cohorts in file order, within a cohort fan, PSU, control
board, within those first come first served — then dead hashboards of running
machines, cohorts in file order. A job is done when its pool has a spare and its
site has a technician left; greedy spares-then-technicians over that order is the
same as walking the jobs once (a pool holds one part type, so its own order is the
jobs' order). A swapped machine runs again ``swap_days`` later; a swapped board
works again ``swap_days`` later (the machine keeps running meanwhile).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy
from tests.reference import timing
from tests.reference.entities import Board, Machine, Part, State

if TYPE_CHECKING:
    from tests.reference.sim import PathSimulation

Process = Generator[simpy.Event, object, None]


class SwapShop:
    """Queues of swap jobs and the daily allocation of spares and technicians."""

    def __init__(self, sim: PathSimulation) -> None:
        self.sim = sim
        plan = sim.plan
        cohorts = plan.n_cohorts
        #: waiting[c][k]: stopped machines of cohort c waiting for stop part k, FIFO.
        self.waiting: list[list[deque[Machine]]] = [
            [deque() for _ in range(3)] for _ in range(cohorts)
        ]
        #: dead_boards[c]: (machine, slot) of dead boards, in order of failure.
        self.dead_boards: list[deque[tuple[Machine, int]]] = [deque() for _ in range(cohorts)]
        self.crews = [
            simpy.Container(sim.env, capacity=max(1, int(n)), init=int(n))
            for n in plan.site_swaps_per_day
        ]

    def daily(self) -> Process:
        env, plan = self.sim.env, self.sim.plan
        for day in range(self.sim.horizon):
            yield timing.until(env, day, timing.SWAPS)
            for crew, capacity in zip(self.crews, plan.site_swaps_per_day, strict=True):
                if crew.level < capacity:
                    yield crew.put(int(capacity) - crew.level)
            if self.sim.donors is not None:
                self.sim.donors.before_swaps(day)
            for c in range(plan.n_cohorts):
                crew = self.crews[plan.cohort_site[c]]
                for k in range(3):
                    shelf = self.sim.pools[plan.cohort_pool[c, 1 + k]].shelf
                    queue = self.waiting[c][k]
                    while queue and shelf.items and crew.level > 0:
                        machine = queue.popleft()
                        part = yield shelf.get()
                        yield crew.get(1)
                        self._swap_machine(machine, 1 + k, part)
            for c in range(plan.n_cohorts):
                crew = self.crews[plan.cohort_site[c]]
                shelf = self.sim.pools[plan.cohort_pool[c, 0]].shelf
                remaining: deque[tuple[Machine, int]] = deque()
                for machine, slot in self.dead_boards[c]:
                    if machine.state is State.RUNNING and shelf.items and crew.level > 0:
                        part = yield shelf.get()
                        yield crew.get(1)
                        self._swap_board(machine, slot, part)
                    else:
                        remaining.append((machine, slot))
                self.dead_boards[c] = remaining
            if self.sim.transshipment is not None:
                self.sim.transshipment.after_swaps(day)

    def _swap_machine(self, machine: Machine, part_type: int, part: object) -> None:
        assert isinstance(part, Part)
        machine.state = State.IN_SWAP
        self.sim.swaps[part_type] += 1
        days = self.sim.plan.routes[part_type].swap_days
        self.sim.env.process(self._machine_back(machine, days))

    def _machine_back(self, machine: Machine, days: int) -> Process:
        yield timing.until(self.sim.env, timing.today(self.sim.env) + days, timing.ARRIVALS)
        machine.start_running()
        self.sim.disable_returning(machine)

    def _swap_board(self, machine: Machine, slot: int, part: object) -> None:
        assert isinstance(part, Part) and machine.boards[slot] is Board.DEAD
        machine.fit_board(slot)
        self.sim.swaps[0] += 1
        days = self.sim.plan.routes[0].swap_days
        self.sim.env.process(self._board_back(machine, slot, days))

    def _board_back(self, machine: Machine, slot: int, days: int) -> Process:
        yield timing.until(self.sim.env, timing.today(self.sim.env) + days, timing.ARRIVALS)
        machine.board_back(slot)
