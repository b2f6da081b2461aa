"""The market on a run's first day: known, and the same on every path.

A stress test starts from today's market, not from a simulated one. The state on
the start date comes, field by field, from

1. the values the user gives for that day (``as_of`` in a market YAML, or the
   ``--btc-price``, ``--difficulty``, ``--network-hashrate`` and ``--fee-share``
   options): one of difficulty and network hashrate alone implies the other at
   10-minute blocks;
2. otherwise the snapshot (``hashshock data update``, else the bundled one). A
   snapshot older than the start date is *carried* to it without randomness: the
   price at its expected value (GBM: ``S₀ e^{μt}``; bootstrap: flat; a deck: the
   deck's own value), the network growing by its deterministic rule and the chain
   retargeting on the way (:class:`hashshock.market.chain.NetworkRoll`). A snapshot
   dated after the start is used as the state on the start date.

When the snapshot is more than :data:`FRESH_DAYS` days from the start and some of
price, difficulty and hashrate were not given, :attr:`MarketStart.warning` says how
stale they are and how to fix it.

>>> import datetime as dt
>>> from hashshock.market import load_market
>>> config = load_market(None).with_as_of(btc_price_usd=90_000.0, difficulty=150e12)
>>> start = market_start(config, dt.date(2026, 12, 1))
>>> start.btc_price_usd, start.origins["btc_price_usd"]
(90000.0, 'given (as_of)')
>>> round(start.network_hashrate_ths / 1e6)       # EH/s implied by difficulty 150 T
1074
>>> start.warning is None
True
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hashshock.inputs.errors import InputError
from hashshock.market.chain import Chain, NetworkRoll
from hashshock.market.config import BootstrapPrice, DeckPrice, GbmPrice, MarketConfig
from hashshock.market.hashprice import (
    BLOCKS_PER_DAY,
    HALVING_INTERVAL,
    RETARGET_BLOCKS,
    difficulty_for_hashrate_ths,
    difficulty_hashrate_ths,
    hashprice_usd_per_ph_day,
    subsidy_btc,
)
from hashshock.market.snapshot import RATE_NOTE_RATIO, NetworkSnapshot

#: A snapshot dated within this many days of the start date is current: no warning.
FRESH_DAYS = 7
#: A BTC price given for the start date may differ this much from a price deck's that day.
DECK_PRICE_TOLERANCE = 0.01
#: A network hashrate given with a difficulty, as a ratio to the one the difficulty
#: implies, beyond which the run says that blocks will be fast or slow until the retarget
#: (a snapshot's own pair is held to the same).
HASHRATE_NOTE_RATIO = RATE_NOTE_RATIO
#: Blocks a given block height may be from the snapshot's carried to the start date: four
#: weeks of blocks, plus a tenth of the blocks carried (the carry's own error grows with
#: it); more is a typo (a height years away), not a different view of the chain.
HEIGHT_TOLERANCE_BLOCKS = 4032
HEIGHT_TOLERANCE_OF_CARRIED = 0.1
#: Day-0 hashprice, USD/PH/day, outside which the run says to check its BTC price and
#: difficulty: ten times beyond the range since 2021 — the low of $28-30 in Q1 2026
#: (CoinShares, INDUSTRY-SOURCES.md §6; the five-year low had been $38.2 in Nov 2025,
#: FACTS.md §4.3 [S113]) and the 2021 high $412.57 (FACTS.md §4.3 [S115]); the factor 10
#: is an ASSUMPTION [E]: a price in another currency or in thousands, a difficulty off by
#: its exponent, lands outside it, while a deliberate crash to a tenth of the low does not
#: (from the carried start's $30.73, a fall of up to 91 %).
PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY = (28.0 / 10, 412.57 * 10)
#: That range without its factor, as messages say it.
HASHPRICE_RANGE_TEXT = (
    f"${PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY[0] * 10:,.0f}–"
    f"${PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY[1] / 10:,.0f}/PH/day"
)
#: A network (difficulty or hashrate) given for day 0, as a ratio to the one the snapshot
#: carries there, beyond which the run says to check its units: the network has not
#: grown fourfold in a year since 2021 (455 EH/s in Oct 2023 to 1,135 in Dec 2025, 2.5×
#: in two years, FACTS.md §4.2), and a difficulty typed off by its exponent is 10× or more
#: off; the factor 4 is an ASSUMPTION [E].
NETWORK_GIVEN_RATIO = 4.0
#: Fewer days of returns than this in a bootstrap history whose drift is kept is said: a
#: year, one cycle of the seasons and of a difficulty year (an ASSUMPTION [E]).
SHORT_HISTORY_DAYS = 365


def _fix(stale: list[str], later: bool = False) -> str:
    """What to give for the stale values (the options for those that are stale only);
    ``later``: the snapshot is dated after the start, which an update cannot mend (it
    would be later still)."""
    options = [o for name, o in (("BTC price", "--btc-price"), ("difficulty", "--difficulty"))
               if name in stale] or ["--difficulty"]  # fmt: skip
    return (
        ("" if later else "run `hashshock data update`, or ")
        + f"give the start date's {' and '.join(options)} "
        "(or as_of: in a market YAML; in Python, market={'as_of': {...}})"
    )


@dataclass(frozen=True)
class MarketStart:
    """The market state at the start of the run's first day, on every path.

    ``network_hashrate_ths`` is the installed network hashrate (TH/s) before any
    shock; ``block_height`` the tip's height (expected value, so fractional after a
    carry); ``epoch_blocks`` / ``epoch_days`` how far the current retarget window
    has gone; ``smoothed_hashprice_usd_per_ph_day`` the hashprice the network's
    growth reacts to. ``origins`` says where each value comes from.
    """

    date: dt.date
    btc_price_usd: float
    difficulty: float
    network_hashrate_ths: float
    block_height: float
    epoch_blocks: float
    epoch_days: float
    fee_share: float
    smoothed_hashprice_usd_per_ph_day: float
    snapshot: NetworkSnapshot
    snapshot_age_days: int  # start date − snapshot date
    origins: dict[str, str]
    warning: str | None  # the start state comes from a stale snapshot
    notes: tuple[str, ...] = ()  # other things the user should know (an ignored snapshot)

    @property
    def hashprice_usd_per_ph_day(self) -> float:
        """Hashprice at the start (equation (3) of :mod:`hashshock.market.hashprice`)."""
        subsidy = float(subsidy_btc(math.floor(self.block_height) + 1))
        return hashprice_usd_per_ph_day(
            self.btc_price_usd, self.difficulty, subsidy, self.fee_share
        )

    def next_halving(self) -> tuple[int, float, dt.date]:
        """The next halving's height, the subsidy from it (BTC) and its day at constant
        hashrate: the current retarget window's blocks at the start's block rate (its
        hashrate against its difficulty), then 144 a day once difficulty has caught up. A
        growing network brings it some days earlier. Counted from the start date, or from
        the snapshot's when it is dated after the start (its height is that day's).

        >>> import datetime as dt
        >>> from hashshock.market import load_market
        >>> market_start(load_market(None), dt.date(2026, 12, 1)).next_halving()[:2]
        (1050000, 1.5625)
        """
        height = (math.floor(self.block_height) // HALVING_INTERVAL + 1) * HALVING_INTERVAL
        rate = (
            BLOCKS_PER_DAY
            * self.network_hashrate_ths
            / float(difficulty_hashrate_ths(self.difficulty))
        )
        to_go = height - self.block_height
        in_window = min(to_go, RETARGET_BLOCKS - self.epoch_blocks)
        days = in_window / rate + (to_go - in_window) / BLOCKS_PER_DAY
        # a snapshot dated after the start is used as it is: its height is its own day's
        # (counted from the start, a 2020 start put the 2028 halving in 2022)
        since = self.snapshot.date if self.snapshot_age_days < 0 else self.date
        return height, float(subsidy_btc(height)), since + dt.timedelta(days=round(days))

    def roll(self, config: MarketConfig, paths: int) -> NetworkRoll:
        """The network from this state on ``paths`` paths."""
        chain = Chain.at(
            self.difficulty, self.block_height, self.epoch_blocks, self.epoch_days, paths
        )
        return NetworkRoll(
            chain=chain,
            log_installed=np.full(paths, math.log(self.network_hashrate_ths)),
            smooth=np.full(paths, math.log(self.smoothed_hashprice_usd_per_ph_day)),
            network=config.network,
            fee_share=self.fee_share,
        )

    def describe(self) -> str:
        """One line: the values the run starts from."""
        return (
            f"{self.date}: BTC ${self.btc_price_usd:,.0f}, difficulty "
            f"{self.difficulty / 1e12:.2f} T, network {self.network_hashrate_ths / 1e6:,.0f} "
            f"EH/s, fee share {self.fee_share:.2%}, hashprice "
            f"${self.hashprice_usd_per_ph_day:,.2f}/PH/day"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the values, their origins, the snapshot's date and age, any warning."""
        return {
            "date": self.date.isoformat(),
            "btc_price_usd": self.btc_price_usd,
            "difficulty": self.difficulty,
            "network_hashrate_ehs": self.network_hashrate_ths / 1e6,
            "fee_share": self.fee_share,
            "hashprice_usd_per_ph_day": self.hashprice_usd_per_ph_day,
            "origins": dict(self.origins),
            "snapshot_date": self.snapshot.date.isoformat(),
            "snapshot_origin": self.snapshot.origin or "bundled",
            "snapshot_age_days": self.snapshot_age_days,
            "warning": self.warning,
            "notes": list(self.notes),
        }


def expected_price(config: MarketConfig, day: dt.date, s0: float, t0: dt.date) -> float:
    """The price carried from ``s0`` on ``t0`` to ``day`` without randomness (USD)."""
    price = config.price
    if isinstance(price, DeckPrice):
        return float(price.series().on_days([day])[0])
    if isinstance(price, GbmPrice):
        return s0 * math.exp(price.drift_per_year * (day - t0).days / 365.0)
    return s0  # bootstrap: no view of the drift beyond the history's


def _carry(config: MarketConfig, snapshot: NetworkSnapshot, days: int) -> tuple[NetworkRoll, float]:
    """The snapshot's network carried ``days`` days on one path; returns it and the price."""
    fee = config.fee_share
    roll = NetworkRoll(
        chain=Chain.at(
            snapshot.difficulty, snapshot.block_height, snapshot.blocks_in_epoch,
            snapshot.elapsed_days(), 1,
        ),
        log_installed=np.full(1, math.log(snapshot.network_hashrate_ths)),
        smooth=np.full(1, math.log(snapshot.hashprice_usd_per_ph_day)),
        network=config.network,
        fee_share=fee,
    )  # fmt: skip
    s0 = snapshot.btc_price_usd
    for k in range(days):
        if k > 0:
            roll.grow()
        day = snapshot.date + dt.timedelta(days=k)
        roll.mine(np.full(1, expected_price(config, day, s0, snapshot.date)))
    if days > 0:
        roll.grow()  # the start day's growth: the state at its beginning
    end = snapshot.date + dt.timedelta(days=max(days, 0))
    return roll, expected_price(config, end, s0, snapshot.date)


def _history_price(config: MarketConfig, day: dt.date) -> float | None:
    """A bootstrap history's own price on ``day``, when it has a row for it (USD)."""
    if not isinstance(config.price, BootstrapPrice):
        return None
    series = config.price.series()
    return float(series.usd[series.dates.index(day)]) if day in series.dates else None


def _price_notes(
    config: MarketConfig, start_date: dt.date, given: dict[str, float], label: str
) -> list[str]:
    """A price deck against the start date: a BTC price given for it must agree with the
    deck's (else an :class:`InputError`: the path would jump on day 1), and a deck that
    ends before it is held flat, which is said."""
    price = config.price
    if isinstance(price, BootstrapPrice):
        return _short_history_notes(price)
    if not isinstance(price, DeckPrice):
        return []
    deck = price.series()
    on_start = float(deck.on_days([start_date])[0])
    if "btc_price_usd" in given and abs(given["btc_price_usd"] / on_start - 1) > (
        DECK_PRICE_TOLERANCE
    ):
        raise InputError(
            label, "btc_price_usd",
            f"${given['btc_price_usd']:,.0f} on {start_date} disagrees with the price deck's "
            f"${on_start:,.0f} that day ({price.csv}): the path would jump on day 1",
            "give one of them: leave out the BTC price (the deck sets the whole path), or "
            "start the deck at it",
        )  # fmt: skip
    if deck.dates[-1] < start_date:
        return [f"market: the price deck ({price.csv}) ends on {deck.dates[-1]}, before the "
                f"start date: its last price, ${deck.usd[-1]:,.0f}, is held over the whole "
                "horizon"]  # fmt: skip
    return []


def _short_history_notes(price: BootstrapPrice) -> list[str]:
    """A bootstrap history shorter than :data:`SHORT_HISTORY_DAYS` whose drift is kept
    (``demean`` off): every path repeats its few returns, so their average becomes every
    path's trend, which is said with its size."""
    returns = price.series().daily_log_returns()
    if price.demean or len(returns) >= SHORT_HISTORY_DAYS:
        return []
    per_year = math.expm1(float(np.mean(returns)) * 365)
    return [f"market: the bootstrap history ({price.csv}) holds {len(returns)} days of "
            f"returns, whose average, {per_year:+.0%} a year, every path repeats — fix: give "
            "a year or more of history, or set demean: true"]  # fmt: skip


def _age_text(age: int) -> str:
    if age == 0:
        return "of the start date"
    if age > 0:
        return f"carried {age} day{'s' if age != 1 else ''} without randomness"
    return f"{-age} day{'s' if age != -1 else ''} after the start, used as the start's state"


def _what_to_check(origins: dict[str, str]) -> str:
    """The day-0 values a user gave (and where), for a hashprice too far out to be real:
    an industry's network is its ``rest_of_world`` plus its operators, not only options."""
    given = [f"the {label} ({origin.removeprefix('given (').removesuffix(')')}{ask})"
             for key, label, ask in (("btc_price_usd", "BTC price", "; in USD?"),
                                     ("difficulty", "difficulty", ""),
                                     ("network_hashrate_ehs", "network hashrate", ""),
                                     ("fee_share", "fee share", ""))
             if (origin := origins.get(key, "")).startswith("given (")]  # fmt: skip
    if not given:
        return "check the market file's snapshot and as_of"
    return "check what was given: " + ", ".join(given)


def market_start(config: MarketConfig, start_date: dt.date) -> MarketStart:
    """The market state on ``start_date`` (module docstring); cached on ``config``."""
    cached = config._starts.get(start_date)
    if isinstance(cached, MarketStart):
        return cached
    snapshot = config.snapshot()
    age = (start_date - snapshot.date).days
    roll, price = _carry(config, snapshot, max(age, 0))
    chain = roll.chain
    where = f"snapshot ({snapshot.origin or 'bundled'}) {snapshot.date}, {_age_text(age)}"
    origins = dict.fromkeys(
        ("btc_price_usd", "difficulty", "network_hashrate_ehs", "block_height", "fee_share"),
        where,
    )
    if isinstance(config.price, DeckPrice):
        origins["btc_price_usd"] = "the price deck"
    if config.network.fee_share is not None:
        origins["fee_share"] = "network.fee_share"
    difficulty = float(chain.difficulty[0])
    hashrate = float(math.exp(roll.log_installed[0]))
    height = float(chain.height[0]) - 1.0
    epoch_blocks, epoch_days = float(chain.epoch_blocks[0]), float(chain.epoch_days[0])
    fee = config.fee_share
    smooth = float(math.exp(roll.smooth[0]))
    given = config.as_of.given()

    def tag(field: str) -> str:
        return f"given ({config.as_of_label(field)})"

    notes = [note for note in (snapshot.ignored, snapshot.redated) if note]
    own = set(config.as_of.given())
    if age < 0 and not ("btc_price_usd" in own and own & {"difficulty", "network_hashrate_ehs"}):
        # a later state taken for the start's moves every headline: said, not silent
        notes.append(
            f"market on {start_date}: from the {snapshot.origin or 'bundled'} snapshot of "
            f"{snapshot.date}, {-age} day{'s' if age != -1 else ''} after the start date, "
            "its BTC price, difficulty and network hashrate taken as the start's — give the "
            "start date's own (--btc-price, --difficulty, --network-hashrate), or start later"
        )
    notes += [note for note in (snapshot.height_note(), snapshot.rate_note()) if note]
    notes += _price_notes(config, start_date, given, config.as_of_label("btc_price_usd"))
    repriced = False
    history = _history_price(config, start_date)
    if history is not None and "btc_price_usd" not in given:
        price, repriced = history, True
        origins["btc_price_usd"] = "the price history (its row for the start date)"
    if "btc_price_usd" in given:
        price = given["btc_price_usd"]
        origins["btc_price_usd"] = tag("btc_price_usd")
    if "fee_share" in given:
        fee = given["fee_share"]
        origins["fee_share"] = tag("fee_share")
    if "difficulty" in given or "network_hashrate_ehs" in given:
        carried_hashrate = hashrate
        difficulty, hashrate = _difficulty_and_hashrate(
            given, config.as_of_label("network_hashrate_ehs")
        )
        ratio = hashrate / carried_hashrate
        if not 1 / NETWORK_GIVEN_RATIO <= ratio <= NETWORK_GIVEN_RATIO:
            times = f"{ratio:.3g}×" if ratio > 1 else f"1/{1 / ratio:.3g} of"
            notes.append(
                f"market on {start_date}: the network given ({hashrate / 1e6:,.4g} EH/s, "
                f"difficulty {difficulty:.4g}) is {times} the "
                f"{carried_hashrate / 1e6:,.0f} EH/s the {snapshot.date} snapshot carries to "
                "the start: check its units (a difficulty is a plain number, about 1.5e14 in "
                "2025; a hashrate is in EH/s, about 1,100)"
            )
        implied = float(difficulty_hashrate_ths(difficulty))
        if not 1 / HASHRATE_NOTE_RATIO <= hashrate / implied <= HASHRATE_NOTE_RATIO:
            pace = "faster" if hashrate > implied else "slower"
            notes.append(
                f"market on {start_date}: the network hashrate given "
                f"({hashrate / 1e6:,.0f} EH/s) is {hashrate / implied:.2f}× what difficulty "
                f"{difficulty:.4g} implies: blocks come {pace} than every 10 minutes until the "
                "next retarget, and hashprice moves with them"
            )
        origins["difficulty"] = (
            tag("difficulty") if "difficulty" in given else "implied by the network hashrate"
        )
        origins["network_hashrate_ehs"] = (
            tag("network_hashrate_ehs") if "network_hashrate_ehs" in given
            else "implied by the difficulty"
        )  # fmt: skip
    if "block_height" in given:
        carried = max(height - snapshot.block_height, 0.0)
        if abs(given["block_height"] - height) > (
            HEIGHT_TOLERANCE_BLOCKS + HEIGHT_TOLERANCE_OF_CARRIED * carried
        ):
            raise InputError(
                config.as_of_label("block_height"), "block_height",
                f"{given['block_height']:,.0f} is {abs(given['block_height'] - height):,.0f} "
                f"blocks from the {height:,.0f} the {snapshot.date} snapshot carried to "
                f"{start_date} reaches",
                "give the chain's height on the start date (about 144 blocks a day), or leave "
                "it out",
            )  # fmt: skip
        height = float(given["block_height"])
        epoch_blocks = float((int(height) + 1) % RETARGET_BLOCKS)
        rate = BLOCKS_PER_DAY * hashrate / float(difficulty_hashrate_ths(difficulty))
        epoch_days = epoch_blocks / rate
        origins["block_height"] = tag("block_height")
    if repriced or set(given) & {"btc_price_usd", "difficulty", "network_hashrate_ehs",
                                 "fee_share"}:  # fmt: skip
        subsidy = float(subsidy_btc(math.floor(height) + 1))
        smooth = hashprice_usd_per_ph_day(price, difficulty, subsidy, fee)
    low, high = PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY
    if not low <= smooth <= high:
        notes.append(
            f"market on {start_date}: the day-0 hashprice ${smooth:,.2f}/PH/day (BTC "
            f"${float(price):,.0f}, difficulty {difficulty:.4g}) is more than ten times "
            f"outside the range since 2021 ({HASHPRICE_RANGE_TEXT}): {_what_to_check(origins)}"
        )
    stale = [
        name
        for key, name in (
            ("btc_price_usd", "BTC price"),
            ("difficulty", "difficulty"),
            ("network_hashrate_ehs", "network hashrate"),
        )
        if origins[key] == where
    ]
    warning = None
    if abs(age) > FRESH_DAYS and stale:
        listed = ", ".join(stale[:-1]) + (" and " if len(stale) > 1 else "") + stale[-1]
        how = (
            f"carried {age} days without randomness from"
            if age > 0
            else f"used as they are from {-age} days after the start in"
        )
        warning = (
            f"market on {start_date}: {listed} {how} the {snapshot.origin or 'bundled'} "
            f"snapshot of {snapshot.date} — fix: {_fix(stale, later=age < 0)}"
        )
    start = MarketStart(
        date=start_date, btc_price_usd=float(price), difficulty=difficulty,
        network_hashrate_ths=hashrate, block_height=height, epoch_blocks=epoch_blocks,
        epoch_days=epoch_days, fee_share=float(fee), smoothed_hashprice_usd_per_ph_day=smooth,
        snapshot=snapshot, snapshot_age_days=age, origins=origins, warning=warning,
        notes=tuple(notes),
    )  # fmt: skip
    config._starts[start_date] = start
    return start


def check_network_holds(
    config: MarketConfig, start: MarketStart, fleet_ths: float, fleet: str = "the fleet's nameplate"
) -> None:
    """Refuse a day-0 network no larger than the fleet mining on it (``fleet_ths``, TH/s;
    ``fleet`` says which figure): its hashprice would be absurd, and it is nearly always
    a difficulty or hashrate given in the wrong units. Names where the network's size
    came from."""
    if fleet_ths < start.network_hashrate_ths:
        return
    given = config.as_of.given()
    network = (f"the network on day 0 ({start.network_hashrate_ths / 1e6:,.4g} EH/s, "
               f"difficulty {start.difficulty:.4g})")  # fmt: skip
    smaller = f"is smaller than {fleet} ({fleet_ths / 1e6:,.4g} EH/s)"
    if "difficulty" in given or "network_hashrate_ehs" in given:
        raise InputError(
            config.as_of_label("difficulty" if "difficulty" in given else "network_hashrate_ehs"),
            "difficulty" if "difficulty" in given else "network_hashrate_ehs",
            f"{network} {smaller}",
            "give the network's difficulty as a plain number (about 1.5e14 in 2025: "
            "--difficulty) or its hashrate in EH/s (about 1,100: --network-hashrate)",
        )  # fmt: skip
    snapshot = start.snapshot
    raise InputError(
        config._file, "network.snapshot",
        f"{network}, carried {start.snapshot_age_days:,} days from the snapshot of "
        f"{snapshot.date} at its expected price, {smaller}",
        "give the start date's network (--difficulty or --network-hashrate; as_of: in a "
        f"market YAML), or a start date nearer {snapshot.date}",
    )  # fmt: skip


def _difficulty_and_hashrate(given: dict[str, float], label: str) -> tuple[float, float]:
    """Difficulty and installed hashrate (TH/s) from the given values; one implies the other."""
    difficulty = given.get("difficulty")
    ehs = given.get("network_hashrate_ehs")
    if difficulty is None:
        assert ehs is not None
        return float(difficulty_for_hashrate_ths(ehs * 1e6)), ehs * 1e6
    implied = float(difficulty_hashrate_ths(difficulty))
    if ehs is None:
        return difficulty, implied
    ratio = ehs * 1e6 / implied
    if not 0.5 <= ratio <= 2.0:
        raise InputError(
            label, "network_hashrate_ehs",
            f"{ehs:g} EH/s is {ratio:.2g}× the {implied / 1e6:,.0f} EH/s that difficulty "
            f"{difficulty:.4g} implies",
            "check the units (hashrate in EH/s, difficulty a plain number such as 1.48e14), "
            "or give only one of them",
        )  # fmt: skip
    return difficulty, ehs * 1e6
