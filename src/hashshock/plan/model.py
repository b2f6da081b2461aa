"""The plan: everything the engine needs, as arrays and distributions, nothing from files.

Axes: ``C`` cohorts, ``J`` spare-part pools (site × part type × model family),
``S`` sites, ``V`` vendors, ``O`` machine orders, ``T`` days. Part axis order is
``PART_TYPES`` (hashboard, fan, psu, control_board); ``K`` = the three parts
that stop a machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.dists import DayDistribution, ServiceTime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class RoutePlan:
    """Where broken parts of one part type go (per part type)."""

    swap_days: int
    in_house_share: float
    in_house_days: DayDistribution
    in_house_needs_vendor_parts: bool
    scrap_share: float
    vendor_turnaround_days: DayDistribution
    storage_share: float  # a held lot's customs storage per part, as a share of a machine's


@dataclass(frozen=True)
class BenchPlan:
    """A site's finite in-house repair bench: ``technicians`` servers, first come first
    served, each part taking ``service`` days (``docs/model.md``, *Repair bench*)."""

    technicians: int
    service: ServiceTime


@dataclass(frozen=True)
class DonorPlan:
    """Donor machines of one model held at a site (``docs/model.md``, *Cannibalisation*):
    ``machines`` machines of ``model`` (its ``family``), each holding ``parts`` [4] working
    parts (hashboards, fans, PSUs, control boards: its model's ``data/models.csv`` counts)."""

    site: int
    family: str
    machines: int
    parts: tuple[int, int, int, int]
    model: str


@dataclass(frozen=True)
class EventPlan:
    """One scenario event, compiled. Kind-specific numbers live in ``params``/``dists``."""

    kind: str
    name: str
    group: str
    probability: float
    start: DayDistribution
    end_day: int | None
    duration: DayDistribution | None
    vendor_mask: BoolArray  # [V]
    part_mask: BoolArray  # [4]
    origins: tuple[str, ...] | None
    shipments: tuple[str, ...]
    #: Countries of the sites a held lot must be bound for; None: every site's.
    destinations: tuple[str, ...] | None = None
    params: dict[str, float] = field(default_factory=dict)
    dists: dict[str, DayDistribution] = field(default_factory=dict)
    #: Days the event had run before day 0 (its ``start_date`` is before the run's): it
    #: starts on day 0 and its ``duration`` is shortened by them.
    elapsed_days: int = 0

    def end_of(self, start: Any, duration: Any) -> Any:
        """The end day (exclusive) of the event started on ``start`` (day or days) for
        ``duration`` days, less :attr:`elapsed_days`; never before its start."""
        return np.maximum(start, start + duration - self.elapsed_days)


@dataclass(frozen=True)
class WarmPipelines:
    """What a fleet that has been running holds in its pipelines at the start of day 0
    (``docs/model.md``, *Day 0*): per pool and day d ≥ 0, the expected parts arriving on
    day d — from in-house repair, from the vendor's repair centre, and spares on order —
    each [J, D]; and ``parts`` [J], the parts a pool that reorders has on their way
    (the rounded mean: given the shelf and a base-stock level left to its default, the
    exact count). :func:`hashshock.plan.warm.steady_pipelines` computes them."""

    in_house: FloatArray
    vendor: FloatArray
    orders: FloatArray
    parts: IntArray

    @property
    def mean_parts(self) -> FloatArray:
        """[J] expected parts in repair and on order on day 0 (Little's law: λ·E[delay]
        summed over the routes)."""
        return np.asarray(self.in_house.sum(axis=1) + self.vendor.sum(axis=1)
                          + self.orders.sum(axis=1))  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """A fleet × scenario compiled for ``horizon_days`` days from ``start_date``."""

    fleet_name: str
    scenario_name: str
    start_date: date
    horizon_days: int
    part_names: tuple[str, ...]
    vendor_names: tuple[str, ...]
    site_names: tuple[str, ...]
    site_countries: tuple[str, ...]  # ISO codes, by site
    # cohorts
    cohort_labels: tuple[str, ...]
    cohort_models: tuple[str, ...]
    cohort_site: IntArray  # [C]
    cohort_vendor: IntArray  # [C]
    cohort_pool: IntArray  # [C, 4] pool index of each part type
    cohort_initial: IntArray  # [C] machines installed at day 0
    cohort_boards: IntArray  # [C] hashboards per machine
    cohort_stop_parts: IntArray  # [C, 3] fans, PSUs, control boards per machine
    cohort_ths_per_machine: FloatArray  # [C]
    cohort_power_w: FloatArray  # [C] watts per machine
    cohort_initial_dead_boards: IntArray  # [C]
    cohort_initial_down: IntArray  # [C, 3] machines down at start waiting for each stop part
    hazard: FloatArray  # [C, 4, T] daily failure probability per installed part slot
    cohort_uptime: FloatArray  # [C] share of running time not lost to downtime (realisation)
    cohort_board_yield: FloatArray  # [C, T] mean share of nameplate a working board delivers
    # pools
    pool_site: IntArray  # [J]
    pool_part: IntArray  # [J]
    pool_vendor: IntArray  # [J]
    pool_family: tuple[str, ...]
    pool_on_hand: IntArray  # [J]
    pool_target: IntArray  # [J] base-stock level
    pool_crosses_border: BoolArray  # [J] vendor repair route crosses a border
    # routes and supply
    routes: tuple[RoutePlan, ...]  # per part type
    site_swaps_per_day: IntArray  # [S]
    vendor_parts_lead: tuple[DayDistribution, ...]  # [V]
    vendor_transit_days: IntArray  # [V]
    vendor_clearance_days: IntArray  # [V]
    vendor_parts_origin: tuple[str, ...]  # [V]
    vendor_machines_origin: tuple[str, ...]  # [V]
    replenish: bool
    # machine orders
    order_cohort: IntArray  # [O]
    order_count: IntArray  # [O]
    order_due_day: IntArray  # [O]
    order_vendor: IntArray  # [O]
    # scenario
    events: tuple[EventPlan, ...]
    # cohort that receives replacement machines (−1: no replacement policy)
    replacement_cohort: int = -1
    # [S] each site's in-house repair bench (None: repairs never queue); () for none at all
    site_bench: tuple[BenchPlan | None, ...] = ()
    # lateral transshipment: days a part takes between sites (−1: none), USD a part sent
    transfer_days: int = -1
    transfer_cost_usd: float = 0.0
    # donor machines held at the sites (cannibalisation); () for none
    donors: tuple[DonorPlan, ...] = ()
    # parts in repair and on order on day 0 (None: the pipelines start empty)
    warm: WarmPipelines | None = None
    # the scenario hits every US miner on the vendor (its market moves), not this fleet alone
    network_wide: bool = False

    @property
    def parts_owned(self) -> IntArray:
        """[J] each pool's spares today: the shelf, and with pipelines in their steady
        state the parts on their way (METRIC's on hand + due in)."""
        if self.warm is None:
            return self.pool_on_hand
        return np.asarray(self.pool_on_hand + self.warm.parts, dtype=np.int64)

    @property
    def n_cohorts(self) -> int:
        return len(self.cohort_labels)

    @property
    def n_pools(self) -> int:
        return len(self.pool_site)

    @property
    def machines(self) -> int:
        return int(self.cohort_initial.sum())

    @property
    def nameplate_ths(self) -> float:
        return float((self.cohort_initial * self.cohort_ths_per_machine).sum())

    @property
    def boards_per_machine(self) -> float:
        """b̄: the fleet's hashboards per machine (machine-weighted; orders included)."""
        count = self.cohort_initial.astype(np.float64).copy()
        count[self.order_cohort] += self.order_count
        if count.sum() <= 0:
            return float(self.cohort_boards.mean()) if self.n_cohorts else 3.0
        return float(np.dot(count, self.cohort_boards) / count.sum())

    def donor_parts(self, donors: tuple[DonorPlan, ...] | None = None) -> IntArray:
        """[J] the parts in each pool's donor machines (docs/model.md C1), of ``donors``
        (default: those held on day 0, ``self.donors``): a donor of a family at a site
        holds its model's parts of each type in the pools (site, part, family) — each
        part in one pool, so counted once; all zero without donors."""
        parts = np.zeros(self.n_pools, np.int64)
        for donor in self.donors if donors is None else donors:
            for j in range(self.n_pools):
                if self.pool_site[j] == donor.site and self.pool_family[j] == donor.family:
                    parts[j] += donor.machines * donor.parts[self.pool_part[j]]
        return parts
