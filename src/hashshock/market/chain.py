"""The network day by day: installed hashrate with its growth rule, and the chain.

:class:`Chain` mines one day at a given hashrate (retargets and halvings found
inside the day, equations in :mod:`hashshock.market.simulate`); :class:`NetworkRoll`
adds the installed hashrate's growth with its hashprice feedback
(:class:`hashshock.market.NetworkConfig`). The market simulation runs them on
every path; :mod:`hashshock.market.start` runs them on one path, without
randomness, to carry a stale snapshot to the start date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hashshock.market.config import NetworkConfig
from hashshock.market.hashprice import (
    BLOCKS_PER_DAY,
    HALVING_INTERVAL,
    HASHES_PER_DIFFICULTY,
    RETARGET_BLOCKS,
    RETARGET_CLAMP,
    RETARGET_DAYS,
    SECONDS_PER_DAY,
    difficulty_hashrate_ths,
    subsidy_btc,
)

FloatArray = NDArray[np.float64]


@dataclass
class Chain:
    """Per-path chain state (expected values), advanced one day at a time."""

    difficulty: FloatArray
    height: FloatArray  # height of the next block to be mined
    epoch_blocks: FloatArray  # blocks mined in the current retarget window
    epoch_days: FloatArray  # time the current window has taken so far, days
    subsidy: FloatArray  # BTC per block at ``height``
    next_halving: FloatArray  # height of the next halving block

    @classmethod
    def at(
        cls,
        difficulty: float,
        tip_height: float,
        epoch_blocks: float,
        epoch_days: float,
        paths: int,
    ) -> Chain:
        """The same chain state on ``paths`` paths: tip at ``tip_height``, the current
        window ``epoch_blocks`` blocks and ``epoch_days`` days old."""
        height = float(tip_height + 1)
        return cls(
            difficulty=np.full(paths, float(difficulty)),
            height=np.full(paths, height),
            epoch_blocks=np.full(paths, float(epoch_blocks)),
            epoch_days=np.full(paths, float(epoch_days)),
            subsidy=np.full(paths, float(subsidy_btc(height))),
            next_halving=np.full(paths, (height // HALVING_INTERVAL + 1) * HALVING_INTERVAL),
        )

    def advance(self, hashrate_ths: FloatArray, fee_share: float) -> tuple[FloatArray, FloatArray]:
        """Mine one day at ``hashrate_ths``; return (BTC per TH/s, blocks) for the day.

        The day is cut into segments that end at a retarget, a halving or the day's
        end; after the first segment only the paths that hit an event go on. Most days
        no path hits one: the first segment is the whole day, without the event steps.
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
            any_hit = bool(hit.any())
            if any_hit:
                mined = np.where(hit, to_event, possible)
                time = np.where(hit, to_event / rate, left)
                height = np.where(hit, np.round(height + mined), height + mined)
            else:
                mined, time, height = possible, left, height + possible
            earned[sel] += time * per_block * self.subsidy[sel] / difficulty
            blocks[sel] += mined
            epoch_blocks = epoch_blocks + mined
            epoch_days = self.epoch_days[sel] + time
            if any_hit:
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
            if not any_hit:  # every path has mined the rest of its day
                break
            left = np.where(hit, np.maximum(left - time, 0.0), 0.0)
            remaining[sel] = left
            go_on = hit & (left > 1e-12)
            if not go_on.any():
                break
            sel = np.arange(paths)[sel][go_on]
        return earned, blocks


@dataclass
class NetworkRoll:
    """Installed hashrate ``H`` and the chain on every path, one day at a time.

    ``ln H_{k+1} = ln H_k + ln(1+g)/365 + (κ/365) · ln(HP̃_k / HP_ref)`` (+ noise),
    ``HP̃`` the hashprice smoothed over ``feedback_lag_days`` (docs/market.md).
    """

    chain: Chain
    log_installed: FloatArray  # ln H, TH/s
    smooth: FloatArray  # ln HP̃, USD/PH/day
    network: NetworkConfig
    fee_share: float

    def grow(self, noise: FloatArray | None = None) -> None:
        """One day of growth of the installed hashrate (days after the first)."""
        net = self.network
        trend = math.log1p(net.growth_per_year) / 365.0
        feedback = net.hashprice_feedback_per_year / 365.0
        reference = math.log(net.growth_reference_hashprice_usd_per_ph_day)
        self.log_installed = self.log_installed + trend + feedback * (self.smooth - reference)
        if noise is not None:
            self.log_installed = self.log_installed + noise

    def mine(
        self, price_usd: FloatArray, multiplier: FloatArray | float = 1.0
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Mine the day at ``H · multiplier``; return (hashrate TH/s, BTC per TH/s, blocks)."""
        hashrate = np.exp(self.log_installed) * multiplier
        per_th, blocks = self.chain.advance(hashrate, self.fee_share)
        alpha = 1.0 - math.exp(-1.0 / self.network.feedback_lag_days)
        self.smooth = self.smooth + alpha * (np.log(1000.0 * price_usd * per_th) - self.smooth)
        return hashrate, per_th, blocks
