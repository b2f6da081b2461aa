"""The shared network of an industry run: world hashrate from the operators' delivered
hashrate plus the rest of the world, difficulty retargets from it, one hashprice for all.

Per path and day (docs/industry.md, "The network"):

* ``US(t)`` = Σ over members of weight × delivered TH/s (the engine's output);
* the rest of the world ``R`` grows by the market's network rule
  (:class:`hashshock.market.chain.NetworkRoll`: ``ln R`` gains ``ln(1+g)/365`` plus the
  hashprice feedback ``κ/365 · ln(HP̃/HP_ref)`` plus noise), from
  ``R(0)`` = the market's network on day 0 − ``US(0)`` unless the industry file gives it;
* ``M(t)``: US orders cancelled on or before day t, installed abroad instead
  (× ``rest_of_world.takes_cancelled_us_orders``, from their due day);
* world ``W(t) = US(t) + R(t) + M(t)`` mines the day: blocks at ``144 · W / H_D``, retargets
  ``D' = D · clip(14 days / T₂₀₁₆, ¼, 4)`` (:class:`hashshock.market.chain.Chain`);
* hashprice = 1000 · BTC price · BTC per TH/s per day, the same for every operator; BTC
  prices are the market's paths for the seed (common random numbers); used-ASIC prices
  follow this hashprice by the market's curve.

So when US hashrate falls, blocks slow until the next retarget, difficulty then falls in
proportion to world hashrate, and every remaining TH/s earns more; the rest of the world
grows faster while hashprice is above its reference ("growth moves overseas").
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hashshock.inputs.errors import InputError
from hashshock.inputs.industry import RestOfWorld
from hashshock.market import MarketConfig
from hashshock.market.simulate import MarketPaths, hashrate_noise, mine_days, used_prices
from hashshock.market.start import MarketStart, check_network_holds, market_start

if TYPE_CHECKING:
    from hashshock.industry.load import LoadedIndustry, Member

FloatArray = NDArray[np.float64]


def network_of_rest(config: MarketConfig, rest: RestOfWorld, us_ths: float) -> MarketConfig:
    """A rest of the world the industry file gives sets the day-0 network, as the market's
    ``network_hashrate_ehs`` would: it plus ``us_ths`` (the operators' TH/s; their
    nameplate, as the engines have not run yet), and the difficulty with it at 10-minute
    blocks — one network for every scenario. Else the network would start out of step
    with the market's difficulty, its blocks slow or fast until the first retarget and
    every operator's hashprice off by as much. The network is given once: a market that
    gives its difficulty or hashrate as well is refused."""
    if rest.hashrate_ehs is None:
        return config
    given = config.as_of.given()
    both = [k for k in ("difficulty", "network_hashrate_ehs") if k in given]
    if both:
        raise InputError(
            None, "rest_of_world.hashrate_ehs", f"the market gives the network's {both[0]} "
            "too: the network on day 0 is given twice",
            "leave out rest_of_world.hashrate_ehs (the rest of the world is then the "
            "market's network less the operators), or the market's difficulty and "
            "network hashrate",
        )  # fmt: skip
    network_ehs = rest.hashrate_ehs + us_ths / 1e6
    return config.with_as_of("rest_of_world.hashrate_ehs", network_hashrate_ehs=network_ehs)


def check_rest_of_world(
    config: MarketConfig, start: MarketStart, us_ths: float, what: str = "have"
) -> None:
    """Refuse operators that ``what`` (have in nameplate, or deliver) ``us_ths`` TH/s on
    day 0, no less than the market's whole network: the rest of the world, the network
    less the operators, would be nothing (a network the market gives is named as such).
    Checked on the nameplate before simulating (``--validate`` too), so that a run whose
    check passed never meets it on the delivered hashrate, which is no larger."""
    given = config.as_of.given()
    if "difficulty" in given or "network_hashrate_ehs" in given:  # name the given value
        check_network_holds(config, start, us_ths, f"what the operators {what}")
    if us_ths < start.network_hashrate_ths:
        return
    raise InputError(
        None, "rest_of_world.hashrate_ehs",
        f"the operators {what} {us_ths / 1e6:,.0f} EH/s on day 0, more than the whole "
        f"network ({start.network_hashrate_ths / 1e6:,.0f} EH/s)",
        "give rest_of_world.hashrate_ehs, or check the operators' sizes",
    )  # fmt: skip


def planned_ths(member: Member) -> float:
    """Nameplate TH/s of ``member``'s open orders and planned growth (its fleet's orders
    but the twins that stand in for cancelled ones), for one operator like it."""
    fleet = member.loaded
    return float(sum(order.count * fleet.model_of(order.model).hashrate_ths
                     for o, order in enumerate(fleet.fleet.orders)
                     if not member.is_twin(o)))  # fmt: skip


def check_planned_growth(loaded: LoadedIndustry, start: MarketStart) -> None:
    """Refuse orders and planned growth adding more nameplate than the whole network has
    on day 0 (a rate with extra zeros): the US would outgrow the world, and the rest of
    the world's implied growth turn negative. Named at the operator adding most."""
    by_group: dict[str, float] = {}
    for member in loaded.members:
        by_group[member.group] = by_group.get(member.group, 0.0) + member.weight * planned_ths(
            member)  # fmt: skip
    total, network = sum(by_group.values()), start.network_hashrate_ths
    if total <= network:
        return
    names = [op.name for op in loaded.industry.operators]
    group = max(by_group, key=lambda g: by_group[g])
    i = names.index(group)
    field = "growth" if loaded.industry.operators[i].growth is not None else "fleet"
    raise InputError(
        loaded.path, f"operators[{i}] ({group}).{field}",
        f"the operators order {total / 1e6:,.0f} EH/s of machines (open orders and planned "
        f"growth), more than the whole network on day 0 ({network / 1e6:,.0f} EH/s); "
        f"{group} orders {by_group[group] / 1e6:,.0f} EH/s of it",
        "check its growth (ehs_per_year or share_per_year, months) or its fleet's orders "
        "for extra zeros",
    )  # fmt: skip


@dataclasses.dataclass
class SharedNetwork:
    """The coupled market and the split of world hashrate, all ``[P, T]``."""

    market: MarketPaths
    us_ths: FloatArray  # the operators' delivered hashrate (weighted)
    rest_of_world_ths: FloatArray
    moved_overseas_ths: FloatArray  # cancelled US orders installed abroad instead

    @property
    def us_share(self) -> FloatArray:
        """US (the operators') share of world hashrate."""
        return np.asarray(self.us_ths / self.market.network_hashrate_ths)


def shared_network(
    config: MarketConfig,
    prices: MarketPaths,
    us_ths: FloatArray,
    rest: RestOfWorld,
    seed: int,
    supply_cut: NDArray[np.bool_] | None = None,
    moved_ths: FloatArray | None = None,
    first_path: int = 0,
) -> SharedNetwork:
    """The network mined by ``us_ths`` [P, T] plus the rest of the world (module docstring)
    plus ``moved_ths`` [P, T], US orders cancelled and installed abroad instead, on paths
    ``first_path`` … of the run (``prices`` and the arrays are those paths').

    ``prices`` is the market simulated for the same start, paths and seed: its BTC price
    paths are used as they are (every scenario sees the same prices).
    """
    paths, days = us_ths.shape
    start_date = prices.start_date
    start = market_start(config, start_date)
    network = config.network
    if rest.growth_per_year is not None:
        network = network.model_copy(update={"growth_per_year": rest.growth_per_year})
    roll = start.roll(config, paths)
    roll.network = network
    if rest.hashrate_ehs is not None:
        rest0 = np.full(paths, rest.hashrate_ehs * 1e6)
    else:
        check_rest_of_world(config, start, float(us_ths[:, 0].max()), "deliver")
        rest0 = start.network_hashrate_ths - us_ths[:, 0]
    roll.log_installed = np.log(rest0)
    noise = hashrate_noise(config, start_date, paths, days, seed, first_path)
    moved = np.zeros_like(us_ths) if moved_ths is None else np.asarray(moved_ths)
    us_by_day = np.ascontiguousarray((us_ths + moved).T)  # all but the growing rest
    rest_ths = np.empty((days, paths))

    def world_over_rest(day: int, rest: FloatArray) -> FloatArray:
        rest_ths[day] = rest
        return np.asarray((rest + us_by_day[day]) / rest)

    mined = mine_days(roll, prices.btc_price_usd, noise, world_over_rest)
    hashprice = prices.btc_price_usd * mined.per_th * 1000.0
    market = dataclasses.replace(
        prices,
        network_hashrate_ths=mined.hashrate,
        difficulty=mined.difficulty,
        subsidy_btc=mined.subsidy,
        btc_per_th_day=mined.per_th,
        hashprice_usd_per_ph_day=hashprice,
        used_price_usd_per_th=used_prices(config, start_date, hashprice, supply_cut),
        blocks=mined.blocks,
        block_height=mined.height,
    )
    return SharedNetwork(market, np.asarray(us_ths), np.ascontiguousarray(rest_ths.T), moved)
