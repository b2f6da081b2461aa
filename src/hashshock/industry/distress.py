"""How one operator's break reaches the others: distress sales, the used market and the
shared network, settled together (docs/industry.md, "Distress spreads").

A member that breaks financially on day b (first covenant breach or cash below zero)
sells a share s (``distress.sell_share``) of its machines that day: from b on its
delivered and installed TH/s and its running costs (power, repairs, parts, storage,
overhead) are (1 − s) times the engine's, and it is paid s × installed TH/s × the used
price per TH/s of its tiers on day b. The machines sold are offered on the used market
(:mod:`hashshock.industry.used`), where a flood lowers every operator's collateral, and a
share ``sold_abroad_share`` of them leaves the US: the TH/s they would have delivered
mine for the rest of the world; the others wait in the dealers' stock, idle, until
bought.
Lower collateral can breach another member's LTV covenant, which makes it sell, and so on.
A member's break is the one that made it sell, though the sale's proceeds may keep its
cash above zero afterwards.

The sales, the network and the used prices are settled by rounds: price every member on
the network and used market that the sales of the round before make, take each
member's first break, and repeat until no break moves earlier (breaks only move earlier,
so the rounds end; at most :data:`MAX_ROUNDS`). With ``sell_share: 0`` the first round is
the last, and the members are priced as without distress.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.finance.covenants import CovenantResult, evaluate_covenants
from hashshock.finance.reprice import FixedFlows, Repriced, reprice
from hashshock.finance.steering import MarketLike, MarketRows
from hashshock.industry.network import SharedNetwork
from hashshock.industry.room import Room
from hashshock.industry.used import (
    EnginePurchases,
    Purchases,
    UsedFlows,
    clear,
    paid_factor,
    paid_usd,
    received,
    tier_mix,
    traded_share,
)
from hashshock.inputs.industry import Distress, Industry
from hashshock.prepare import Prepared
from hashshock.running import cumsum_rows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Most rounds of sales before the settlement stops (each round moves some break
#: earlier; on the bundled industries it settles in a few).
MAX_ROUNDS = 12

NEVER = -1
#: Key of the cash-out among a seller's first breaches (no covenant can be named so).
_CASH_OUT = "\0cash-out"


@dataclass
class Seller:
    """One member under one scenario, before its money is priced."""

    member: Prepared
    scenario: int
    weight: float
    fixed: FixedFlows
    bought_ths: FloatArray | None  # [P, T] used machines its engine bought, TH/s
    orders: OpenOrders | None = None  # its machine orders (cancelled once it breaks)
    spot_ths: FloatArray | None = None  # [P, T] spot machines delivered by each day, TH/s
    spot_paid_usd: FloatArray | None = None  # [P, T] paid for them on delivery
    used: Purchases | None = None  # what it buys on the used market (none after it breaks)
    room: Room | None = None  # where its replacement machines mine (None: everywhere)
    engine_used: EnginePurchases | None = None  # what those its engine bought cost it

    def on(self, rows: IntArray) -> Seller:
        """The seller on paths ``rows`` only (itself if those are all its paths)."""
        if rows.size == self.fixed.hashrate_ths.shape[0]:
            return self
        return dataclasses.replace(
            self, fixed=self.fixed.on(rows), bought_ths=None,
            orders=None if self.orders is None else self.orders.on(rows),
            spot_ths=None if self.spot_ths is None else self.spot_ths[rows],
            spot_paid_usd=None if self.spot_paid_usd is None else self.spot_paid_usd[rows],
            used=None if self.used is None else self.used.on(rows),
            room=None if self.room is None else self.room.on(rows),
            engine_used=None if self.engine_used is None else self.engine_used.on(rows),
        )  # fmt: skip


@dataclass
class OpenOrders:
    """A member's machine orders: the day each arrives [O, P] (−1: never), its nameplate
    TH/s [O] and the balance paid on delivery, USD [O]."""

    arrival_day: IntArray
    ths: FloatArray
    balance_usd: FloatArray

    def on(self, rows: IntArray) -> OpenOrders:
        """The orders on paths ``rows`` only."""
        return OpenOrders(self.arrival_day[:, rows], self.ths, self.balance_usd)

    def cancelled_after(self, sale_day: IntArray, days: int) -> tuple[FloatArray, FloatArray]:
        """[P, T] nameplate TH/s of the orders arriving after ``sale_day`` (which the
        member cancels), installed from their arrival day on, and the balance it does not
        pay, on that day."""
        paths = sale_day.shape[0]
        nameplate = np.zeros((paths, days))
        saved = np.zeros((paths, days))
        rows = np.arange(paths)
        for o in range(self.ths.shape[0]):
            day = self.arrival_day[o]
            gone = (sale_day >= 0) & (day > sale_day) & (day < days)
            if gone.any():
                nameplate[rows[gone], day[gone]] += self.ths[o]
                saved[rows[gone], day[gone]] += self.balance_usd[o]
        return cumsum_rows(nameplate, out=nameplate), saved


@dataclass
class Outcome:
    """One seller once settled: delivered TH/s and cash [P, T] after its deliveries and
    sales, revenue over the horizon [P], each covenant's first breach and the first
    cash-out [P] (−1: never), its machines' used value on its first break [P] (NaN:
    none), and what the donors its engine bought cost at the settled price [P]."""

    hashrate_ths: FloatArray
    cash_usd: FloatArray
    revenue_usd: FloatArray
    covenant_days: dict[str, IntArray]  # by covenant name
    cash_out_day: IntArray
    collateral_at_break: FloatArray
    donors_usd: FloatArray

    @classmethod
    def empty(cls, paths: int, days: int) -> Outcome:
        """An outcome to fill path by path (:meth:`put`)."""
        never = np.full(paths, NEVER, dtype=np.int64)
        return cls(np.zeros((paths, days)), np.zeros((paths, days)), np.zeros(paths), {},
                   never, np.full(paths, np.nan), np.zeros(paths))  # fmt: skip

    @property
    def breach_day(self) -> IntArray:
        """[P]: the first breach of any covenant (−1: none)."""
        return first_breach(self.covenant_days, self.cash_out_day)

    def put(self, rows: IntArray, hashrate_ths: FloatArray, flows: Repriced,
            covenant_days: dict[str, IntArray], cash_out_day: IntArray,
            donors_usd: FloatArray | None = None) -> None:  # fmt: skip
        """Paths ``rows`` of the outcome: delivered TH/s and flows priced on them, each
        covenant's first breach and the first cash-out; the collateral's value on the
        first of these; the donors' price [rows] (``None``: none bought)."""
        self.hashrate_ths[rows] = hashrate_ths
        self.cash_usd[rows] = flows.cash_usd
        self.revenue_usd[rows] = flows.revenue_usd.sum(axis=1)
        for name, day in covenant_days.items():
            self.covenant_days.setdefault(name, np.full_like(self.cash_out_day, NEVER))[rows] = day
        self.cash_out_day[rows] = cash_out_day
        broken = first_of(*covenant_days.values(), cash_out_day)
        value = flows.collateral_usd[np.arange(rows.size), np.maximum(broken, 0)]
        self.collateral_at_break[rows] = np.where(broken >= 0, value, np.nan)
        if donors_usd is not None:
            self.donors_usd[rows] = donors_usd


@dataclass
class Settled:
    """The settlement: the network and used market the sales make, each seller's sale day
    [P] (−1: never) and outcome, and the rounds it took."""

    network: SharedNetwork
    used: UsedFlows
    sale_day: list[IntArray]
    outcomes: list[Outcome]
    rounds: int
    settled: bool  # False: breaks still moved in the last round allowed
    # [P, T] weighted working TH/s of used replacement machines arrived by each day
    used_received_ths: FloatArray | None = None


def first_true(flags: NDArray[np.bool_]) -> IntArray:
    """[P]: first day a [P, T] flag is set, −1 if never."""
    return np.where(flags.any(axis=1), flags.argmax(axis=1), NEVER).astype(np.int64)


def breaking_days(covenants: Sequence[CovenantResult]) -> dict[str, IntArray]:
    """Each covenant's first breach day [P] (−1: never), for the covenants whose breach
    breaks a member: a lender's tests (DSCR, LTV, liquidity) that the horizon reaches (one
    never tested has no breach share to report). A hashrate commitment is a promise to
    investors: missing it sells no machine (selling would miss it further) and defaults
    no loan."""
    return {c.name: c.first_breach_day for c in covenants
            if c.type != "hashrate_commitment" and c.tested}  # fmt: skip


def first_breach(covenant_days: Mapping[str, IntArray], like: IntArray) -> IntArray:
    """[P]: the first breach of any of ``covenant_days`` (name → [P] first day, −1:
    never); never on every path of ``like`` when there is no covenant."""
    if not covenant_days:
        return np.full_like(like, NEVER)
    return first_of(*covenant_days.values())


def first_of(*days: IntArray) -> IntArray:
    """[P]: the earliest of several first days (−1: never)."""
    never = np.iinfo(np.int64).max
    stacked = np.stack([np.where(d >= 0, d, never) for d in days])
    first = stacked.min(axis=0)
    return np.where(first == never, NEVER, first).astype(np.int64)


def _kept(sale_day: IntArray, share: float, days: int) -> FloatArray:
    """[P, T]: 1 before the sale day, 1 − share from it on."""
    day = np.arange(days)[None, :]
    sold = (sale_day[:, None] >= 0) & (day >= sale_day[:, None])
    return np.where(sold, 1.0 - share, 1.0)


@dataclass
class _Position:
    """A seller once it breaks on ``sale_day`` [P]: delivered and installed TH/s [P, T]
    with the orders arriving later cancelled and a share of its machines sold; the
    balances it does not pay [P, T]; the TH/s it no longer delivers, by cause. Where
    nothing changed them its arrays are the seller's own (``fixed``): read them, never
    write into them."""

    hashrate_ths: FloatArray
    nameplate_ths: FloatArray
    saved_usd: FloatArray
    sold_ths: FloatArray  # delivered by the machines it sold
    cancelled_ths: FloatArray  # delivered by the orders it cancelled
    # delivered by replacement machines mining in its room (in hashrate_ths), and their
    # power, USD a day: billed on their own, not as a share of the fleet's running costs
    replacement_ths: FloatArray | None = None
    replacement_costs_usd: FloatArray | None = None
    # installed TH/s before the sale (None: nothing sold): what the sale sells a share of
    unsold_nameplate_ths: FloatArray | None = None


def _position(seller: Seller, sale_day: IntArray, distress: Distress,
              used: tuple[FloatArray, FloatArray | None] | None = None,
              engine_extra_usd: FloatArray | None = None) -> _Position:  # fmt: skip
    """Cancelled orders lose the TH/s they would have delivered at the fleet's delivered
    to installed ratio; the sale keeps 1 − ``sell_share`` of what is left. ``used``:
    the working TH/s of used machines arrived by each day and USD paid for them each day
    [P, T] (``None``: not priced yet); ``engine_extra_usd`` [P, T]: what the used machines
    its engine bought cost beyond the engine's price (``None``: nothing). Replacement
    machines, used and new, count in its nameplate and mine within the seller's
    :class:`Room` (at their own uptime and profitability); without a room (the engine's own
    purchases only), at the fleet's ratio."""
    fixed = seller.fixed
    hashrate, nameplate = fixed.hashrate_ths, fixed.nameplate_ths
    paths, days = hashrate.shape
    saved = np.zeros((paths, days)) if engine_extra_usd is None else -engine_extra_usd
    # nameplate TH/s of replacement machines owned, used and new (None: none)
    used_owned = new_owned = None
    if used is not None:
        used_owned, paid = used
        if paid is not None:
            saved = saved - paid
    selling = bool((sale_day >= 0).any())
    cancelling = distress.cancel_orders and selling
    if seller.spot_ths is not None and seller.spot_paid_usd is not None:
        spot, paid = seller.spot_ths, seller.spot_paid_usd
        if cancelling:  # spot machines not yet delivered are cancelled too
            spot, unpaid = _until(spot, paid, sale_day)
            saved = saved + unpaid
        new_owned = spot
        saved = saved - paid
    owned = [kind for kind in (used_owned, new_owned) if kind is not None]
    room = seller.room
    replaced = replaced_power = None
    if owned:
        replacements = owned[0] if len(owned) == 1 else owned[0] + owned[1]
        if room is None:  # the engine's own purchases: as the fleet's machines, costs alike
            hashrate = hashrate + replacements * _ratio(fixed)
        else:
            replaced, replaced_power = room.mining(new_owned, used_owned)
            hashrate = hashrate + replaced
        nameplate = nameplate + replacements
    cancelled = np.zeros((paths, days))
    if cancelling and seller.orders is not None:
        never, unpaid = seller.orders.cancelled_after(sale_day, days)
        base_hashrate = hashrate
        hashrate = np.maximum(hashrate - never * _ratio(fixed), 0.0)
        nameplate = np.maximum(nameplate - never, 0.0)
        saved = saved + unpaid
        cancelled = base_hashrate - hashrate
    if not selling:  # nothing sold on any of these paths: all kept (x · 1 = x)
        return _Position(hashrate, nameplate, saved, np.zeros((paths, days)), cancelled,
                         replaced, replaced_power)  # fmt: skip
    kept = _kept(sale_day, distress.sell_share, days)
    mine = power = None
    if replaced is not None and replaced_power is not None:
        mine, power = replaced * kept, replaced_power * kept
    return _Position(hashrate * kept, nameplate * kept, saved, hashrate * (1.0 - kept),
                     cancelled, mine, power, nameplate)  # fmt: skip


def _ratio(fixed: FixedFlows) -> FloatArray:
    """[P, T] the fleet's delivered to installed TH/s (0 where nothing is installed)."""
    hashrate, nameplate = fixed.hashrate_ths, fixed.nameplate_ths
    return np.divide(hashrate, nameplate, out=np.zeros_like(hashrate), where=nameplate > 0)


def _until(spot: FloatArray, paid: FloatArray, sale_day: IntArray) -> tuple[FloatArray, FloatArray]:
    """Spot deliveries [P, T] (cumulative TH/s) frozen after ``sale_day``, and the
    payments [P, T] after it (then not made)."""
    day = np.arange(spot.shape[1])[None, :]
    after = (sale_day[:, None] >= 0) & (day > sale_day[:, None])
    frozen = spot[np.arange(spot.shape[0]), np.maximum(sale_day, 0)][:, None]
    return np.where(after, frozen, spot), np.where(after, paid, 0.0)


def _priced(seller: Seller, at: _Position, sale_day: IntArray, market: MarketLike,
            share: float) -> Repriced:  # fmt: skip
    """The seller's flows in position ``at`` on ``market``: running costs in proportion to
    what it still delivers, the balances saved, the sale paid at its tiers' used price."""
    fixed = seller.fixed
    other = fixed.other_usd + at.saved_usd
    selling = sale_day >= 0
    if selling.any() and share > 0 and at.unsold_nameplate_ths is not None:
        paths = np.nonzero(selling)[0]
        day = sale_day[selling]
        price = sum(s * market.used_price_usd_per_th[t][paths, day]
                    for t, s in fixed.tier_share.items())  # fmt: skip
        # the installed TH/s as it was (a sale of every machine leaves none to divide by)
        before_sale = at.unsold_nameplate_ths[paths, day]
        other[paths, day] += share * before_sale * price
    own = at.hashrate_ths if at.replacement_ths is None else at.hashrate_ths - at.replacement_ths
    running = np.divide(own, fixed.hashrate_ths, out=np.ones_like(other),
                        where=fixed.hashrate_ths > 0)  # fmt: skip
    costs = fixed.costs_usd * running
    if at.replacement_costs_usd is not None:
        costs = costs + at.replacement_costs_usd
    return reprice(dataclasses.replace(
        fixed, costs_usd=costs, other_usd=other,
        hashrate_ths=at.hashrate_ths, nameplate_ths=at.nameplate_ths,
    ), market)  # fmt: skip


def _offered(sellers: Sequence[Seller], sale_days: list[IntArray], share: float) -> FloatArray:
    """[P, T]: TH/s offered each day by the members selling."""
    paths, days = sellers[0].fixed.hashrate_ths.shape
    offered = np.zeros((paths, days))
    for seller, sale_day in zip(sellers, sale_days, strict=True):
        selling = sale_day >= 0
        if not selling.any():
            continue
        p = np.nonzero(selling)[0]
        d = sale_day[selling]
        np.add.at(offered, (p, d), seller.weight * share * seller.fixed.nameplate_ths[p, d])
    return offered


def settle(
    industry: Industry,
    sellers: Sequence[Seller],
    network_for: Callable[[FloatArray, FloatArray], SharedNetwork],
    only_changed: bool = True,
) -> Settled:
    """Settle distress sales, the used market and the network for one scenario.

    ``network_for(us_ths, sold_abroad_ths)`` builds the shared network from the US
    delivered TH/s [P, T] and the TH/s the machines sold abroad deliver there [P, T].

    Every path settles on its own: its network and used market depend on its own sales
    only. So a round after the first prices the sellers again only on the paths where a
    break moved in the round before (``only_changed``; the others would give the same
    numbers again, bit for bit — ``tests/industry/test_distress.py`` compares both)."""
    distress = industry.distress
    share = distress.sell_share
    active = share > 0 or distress.cancel_orders
    paths, days = sellers[0].fixed.hashrate_ths.shape
    engine_wanted = np.zeros((paths, days))
    for seller in sellers:
        if seller.bought_ths is not None:
            engine_wanted += seller.weight * seller.bought_ths
    sale_days = [np.full(paths, NEVER, dtype=np.int64) for _ in sellers]
    # The break that made a member sell stays its break, though the sale's proceeds may
    # keep its cash above zero in later rounds.
    # by seller: each covenant's (by name) and the cash-out's triggering day [P]
    triggers: list[dict[str, IntArray]] = [{} for _ in sellers]
    outcomes = [Outcome.empty(paths, days) for _ in sellers]
    us, abroad = np.zeros((paths, days)), np.zeros((paths, days))
    rounds = 0
    changed = np.ones(paths, dtype=bool)  # paths to price in this round
    while changed.any() and rounds < MAX_ROUNDS:
        rounds += 1
        rows = np.nonzero(changed)[0] if only_changed else np.arange(paths)
        # Positions are recomputed where needed rather than kept: an industry has
        # hundreds of sellers, each [P, T] array of them is memory.
        us_rows = np.zeros((rows.size, days))
        abroad_rows = np.zeros((rows.size, days))
        # the used market clears on the break days the round starts with
        cleared_days = [day.copy() for day in sale_days]
        wanted = engine_wanted.copy()
        for seller, day in zip(sellers, cleared_days, strict=True):
            bought = _bought(seller, day)
            if bought is not None:
                wanted[:, bought.days] += seller.weight * bought.ths
        used = clear(_offered(sellers, sale_days, share), wanted, industry.used_market)
        from_dealers = traded_share(used)[rows]
        for seller, day in zip(sellers, cleared_days, strict=True):
            mine = seller.on(rows)
            bought = _bought(mine, day[rows])
            arrived = None
            if bought is not None:  # what arrives sets the hashrate; paying comes below
                arrived = (received(bought, from_dealers, industry.used_market), None)
            position = _position(mine, day[rows], distress, arrived)
            us_rows += seller.weight * position.hashrate_ths
            if (day[rows] >= 0).any():  # otherwise nothing sold or cancelled: adds 0
                abroad_rows += seller.weight * (
                    distress.sold_abroad_share * position.sold_ths
                    + industry.rest_of_world.takes_cancelled_us_orders * position.cancelled_ths
                )
        us[rows], abroad[rows] = us_rows, abroad_rows
        network = network_for(us, abroad)
        curve = network.market.used_price_usd_per_th  # before the used market's factor
        market = dataclasses.replace(network.market, used_price_usd_per_th={
            tier: price * used.price_factor
            for tier, price in network.market.used_price_usd_per_th.items()
        })  # fmt: skip
        network = dataclasses.replace(network, market=market)
        on_rows = MarketRows.of(market, rows)
        changed = np.zeros(paths, dtype=bool)
        for i, seller in enumerate(sellers):
            sale_day = sale_days[i][rows]
            mine = seller.on(rows)
            bought = _bought(mine, cleared_days[i][rows])
            paid = None
            if bought is not None:
                price = tier_mix(seller.fixed.tier_share, curve, np.ix_(rows, bought.days))
                paid = (received(bought, from_dealers, industry.used_market),
                        paid_usd(bought, from_dealers, used.price_factor[rows],
                                 industry.used_market, price))  # fmt: skip
            extra, donors = _engine_repriced(mine, from_dealers, used, rows, curve, industry)
            position = _position(mine, sale_day, distress, paid, extra)
            flows = _priced(mine, position, sale_day, on_rows, share)
            money = seller.member.money[seller.scenario]
            covenants = evaluate_covenants(money.covenants, flows, flows.hashrate_ths)
            firsts = breaking_days(covenants)
            firsts[_CASH_OUT] = first_true(flows.cash_usd < 0)
            if active:
                broke = first_of(*firsts.values())
                earlier = (broke >= 0) & ((sale_day < 0) | (broke < sale_day))
                if earlier.any():
                    sale_days[i][rows] = np.where(earlier, broke, sale_day)
                    for name, day in firsts.items():
                        trigger = triggers[i].setdefault(name, np.full(paths, NEVER, np.int64))
                        trigger[rows] = np.where(earlier & (day == broke), day, trigger[rows])
                    changed[rows[earlier]] = True
            firsts = {name: first_of(day, triggers[i][name][rows]) if name in triggers[i]
                      else day for name, day in firsts.items()}  # fmt: skip
            cash_out = firsts.pop(_CASH_OUT)
            outcomes[i].put(rows, position.hashrate_ths, flows, firsts, cash_out, donors)
    received_ths = None
    if any(seller.used is not None for seller in sellers):
        from_dealers = traded_share(used)
        received_ths = np.zeros((paths, days))
        for seller, day in zip(sellers, cleared_days, strict=True):
            bought = _bought(seller, day)
            if bought is not None:
                received_ths += seller.weight * received(bought, from_dealers,
                                                         industry.used_market)  # fmt: skip
    return Settled(network, used, sale_days, outcomes, rounds, settled=not changed.any(),
                   used_received_ths=received_ths)  # fmt: skip


def _engine_repriced(seller: Seller, from_dealers: FloatArray, used: UsedFlows, rows: IntArray,
                     curve: Mapping[str, FloatArray], industry: Industry,
                     ) -> tuple[FloatArray | None, FloatArray | None]:  # fmt: skip
    """What the used machines the seller's engine bought (on paths ``rows``) cost beyond
    the engine's price [P, T] once the used market settles — the cleared price for the
    share from the dealers, the grey price for the rest (:func:`paid_factor`), on the
    ``curve`` of its tiers — and the donors' price over the horizon [P]; ``None``, ``None``
    when its engine bought none."""
    bought = seller.engine_used
    if bought is None:
        return None, None
    factor = paid_factor(bought.days, from_dealers, used.price_factor[rows],
                         industry.used_market)  # fmt: skip
    price = tier_mix(seller.fixed.tier_share, curve, np.ix_(rows, bought.days))
    over, donors = bought.at_cleared(price, factor)
    extra = np.zeros_like(from_dealers)
    extra[:, bought.days] = over
    return extra, donors


def _bought(seller: Seller, sale_day: IntArray) -> Purchases | None:
    """What the seller buys on the used market, none after it breaks on ``sale_day``."""
    if seller.used is None:
        return None
    after = (sale_day[:, None] >= 0) & (seller.used.days[None, :] > sale_day[:, None])
    return Purchases(seller.used.days, np.where(after, 0.0, seller.used.ths))
