"""The money of a fleet under a scenario, compiled once beside its plan.

:func:`compile_money` is the one place the money layer reads the fleet's ``finance``
block, its sites' power prices and the bundled cost tables; everything after it —
the policies that steer the engine (:mod:`hashshock.finance.steering`), the daily cash
flows (:mod:`hashshock.finance.cashflow`), covenants and margin calls
(:mod:`hashshock.finance.covenants`) — reads the compiled :class:`MoneyPlan` and the
market paths, never the inputs or the engine's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hashshock.engine.policies import GreyMarket
from hashshock.finance.data import (
    DUTY_COUNTRY,
    Channel,
    channels,
    finance_defaults,
    machine_prices,
    part_costs,
    tariff_table,
)
from hashshock.finance.donor_value import DonorValue, donor_value
from hashshock.finance.loans import LoanSchedule, schedule
from hashshock.inputs.catalog import PART_TYPES
from hashshock.inputs.errors import InputError
from hashshock.inputs.finance import BtcPledge, Covenant, Finance
from hashshock.inputs.load import LoadedFleet
from hashshock.market.hashprice import TIERS, efficiency_tier
from hashshock.plan.kinds import ORDER_DISRUPTION, kinds_tagged
from hashshock.plan.model import DonorPlan, EventPlan, Plan

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class PartCostTable:
    """USD per part type, in ``PART_TYPES`` order: a new part, an in-house repair, a vendor
    repair, one shipping leg, the labour of a swap."""

    new: FloatArray
    in_house: FloatArray
    vendor: FloatArray
    shipping: FloatArray
    labour: FloatArray

    @property
    def vendor_all_in(self) -> FloatArray:
        """A vendor repair with shipping both ways."""
        return np.asarray(self.vendor + 2 * self.shipping)


@dataclass(frozen=True)
class CovenantSpec:
    """A covenant on the run's days: tests on ``test_every_days`` (DSCR, LTV), every day
    (liquidity) or at quarter ends ``quarter_days`` with ``quarter_min_ths`` (hashrate);
    a DSCR test sums the ``window_days`` up to it (``None``: ``test_every_days``)."""

    name: str
    type: str
    value: float
    loan: str | None
    test_every_days: int
    window_days: int | None = None
    quarter_days: tuple[int, ...] = ()
    quarter_min_ths: tuple[float, ...] = ()


@dataclass(frozen=True)
class PledgeSpec:
    """BTC pledged against ``obligation_usd``, called above ``margin_call_ltv`` until
    ``last_day`` (exclusive, days from the start)."""

    name: str
    btc: float
    obligation_usd: float
    margin_call_ltv: float
    last_day: int
    vendor: str | None = None
    vendor_orders: tuple[int, ...] = ()  # the fleet's orders from ``vendor``


@dataclass(frozen=True)
class ReplacementSpec:
    """Buy machines into cohort ``cohort`` while hashrate is below ``target`` × starting
    nameplate: used machines of tier ``used_tier`` at the used price × ``price_factor``,
    or new ones at ``new_unit_usd`` [T] (tariff included)."""

    cohort: int
    target: float
    lead_days: int
    doa_share: float
    budget_usd: float
    used_tier: str | None
    price_factor: float
    machine_ths: float
    new_unit_usd: FloatArray | None


@dataclass(frozen=True)
class DonorSpec:
    """Buy used machines for their parts (docs/model.md, *Cannibalisation*, C4): group
    ``g`` is one machine of a (site, family) of the fleet, the family's model there with
    the fewest TH/s, in site then family order, holding ``parts[g, j]`` parts in pool
    ``j``, bought at the used price of tier ``tiers[g]`` × its ``machine_ths[g]`` ×
    ``price_factor``; ``budget_usd`` is shared with the replacement machines."""

    review_days: int
    share: float
    lead_days: int
    doa_share: float
    budget_usd: float
    price_factor: float
    parts: NDArray[np.int64]  # [G, J]
    tiers: tuple[str, ...]  # [G]
    machine_ths: FloatArray  # [G]


@dataclass(frozen=True)
class RepairRuleSpec:
    """Repair a part only if it costs ≤ ``threshold_share`` of its replacement (per pool):
    the new part the site reorders, or — when the fleet holds or buys donor machines, so
    that a donor's part can replace it — a whole used machine when that is cheaper."""

    threshold_share: float
    in_house_cost: FloatArray  # [J]
    vendor_cost: FloatArray  # [J]
    tier_weight: FloatArray  # [J, tiers] share of the pool's machines' TH/s per tier
    machine_ths: FloatArray  # [J]
    donor_alternative: bool = True


@dataclass(frozen=True)
class MoneyPlan:
    """Everything money needs that does not depend on the market paths (USD unless named)."""

    cash_start_usd: float
    cohort_power_price: FloatArray  # [C] USD/MWh
    cohort_breakeven_hashprice: FloatArray | None  # [C] USD/PH/day; None: never switch off
    site_curtail_below: FloatArray | None  # [S] USD/PH/day, nan = never; None: no site
    costs: PartCostTable
    pool_unit_cost: FloatArray  # [J, T] a new spare delivered, duty included
    grey_unit_cost: FloatArray  # [J]
    grey_market: GreyMarket | None
    repair_rule: RepairRuleSpec | None
    replacement: ReplacementSpec | None
    donors: DonorSpec | None
    donor_value: DonorValue | None  # the donors held or bought, valued at the end
    storage_fee_usd_per_unit_day: FloatArray  # [T] the fee of the hold that can hold units
    overhead_usd_per_machine_day: float
    order_value_usd: FloatArray  # [O] the whole order, duty on its due day included
    deposit_share: float
    refund_share: FloatArray  # [O] of the deposit, if the order is cancelled
    loans: tuple[LoanSchedule, ...]
    covenants: tuple[CovenantSpec, ...]
    pledges: tuple[PledgeSpec, ...]
    # tier → share of the TH/s installed at the start (of its orders' when none is): a
    # run's collateral follows the installed mix by day (cashflow.installed_tier_shares)
    collateral_tier_share: dict[str, float]
    cohort_tier: tuple[str, ...]  # [C] used-market tier of each cohort's model
    #: Whether the fleet gives its cash (``finance.cash_usd``): without, cash counts up
    #: from $0, so cash below $0 says nothing of its liquidity.
    cash_given: bool = True

    def steering(self) -> tuple[Any, ...]:
        """What of the money changes the engine's decisions (its policies,
        :func:`hashshock.finance.steering.build_economy`), not only its cost series: two
        runs of one plan, paths and market with equal steering are the same run."""
        return (self.cohort_breakeven_hashprice, self.site_curtail_below, self.grey_market,
                self.repair_rule, self.replacement, self.donors)  # fmt: skip

    def steers(self) -> bool:
        """Whether any of its policies acts on the engine (and so reads the market)."""
        breakeven, curtail = self.cohort_breakeven_hashprice, self.site_curtail_below
        return bool(
            (breakeven is not None and np.isfinite(breakeven).any())
            or (curtail is not None and not np.isnan(curtail).all())
            or any(policy is not None for policy in self.steering()[2:])
        )


def finance_of(loaded: LoadedFleet) -> Finance:
    """The fleet's finance block (defaults when it has none)."""
    return loaded.fleet.finance or Finance()


def cohort_machines(plan: Plan) -> FloatArray:
    """[C] machines of each cohort: installed at the start, or those its order brings."""
    machines = plan.cohort_initial.astype(np.float64).copy()
    np.add.at(machines, plan.order_cohort, plan.order_count.astype(np.float64))
    return machines


@dataclass(frozen=True)
class Duties:
    """Duty as a share of value, per vendor and day: on its spare parts and on its machines
    ([V][T], by the vendor's parts and machines origins)."""

    parts: FloatArray  # [V, T]
    machines: FloatArray  # [V, T]


def duties(plan: Plan) -> Duties:
    """The bundled duty table (``data/tariffs.csv``) with the scenario's tariff changes.

    A ``tariff_change`` acts on the vendors it names, at the origins it names (all when
    omitted), from its start to its end (median days when they are drawn) — weighted by
    its probability: duties do not change the physical flows, so the money layer uses the
    expected duty, ``p · rate + (1 − p) · rate before``. Changes apply in file order.
    """
    T = plan.horizon_days
    table = tariff_table()
    origins = set(plan.vendor_parts_origin) | set(plan.vendor_machines_origin)
    share = {o: table.daily_rate_pct(o, plan.start_date, T) / 100.0 for o in origins}
    parts = np.array([share[o] for o in plan.vendor_parts_origin])
    machines = np.array([share[o] for o in plan.vendor_machines_origin])
    parts, machines = parts.reshape(-1, T), machines.reshape(-1, T)
    half = np.array([0.5])
    for event in plan.events:
        if event.kind not in kinds_tagged("tariff"):
            continue
        start = int(event.start.quantile(half)[0])
        if event.end_day is not None:
            end = event.end_day
        elif event.duration is not None:
            end = int(event.end_of(start, int(event.duration.quantile(half)[0])))
        else:
            end = T
        window = slice(max(start, 0), max(min(end, T), 0))
        p, rate = event.probability, event.params["rate_pct"] / 100.0
        for v, hit in enumerate(event.vendor_mask):
            if not hit:
                continue
            for duty, origin in ((parts, plan.vendor_parts_origin[v]),
                                 (machines, plan.vendor_machines_origin[v])):  # fmt: skip
                if event.origins is None or origin in event.origins:
                    duty[v, window] = p * rate + (1.0 - p) * duty[v, window]
    return Duties(parts, machines)


def hold_window(event: EventPlan, horizon_days: int) -> tuple[int, int]:
    """Days ``[first, end)`` on which customs hold ``event`` can have units at the border,
    on any path, clipped to the horizon: a lot reaching the border while the event is
    active (its earliest start to its latest end) waits at most its longest hold."""
    if event.probability <= 0 or event.params["hold_probability"] <= 0:
        return 0, 0
    first = min(event.start.support)
    if event.end_day is not None:
        last_border = event.end_day - 1
    elif event.duration is not None:
        last_border = int(event.end_of(max(event.start.support), event.duration.max_days)) - 1
    else:
        last_border = horizon_days - 1
    end = last_border + event.dists["hold_days"].max_days
    return min(first, horizon_days), max(min(end, horizon_days), min(first, horizon_days))


def storage_fees(plan: Plan) -> FloatArray:
    """[T] USD per unit-day held on each day: the fee of the customs hold that can be
    holding units that day (0 where none can).

    The engine books storage per path and day, not per hold, so a day's unit-days are
    priced at the fee of the hold whose window (:func:`hold_window`) covers it: each hold
    charges its own fee on its days. Holds whose windows overlap must share their fee —
    otherwise an :class:`InputError` names both, before anything runs.
    """
    T = plan.horizon_days
    fee = np.zeros(T)
    owner = np.full(T, -1, dtype=np.int64)
    for e, event in enumerate(plan.events):
        if event.kind not in kinds_tagged("customs"):
            continue
        first, end = hold_window(event, T)
        price = event.params["storage_fee_usd_per_unit_day"]
        clash = np.flatnonzero((owner[first:end] >= 0) & (fee[first:end] != price))
        if clash.size:
            other = plan.events[int(owner[first + clash[0]])]
            raise InputError(
                f"scenario {plan.scenario_name}", f"events[{e}].storage_fee_usd_per_unit_day",
                f"{price:g} USD/unit-day, but hold '{other.name}' ("
                f"{other.params['storage_fee_usd_per_unit_day']:g}) may hold units on the same "
                f"days ({first + int(clash[0])} to {first + int(clash[-1])}); storage is booked "
                "per day, not per hold",
                "give holds that may overlap the same fee, or windows that do not overlap",
            )  # fmt: skip
        fee[first:end] = price
        owner[first:end] = e
    return fee


def compile_money(loaded: LoadedFleet, plan: Plan) -> MoneyPlan:
    """Compile the fleet's money for ``plan`` (one scenario, its horizon)."""
    fin = finance_of(loaded)
    defaults = finance_defaults()
    T = plan.horizon_days
    duty = duties(plan)
    bought = _donor_groups(loaded, plan) if fin.replacement.donor_machines else []
    site_price = np.array([
        s.power_usd_per_mwh if s.power_usd_per_mwh is not None
        else defaults["power_usd_per_mwh"] for s in loaded.fleet.sites
    ])  # fmt: skip
    cohort_price = site_price[plan.cohort_site]
    j_per_th = plan.cohort_power_w / plan.cohort_ths_per_machine
    # Revenue = TH/s/1000 × hashprice; power = W·24/1e6 MWh × price ⇒ break-even hashprice.
    breakeven = j_per_th * 24.0 * cohort_price / 1000.0 if fin.switch_off_unprofitable else None
    curtail = np.array([
        np.nan if s.curtail_below_hashprice_usd_per_ph_day is None
        else s.curtail_below_hashprice_usd_per_ph_day for s in loaded.fleet.sites
    ])  # fmt: skip
    costs = _cost_table(fin)
    part_of_pool = plan.pool_part.astype(np.int64)
    dutiable = _dutiable(plan)
    pool_duty = duty.parts[plan.pool_vendor.astype(np.int64)] * dutiable[plan.pool_site, None]
    new = costs.new[part_of_pool]
    pool_unit_cost = new[:, None] * (1.0 + pool_duty) + costs.shipping[part_of_pool][:, None]
    grey = channels()["grey-parts"]
    grey_unit_cost = new * grey.price_factor + costs.shipping[part_of_pool]
    tiers = tuple(efficiency_tier(float(x)) for x in j_per_th)
    machines = cohort_machines(plan)
    given = loaded.fleet.finance
    return MoneyPlan(
        cash_given=given is not None and "cash_usd" in given.model_fields_set,
        cash_start_usd=fin.cash_usd,
        cohort_power_price=cohort_price,
        cohort_breakeven_hashprice=breakeven,
        site_curtail_below=None if np.all(np.isnan(curtail)) else curtail,
        costs=costs,
        pool_unit_cost=np.asarray(pool_unit_cost, dtype=np.float64),
        grey_unit_cost=np.asarray(grey_unit_cost, dtype=np.float64),
        grey_market=_grey_market(plan, fin, grey, grey_unit_cost, tiers, machines),
        repair_rule=_repair_rule(plan, fin, costs, tiers, machines)
        if fin.repair_or_replace
        else None,
        replacement=_replacement(plan, fin, duty, tiers),
        donors=_donors(plan, fin, tiers, bought),
        donor_value=donor_value(loaded, plan, tuple(group for group, _ in bought)),
        storage_fee_usd_per_unit_day=storage_fees(plan),
        overhead_usd_per_machine_day=(
            fin.overhead_usd_per_machine_day
            if fin.overhead_usd_per_machine_day is not None
            else defaults["overhead_usd_per_machine_day"]
        ),
        order_value_usd=_order_values(plan, duty),
        deposit_share=(
            fin.order_deposit_share
            if fin.order_deposit_share is not None
            else defaults["order_deposit_share"]
        ),
        refund_share=_refund_shares(
            plan,
            (
                fin.order_refund_share
                if fin.order_refund_share is not None
                else defaults["order_refund_share"]
            ),
        ),
        loans=tuple(schedule(loan, plan.start_date, T) for loan in fin.loans),
        covenants=tuple(covenant_spec(c, plan.start_date) for c in fin.covenants),
        pledges=tuple(pledge_spec(p, plan.start_date, T, plan) for p in fin.btc_pledges),
        collateral_tier_share=_tier_shares(
            plan,
            tiers,
            plan.cohort_initial.astype(np.float64) if plan.cohort_initial.sum() > 0 else machines,
        ),
        cohort_tier=tiers,
    )


def _cost_table(fin: Finance) -> PartCostTable:
    base = part_costs()
    given = fin.part_costs
    return PartCostTable(
        new=np.array([given.new_part_usd.get(p, base[p].new_part_usd) for p in PART_TYPES]),
        in_house=np.array(
            [given.in_house_repair_usd.get(p, base[p].in_house_repair_usd) for p in PART_TYPES]
        ),
        vendor=np.array(
            [given.vendor_repair_usd.get(p, base[p].vendor_repair_usd) for p in PART_TYPES]
        ),
        shipping=np.array([base[p].shipping_usd_per_leg for p in PART_TYPES]),
        labour=np.array([base[p].swap_labour_usd for p in PART_TYPES]),
    )


def _tier_shares(plan: Plan, tiers: tuple[str, ...], machines: FloatArray) -> dict[str, float]:
    ths = machines * plan.cohort_ths_per_machine
    total = float(ths.sum())
    shares: dict[str, float] = {}
    for c, tier in enumerate(tiers):
        shares[tier] = shares.get(tier, 0.0) + (float(ths[c]) / total if total > 0 else 0.0)
    return shares


def _dutiable(plan: Plan) -> FloatArray:
    """[S] 1 for a site in :data:`~hashshock.finance.data.DUTY_COUNTRY`, whose duties the
    tariff table lists, else 0: a machine or part bound for a site abroad pays none."""
    return np.array([float(c == DUTY_COUNTRY) for c in plan.site_countries])


def _order_values(plan: Plan, duty: Duties) -> FloatArray:
    """[O] USD of each order: TH/s × $/TH of its model × (1 + duty on its due day)."""
    values = np.zeros(len(plan.order_count))
    T = plan.horizon_days
    for o in range(len(plan.order_count)):
        c = int(plan.order_cohort[o])
        due = min(max(int(plan.order_due_day[o]), 0), T - 1)
        rate = (
            float(duty.machines[int(plan.order_vendor[o]), due])
            * _dutiable(plan)[int(plan.cohort_site[c])]
        )
        ths = float(plan.order_count[o]) * float(plan.cohort_ths_per_machine[c])
        values[o] = ths * machine_prices()[plan.cohort_models[c]] * (1 + rate)
    return values


def covenant_spec(covenant: Covenant, start: date) -> CovenantSpec:
    """A fleet file's covenant on the run's days (quarter ends as days from ``start``)."""
    return CovenantSpec(
        name=covenant.name,
        type=covenant.type,
        value=covenant.value if covenant.value is not None else 0.0,
        loan=covenant.loan,
        test_every_days=covenant.test_every_days,
        window_days=covenant.window_days,
        quarter_days=tuple((q.quarter_end - start).days for q in covenant.quarters),
        quarter_min_ths=tuple(q.min_ths for q in covenant.quarters),
    )


def pledge_spec(
    pledge: BtcPledge, start: date, horizon_days: int, plan: Plan | None = None
) -> PledgeSpec:
    """A fleet file's BTC pledge on the run's days (with ``plan``: the orders of the
    vendor holding it)."""
    last = horizon_days if pledge.until_date is None else (pledge.until_date - start).days
    orders: tuple[int, ...] = ()
    if plan is not None and pledge.vendor in plan.vendor_names:
        v = plan.vendor_names.index(pledge.vendor)
        orders = tuple(int(o) for o in np.flatnonzero(plan.order_vendor == v))
    return PledgeSpec(
        pledge.name, pledge.btc, pledge.obligation_usd, pledge.margin_call_ltv,
        min(horizon_days, last), pledge.vendor, orders,
    )  # fmt: skip


def _replacement(
    plan: Plan, fin: Finance, duty: Duties, tiers: tuple[str, ...],
) -> ReplacementSpec | None:  # fmt: skip
    policy = fin.replacement
    if policy.availability_target is None or plan.replacement_cohort < 0:
        return None
    c = plan.replacement_cohort
    ths = float(plan.cohort_ths_per_machine[c])
    channel = channels()[policy.channel]
    used = policy.channel == "used-machines"
    new_unit = None
    if not used:
        rate = duty.machines[int(plan.cohort_vendor[c])] * _dutiable(plan)[int(plan.cohort_site[c])]
        price = machine_prices()[plan.cohort_models[c]] * ths * channel.price_factor
        new_unit = np.asarray(price * (1.0 + rate))
    return ReplacementSpec(
        cohort=c, target=float(policy.availability_target), lead_days=channel.lead_time_days,
        doa_share=channel.doa_share, budget_usd=fin.machine_budget_usd(),
        used_tier=tiers[c] if used else None, price_factor=channel.price_factor,
        machine_ths=ths, new_unit_usd=new_unit,
    )  # fmt: skip


def _donor_groups(loaded: LoadedFleet, plan: Plan) -> list[tuple[DonorPlan, int]]:
    """The donors a fleet buys: one group per (site, family) of its cohorts, each one
    machine of the family's model there with the fewest TH/s (the cheapest used; by slug
    on a tie), whatever the order of the cohorts in the file; with the cohort of that
    model."""
    cheapest: dict[tuple[int, str], int] = {}
    for c, model in enumerate(plan.cohort_models):
        key = (int(plan.cohort_site[c]), loaded.model_of(model).family)
        rank = (float(plan.cohort_ths_per_machine[c]), model)
        held = cheapest.get(key)
        if held is None or rank < (float(plan.cohort_ths_per_machine[held]),
                                   plan.cohort_models[held]):  # fmt: skip
            cheapest[key] = c
    groups = []
    for (site, family), c in sorted(cheapest.items()):
        spec = loaded.model_of(plan.cohort_models[c])
        parts = (spec.hashboards, spec.fans, spec.psus, spec.control_boards)
        groups.append((DonorPlan(site, family, 1, parts, plan.cohort_models[c]), c))
    return groups


def _donors(plan: Plan, fin: Finance, tiers: tuple[str, ...],
            groups: list[tuple[DonorPlan, int]]) -> DonorSpec | None:  # fmt: skip
    """The donors the fleet may buy, of :func:`_donor_groups` (``None``: it buys none)."""
    policy = fin.replacement
    if not policy.donor_machines:
        return None
    channel = channels()["used-machines"]
    return DonorSpec(
        review_days=policy.donor_review_days, share=float(policy.donor_share),
        lead_days=channel.lead_time_days, doa_share=channel.doa_share,
        budget_usd=fin.machine_budget_usd(), price_factor=channel.price_factor,
        parts=np.stack([plan.donor_parts((group,)) for group, _ in groups]),
        tiers=tuple(tiers[c] for _, c in groups),
        machine_ths=np.array([plan.cohort_ths_per_machine[c] for _, c in groups]),
    )  # fmt: skip


def _refund_shares(plan: Plan, fleet_share: float) -> FloatArray:
    """[O]: share of each order's deposit refunded if it is cancelled — the fleet's, or
    less: the lowest ``refund_share`` of the scenario's order disruptions that act on the
    order's vendor (a vendor in trouble refunds less than its contract says, never more).
    The engine says whether an order was cancelled, not by which event, so where several
    events could have, the least generous applies."""
    shares = np.full(len(plan.order_count), fleet_share)
    for event in plan.events:
        refund = event.params.get("refund_share", -1.0)
        if event.kind == ORDER_DISRUPTION and refund >= 0:
            acts = event.vendor_mask[plan.order_vendor]
            shares = np.where(acts, np.minimum(shares, refund), shares)
    return shares


def _grey_market(
    plan: Plan,
    fin: Finance,
    grey: Channel,
    unit_cost: FloatArray,
    tiers: tuple[str, ...],
    machines: FloatArray,
) -> GreyMarket | None:
    """The grey channel when the fleet uses it (``grey``: its row of data/channels.csv),
    with what it needs to buy only parts cheaper than a used machine of their pool."""
    if not fin.replacement.grey_market_parts:
        return None
    weights, ths = _pool_machines(plan, tiers, machines)
    return GreyMarket(grey.lead_time_days, grey.doa_share,
                      np.asarray(unit_cost, dtype=np.float64), weights, ths)  # fmt: skip


def _pool_machines(
    plan: Plan, tiers: tuple[str, ...], machines: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per pool, the machines using it: the share of their TH/s in each used-market tier
    [J, tiers] and their mean TH/s [J] (what a whole used one of them is worth, with the
    tiers' prices: :func:`hashshock.engine.policies.used_machine_usd`)."""
    J = plan.n_pools
    tier_weight = np.zeros((J, len(TIERS)))
    ths_sum = np.zeros(J)
    count = np.zeros(J)
    for c in range(plan.n_cohorts):
        ths = float(plan.cohort_ths_per_machine[c])
        for j in {int(x) for x in plan.cohort_pool[c]}:
            tier_weight[j, TIERS.index(tiers[c])] += machines[c] * ths
            ths_sum[j] += machines[c] * ths
            count[j] += machines[c]
    tier_weight = np.divide(tier_weight, ths_sum[:, None], out=np.zeros_like(tier_weight),
                            where=ths_sum[:, None] > 0)  # fmt: skip
    return tier_weight, np.divide(ths_sum, count, out=np.zeros(J), where=count > 0)


def _repair_rule(
    plan: Plan, fin: Finance, costs: PartCostTable, tiers: tuple[str, ...], machines: FloatArray
) -> RepairRuleSpec:
    """Per pool: repair costs, and the tiers of the machines a donor would come from."""
    tier_weight, machine_ths = _pool_machines(plan, tiers, machines)
    parts = plan.pool_part.astype(np.int64)
    return RepairRuleSpec(
        threshold_share=fin.repair_threshold_share,
        in_house_cost=costs.in_house[parts],
        vendor_cost=costs.vendor_all_in[parts],
        tier_weight=tier_weight,
        machine_ths=machine_ths,
        # a scrapped part is replaced by a reorder (a new part), unless donors are at hand:
        # valued at a used machine without any, the rule scrapped $200 repairs of boards
        # it then rebought new at $600 with duty (repairs and parts +71 %)
        donor_alternative=bool(plan.donors) or fin.replacement.donor_machines,
    )
