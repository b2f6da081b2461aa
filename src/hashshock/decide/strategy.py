"""Strategies: edits to the fleet by field path plus their costs and timing — the built-in
ones, computed for a fleet, and strategy files.

A strategy file (YAML)::

    name: bigger-bench
    description: two more technicians at rockdale, PSUs repaired in house
    edits:
      - {path: "fleet.sites[rockdale].technicians", value: 16}
      - {path: fleet.repair_routes, value: {psu: {in_house_share: 0.8}}}
    costs:
      upfront_usd: 40000            # paid on starts_day
      running_usd_per_month: 18000  # from starts_day to the horizon
      starts_day: 0

Paths are those of ``hashshock sweep`` (docs/sweeps.md, "Inputs: field paths") and must
start with ``fleet``; the edited fleet is checked as a file with those values would be.
Built-in parameters come from ``data/decide_strategies.csv`` (each with its source or
labelled an assumption).
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ConfigDict, Field, PrivateAttr, ValidationError

from hashshock.decide.edits import base_set, edited_fleet, resolve_fleet_path
from hashshock.decide.pools import demand_per_day
from hashshock.inputs.errors import InputError, from_validation_error
from hashshock.inputs.files import read_csv_rows, read_yaml_mapping
from hashshock.inputs.load import LoadedFleet
from hashshock.inputs.strict import InputModel
from hashshock.inputs.types import Money
from hashshock.market.hashprice import efficiency_tier
from hashshock.prepare import Prepared
from hashshock.sweep.fieldpath import FieldPath, located
from hashshock.sweep.inputs import BaseSet

DAYS_PER_MONTH = 365.0 / 12


class _Strict(InputModel):
    # frozen: a strategy is part of the result it ran in, whose to_dict() reads it
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Edit(_Strict):
    """One field of the fleet set to a value."""

    path: str = Field(description="Field path into the fleet, e.g. fleet.sites[a].technicians")
    value: Any = Field(description="The new value (a number, text, list or mapping)")


class Costs(_Strict):
    """What the strategy costs and when (USD)."""

    upfront_usd: Money = Field(0.0, description="Paid once, on starts_day")
    running_usd_per_month: Money = Field(0.0, description="Paid daily pro rata from starts_day")
    starts_day: int = Field(0, ge=0, description="Day the costs start (day 0 = start date)")


class Strategy(_Strict):
    """A strategy: edits to the fleet by field path, and their costs and timing."""

    name: str = Field(min_length=1)
    description: str = ""
    edits: tuple[Edit, ...] = ()
    costs: Costs = Field(default_factory=Costs)
    source: str = Field("", description="Where the costs and edits come from")
    _origin: str | None = PrivateAttr(None)

    @property
    def origin(self) -> str | None:
        """The file the strategy was read from (None: built in)."""
        return self._origin

    def cost_by_day(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """[T] upfront and running outflows per day (USD)."""
        upfront, running = np.zeros(horizon), np.zeros(horizon)
        start = self.costs.starts_day
        if start < horizon:
            upfront[start] = self.costs.upfront_usd
            running[start:] = self.costs.running_usd_per_month / DAYS_PER_MONTH
        return upfront, running

    def total_cost_usd(self, horizon: int) -> float:
        upfront, running = self.cost_by_day(horizon)
        return float(upfront.sum() + running.sum())


@cache
def defaults() -> dict[str, str]:
    """``data/decide_strategies.csv`` as key → value."""
    from importlib import resources

    path = Path(str(resources.files("hashshock") / "data" / "decide_strategies.csv"))
    return {row["key"]: row["value"] for row in read_csv_rows(path)}


def _number(key: str) -> float:
    return float(defaults()[key])


#: The built-in strategies' names (the stockpile's carries its months: ``stockpile-6m``).
BUILTIN_NAMES = ("do-nothing", "stockpile-6m", "alt-vendors", "bitmain-us", "repair-bench",
                 "used-donors", "set-aside-donors")  # fmt: skip


def load_strategy(path: str | Path) -> Strategy:
    """A strategy file; an :class:`InputError` naming file, field and fix if it is wrong
    (a built-in's name given for a file: it runs anyway, and a file is what is asked)."""
    file = Path(path)
    name = str(path)
    if not file.exists() and (name in BUILTIN_NAMES
                              or re.fullmatch(r"stockpile-\d+(\.\d+)?m", name)):  # fmt: skip
        raise InputError(
            file, None, "is the name of a built-in strategy, not a strategy file: the "
            f"built-ins ({', '.join(BUILTIN_NAMES)}) always run",
            "leave it out; --strategy takes a strategy YAML file of edits and costs (the "
            "repository's examples/strategies/ has some, e.g. grey-market.yaml)",
        )  # fmt: skip
    data = read_yaml_mapping(file, "strategy")
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, file, Strategy) from None
    strategy._origin = str(file)
    return strategy


def apply(strategy: Strategy, base: BaseSet) -> LoadedFleet:
    """The fleet with the strategy's edits, each checked in turn so an error names the edit
    (unknown fields, sites, parts or values that do not validate)."""
    resolved: list[tuple[FieldPath, Any]] = []
    places: list[tuple[str | int, ...]] = []  # one field however named (sites[0], sites[a])
    where = strategy.origin or f"strategy {strategy.name}"
    for i, edit in enumerate(strategy.edits):
        field = f"edits[{i}].path"
        path = resolve_fleet_path(base, edit.path, where, field)
        place = located(base.mappings["fleet"], path)[0]
        same = next((j for j, other in enumerate(places) if other == place), None)
        if same is not None:  # the last would win silently
            raise InputError(where, field, f"{edit.path} is also edits[{same}]'s field",
                             "set each field once")  # fmt: skip
        resolved.append((path, edit.value))
        places.append(place)
        try:
            edited_fleet(base, resolved)
        except InputError as exc:
            problem = exc.problem if exc.field is None else f"{exc.field}: {exc.problem}"
            raise InputError(where, f"edits[{i}] ({edit.path})", f"the edited fleet is invalid: "
                             f"{problem}", exc.fix or "check the value") from None  # fmt: skip
    return edited_fleet(base, resolved)


def _route(base: BaseSet, part: str) -> dict[str, Any]:
    routes = base.given["fleet"].get("repair_routes") or {}
    return dict(routes.get(part) or {})


def builtin_strategies(
    prepared: Prepared, base: BaseSet, stockpile_months: float
) -> list[Strategy]:
    """do-nothing, stockpile, an alternative vendor, US-assembled Antminers, the repair
    bench, used machines bought as parts donors and the fleet's least efficient machines
    set aside as donors, for this fleet."""
    from hashshock.decide.pools import pool_table
    from hashshock.decide.report import stock_rows

    plan, money = prepared.plans[-1], prepared.money[-1]
    table = pool_table(plan, money.pool_unit_cost[:, 0])
    day0 = used_prices_on_day0(prepared)
    extra = np.ceil(demand_per_day(plan) * DAYS_PER_MONTH * stockpile_months).astype(np.int64)
    # a part dearer than a whole used machine of its family is not stocked: the machine,
    # its donor, is the cheaper spare
    extra[table.inputs.unit_cost_usd > _cheapest_machine_usd(prepared, day0)] = 0
    stock = table.inputs.current + extra
    out = [Strategy(name="do-nothing", description="today's fleet, stock and orders")]
    out.append(Strategy(
        name=f"stockpile-{stockpile_months:g}m",
        description=f"buy {stockpile_months:g} months of each pool's expected failures now "
                    "(and keep reordering up to the new level), of every part cheaper than "
                    "a used machine of its family",
        edits=[Edit(path="fleet.spares", value=stock_rows(table, stock, fleet=base.loaded))],
        costs=Costs(upfront_usd=float(np.dot(extra, table.inputs.unit_cost_usd))),
        source="data/decide_strategies.csv stockpile_months; prices data/part_costs.csv with "
               "duty (money layer)",
    ))  # fmt: skip
    out.append(_moved_orders(base, defaults()["alt_vendor_model"], "alt-vendors",
                             "move open Bitmain orders to MicroBT (same hashrate)"))  # fmt: skip
    out.append(_moved_orders(base, defaults()["us_assembled_model"], "bitmain-us",
                             "move open Bitmain orders to US-assembled Antminers"))  # fmt: skip
    out.append(_repair_bench(prepared, base))
    out.append(_used_donors(base, day0))
    out.append(_set_aside_donors(base))
    return out


def bench_technicians(parts_per_day: float, service_days: float, occupancy: float) -> int:
    """Technicians of a site's bench: the fewest k ≥ 1 whose occupancy ρ = λ·E[S] / k (the
    offered load a = λ·E[S] in Erlangs over k servers, as Erlang C takes it,
    :mod:`hashshock.decide.queueing`) is at most ``occupancy``; 0 where no part is
    repaired in house (λ = 0). ``parts_per_day`` λ, ``service_days`` E[S] (days)."""
    load_erlangs = parts_per_day * service_days
    if load_erlangs <= 0.0:
        return 0
    return max(1, math.ceil(load_erlangs / occupancy - 1e-9))


def _repair_bench(prepared: Prepared, base: BaseSet) -> Strategy:
    """A repair bench at every site (exponential service of mean
    ``bench_service_days_mean``: in-house repairs queue for its technicians,
    docs/model.md *Repair bench*), and more hashboards, PSUs and control boards repaired in
    house. Each site's technicians are sized to its expected in-house repairs a day, the
    expected failures × the in-house shares (:func:`bench_technicians`, at
    ``bench_occupancy_max``; a supply stop's held-back repairs are not counted); a bench
    the site has already is kept if it is larger. The costs are per technician hired."""
    plan = prepared.plans[-1]
    routes = dict(base.given["fleet"].get("repair_routes") or {})
    in_house = np.array([route.in_house_share for route in plan.routes])  # by part type
    for part in ("hashboard", "psu", "control_board"):
        route = _route(base, part)
        scrap = route.get("scrap_share")
        share = _number(f"bench_in_house_share_{part}")
        route["in_house_share"] = share if scrap is None else min(share, 1.0 - float(scrap))
        routes[part] = route
        in_house[plan.part_names.index(part)] = route["in_house_share"]
    repairs = np.bincount(plan.pool_site, weights=demand_per_day(plan) * in_house[plan.pool_part],
                          minlength=len(plan.site_names))  # fmt: skip
    service_days = _number("bench_service_days_mean")
    sites, hands, hired = [], [], 0
    for site in base.given["fleet"]["sites"]:
        parts_per_day = float(repairs[plan.site_names.index(site["name"])])
        k = bench_technicians(parts_per_day, service_days, _number("bench_occupancy_max"))
        # a bench the site has already is kept if larger, and only added hands are paid
        own = dict(site.get("repair_bench") or {})
        had = int(own.get("technicians", 0))
        hands.append(max(k, had))
        hired += max(k - had, 0)
        bench = own or {"service_days": {"dist": "exponential", "mean": service_days}}
        bench["technicians"] = hands[-1]
        sites.append({**dict(site), "repair_bench": bench} if k else dict(site))
    if not (repairs > 0).any():
        return Strategy(name="repair-bench", description="no site repairs parts in house (every "
                        "route scraps them): no bench to build")  # fmt: skip
    return Strategy(
        name="repair-bench",
        description=f"a repair bench of {sum(hands)} technician(s) in all, "
                    f"{'/'.join(map(str, hands))} at the {len(sites)} site(s) ({hired} hired; "
                    "sized to each site's in-house repairs): more hashboards, PSUs and control "
                    "boards repaired on site, queueing for the technicians",
        edits=[Edit(path="fleet.repair_routes", value=routes),
               Edit(path="fleet.sites", value=sites)],
        costs=Costs(upfront_usd=_number("bench_upfront_usd_per_technician") * hired,
                    running_usd_per_month=_number("bench_running_usd_per_technician_month")
                    * hired),
        source="data/decide_strategies.csv bench_* (technicians sized at bench_occupancy_max; "
               "costs per technician hired)",
    )  # fmt: skip


def used_prices_on_day0(prepared: Prepared) -> dict[str, float]:
    """USD/TH of each efficiency tier on day 0 of the scenario's market: the used-ASIC
    index on the start date (its hashprice then, its drift since the tier table's
    reference date; docs/market.md, "Used-ASIC prices"), the same on every path."""
    from hashshock.finance.scenario_money import scenario_market

    market = scenario_market(prepared.market, prepared.plans[-1], 1, 0)
    return {tier: float(price[0, 0]) for tier, price in market.used_price_usd_per_th.items()}


def _cheapest_machine_usd(prepared: Prepared, usd_per_th: dict[str, float]) -> np.ndarray:
    """[J] USD: per pool the cheapest whole machine of its family installed at its site at
    the used prices ``usd_per_th`` (inf where none is installed: orders only)."""
    plan, money = prepared.plans[-1], prepared.money[-1]
    cheapest = np.full(plan.n_pools, np.inf)
    for c, model in enumerate(plan.cohort_models):
        value = float(plan.cohort_ths_per_machine[c]) * usd_per_th[money.cohort_tier[c]]
        family = prepared.loaded.model_of(model).family
        here = [j for j in range(plan.n_pools) if plan.pool_site[j] == plan.cohort_site[c]
                and plan.pool_family[j] == family and plan.cohort_initial[c] > 0]  # fmt: skip
        cheapest[here] = np.minimum(cheapest[here], value)
    return cheapest


def _used_donors(base: BaseSet, usd_per_th: dict[str, float]) -> Strategy:
    """Used machines bought as parts donors (docs/model.md, *Cannibalisation*): at each
    site, ⌈``donor_share`` × machines⌉ of its most numerous installed model, held for their
    parts, not mining; each priced at its efficiency tier's used price on day 0
    (``usd_per_th``, :func:`used_prices_on_day0`) × its TH/s, paid upfront."""
    catalog = base.loaded.catalog
    share = _number("donor_share")
    installed: dict[str, dict[str, int]] = {}
    for cohort in base.loaded.fleet.cohorts:
        models = installed.setdefault(cohort.site, {})
        models[cohort.model] = models.get(cohort.model, 0) + cohort.count
    sites, price, bought = [], 0.0, 0
    for site in base.given["fleet"]["sites"]:
        counts = installed.get(site["name"], {})
        if not counts:
            sites.append(dict(site))
            continue
        model = max(counts, key=lambda m: counts[m])
        count = math.ceil(share * counts[model])
        spec = catalog.get(model)
        price += count * usd_per_th[efficiency_tier(spec.efficiency_j_per_th)] * spec.hashrate_ths
        bought += count
        held = dict(site.get("donors") or {})  # donors the fleet holds already stay
        held[model] = held.get(model, 0) + count
        sites.append({**dict(site), "donors": held})
    return Strategy(
        name="used-donors",
        description=f"buy {bought} used machines ({share:.0%} of each site's most numerous "
                    "model) as parts donors: short shelves take their parts",
        edits=[Edit(path="fleet.sites", value=sites)],
        costs=Costs(upfront_usd=price),
        source="data/decide_strategies.csv donor_share; price: the market's used-ASIC index "
               "on the start date (data/market/defaults.yaml used_prices, or the market "
               "file's, at the day-0 hashprice)",
    )  # fmt: skip


def _set_aside_donors(base: BaseSet) -> Strategy:
    """The fleet's own least efficient machines set aside as parts donors (docs/model.md,
    *Cannibalisation*): at each site, ⌈``set_aside_share`` × machines⌉ of its least
    efficient installed model (most J/TH), from its oldest cohorts first, stop mining and
    give their parts (``cohorts[].set_aside``). Nothing is bought: the cost is the
    hashrate they no longer deliver."""
    catalog = base.loaded.catalog
    share = _number("set_aside_share")
    cohorts = [dict(c) for c in base.given["fleet"]["cohorts"]]
    set_aside = 0
    for site in base.given["fleet"]["sites"]:
        here = [c for c in cohorts if c["site"] == site["name"]]
        if not here:
            continue
        worst = max((c["model"] for c in here), key=lambda m: catalog.get(m).efficiency_j_per_th)
        mine = sorted((c for c in here if c["model"] == worst), key=lambda c: c["install_date"])
        left = math.ceil(share * sum(c["count"] for c in mine))
        for cohort in mine:
            down = sum((cohort.get("degraded") or {}).get("machines_down", {}).values())
            take = min(left, cohort["count"] - down - (cohort.get("set_aside") or 0))
            if take > 0:
                cohort["set_aside"] = (cohort.get("set_aside") or 0) + take
                left -= take
                set_aside += take
    return Strategy(
        name="set-aside-donors",
        description=f"set aside {set_aside} of the fleet's least efficient machines "
                    f"({share:.0%} of each site's least efficient model) as parts donors",
        edits=[Edit(path="fleet.cohorts", value=cohorts)] if set_aside else [],
        source="data/decide_strategies.csv set_aside_share; efficiency data/models.csv",
    )  # fmt: skip


def _moved_orders(base: BaseSet, model: str, name: str, description: str) -> Strategy:
    """Open orders of Bitmain machines moved to ``model``, same hashrate, same due date."""
    catalog = base.loaded.catalog
    target = catalog.get(model)
    orders = [dict(o) for o in base.given["fleet"].get("orders") or []]
    moved = 0
    for order in orders:
        spec = catalog.get(order["model"])
        if spec.vendor == "bitmain":
            order["count"] = math.ceil(order["count"] * spec.hashrate_ths / target.hashrate_ths)
            order["model"] = target.slug
            moved += 1
    edits = [Edit(path="fleet.orders", value=orders)] if moved else []
    return Strategy(name=name, description=f"{description} ({moved} order(s))", edits=edits,
                    source="data/decide_strategies.csv; price data/machine_prices.csv, lead "
                           "time data/vendors.csv")  # fmt: skip


def check_names(strategies: list[Strategy]) -> None:
    """Every strategy has its own name."""
    names = [s.name for s in strategies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        same = [s for s in strategies if s.name == twice[0]]
        culprit = next((s for s in same if s.origin), None)
        if culprit is not None and any(s.origin is None for s in same):
            raise InputError(culprit.origin, "name",
                             f"{twice[0]!r} is the name of a built-in strategy",
                             "give this strategy another name")  # fmt: skip
        files = [str(s.origin) for s in same if s.origin]
        # the later file is the one to rename: named alone, the first looked the culprit
        raise InputError(files[-1] if files else None, "name",
                         f"strategy name {twice[0]!r} is used twice"
                         + (f" (also in {files[0]})" if len(files) > 1 else ""),
                         "give each strategy its own name")  # fmt: skip


__all__ = ["Strategy", "apply", "base_set", "builtin_strategies", "load_strategy"]
