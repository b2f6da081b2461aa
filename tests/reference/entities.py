"""Entities of the reference simulation: machines, spare parts, spare pools, lots."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import simpy
from tests.reference import timing

if TYPE_CHECKING:
    from tests.reference.sim import PathSimulation


class State(IntEnum):
    """Where a machine is."""

    NOT_INSTALLED = 0  # ordered, not yet due
    RUNNING = 1
    WAITING = 2  # stopped, waiting for a spare (and a technician)
    IN_SWAP = 3  # a technician is swapping its stop part
    DISABLED = 4  # stopped by a remote-disable event
    HELD = 5  # ordered machine held at customs
    CANCELLED = 6  # ordered machine whose order was cancelled


INSTALLED = (State.RUNNING, State.WAITING, State.IN_SWAP, State.DISABLED)


class Board(IntEnum):
    """State of one hashboard slot."""

    WORKING = 0
    DEAD = 1
    SWAPPING = 2  # a spare board is being fitted


@dataclass(eq=False)
class Part:
    """One physical spare part of a pool (on a shelf, in repair, on its way)."""

    pool: int


@dataclass(eq=False)
class Pool:
    """Spares of one site × part type × model family, and the pool's repair loop."""

    index: int
    site: int
    part: int  # index into PART_TYPES
    vendor: int
    crosses_border: bool
    target: int
    shelf: simpy.Store
    failed_today: list[Part] = field(default_factory=list)
    in_house: int = 0  # parts in in-house repair
    in_house_backlog: list[Part] = field(default_factory=list)  # waiting for vendor components
    vendor_pipeline: int = 0  # parts on the vendor round trip (incl. customs)
    vendor_backlog: list[Part] = field(default_factory=list)  # vendor repair centre closed
    on_order: int = 0  # ordered from the vendor, not yet on the shelf (incl. order backlog)
    order_backlog: int = 0  # ordered while the vendor ships nothing
    in_transfer: int = 0  # sent from another site, not yet on the shelf (counts as on order)

    @property
    def on_hand(self) -> int:
        return len(self.shelf.items)

    @property
    def in_repair(self) -> int:
        """In-house and vendor pipelines and their backlogs."""
        return (
            self.in_house + len(self.in_house_backlog) + self.vendor_pipeline
            + len(self.vendor_backlog)
        )  # fmt: skip


class Lot:
    """A shipment that customs may hold: one decision per lot and customs event.

    ``hold_days`` is asked on the day (part of) the lot reaches the border; the first
    time an active ``customs_hold`` sees the lot it decides, with ``hold_probability``,
    whether to hold it and for how many days (``hold_days``), and keeps that decision.
    Several active holds: the longest one applies.
    """

    def __init__(
        self, sim: PathSimulation, shipment: str, vendor: int, origin: str, site: int
    ) -> None:
        self.sim = sim
        self.shipment = shipment
        self.vendor = vendor
        self.origin = origin
        self.bound = sim.plan.site_countries[site]  # a country's customs hold what enters it
        self._decisions: dict[int, int] = {}

    def hold_days(self, day: int | None = None) -> int:
        """Days the lot is held if it reaches the border now (or on ``day``)."""
        holds = self.sim.scenario.active(
            "customs_hold",
            self.vendor,
            shipment=self.shipment,
            origin=self.origin,
            day=day,
            bound=self.bound,
        )
        days = 0
        for window in holds:
            if window.index not in self._decisions:
                event = window.event
                held = self.sim.rng.random() < event.params["hold_probability"]
                hold = int(event.dists["hold_days"].sample(self.sim.rng, 1)[0]) if held else 0
                self._decisions[window.index] = hold
            days = max(days, self._decisions[window.index])
        return days


class Machine:
    """One miner. Its state lives in the simulation's arrays (for fast daily totals).

    While running it waits for the earlier of its next stop-part failure and its next
    hashboard failure (clocks from :class:`~tests.reference.hazards.FailureClocks`);
    anything that changes its clocks (a board back from a swap, a remote disable)
    interrupts that wait.
    """

    def __init__(self, sim: PathSimulation, index: int, cohort: int, boards: int) -> None:
        self.sim = sim
        self.index = index
        self.cohort = cohort
        self.boards = [Board.WORKING] * boards
        self.board_due = [timing.NEVER] * boards
        self.stop_due = timing.NEVER
        self._process: simpy.Process | None = None

    @property
    def state(self) -> State:
        return State(int(self.sim.state[self.index]))

    @state.setter
    def state(self, value: State) -> None:
        self.sim.state[self.index] = int(value)

    def start_running(self) -> None:
        """Run from now on with fresh failure clocks (installed, swapped or re-enabled)."""
        env, clocks, rng = self.sim.env, self.sim.clocks, self.sim.rng
        self.state = State.RUNNING
        stop_from = timing.first_day_at_risk(env, timing.STOP_FAILURES)
        board_from = timing.first_day_at_risk(env, timing.BOARD_FAILURES)
        self.stop_due = clocks.next_stop_day(self.cohort, stop_from, rng)
        for slot, board in enumerate(self.boards):
            if board is Board.WORKING:
                self.board_due[slot] = clocks.next_board_day(self.cohort, board_from, rng)
        self._wake()

    def stop(self, state: State) -> None:
        """Take the machine out of service (its clocks are dropped)."""
        self.state = state
        self._wake()

    def fit_board(self, slot: int) -> None:
        """A technician starts swapping the dead board in ``slot``."""
        self.boards[slot] = Board.SWAPPING
        self.sim.dead[self.index] -= 1

    def board_back(self, slot: int) -> None:
        """The swapped board works from now on."""
        self.boards[slot] = Board.WORKING
        self.sim.working[self.index] += 1
        if self.state is State.RUNNING:
            board_from = timing.first_day_at_risk(self.sim.env, timing.BOARD_FAILURES)
            self.board_due[slot] = self.sim.clocks.next_board_day(self.cohort, board_from,
                                                                  self.sim.rng)  # fmt: skip
            self._wake()

    def _wake(self) -> None:
        if self._process is not None and self._process.is_alive:
            if self._process is not self.sim.env.active_process:
                self._process.interrupt()
        elif self.state is State.RUNNING:
            self._process = self.sim.env.process(self._run())

    def _next_failure(self) -> tuple[int, int | None]:
        """(day, slot) of the next failure: slot ``None`` for a stop part."""
        day, slot = self.stop_due, None
        for s, board in enumerate(self.boards):
            # A board failing on the day the machine stops does not fail (step 3).
            if board is Board.WORKING and self.board_due[s] < day:
                day, slot = self.board_due[s], s
        return day, slot

    def _run(self) -> Generator[simpy.Event, object, None]:
        env = self.sim.env
        while self.state is State.RUNNING:
            day, slot = self._next_failure()
            if day >= self.sim.horizon:
                return
            phase = timing.STOP_FAILURES if slot is None else timing.BOARD_FAILURES
            try:
                yield timing.until(env, day, phase)
            except simpy.Interrupt:
                continue
            if self.state is not State.RUNNING or (day, slot) != self._next_failure():
                continue
            if slot is None:
                cause = self.sim.clocks.stop_cause(self.cohort, day, self.sim.rng)
                self.state = State.WAITING
                self.sim.machine_stopped(self, cause)
                return
            self.boards[slot] = Board.DEAD
            self.board_due[slot] = timing.NEVER
            self.sim.working[self.index] -= 1
            self.sim.dead[self.index] += 1
            self.sim.board_failed(self, slot)
