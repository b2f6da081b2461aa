"""Market paths on days: BTC price, network hashrate, difficulty, halving, hashprice, used prices.

The simulation starts on the snapshot's date (so a run that starts later rolls the
network on, with the price uncertain from the snapshot on) and returns the days
``start_date .. start_date + horizon_days - 1``. A start date before the snapshot
uses the snapshot as the state on the start date.

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
noise, 3 = bootstrap blocks; day counted from the snapshot date). The same seed
gives the same price path in every scenario; path ``i`` does not depend on how
many paths are drawn; the network differs between scenarios only through
``hashrate_multiplier``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import lfilter

from hashshock.market.config import BootstrapPrice, DeckPrice, GbmPrice, MarketConfig
from hashshock.market.hashprice import (
    BLOCKS_PER_DAY,
    HALVING_INTERVAL,
    HASHES_PER_DIFFICULTY,
    RETARGET_BLOCKS,
    RETARGET_CLAMP,
    RETARGET_DAYS,
    SECONDS_PER_DAY,
    TIERS,
    difficulty_hashrate_ths,
    efficiency_tier,
    subsidy_btc,
)
from hashshock.market.snapshot import NetworkSnapshot

FloatArray = NDArray[np.float64]

#: First element of every market spawn key (the engine's CONCERNS use 1-8).
MARKET_CONCERN = 100
STREAM_PRICE = 1
STREAM_HASHRATE = 2
STREAM_BOOTSTRAP = 3


def market_generator(seed: int, stream: int, day: int) -> np.random.Generator:
    """The generator of market ``stream`` on ``day`` (days from the snapshot date)."""
    sequence = np.random.SeedSequence(
        entropy=int(seed), spawn_key=(MARKET_CONCERN, int(stream), int(day))
    )
    return np.random.Generator(np.random.PCG64(sequence))


def network_shock_multiplier(
    lost_share: ArrayLike, us_share: float = 0.36, vendor_share: float = 0.80
) -> FloatArray:
    """Network hashrate multiplier of a network-wide shock: ``1 − us_share · vendor_share · lost``.

    ``lost_share`` is the share of the exposed (US, Bitmain) hashrate that is lost —
    e.g. machines down for lack of vendor parts. Defaults: US ≈ 36 % of network
    hashrate (FACTS.md §4.4 [S36]), Bitmain ≈ 80 % of machines (§1.2 [S38]); losing
    all of it takes 28.8 % off the network.

    >>> float(network_shock_multiplier(1.0))
    0.712
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
    used_price_usd_per_th: dict[str, FloatArray]
    blocks: FloatArray  # expected blocks mined that day
    block_height: FloatArray  # expected height of the tip at the end of the day
    snapshot: NetworkSnapshot
    notes: tuple[str, ...] = field(default=())

    @property
    def paths(self) -> int:
        """Number of Monte Carlo paths ``P``."""
        return int(self.btc_price_usd.shape[0])

    @property
    def days(self) -> int:
        """Number of days ``T``."""
        return int(self.btc_price_usd.shape[1])

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
    alpha = 1.0 - math.exp(-1.0 / span_days)
    zi = ((1.0 - alpha) * initial)[:, None]
    out, _ = lfilter([alpha], [1.0, -(1.0 - alpha)], x, axis=1, zi=zi)
    return np.asarray(out, dtype=np.float64)


def _price_log_paths(
    config: MarketConfig,
    origin: dt.date,
    total: int,
    lead: int,
    paths: int,
    seed: int,
    s0: float,
) -> FloatArray:
    """ln BTC price ``[P, total]``, day 0 = the origin (snapshot) date."""
    price = config.price
    if isinstance(price, DeckPrice):
        days = [origin + dt.timedelta(days=k) for k in range(total)]
        deck = np.log(price.series().on_days(days))
        return np.broadcast_to(deck, (paths, total)).copy()
    steps = np.zeros((paths, total), dtype=np.float64)
    if isinstance(price, GbmPrice):
        sigma_d = price.volatility_per_year / math.sqrt(365.0)
        mu_d = (price.drift_per_year - 0.5 * price.volatility_per_year**2) / 365.0
        if sigma_d > 0 or mu_d != 0:
            for k in range(1, total):
                z = market_generator(seed, STREAM_PRICE, k).standard_normal(paths)
                steps[:, k] = mu_d + sigma_d * z
    elif isinstance(price, BootstrapPrice):
        returns = price.series().daily_log_returns()
        if price.demean:
            returns = returns - returns.mean()
        block = min(price.block_days, returns.size)
        starts = np.zeros(paths, dtype=np.int64)
        for k in range(1, total):
            offset = (k - 1) % block
            if offset == 0:
                rng = market_generator(seed, STREAM_BOOTSTRAP, (k - 1) // block)
                starts = rng.integers(0, returns.size - block + 1, size=paths)
            steps[:, k] = returns[starts + offset]
    start_price = getattr(price, "start_price_usd", None)
    if start_price is not None:
        if lead > 0:
            steps[:, 1 : lead + 1] = math.log(start_price / s0) / lead
        else:
            s0 = start_price
    return math.log(s0) + np.cumsum(steps, axis=1)


def _hashrate_noise(config: MarketConfig, paths: int, total: int, seed: int) -> FloatArray | None:
    """Daily log increments of the hashrate noise, day-major ``[total, P]`` (None if σ_H = 0)."""
    sigma = config.network.volatility_per_year / math.sqrt(365.0)
    if sigma == 0:
        return None
    steps = np.zeros((total, paths))
    for day in range(1, total):
        z = market_generator(seed, STREAM_HASHRATE, day).standard_normal(paths)
        steps[day] = sigma * z - 0.5 * sigma**2
    return steps


@dataclass
class _Chain:
    """Per-path chain state (expected values), advanced one day at a time."""

    difficulty: FloatArray
    height: FloatArray  # height of the next block to be mined
    epoch_blocks: FloatArray  # blocks mined in the current retarget window
    epoch_days: FloatArray  # time the current window has taken so far, days
    subsidy: FloatArray  # BTC per block at ``height``
    next_halving: FloatArray  # height of the next halving block

    @classmethod
    def start(cls, snapshot: NetworkSnapshot, paths: int) -> _Chain:
        height = float(snapshot.block_height + 1)
        return cls(
            difficulty=np.full(paths, snapshot.difficulty),
            height=np.full(paths, height),
            epoch_blocks=np.full(paths, float(snapshot.blocks_in_epoch)),
            epoch_days=np.full(paths, snapshot.elapsed_days()),
            subsidy=np.full(paths, float(subsidy_btc(height))),
            next_halving=np.full(paths, (height // HALVING_INTERVAL + 1) * HALVING_INTERVAL),
        )

    def advance(self, hashrate_ths: FloatArray, fee_share: float) -> tuple[FloatArray, FloatArray]:
        """Mine one day at ``hashrate_ths``; return (BTC per TH/s, blocks) for the day.

        The day is cut into segments that end at a retarget, a halving or the day's
        end; after the first segment only the paths that hit an event go on.
        """
        paths = hashrate_ths.shape[0]
        remaining = np.ones(paths)
        earned = np.zeros(paths)
        blocks = np.zeros(paths)
        per_block = SECONDS_PER_DAY * 1e12 / HASHES_PER_DIFFICULTY / (1.0 - fee_share)
        sel: slice | NDArray[np.intp] = slice(None)
        for _ in range(16):
            difficulty = self.difficulty[sel]
            rate = BLOCKS_PER_DAY * hashrate_ths[sel] / difficulty_hashrate_ths(difficulty)
            height = self.height[sel]
            epoch_blocks = self.epoch_blocks[sel]
            to_event = np.minimum(RETARGET_BLOCKS - epoch_blocks, self.next_halving[sel] - height)
            left = remaining[sel]
            possible = rate * left
            hit = possible >= to_event - 1e-9
            mined = np.where(hit, to_event, possible)
            time = np.where(hit, to_event / rate, left)
            earned[sel] += time * per_block * self.subsidy[sel] / difficulty
            blocks[sel] += mined
            height = np.where(hit, np.round(height + mined), height + mined)
            epoch_blocks = epoch_blocks + mined
            epoch_days = self.epoch_days[sel] + time
            retarget = hit & (epoch_blocks >= RETARGET_BLOCKS - 1e-6)
            if retarget.any():
                factor = np.clip(
                    RETARGET_DAYS / np.maximum(epoch_days, 1e-12),
                    1.0 / RETARGET_CLAMP,
                    RETARGET_CLAMP,
                )
                self.difficulty[sel] = np.where(retarget, difficulty * factor, difficulty)
                epoch_blocks = np.where(retarget, 0.0, epoch_blocks)
                epoch_days = np.where(retarget, 0.0, epoch_days)
            halving = hit & (height >= self.next_halving[sel] - 1e-6)
            if halving.any():
                self.subsidy[sel] = np.where(halving, self.subsidy[sel] / 2, self.subsidy[sel])
                self.next_halving[sel] = self.next_halving[sel] + HALVING_INTERVAL * halving
            self.height[sel] = height
            self.epoch_blocks[sel] = epoch_blocks
            self.epoch_days[sel] = epoch_days
            left = np.where(hit, np.maximum(left - time, 0.0), 0.0)
            remaining[sel] = left
            go_on = hit & (left > 1e-12)
            if not go_on.any():
                break
            sel = np.arange(paths)[sel][go_on]
        return earned, blocks


def _used_prices(
    config: MarketConfig,
    origin: dt.date,
    hashprice: FloatArray,
    supply_cut: NDArray[np.bool_] | None,
    lead: int,
) -> dict[str, FloatArray]:
    """Used prices by tier ``[P, total − lead]`` (see docs/market.md, "Used-ASIC prices").

    ``p_k = p_ref · (HP̃_k / HP_ref)^ε · e^{−δ (t_k − t_ref)} · (1 + J · L_k)``.
    """
    used = config.used_prices
    paths, total = hashprice.shape
    smooth = _ewma(hashprice, used.lag_days, hashprice[:, 0])[:, lead:]
    log_ratio = np.log(smooth / used.reference_hashprice_usd_per_ph_day, out=smooth)
    years = ((origin - used.reference_date).days + np.arange(lead, total)) / 365.0
    level: FloatArray | None = None
    if supply_cut is not None and supply_cut.any():
        rise = 1.0 - math.exp(-1.0 / used.jump_rise_days)
        fade = math.exp(-1.0 / used.jump_relax_days)
        level = np.zeros((paths, total - lead))
        current = np.zeros(paths)
        for day in range(total - lead):
            cut = supply_cut[:, day]
            current = np.where(cut, current + rise * (1.0 - current), current * fade)
            level[:, day] = current
    out: dict[str, FloatArray] = {}
    for tier in TIERS:
        p = used.tiers[tier]
        price = log_ratio * p.elasticity
        price -= p.obsolescence_per_year * years
        np.exp(price, out=price)
        price *= p.usd_per_th
        if level is not None and p.jump_on_supply_cut != 0:
            price *= 1.0 + p.jump_on_supply_cut * level
        out[tier] = price
    return out


def simulate_market(
    config: MarketConfig,
    start_date: dt.date,
    horizon_days: int,
    paths: int,
    seed: int,
    hashrate_multiplier: ArrayLike | None = None,
    supply_cut: ArrayLike | None = None,
) -> MarketPaths:
    """Simulate ``paths`` market paths of ``horizon_days`` days from ``start_date``.

    ``hashrate_multiplier`` ``[P, T]`` (or anything broadcasting to it) multiplies the
    network hashrate — a network-wide shock, e.g. :func:`network_shock_multiplier`;
    ``supply_cut`` ``[P, T]`` bool marks days new-machine supply is cut (used prices
    jump). Both are indexed by days from ``start_date``.
    """
    if horizon_days < 1 or paths < 1:
        raise ValueError("horizon_days and paths must be at least 1")
    snapshot = config.snapshot()
    notes: list[str] = []
    lead = (start_date - snapshot.date).days
    origin = snapshot.date
    if lead < 0:
        notes.append(
            f"start date {start_date} is before the snapshot ({snapshot.date}): "
            "the snapshot is used as the state on the start date"
        )
        origin, lead = start_date, 0
    total = lead + horizon_days
    mult_by_day = np.ones((total, paths))
    if hashrate_multiplier is not None:
        mult = _as_paths(hashrate_multiplier, paths, horizon_days, "hashrate_multiplier")
        if np.any(~np.isfinite(mult)) or np.any(mult <= 0):
            raise ValueError("hashrate_multiplier must be positive")
        mult_by_day[lead:] = mult.T
    cut: NDArray[np.bool_] | None = None
    if supply_cut is not None:
        cut = (
            _as_paths(np.asarray(supply_cut, dtype=np.bool_), paths, horizon_days, "supply_cut") > 0
        )

    log_price = _price_log_paths(config, origin, total, lead, paths, seed, snapshot.btc_price_usd)
    price = np.exp(log_price)
    fee = config.fee_share
    net = config.network
    trend = math.log1p(net.growth_per_year) / 365.0
    feedback = net.hashprice_feedback_per_year / 365.0
    reference = math.log(net.growth_reference_hashprice_usd_per_ph_day)
    alpha = 1.0 - math.exp(-1.0 / net.feedback_lag_days)
    noise_by_day = _hashrate_noise(config, paths, total, seed)

    chain = _Chain.start(snapshot, paths)
    log_installed = np.full(paths, math.log(snapshot.network_hashrate_ths))
    smooth = np.full(paths, math.log(snapshot.hashprice_usd_per_ph_day))
    # day-major work arrays (a day's row is contiguous), turned to [P, T] at the end
    price_by_day = np.ascontiguousarray(price.T)
    hashrate = np.empty((total, paths))
    difficulty = np.empty((total, paths))
    per_th = np.empty((total, paths))
    blocks = np.empty((total, paths))
    height = np.empty((total, paths))
    for day in range(total):
        if day > 0:
            log_installed = log_installed + trend + feedback * (smooth - reference)
            if noise_by_day is not None:
                log_installed = log_installed + noise_by_day[day]
        hashrate[day] = np.exp(log_installed) * mult_by_day[day]
        per_th[day], blocks[day] = chain.advance(hashrate[day], fee)
        difficulty[day] = chain.difficulty
        height[day] = chain.height - 1.0
        smooth = smooth + alpha * (np.log(1000.0 * price_by_day[day] * per_th[day]) - smooth)
    hashprice_all = price * np.ascontiguousarray(per_th.T)
    hashprice_all *= 1000.0
    used = _used_prices(config, origin, hashprice_all, cut, lead)

    def window(by_day: FloatArray) -> FloatArray:
        return np.ascontiguousarray(by_day[lead:].T)

    def tail(array: FloatArray) -> FloatArray:
        return array if lead == 0 else array[:, lead:].copy()

    height_end = window(height)
    return MarketPaths(
        start_date=start_date,
        btc_price_usd=tail(price),
        network_hashrate_ths=window(hashrate),
        difficulty=window(difficulty),
        subsidy_btc=subsidy_btc(height_end + 1.0),
        fees_share=np.full((paths, horizon_days), fee),
        btc_per_th_day=window(per_th),
        hashprice_usd_per_ph_day=tail(hashprice_all),
        used_price_usd_per_th=used,
        blocks=window(blocks),
        block_height=height_end,
        snapshot=snapshot,
        notes=tuple(notes),
    )
