"""Market and network layer: BTC price, hashrate, difficulty, halving, hashprice, used ASICs.

>>> from datetime import date
>>> config = load_market(None)                      # bundled defaults and snapshot
>>> paths = simulate_market(config, date(2026, 1, 1), horizon_days=30, paths=4, seed=0)
>>> paths.hashprice_usd_per_ph_day.shape
(4, 30)

See docs/market.md for the equations, defaults and sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.market.config import (
        BootstrapPrice,
        DeckPrice,
        GbmPrice,
        MarketConfig,
        NetworkConfig,
        SnapshotOverride,
        TierParams,
        UsedPricesConfig,
        load_market,
    )
    from hashshock.market.hashprice import (
        NEXT_HALVING_HEIGHT,
        RETARGET_BLOCKS,
        TIERS,
        btc_per_th_day,
        difficulty_for_hashrate_ths,
        difficulty_hashrate_ths,
        efficiency_tier,
        hashprice_usd_per_ph_day,
        subsidy_btc,
    )
    from hashshock.market.simulate import (
        MarketPaths,
        hashprice_cushion,
        market_generator,
        network_shock_multiplier,
        simulate_market,
    )
    from hashshock.market.snapshot import (
        NetworkSnapshot,
        bundled_snapshot,
        load_snapshot,
        user_snapshot_path,
    )

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {
        "BootstrapPrice": "hashshock.market.config",
        "DeckPrice": "hashshock.market.config",
        "GbmPrice": "hashshock.market.config",
        "MarketConfig": "hashshock.market.config",
        "NetworkConfig": "hashshock.market.config",
        "SnapshotOverride": "hashshock.market.config",
        "TierParams": "hashshock.market.config",
        "UsedPricesConfig": "hashshock.market.config",
        "load_market": "hashshock.market.config",
        "NEXT_HALVING_HEIGHT": "hashshock.market.hashprice",
        "RETARGET_BLOCKS": "hashshock.market.hashprice",
        "TIERS": "hashshock.market.hashprice",
        "btc_per_th_day": "hashshock.market.hashprice",
        "difficulty_for_hashrate_ths": "hashshock.market.hashprice",
        "difficulty_hashrate_ths": "hashshock.market.hashprice",
        "efficiency_tier": "hashshock.market.hashprice",
        "hashprice_usd_per_ph_day": "hashshock.market.hashprice",
        "subsidy_btc": "hashshock.market.hashprice",
        "MarketPaths": "hashshock.market.simulate",
        "hashprice_cushion": "hashshock.market.simulate",
        "market_generator": "hashshock.market.simulate",
        "network_shock_multiplier": "hashshock.market.simulate",
        "simulate_market": "hashshock.market.simulate",
        "NetworkSnapshot": "hashshock.market.snapshot",
        "bundled_snapshot": "hashshock.market.snapshot",
        "load_snapshot": "hashshock.market.snapshot",
        "user_snapshot_path": "hashshock.market.snapshot",
    },
)
__all__ = [
    "NEXT_HALVING_HEIGHT",
    "RETARGET_BLOCKS",
    "TIERS",
    "BootstrapPrice",
    "DeckPrice",
    "GbmPrice",
    "MarketConfig",
    "MarketPaths",
    "NetworkConfig",
    "NetworkSnapshot",
    "SnapshotOverride",
    "TierParams",
    "UsedPricesConfig",
    "btc_per_th_day",
    "bundled_snapshot",
    "difficulty_for_hashrate_ths",
    "difficulty_hashrate_ths",
    "efficiency_tier",
    "hashprice_cushion",
    "hashprice_usd_per_ph_day",
    "load_market",
    "load_snapshot",
    "market_generator",
    "network_shock_multiplier",
    "simulate_market",
    "subsidy_btc",
    "user_snapshot_path",
]
