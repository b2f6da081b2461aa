"""Compile a validated fleet and scenario into a :class:`~hashshock.plan.model.Plan`.

This is the only place that reads both the input models and the bundled
defaults; the engine sees nothing but the arrays produced here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields, replace
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from hashshock.dists import DayDistribution, Fixed, Uniform
from hashshock.inputs.catalog import (
    PART_TYPES,
    STOP_PARTS,
    Catalog,
    FailurePrior,
    ModelSpec,
    failure_prior,
    part_defaults,
    site_defaults,
    vendor_defaults,
)
from hashshock.inputs.fleet import Cohort, Site
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.scenario import Scenario
from hashshock.plan.events import compile_events
from hashshock.plan.model import BenchPlan, DonorPlan, FloatArray, Plan, RoutePlan
from hashshock.plan.realisation import board_yield, degradation_of, site_uptime, wear_of
from hashshock.plan.warm import warm_start

DAYS_PER_YEAR = 365.0
#: Age assumed for machines bought on the used market (ASSUMPTION [E]).
USED_MACHINE_AGE_DAYS = 730
#: Models bought by the replacement policy when the fleet file names none (ASSUMPTION
#: [E]: the used market's most traded recent Bitmain model, FACTS.md 4.6; the alternative
#: vendor's current air-cooled model, as data/decide_strategies.csv alt_vendor_model
#: says for strategies).
DEFAULT_REPLACEMENT_MODEL = {
    "used-machines": "antminer-s19-xp",
    "alt-vendor-machines": "whatsminer-m60s",
}


def replacement_model(channel: str, model: str | None) -> str:
    """The model the replacement policy buys on ``channel``."""
    return model or DEFAULT_REPLACEMENT_MODEL[channel]


def weibull_daily_probability(
    age_days: np.ndarray, shape: float, first_year_failures: float
) -> np.ndarray:
    """Daily failure probability of one part slot at machine age ``age_days``.

    Failures of a slot follow a non-homogeneous Poisson process whose cumulative
    intensity is Weibull, ``H(a) = (a / η)^k`` with ``η = 365 / m₁^(1/k)`` so that
    ``H(365) = m₁`` expected failures in the first year (minimal repair: a
    replaced part takes the machine's age). The chance of a failure on day
    ``[a, a+1)`` is ``1 − exp(−(H(a+1) − H(a)))``.

    >>> p = weibull_daily_probability(np.arange(365.0), 1.0, 0.05)
    >>> round(float(-np.log1p(-p).sum()), 6)
    0.05
    """
    if first_year_failures <= 0:
        return np.zeros_like(age_days, dtype=np.float64)
    eta = DAYS_PER_YEAR / first_year_failures ** (1.0 / shape)
    age = np.maximum(age_days, 0.0)
    increment = (np.maximum(age + 1.0, 0.0) / eta) ** shape - (age / eta) ** shape
    return np.asarray(-np.expm1(-increment), dtype=np.float64)


#: Most per-part hazard rows (:func:`part_hazard`) kept, each 8 bytes a day (≤ 9 MB at
#: three years): an industry's members are scaled copies of a few templates, so their
#: cohorts share a few dozen models and ages (43 in the full-scale bundled `us`).
KEPT_HAZARD_ROWS = 1024


@lru_cache(maxsize=KEPT_HAZARD_ROWS)
def part_hazard(
    age_at_start: int, horizon: int, shape: float, first_year_failures: float
) -> FloatArray:
    """[T] :func:`weibull_daily_probability` of a slot ``age_at_start`` days old on day 0,
    on each of ``horizon`` days. Kept for later plans, so read-only: a plan copies it."""
    ages = age_at_start + np.arange(horizon, dtype=np.float64)
    row = weibull_daily_probability(ages, shape, first_year_failures)
    row.setflags(write=False)
    return row


def _hazards(
    models: list[ModelSpec],
    ages: list[int],
    horizon: int,
    priors: tuple[FailurePrior, ...],
    multiplier: float = 1.0,
) -> FloatArray:  # [C, 4, T]
    """Daily failure probability per cohort, part type and day ``[C, 4, T]``; ``multiplier``
    scales each part's m₁ (``operations.failure_rate_multiplier``): m₁ × multiplier
    expected failures in the first year, the Weibull shape unchanged."""
    out = np.empty((len(models), len(PART_TYPES), horizon))
    for c, (spec, age) in enumerate(zip(models, ages, strict=True)):
        for k, part in enumerate(PART_TYPES):
            prior = failure_prior(part, spec, priors)
            m1 = prior.first_year_failures_per_part * multiplier
            out[c, k] = part_hazard(age, horizon, prior.weibull_shape, m1)
    return out


# The bundled delays (data/parts.csv's routes, data/vendors.csv's lead times), built once:
# every fleet's plan takes the same few, and a distribution is immutable (frozen, its
# arrays read-only), so plans can share them. Building one costs ~50 µs, ~12 a plan.


@lru_cache(maxsize=256)
def bundled_uniform(low: int, high: int) -> DayDistribution:
    """:func:`~hashshock.dists.Uniform` on ``low..high`` days, kept for later plans."""
    return Uniform(low, high)


@lru_cache(maxsize=256)
def bundled_fixed(days: int) -> DayDistribution:
    """:func:`~hashshock.dists.Fixed` ``days`` days, kept for later plans."""
    return Fixed(days)


def compile_plan(loaded: LoadedFleet, scenario: Scenario, horizon_days: int) -> Plan:
    """Turn fleet + scenario into arrays for ``horizon_days`` days."""
    return with_scenario(compile_fleet(loaded, horizon_days), scenario)


def compile_plans(
    loaded: LoadedFleet, scenarios: Sequence[Scenario], horizon_days: int
) -> list[Plan]:
    """:func:`compile_plan` for each of ``scenarios``, the fleet compiled once: all but a
    plan's events are the fleet's (:func:`compile_fleet`)."""
    fleet = compile_fleet(loaded, horizon_days)
    return [with_scenario(fleet, scenario) for scenario in scenarios]


def with_scenario(fleet_plan: Plan, scenario: Scenario) -> Plan:
    """The plan of :func:`compile_fleet` under ``scenario``: its name and events, and a
    copy of every array, so that no two plans share one."""
    arrays: dict[str, Any] = {
        f.name: value.copy()
        for f in fields(fleet_plan)
        if isinstance(value := getattr(fleet_plan, f.name), np.ndarray)
    }
    events = compile_events(scenario, fleet_plan.start_date, fleet_plan.vendor_names)
    return replace(fleet_plan, scenario_name=scenario.name, events=events,
                   network_wide=scenario.network_wide, **arrays)  # fmt: skip


def compile_fleet(loaded: LoadedFleet, horizon_days: int) -> Plan:
    """The fleet's arrays for ``horizon_days`` days: a plan without a scenario (no name,
    no events), which :func:`with_scenario` completes."""
    fleet = loaded.fleet
    catalog = loaded.catalog
    vendors = vendor_defaults()
    vendor_names = tuple(sorted(vendors))
    vendor_index = {v: i for i, v in enumerate(vendor_names)}
    site_names = tuple(s.name for s in fleet.sites)
    site_index = {s: i for i, s in enumerate(site_names)}
    defaults = part_defaults()

    # Cohorts: installed ones, then one per open order (installed on arrival).
    labels: list[str] = []
    models: list[ModelSpec] = []
    sites: list[int] = []
    initial: list[int] = []  # machines mining on day 0
    owned: list[int] = []  # machines the file lists, set aside or not (for the defaults)
    ages: list[int] = []
    dead_boards: list[int] = []
    down: list[list[int]] = []
    for cohort in fleet.cohorts:
        spec = catalog.get(cohort.model)
        labels.append(cohort.label or f"{cohort.site}/{cohort.model}/{cohort.install_date}")
        models.append(spec)
        sites.append(site_index[cohort.site])
        initial.append(cohort.count - (cohort.set_aside or 0))
        owned.append(cohort.count)
        ages.append((fleet.start_date - cohort.install_date).days)
        degraded = cohort.degraded
        dead_boards.append(degraded.dead_hashboards if degraded else 0)
        down.append([degraded.machines_down.get(p, 0) if degraded else 0 for p in STOP_PARTS])
        if degraded and degraded.machines_down.get("hashboard"):
            # A machine down for a hashboard is a running machine with all boards dead.
            dead_boards[-1] += degraded.machines_down["hashboard"] * spec.hashboards
    order_cohort, order_count, order_due, order_vendor = [], [], [], []
    for order in fleet.orders:
        spec = catalog.get(order.model)
        due = (order.due_date - fleet.start_date).days
        order_cohort.append(len(labels))
        order_count.append(order.count)
        order_due.append(due)
        order_vendor.append(vendor_index[spec.vendor])
        labels.append(order.label or f"order/{order.site}/{order.model}/{order.due_date}")
        models.append(spec)
        sites.append(site_index[order.site])
        initial.append(0)
        owned.append(0)
        ages.append(-due)
        dead_boards.append(0)
        down.append([0, 0, 0])

    replacement_cohort = -1
    policy = fleet.finance.replacement if fleet.finance else None
    if policy is not None and policy.availability_target is not None:
        spec = catalog.get(replacement_model(policy.channel, policy.model))
        home = max(range(len(site_names)), key=lambda s: sum(
            n for n, c in zip(initial, sites, strict=True) if c == s))  # fmt: skip
        replacement_cohort = len(labels)
        labels.append(f"replacement/{site_names[home]}/{spec.slug}")
        models.append(spec)
        sites.append(home)
        initial.append(0)
        owned.append(0)
        # Used machines are assumed two years old when bought [E]; new ones start new.
        ages.append(USED_MACHINE_AGE_DAYS if policy.channel == "used-machines" else 0)
        dead_boards.append(0)
        down.append([0, 0, 0])

    # Pools: one per (site, part type, family) that some cohort needs.
    pool_key_index: dict[tuple[int, int, str], int] = {}
    cohort_pool = np.zeros((len(labels), len(PART_TYPES)), dtype=np.int64)
    installed_parts: dict[tuple[int, int, str], int] = defaultdict(int)
    for c, spec in enumerate(models):
        for k, part in enumerate(PART_TYPES):
            key = (sites[c], k, spec.family)
            if key not in pool_key_index:
                pool_key_index[key] = len(pool_key_index)
            cohort_pool[c, k] = pool_key_index[key]
            installed_parts[key] += (owned[c] or order_count_for(c, order_cohort, order_count)) * (
                spec.parts_per_machine(part)
            )
    pool_keys = list(pool_key_index)
    family_vendor = {m.family: m.vendor for m in models}
    on_hand = np.full(len(pool_keys), -1, dtype=np.int64)
    target = np.full(len(pool_keys), -1, dtype=np.int64)
    target_given = np.zeros(len(pool_keys), dtype=np.bool_)
    for stock in fleet.spares:
        s, k = site_index[stock.site], PART_TYPES.index(stock.part)
        keys = [key for key in pool_keys if key[0] == s and key[1] == k]
        if stock.family is not None:
            keys = [key for key in keys if key[2] == stock.family]
        weights = np.array([installed_parts[key] for key in keys], dtype=np.float64)
        for key, qty, tgt in zip(
            keys,
            _split(stock.on_hand, weights),
            _split(stock.target if stock.target is not None else stock.on_hand, weights),
            strict=True,
        ):
            j = pool_key_index[key]
            on_hand[j] = max(on_hand[j], 0) + qty
            target[j] = max(target[j], 0) + tgt
            target_given[j] |= stock.target is not None
    for j, key in enumerate(pool_keys):
        if on_hand[j] < 0:  # no entry: the documented default share of installed parts
            share = defaults[PART_TYPES[key[1]]].default_spares_share
            on_hand[j] = round(share * installed_parts[key])
            target[j] = on_hand[j]

    # Repair routes per part type: bundled defaults, overridden by the fleet file.
    routes = []
    for part in PART_TYPES:
        d = defaults[part]
        over = fleet.repair_routes.get(part)
        routes.append(
            RoutePlan(
                swap_days=round(over.swap_days.mean if over and over.swap_days else d.swap_days),
                in_house_share=_pick(over.in_house_share if over else None, d.in_house_share),
                in_house_days=(over.in_house_days if over and over.in_house_days else None)
                or bundled_uniform(*d.in_house_days),
                in_house_needs_vendor_parts=_pick(
                    over.in_house_needs_vendor_parts if over else None,
                    d.in_house_needs_vendor_parts,
                ),
                scrap_share=_pick(over.scrap_share if over else None, d.scrap_share),
                vendor_turnaround_days=(
                    over.vendor_turnaround_days if over and over.vendor_turnaround_days else None
                )
                or bundled_uniform(*d.vendor_turnaround_days),
                storage_share=d.storage_share_of_machine,
            )
        )
    for part, route in zip(PART_TYPES, routes, strict=True):
        if route.in_house_share + route.scrap_share > 1 + 1e-9:
            raise ValueError(f"repair route for {part}: in_house_share + scrap_share exceed 1")

    site_country = {s.name: s.country for s in fleet.sites}
    crosses = np.zeros(len(pool_keys), dtype=bool)
    for j, (s, k, family) in enumerate(pool_keys):
        over = fleet.repair_routes.get(PART_TYPES[k])
        if over is not None and over.crosses_border is not None:
            crosses[j] = over.crosses_border
        else:
            centre = vendors[family_vendor[family]].repair_centre_country
            crosses[j] = centre != site_country[site_names[s]]

    # Technician capacity (swaps per day) per site.
    per_tech_default = site_defaults()["swaps_per_technician_day"]
    machines_per_tech = site_defaults()["machines_per_technician"]
    swaps = []
    for s, site in enumerate(fleet.sites):
        machines = sum(owned[c] for c in range(len(labels)) if sites[c] == s)
        techs = (
            site.technicians
            if site.technicians is not None
            else max(1, math.ceil(machines / machines_per_tech))
        )
        swaps.append(int(techs * (site.swaps_per_technician_day or per_tech_default)))

    lead_override = fleet.replenishment.lead_time_days
    horizon = int(horizon_days)
    plan = Plan(
        fleet_name=fleet.name,
        scenario_name="",
        start_date=fleet.start_date,
        horizon_days=horizon,
        part_names=PART_TYPES,
        vendor_names=vendor_names,
        site_names=site_names,
        site_countries=tuple(s.country for s in fleet.sites),
        cohort_labels=tuple(labels),
        cohort_models=tuple(m.slug for m in models),
        cohort_site=np.array(sites, dtype=np.int64),
        cohort_vendor=np.array([vendor_index[m.vendor] for m in models], dtype=np.int64),
        cohort_pool=cohort_pool,
        cohort_initial=np.array(initial, dtype=np.int64),
        cohort_boards=np.array([m.hashboards for m in models], dtype=np.int64),
        cohort_stop_parts=np.array(
            [[m.parts_per_machine(p) for p in STOP_PARTS] for m in models], dtype=np.int64
        ).reshape(len(models), len(STOP_PARTS)),
        cohort_ths_per_machine=np.array([m.hashrate_ths for m in models], dtype=np.float64),
        cohort_power_w=np.array([m.power_w for m in models], dtype=np.float64),
        cohort_initial_dead_boards=np.array(dead_boards, dtype=np.int64),
        cohort_initial_down=np.array(down, dtype=np.int64).reshape(len(models), len(STOP_PARTS)),
        cohort_uptime=site_uptime(fleet)[np.array(sites, dtype=np.int64)],
        cohort_board_yield=board_yield(
            models,
            ages,
            horizon,
            degradation_of(fleet),
            wear_of(fleet),
            loaded.failure_rates,
            fleet.operations.failure_rate_multiplier,
        ),
        hazard=_hazards(
            models, ages, horizon, loaded.failure_rates, fleet.operations.failure_rate_multiplier
        ),
        pool_site=np.array([k[0] for k in pool_keys], dtype=np.int64),
        pool_part=np.array([k[1] for k in pool_keys], dtype=np.int64),
        pool_vendor=np.array(
            [vendor_index[family_vendor[k[2]]] for k in pool_keys], dtype=np.int64
        ),
        pool_family=tuple(k[2] for k in pool_keys),
        pool_on_hand=on_hand,
        pool_target=target,
        pool_crosses_border=crosses,
        routes=tuple(routes),
        site_swaps_per_day=np.array(swaps, dtype=np.int64),
        vendor_parts_lead=tuple(
            lead_override or bundled_fixed(vendors[v].parts_lead_time_days) for v in vendor_names
        ),
        vendor_transit_days=np.array([vendors[v].transit_days for v in vendor_names], np.int64),
        vendor_clearance_days=np.array(
            [vendors[v].customs_clearance_days for v in vendor_names], np.int64
        ),
        vendor_parts_origin=tuple(vendors[v].parts_origin for v in vendor_names),
        vendor_machines_origin=tuple(vendors[v].machines_origin for v in vendor_names),
        replenish=fleet.replenishment.enabled,
        order_cohort=np.array(order_cohort, dtype=np.int64),
        order_count=np.array(order_count, dtype=np.int64),
        order_due_day=np.array(order_due, dtype=np.int64),
        order_vendor=np.array(order_vendor, dtype=np.int64),
        events=(),
        replacement_cohort=replacement_cohort,
        site_bench=_benches(fleet.sites),
        transfer_days=fleet.transshipment.transfer_days if fleet.transshipment else -1,
        transfer_cost_usd=fleet.transshipment.cost_usd_per_part if fleet.transshipment else 0.0,
        donors=_donors(fleet.sites, fleet.cohorts, catalog),
    )
    return warm_start(plan, target_given) if fleet.pipelines_at_start == "steady" else plan


def _benches(sites: list[Site]) -> tuple[BenchPlan | None, ...]:
    """Each site's repair bench, or () when no site has one (the engine then runs as
    without benches, bit for bit)."""
    if all(site.repair_bench is None for site in sites):
        return ()
    return tuple(
        None if site.repair_bench is None
        else BenchPlan(site.repair_bench.technicians, site.repair_bench.service_days)
        for site in sites
    )  # fmt: skip


def _donors(sites: list[Site], cohorts: list[Cohort], catalog: Catalog) -> tuple[DonorPlan, ...]:
    """The donor machines: each site's (by model, in the file's order), then each cohort's
    set aside, each with its model's parts (data/models.csv), all working (docs/model.md,
    *Cannibalisation*)."""
    site_index = {site.name: s for s, site in enumerate(sites)}
    held = [
        (s, model, n) for s, site in enumerate(sites) for model, n in (site.donors or {}).items()
    ]
    held += [(site_index[c.site], c.model, c.set_aside) for c in cohorts if c.set_aside]
    return tuple(
        DonorPlan(s, spec.family, machines,
                  (spec.hashboards, spec.fans, spec.psus, spec.control_boards), model)
        for s, model, machines in held
        for spec in (catalog.get(model),)
    )  # fmt: skip


def order_count_for(c: int, order_cohort: list[int], order_count: list[int]) -> int:
    """Machines a not-yet-installed cohort will bring (for splitting spares)."""
    return order_count[order_cohort.index(c)] if c in order_cohort else 0


_T = TypeVar("_T", float, bool)


def _pick(value: _T | None, default: _T) -> _T:
    return default if value is None else value


def _split(total: int, weights: np.ndarray) -> list[int]:
    """Split ``total`` in proportion to ``weights`` with largest-remainder rounding."""
    if len(weights) == 0:
        return []
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    remainder = int(total - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:remainder]] += 1
    return [int(x) for x in base]
