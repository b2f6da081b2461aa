"""Protocol constants and the closed-form hashprice.

Hashprice is what one unit of hashrate earns per day. A miner with hashrate
``h`` (H/s) finds a block with probability ``h / (D · 2^32)`` per second, where
``D`` is the difficulty (each difficulty-1 share takes ``2^32`` hashes on
average; Bitcoin Core ``GetBlockProof``). Over one day the expected number of
blocks found by 1 TH/s is therefore

.. math::

    n_{TH} = \\frac{86\\,400 \\cdot 10^{12}}{D \\cdot 2^{32}}            \\qquad (1)

and each block pays the subsidy plus the fees. With ``s`` the fee share of
miner revenue (fees / (subsidy + fees)), the reward per block is
``subsidy / (1 - s)``, so

.. math::

    \\text{BTC per TH/s per day} = \\frac{86\\,400 \\cdot 10^{12}}{D \\cdot 2^{32}}
        \\cdot \\frac{\\text{subsidy}}{1 - s}                              \\qquad (2)

    \\text{hashprice (USD/PH/day)} = 1000 \\cdot P_{BTC} \\cdot (2)      \\qquad (3)

Equation (3) is the *expected* hashprice at a given difficulty: it does not
depend on the network hashrate nor on how many blocks the day happened to
have. Published daily hashprice (Luxor/Hashrate Index, FACTS.md §4.3) divides
the day's actual revenue by the day's *estimated* hashrate; coin metrics
estimates that hashrate as ``blocks × D × 2^32 / 86 400``, so the block count
cancels and (3) reproduces those numbers exactly (tests/market/test_hashprice.py).

>>> round(hashprice_usd_per_ph_day(94_455.80, 109.78e12, 3.125, 0.01048), 1)
54.7
>>> efficiency_tier(17.5), efficiency_tier(29.5), efficiency_tier(98.0)
('under19', '25to38', 'above68')
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Seconds in a day.
SECONDS_PER_DAY = 86_400
#: Target spacing between blocks (seconds); Bitcoin Core ``nPowTargetSpacing``.
TARGET_BLOCK_SECONDS = 600
#: Blocks per day at the target spacing.
BLOCKS_PER_DAY = SECONDS_PER_DAY // TARGET_BLOCK_SECONDS
#: Blocks between difficulty adjustments (``nPowTargetTimespan / nPowTargetSpacing``).
RETARGET_BLOCKS = 2016
#: Target duration of one retarget window, days (two weeks).
RETARGET_DAYS = RETARGET_BLOCKS * TARGET_BLOCK_SECONDS / SECONDS_PER_DAY
#: Largest factor one retarget may move difficulty, up or down (Bitcoin Core clamps the
#: measured timespan to [target/4, target*4]).
RETARGET_CLAMP = 4.0
#: Blocks between subsidy halvings.
HALVING_INTERVAL = 210_000
#: Subsidy of the genesis era, BTC per block.
INITIAL_SUBSIDY_BTC = 50.0
#: Height of the last block with a subsidy: Bitcoin Core halves 50 BTC in satoshis by a
#: right shift, which reaches 0 after 33 halvings (block 6,930,000, about the year
#: 2140). A higher tip has no subsidy, and with no fees a hashprice of 0, whose
#: logarithm the network's growth takes: such a height is refused as input.
MAX_BLOCK_HEIGHT = 33 * HALVING_INTERVAL - 1
#: Highest BTC price accepted anywhere (USD): a CSV row, a snapshot, ``as_of``, the CLI.
MAX_BTC_PRICE_USD = 1e8
#: Highest difficulty accepted anywhere (≈ 700 times the 2025 network's): a snapshot,
#: ``as_of``, the CLI.
MAX_DIFFICULTY = 1e17
#: Height of the 4th halving, 20 Apr 2024, subsidy 6.25 -> 3.125 BTC (FACTS.md §4.1 [S104]).
LAST_HALVING_HEIGHT = 840_000
#: Day of the 4th halving (FACTS.md §4.1 [S104]): the anchor of a height's plausible day.
LAST_HALVING_DATE = dt.date(2024, 4, 20)
#: Height of the 5th halving, subsidy 3.125 -> 1.5625 BTC (FACTS.md §4.1 [C]).
NEXT_HALVING_HEIGHT = 1_050_000
#: Hashes per difficulty-1 share.
HASHES_PER_DIFFICULTY = 2.0**32

TierName = Literal["under19", "19to25", "25to38", "38to68", "above68"]
#: Efficiency tiers of the used-ASIC market (J/TH), lower edge inclusive.
TIERS: tuple[TierName, ...] = ("under19", "19to25", "25to38", "38to68", "above68")
#: Upper edges (J/TH) of the first four tiers; Hashrate Index bands from Oct 2022
#: (<25, 25-38, 38-68, >68 J/TH, FACTS.md §4.6 [S131]) plus the newer <19 band.
TIER_EDGES_J_PER_TH: tuple[float, ...] = (19.0, 25.0, 38.0, 68.0)

FloatArray = NDArray[np.float64]


def efficiency_tier(j_per_th: float) -> str:
    """The used-market tier of a machine of efficiency ``j_per_th`` (J/TH).

    Tiers: ``under19`` (< 19), ``19to25`` (19 ≤ e < 25), ``25to38``, ``38to68``,
    ``above68`` (≥ 68 J/TH).
    """
    value = float(j_per_th)
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"efficiency must be a positive number of J/TH, got {j_per_th!r}")
    for edge, name in zip(TIER_EDGES_J_PER_TH, TIERS, strict=False):
        if value < edge:
            return name
    return TIERS[-1]


def subsidy_btc(height: ArrayLike) -> FloatArray:
    """Block subsidy (BTC) of the block at ``height``: ``50 / 2^floor(height / 210 000)``.

    Block 840,000 is the first at 3.125 BTC; block 1,050,000 the first at 1.5625 BTC.
    """
    era = np.floor_divide(np.asarray(height, dtype=np.float64), HALVING_INTERVAL)
    era = np.clip(era, 0.0, 64.0)  # 50 BTC / 2^64 is below one satoshi: no subsidy
    return np.ldexp(INITIAL_SUBSIDY_BTC, -era.astype(np.int64)) * (era < 64)


def difficulty_hashrate_ths(difficulty: ArrayLike) -> FloatArray:
    """Network hashrate (TH/s) at which blocks come every 600 s at ``difficulty``.

    ``H_D = D · 2^32 / 600`` H/s.
    """
    return np.asarray(difficulty, dtype=np.float64) * HASHES_PER_DIFFICULTY / 600.0 / 1e12


def difficulty_for_hashrate_ths(hashrate_ths: ArrayLike) -> FloatArray:
    """The difficulty at which ``hashrate_ths`` finds a block every 600 s (inverse of above)."""
    return np.asarray(hashrate_ths, dtype=np.float64) * 1e12 * 600.0 / HASHES_PER_DIFFICULTY


@overload
def btc_per_th_day(difficulty: float, subsidy: float, fees_share: float) -> float: ...
@overload
def btc_per_th_day(
    difficulty: ArrayLike, subsidy: ArrayLike, fees_share: ArrayLike
) -> FloatArray: ...
def btc_per_th_day(
    difficulty: ArrayLike, subsidy: ArrayLike, fees_share: ArrayLike
) -> float | FloatArray:
    """Expected BTC earned by 1 TH/s in one day, equation (2) of this module.

    ``86 400 · 10^12 / (D · 2^32) · subsidy / (1 − s)``, with ``subsidy`` in BTC per
    block and ``s`` the fee share of miner revenue (0 ≤ s < 1).
    """
    d = np.asarray(difficulty, dtype=np.float64)
    s = np.asarray(fees_share, dtype=np.float64)
    if np.any(d <= 0):
        raise ValueError("difficulty must be positive")
    if np.any((s < 0) | (s >= 1)):
        raise ValueError("fee share must lie in [0, 1)")
    blocks = SECONDS_PER_DAY * 1e12 / (d * HASHES_PER_DIFFICULTY)
    out = blocks * np.asarray(subsidy, dtype=np.float64) / (1.0 - s)
    return float(out) if out.ndim == 0 else out


@overload
def hashprice_usd_per_ph_day(
    btc_price_usd: float, difficulty: float, subsidy_btc: float, fees_share: float
) -> float: ...
@overload
def hashprice_usd_per_ph_day(
    btc_price_usd: ArrayLike, difficulty: ArrayLike, subsidy_btc: ArrayLike, fees_share: ArrayLike
) -> FloatArray: ...
def hashprice_usd_per_ph_day(
    btc_price_usd: ArrayLike, difficulty: ArrayLike, subsidy_btc: ArrayLike, fees_share: ArrayLike
) -> float | FloatArray:
    """Hashprice in USD per PH/s per day, equation (3) of this module.

    .. math:: HP = 1000 · P · \\frac{86\\,400 · 10^{12}}{D · 2^{32}} · \\frac{subsidy}{1 − s}

    ``btc_price_usd`` USD/BTC, ``difficulty`` (dimensionless), ``subsidy_btc`` BTC per
    block, ``fees_share`` fees / (subsidy + fees). Arrays broadcast.
    FACTS.md §4.3: 2025-01-01 (BTC $94,456, D = 109.78 T, fee share 1.05 %) → ~$55.
    """
    per_th = btc_per_th_day(difficulty, subsidy_btc, fees_share)
    out = 1000.0 * np.asarray(btc_price_usd, dtype=np.float64) * per_th
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)
