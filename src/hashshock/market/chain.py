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
from collections.abc import Callable
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
    subsidy_btc,
)

FloatArray = NDArray[np.float64]
#: :func:`advance_paths`, or the same compiled.
AdvanceKernel = Callable[..., None]


def advance_paths(
    hashrate: FloatArray, per_block: float, difficulty: FloatArray, height: FloatArray,
    epoch_blocks: FloatArray, epoch_days: FloatArray, subsidy: FloatArray,
    next_halving: FloatArray, earned: FloatArray, blocks: FloatArray,
) -> None:  # fmt: skip
    """Mine one day on every path ``i`` at ``hashrate[i]`` (TH/s): update the chain's
    arrays (:class:`Chain`) in place; write the day's BTC per TH/s in ``earned`` and its
    blocks in ``blocks``. ``per_block`` is ``86 400 · 10^12 / 2^32 / (1 − fee share)``.

    The day is cut into segments (at most 16) that end at the day's end or at an event:
    a retarget (difficulty ``D · clip(14 days / T_2016, 1/4, 4)``, a new window) or a
    halving. One function of scalars, so that numba compiles it as it is
    (:mod:`hashshock.market.compiled`) and a few paths run without numba.
    """
    for i in range(hashrate.shape[0]):
        left = 1.0  # share of the day still to mine
        earned_i = 0.0
        blocks_i = 0.0
        for _ in range(16):
            network_ths = difficulty[i] * HASHES_PER_DIFFICULTY / 600.0 / 1e12
            rate = BLOCKS_PER_DAY * hashrate[i] / network_ths  # blocks a day
            to_event = min(RETARGET_BLOCKS - epoch_blocks[i], next_halving[i] - height[i])
            hit = rate * left >= to_event - 1e-9
            mined = to_event if hit else rate * left
            time = to_event / rate if hit else left
            earned_i += time * per_block * subsidy[i] / difficulty[i]
            blocks_i += mined
            height[i] = np.rint(height[i] + mined) if hit else height[i] + mined
            epoch_blocks[i] += mined
            epoch_days[i] += time
            if not hit:
                break
            if epoch_blocks[i] >= RETARGET_BLOCKS - 1e-6:
                span = RETARGET_DAYS / max(epoch_days[i], 1e-12)
                difficulty[i] *= min(max(span, 1.0 / RETARGET_CLAMP), RETARGET_CLAMP)
                epoch_blocks[i] = 0.0
                epoch_days[i] = 0.0
            if height[i] >= next_halving[i] - 1e-6:
                subsidy[i] /= 2
                next_halving[i] += HALVING_INTERVAL
            left = max(left - time, 0.0)
            if not left > 1e-12:
                break
        earned[i] = earned_i
        blocks[i] = blocks_i


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

    def advance(
        self,
        hashrate_ths: FloatArray,
        fee_share: float,
        kernel: AdvanceKernel = advance_paths,
        out: tuple[FloatArray, FloatArray] | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Mine one day at ``hashrate_ths``; return (BTC per TH/s, blocks) for the day.

        ``kernel`` is :func:`advance_paths` or the same compiled
        (:mod:`hashshock.market.compiled`); ``out`` are the arrays to fill (else new ones).
        """
        paths = hashrate_ths.shape[0]
        earned, blocks = (np.empty(paths), np.empty(paths)) if out is None else out
        per_block = SECONDS_PER_DAY * 1e12 / HASHES_PER_DIFFICULTY / (1.0 - fee_share)
        kernel(
            hashrate_ths, per_block, self.difficulty, self.height, self.epoch_blocks,
            self.epoch_days, self.subsidy, self.next_halving, earned, blocks,
        )  # fmt: skip
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
        self,
        price_usd: FloatArray,
        hashrate_ths: FloatArray | None = None,
        kernel: AdvanceKernel = advance_paths,
        out: tuple[FloatArray, FloatArray] | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Mine the day at ``hashrate_ths`` (TH/s; default the installed ``H``) with BTC
        at ``price_usd`` (USD); return (BTC per TH/s, blocks). ``kernel`` and ``out`` as
        :meth:`Chain.advance`'s."""
        hashrate = np.exp(self.log_installed) if hashrate_ths is None else hashrate_ths
        per_th, blocks = self.chain.advance(hashrate, self.fee_share, kernel, out)
        alpha = 1.0 - math.exp(-1.0 / self.network.feedback_lag_days)
        step = np.log(1000.0 * price_usd * per_th)  # ln hashprice, USD/PH/day
        step -= self.smooth
        step *= alpha
        self.smooth = self.smooth + step
        return per_th, blocks
