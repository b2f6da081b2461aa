"""Market paths on days: BTC price, network hashrate, difficulty, halving, hashprice, used prices.

The simulation starts from the known market state on the start date
(:mod:`hashshock.market.start`: the user's values for that day, else the
snapshot carried to it without randomness), the same on every path, and returns
the days ``start_date .. start_date + horizon_days - 1``.

Network hashrate: installed hashrate grows at ``g`` a year while hashprice stays at
``HP_ref`` and faster or slower as the smoothed hashprice is above or below it
(:class:`hashshock.market.NetworkConfig`); the hashrate that mines is that times
``hashrate_multiplier`` (a network-wide shock). The feedback lets the rest of the
network grow into a gap a network-wide shock leaves, over months to years.

Difficulty (Bitcoin Core ``CalculateNextWorkRequired``, approximated on days):
blocks arrive at ``144 · H_t / H_D`` per day, ``H_D = D · 2^32 / 600`` the hashrate
at which difficulty ``D`` gives 10-minute blocks; when the epoch reaches 2016 blocks
(found inside the day, so several segments a day are possible)

.. math:: D' = D \\cdot \\mathrm{clip}(14\\,\\mathrm{days} / T_{2016},\\ 1/4,\\ 4)

with ``T_2016`` the time the epoch took. (Bitcoin Core measures 2015 intervals —
an off-by-one worth 0.05 %, ignored.) The subsidy halves at heights that are
multiples of 210,000 (next: 1,050,000, 3.125 → 1.5625 BTC), found the same way.
Each day's BTC per TH/s is the sum over its segments of equation (2) of
:mod:`hashshock.market.hashprice`, so a miner earns by difficulty, not by the
day's block count.

Randomness — common random numbers: every draw comes from
``SeedSequence(entropy=seed, spawn_key=(100, stream, day))`` (100 = the market
concern, outside the engine's ``CONCERNS`` 1-8; stream 1 = price, 2 = hashrate
noise, 3 = bootstrap blocks; ``day`` the calendar day's ordinal, or the block's
index for bootstrap blocks). The same seed
gives the same price path in every scenario; path ``i`` does not depend on how
many paths are drawn; the network differs between scenarios only through
``hashrate_multiplier``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hashshock.inputs.errors import InputError, check_whole
from hashshock.market.chain import AdvanceKernel, NetworkRoll, advance_paths
from hashshock.market.config import BootstrapPrice, DeckPrice, GbmPrice, MarketConfig
from hashshock.market.hashprice import TIERS, TierName, efficiency_tier
from hashshock.market.snapshot import NetworkSnapshot
from hashshock.market.start import MarketStart, market_start

FloatArray = NDArray[np.float64]

#: First element of every market spawn key (the engine's CONCERNS use 1-8).
MARKET_CONCERN = 100
STREAM_PRICE = 1
STREAM_HASHRATE = 2
STREAM_BOOTSTRAP = 3


def market_generator(seed: int, stream: int, day: int) -> np.random.Generator:
    """The generator of market ``stream`` on ``day`` (the calendar day's ordinal)."""
    sequence = np.random.SeedSequence(
        entropy=int(seed), spawn_key=(MARKET_CONCERN, int(stream), int(day))
    )
    return np.random.Generator(np.random.PCG64(sequence))


def network_shock_multiplier(
    lost_share: ArrayLike, *, us_share: float, vendor_share: float
) -> FloatArray:
    """Network hashrate multiplier of a network-wide shock: ``1 − us_share · vendor_share · lost``.

    ``lost_share`` is the share of the exposed (US, Bitmain) hashrate that is lost —
    e.g. machines down for lack of vendor parts; ``us_share`` and ``vendor_share`` are
    the market's ``network.us_share`` and ``network.vendor_share`` (sourced defaults in
    ``data/market/defaults.yaml``). All three are shares in [0, 1].

    >>> float(network_shock_multiplier(1.0, us_share=0.5, vendor_share=0.5))
    0.75
    """
    lost = np.asarray(lost_share, dtype=np.float64)
    if np.any((lost < 0) | (lost > 1)) or not np.all(np.isfinite(lost)):
        raise ValueError("lost_share must lie in [0, 1]")
    if not (0 <= us_share <= 1 and 0 <= vendor_share <= 1):
        raise ValueError("us_share and vendor_share must lie in [0, 1]")
    return np.asarray(1.0 - us_share * vendor_share * lost, dtype=np.float64)


@dataclass
class MarketPaths:
    """Daily market paths, arrays ``[P, T]`` (float64) for the days from ``start_date``.

    ``difficulty`` and ``subsidy_btc`` are those in force at the end of the day
    (``subsidy_btc`` per block); ``btc_per_th_day`` is the expected BTC one TH/s
    earned that day (blending a retarget or halving inside the day);
    ``hashprice_usd_per_ph_day = 1000 · btc_price_usd · btc_per_th_day``.
    """

    start_date: dt.date
    btc_price_usd: FloatArray
    network_hashrate_ths: FloatArray
    difficulty: FloatArray
    subsidy_btc: FloatArray
    fees_share: FloatArray
    btc_per_th_day: FloatArray
    hashprice_usd_per_ph_day: FloatArray
    used_price_usd_per_th: Mapping[str, FloatArray]  # by tier, USD/TH
    blocks: FloatArray  # expected blocks mined that day
    block_height: FloatArray  # expected height of the tip at the end of the day
    snapshot: NetworkSnapshot
    start: MarketStart  # the state on day 0, the same on every path

    def __repr__(self) -> str:
        # One line: the default printed every [P, T] array (10,000 characters at 300 paths)
        day0 = float(self.btc_price_usd[0, 0])
        return (f"MarketPaths(start_date={self.start_date.isoformat()}, paths={self.paths}, "
                f"days={self.days}, btc_price_usd_day0={day0:,.0f})")  # fmt: skip

    @property
    def paths(self) -> int:
        """Number of Monte Carlo paths ``P``."""
        return int(self.btc_price_usd.shape[0])

    @property
    def days(self) -> int:
        """Number of days ``T``."""
        return int(self.btc_price_usd.shape[1])

    def on_paths(self, first: int, count: int) -> MarketPaths:
        """Paths ``first`` … ``first + count − 1`` only (views)."""
        rows = slice(first, first + count)
        arrays = {f.name: getattr(self, f.name)[rows] for f in dataclasses.fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)}  # fmt: skip
        used = {tier: price[rows] for tier, price in self.used_price_usd_per_th.items()}
        return dataclasses.replace(self, used_price_usd_per_th=used, **arrays)

    def used_price_for(self, j_per_th: float) -> FloatArray:
        """Used price (USD/TH) of a machine of efficiency ``j_per_th``, ``[P, T]``."""
        return self.used_price_usd_per_th[efficiency_tier(j_per_th)]


def hashprice_cushion(local: MarketPaths, network: MarketPaths) -> FloatArray:
    """Relative hashprice gain of a network-wide shock over the same shock kept local.

    ``network / local − 1``, ``[P, T]``: 0 until the first retarget, then positive
    when the network lost hashrate.
    """
    return network.hashprice_usd_per_ph_day / local.hashprice_usd_per_ph_day - 1.0


def _as_paths(value: ArrayLike | None, paths: int, days: int, name: str) -> NDArray[np.float64]:
    """``value`` broadcast to ``[paths, days]`` (``None``: ones)."""
    if value is None:
        return np.ones((paths, days))
    array = np.asarray(value, dtype=np.float64)
    try:
        return np.broadcast_to(array, (paths, days))
    except ValueError:
        raise ValueError(
            f"{name} has shape {array.shape}; it must broadcast to [paths, days] = "
            f"[{paths}, {days}]"
        ) from None


def _ewma(x: FloatArray, span_days: float, initial: FloatArray) -> FloatArray:
    """Smoothing along days: ``y_k = y_{k-1} + α (x_k − y_{k-1})``, ``y_{-1} = initial``."""
    from hashshock.market.compiled import ewma_rows  # numba: the market is mined already

    out = np.empty(x.shape)
    ewma_rows(x, 1.0 - math.exp(-1.0 / span_days), np.ascontiguousarray(initial), out)
    return out


def _price_log_paths(
    config: MarketConfig, start_date: dt.date, days: int, paths: int, seed: int, s0: float
) -> FloatArray:
    """ln BTC price ``[P, days]`` from ``s0`` (USD) on day 0 = ``start_date``.

    Day ``k``'s draws come from ``market_generator(seed, stream, ordinal)``, keyed by
    the day's calendar date (``date.toordinal()``), so runs that start on different
    dates see the same moves on the same days; day 0 is ``s0`` on every path.
    """
    first = start_date.toordinal()
    price = config.price
    if isinstance(price, DeckPrice):
        dates = [start_date + dt.timedelta(days=k) for k in range(days)]
        deck = np.log(price.series().on_days(dates))
        return np.broadcast_to(deck, (paths, days)).copy()
    steps = np.zeros((paths, days), dtype=np.float64)
    if isinstance(price, GbmPrice):
        sigma_d = price.volatility_per_year / math.sqrt(365.0)
        mu_d = (price.drift_per_year - 0.5 * price.volatility_per_year**2) / 365.0
        if sigma_d > 0 or mu_d != 0:
            for k in range(1, days):
                z = market_generator(seed, STREAM_PRICE, first + k).standard_normal(paths)
                steps[:, k] = mu_d + sigma_d * z
    elif isinstance(price, BootstrapPrice):
        returns = price.series().daily_log_returns()
        if price.demean:
            returns = returns - returns.mean()
        block = min(price.block_days, returns.size)
        starts = np.zeros(paths, dtype=np.int64)
        for k in range(1, days):
            # blocks aligned on the calendar: day ordinal n is in block n // block
            block_index, offset = divmod(first + k, block)
            if offset == 0 or k == 1:
                rng = market_generator(seed, STREAM_BOOTSTRAP, block_index)
                starts = rng.integers(0, returns.size - block + 1, size=paths)
            steps[:, k] = returns[starts + offset]
    np.cumsum(steps, axis=1, out=steps)
    steps += math.log(s0)
    return steps


def hashrate_noise(
    config: MarketConfig, start_date: dt.date, paths: int, total: int, seed: int,
    first_path: int = 0,
) -> FloatArray | None:  # fmt: skip
    """Daily log increments of the hashrate noise, day-major ``[total, P]`` (None if σ_H = 0);
    draws keyed by calendar day as the price's; paths ``first_path`` … on."""
    first = start_date.toordinal()
    sigma = config.network.volatility_per_year / math.sqrt(365.0)
    if sigma == 0:
        return None
    steps = np.zeros((total, paths))
    for day in range(1, total):
        z = market_generator(seed, STREAM_HASHRATE, first + day).standard_normal(
            first_path + paths
        )[first_path:]
        steps[day] = sigma * z - 0.5 * sigma**2
    return steps


class UsedPrices(Mapping[str, FloatArray]):
    """Used-ASIC prices by tier, ``[P, T]`` USD/TH (docs/market.md, "Used-ASIC prices"):

    ``p_k = p_ref · (HP̃_k / HP_ref)^ε · e^{−δ (t_k − t_ref)} · (1 + J · L_k)``,

    ``HP̃`` the ``hashprice`` [P, T] (USD/PH/day) smoothed, ``L`` the supply-cut level
    (None: no cut). A tier is computed when first read (a run reads its fleet's tiers);
    prices with a cut take the tiers without it from ``uncut`` when given (prices kept
    for another market), else compute them and apply the jump in place.
    """

    def __init__(
        self, config: MarketConfig, start_date: dt.date, hashprice: FloatArray,
        level: FloatArray | None = None, uncut: UsedPrices | None = None,
    ) -> None:  # fmt: skip
        self.config = config
        self.start_date = start_date
        self.hashprice = hashprice
        self.level = level
        self._uncut = uncut
        self._prices: dict[str, FloatArray] = {}

    def __getitem__(self, tier: str) -> FloatArray:
        if tier not in self._prices:
            if tier not in TIERS:
                raise KeyError(tier)
            price = self._price(tier)
            # Read only, as the rest of a result is: a tier first read after the result
            # was frozen (make_read_only) stayed writable.
            price.flags.writeable = False
            self._prices[tier] = price
        return self._prices[tier]

    def __iter__(self) -> Iterator[str]:
        return iter(TIERS)

    def __len__(self) -> int:
        return len(TIERS)

    @cached_property
    def _log_ratio(self) -> FloatArray:
        """``ln(HP̃_k / HP_ref)`` [P, T]."""
        used = self.config.used_prices
        smooth = _ewma(self.hashprice, used.lag_days, self.hashprice[:, 0])
        smooth /= used.reference_hashprice_usd_per_ph_day
        return np.log(smooth, out=smooth)

    def _price(self, tier: TierName) -> FloatArray:
        jump = self.config.used_prices.tiers[tier].jump_on_supply_cut
        if self._uncut is None:
            price = self._uncut_price(tier)
            if self.level is not None and jump != 0:
                price *= 1.0 + jump * self.level
            return price
        if self.level is None or jump == 0:
            return self._uncut[tier]
        factor = jump * self.level
        factor += 1.0
        factor *= self._uncut[tier]
        return factor

    def _uncut_price(self, tier: TierName) -> FloatArray:
        """``p_ref · (HP̃_k / HP_ref)^ε · e^{−δ (t_k − t_ref)}`` of ``tier`` [P, T]."""
        used = self.config.used_prices
        p = used.tiers[tier]
        days = self.hashprice.shape[1]
        years = ((self.start_date - used.reference_date).days + np.arange(days)) / 365.0
        price = self._log_ratio * p.elasticity
        price -= p.obsolescence_per_year * years
        np.exp(price, out=price)
        price *= p.usd_per_th
        return price

    def with_supply_cut(self, supply_cut: NDArray[np.bool_] | None) -> UsedPrices:
        """These prices, which have no cut, with new supply cut on the days ``supply_cut``
        [P, T] marks (the same prices where nothing jumps)."""
        if self.level is not None:
            raise ValueError("these used prices have a supply cut already")
        level = _cut_level(self.config, supply_cut)
        if level is None:
            return self
        return UsedPrices(self.config, self.start_date, self.hashprice, level, self)


def _cut_level(config: MarketConfig, supply_cut: NDArray[np.bool_] | None) -> FloatArray | None:
    """The supply-cut level ``L`` [P, T] in [0, 1) of ``supply_cut`` (None: never cut)."""
    if supply_cut is None or not supply_cut.any():
        return None
    from hashshock.market.compiled import supply_cut_level  # numba: the market is mined

    used = config.used_prices
    level = np.empty(supply_cut.shape)
    rise = 1.0 - math.exp(-1.0 / used.jump_rise_days)
    supply_cut_level(supply_cut, rise, math.exp(-1.0 / used.jump_relax_days), level)
    return level


def used_prices(
    config: MarketConfig,
    start_date: dt.date,
    hashprice: FloatArray,
    supply_cut: NDArray[np.bool_] | None,
) -> UsedPrices:
    """:class:`UsedPrices` of ``hashprice`` [P, T] (USD/PH/day) with new supply cut on the
    days ``supply_cut`` [P, T] marks (None: never)."""
    return UsedPrices(config, start_date, hashprice, _cut_level(config, supply_cut))


@dataclass
class MinedDays:
    """``[P, T]`` arrays of :func:`mine_days`: hashrate that mined (TH/s), BTC per TH/s,
    blocks, and at the end of each day difficulty, tip height and the subsidy of the
    next block (BTC)."""

    hashrate: FloatArray
    per_th: FloatArray
    blocks: FloatArray
    difficulty: FloatArray
    height: FloatArray
    subsidy: FloatArray


#: Days mined into contiguous day-major rows before they are copied into the results.
_BLOCK_DAYS = 32
#: Paths up to which a day is mined in plain Python: no numba to start for a market of a
#: path or two (``validate``'s), a few microseconds a day (the same numbers either way).
PLAIN_PATHS = 4


def mine_days(
    roll: NetworkRoll,
    price: FloatArray,
    noise_by_day: FloatArray | None,
    multiplier: Callable[[int, FloatArray], FloatArray | float],
) -> MinedDays:
    """Grow and mine every day of ``price`` [P, T]: the installed hashrate grows by its
    rule (plus ``noise_by_day`` [T, P]) and the day is mined at installed ×
    ``multiplier(day, installed)`` — a fixed shock, or a rule of the installed hashrate
    that day (the industry view's world = operators + rest of world).

    A day's numbers go to a contiguous row of a few days' scratch, copied into the
    ``[P, T]`` results a block of days at a time (no day-major copy of the whole run).
    """
    paths, days = price.shape
    mined = MinedDays(*(np.empty((paths, days)) for _ in range(6)))
    rows = MinedDays(*(np.empty((_BLOCK_DAYS, paths)) for _ in range(6)))
    for first in range(0, days, _BLOCK_DAYS):
        count = min(_BLOCK_DAYS, days - first)
        prices = np.ascontiguousarray(price[:, first : first + count].T)
        for k in range(count):
            _mine_day(roll, first + k, prices[k], noise_by_day, multiplier, rows, k)
        for name in MinedDays.__dataclass_fields__:
            getattr(mined, name)[:, first : first + count] = getattr(rows, name)[:count].T
    return mined


def _mine_day(
    roll: NetworkRoll, day: int, price: FloatArray, noise_by_day: FloatArray | None,
    multiplier: Callable[[int, FloatArray], FloatArray | float], rows: MinedDays, k: int,
) -> None:  # fmt: skip
    """Day ``day`` of :func:`mine_days` at BTC ``price`` [P] (USD), into ``rows`` row ``k``."""
    kernel: AdvanceKernel = advance_paths
    if price.shape[0] > PLAIN_PATHS:
        from hashshock.market.compiled import compiled_advance_paths  # numba: when needed

        kernel = compiled_advance_paths
    if day > 0:
        roll.grow(None if noise_by_day is None else noise_by_day[day])
    installed = np.exp(roll.log_installed)
    hashrate = np.multiply(installed, multiplier(day, installed), out=rows.hashrate[k])
    roll.mine(price, hashrate, kernel, (rows.per_th[k], rows.blocks[k]))
    rows.difficulty[k] = roll.chain.difficulty
    np.subtract(roll.chain.height, 1.0, out=rows.height[k])
    rows.subsidy[k] = roll.chain.subsidy


@dataclass(frozen=True)
class MarketDraws:
    """The random part of a market: BTC price ``[P, T]`` (USD) and the hashrate noise,
    day-major ``[T, P]`` (None if σ_H = 0). They depend on the seed, not on the scenario
    (common random numbers), so the scenarios of one call can share them."""

    price: FloatArray
    noise_by_day: FloatArray | None


def market_draws(
    config: MarketConfig, start_date: dt.date, horizon_days: int, paths: int, seed: int
) -> MarketDraws:
    """The price paths and hashrate noise :func:`simulate_market` draws for these arguments."""
    start = market_start(config, start_date)
    log_price = _price_log_paths(config, start_date, horizon_days, paths, seed, start.btc_price_usd)
    price = np.exp(log_price, out=log_price)
    price[:, 0] = start.btc_price_usd  # exactly the known price, not exp(log(·))
    return MarketDraws(price, hashrate_noise(config, start_date, paths, horizon_days, seed))


def _supply_cut(supply_cut: ArrayLike | None, paths: int, days: int) -> NDArray[np.bool_] | None:
    if supply_cut is None:
        return None
    return _as_paths(np.asarray(supply_cut, dtype=np.bool_), paths, days, "supply_cut") > 0


def with_supply_cut(
    config: MarketConfig, market: MarketPaths, supply_cut: ArrayLike
) -> MarketPaths:
    """``market``, simulated without a supply cut, with new-machine supply cut on the days
    ``supply_cut`` [P, T] marks: the same as simulating with that cut (it moves used
    prices only), without re-mining nor smoothing hashprice again."""
    cut = _supply_cut(supply_cut, market.paths, market.days)
    uncut = market.used_price_usd_per_th
    if not isinstance(uncut, UsedPrices):
        uncut = UsedPrices(config, market.start_date, market.hashprice_usd_per_ph_day)
    return dataclasses.replace(market, used_price_usd_per_th=uncut.with_supply_cut(cut))


#: Most days and paths a market is simulated for directly (a run's own bounds are
#: tighter: hashshock.prepare).
_MOST_DAYS, _MOST_PATHS = 10 * 366, 10_000_000


def check_market_args(config: object, start_date: object, horizon_days: object,
                      paths: object, seed: object) -> None:  # fmt: skip
    """:func:`simulate_market`'s arguments, each an :class:`InputError` naming it when
    wrong (not a TypeError from deep inside): a :class:`MarketConfig`, a date, whole
    numbers of days and paths, a seed."""
    if not isinstance(config, MarketConfig):
        raise InputError(None, "config", f"{type(config).__name__} is not a market "
                         "configuration",
                         "give hashshock.market.load_market(path or None)")  # fmt: skip
    if not isinstance(start_date, dt.date) or isinstance(start_date, dt.datetime):
        raise InputError(None, "start_date", f"{start_date!r} is not a date",
                         "give a datetime.date, e.g. date(2026, 12, 1)")  # fmt: skip
    check_whole(horizon_days, "horizon_days", 1, _MOST_DAYS, "days")
    check_whole(paths, "paths", 1, _MOST_PATHS, "paths")
    check_whole(seed, "seed", 0, 2**63 - 1)


def simulate_market(
    config: MarketConfig,
    start_date: dt.date,
    horizon_days: int,
    paths: int,
    seed: int,
    hashrate_multiplier: ArrayLike | None = None,
    supply_cut: ArrayLike | None = None,
    draws: MarketDraws | None = None,
) -> MarketPaths:
    """Simulate ``paths`` market paths of ``horizon_days`` days from ``start_date``.

    Day 0 is the known market state on the start date
    (:func:`hashshock.market.start.market_start`), the same on every path.
    ``hashrate_multiplier`` ``[P, T]`` (or anything broadcasting to it) multiplies the
    network hashrate — a network-wide shock, e.g. :func:`network_shock_multiplier`;
    ``supply_cut`` ``[P, T]`` bool marks days new-machine supply is cut (used prices
    jump). Both are indexed by days from ``start_date``. ``draws`` are
    :func:`market_draws` of the same arguments, when the caller has them already.
    """
    check_market_args(config, start_date, horizon_days, paths, seed)
    start = market_start(config, start_date)
    days = horizon_days
    mult: FloatArray | None = None
    if hashrate_multiplier is not None:
        mult = _as_paths(hashrate_multiplier, paths, days, "hashrate_multiplier")
        if np.any(~np.isfinite(mult)) or np.any(mult <= 0):
            raise ValueError("hashrate_multiplier must be positive")
    cut = _supply_cut(supply_cut, paths, days)
    if draws is None:
        draws = market_draws(config, start_date, days, paths, seed)
    elif draws.price.shape != (paths, days):
        raise ValueError(
            f"draws are for {draws.price.shape}, not [paths, days] = [{paths}, {days}]"
        )
    price = draws.price
    roll = start.roll(config, paths)
    shock = (lambda _day, _installed: 1.0) if mult is None else (lambda day, _: mult[:, day])
    mined = mine_days(roll, price, draws.noise_by_day, shock)
    hashprice = price * mined.per_th
    hashprice *= 1000.0
    return MarketPaths(
        start_date=start_date,
        btc_price_usd=price,
        network_hashrate_ths=mined.hashrate,
        difficulty=mined.difficulty,
        subsidy_btc=mined.subsidy,
        fees_share=np.broadcast_to(start.fee_share, (paths, days)),  # one number, read-only
        btc_per_th_day=mined.per_th,
        hashprice_usd_per_ph_day=hashprice,
        used_price_usd_per_th=used_prices(config, start_date, hashprice, cut),
        blocks=mined.blocks,
        block_height=mined.height,
        snapshot=start.snapshot,
        start=start,
    )
