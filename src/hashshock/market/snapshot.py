"""The network snapshot a run starts from: BTC price, difficulty, hashrate, height, fees.

The bundled snapshot (``hashshock/data/market/snapshot.yaml``) is the offline
default. ``hashshock data update`` writes a fresher one to the user's data
folder; :func:`load_snapshot` prefers that file when it exists and is valid,
and otherwise falls back on the bundled one with a warning — it never touches
the network, so a run never fails for lack of it.

User data folder: ``$HASHSHOCK_DATA_DIR`` if set, else ``$XDG_DATA_HOME/hashshock``,
else ``~/.local/share/hashshock``.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hashshock.inputs.errors import InputError, from_validation_error
from hashshock.inputs.files import read_yaml_mapping
from hashshock.market.hashprice import (
    BLOCKS_PER_DAY,
    LAST_HALVING_DATE,
    LAST_HALVING_HEIGHT,
    MAX_BLOCK_HEIGHT,
    MAX_BTC_PRICE_USD,
    MAX_DIFFICULTY,
    RETARGET_BLOCKS,
    difficulty_hashrate_ths,
    hashprice_usd_per_ph_day,
    subsidy_btc,
)
from hashshock.outputs import atomic_write_text

#: Environment variable naming the user data folder (tests point it at a tmp dir).
DATA_DIR_ENV = "HASHSHOCK_DATA_DIR"
SNAPSHOT_FILE = "snapshot.yaml"


#: A snapshot's hashrate this far (either way) from what its difficulty implies is said
#: (as a start date's given values are, :data:`hashshock.market.start.HASHRATE_NOTE_RATIO`).
RATE_NOTE_RATIO = 1.2
#: A snapshot's block height may be this share of its days' blocks from 144 a day since
#: the 4th halving (block times averaged 9.6–10 minutes over years), plus a retarget
#: window; further is a typo (800,000 for 2026 would double the subsidy).
HEIGHT_SLACK = 0.1


class NetworkSnapshot(BaseModel):
    """Network state on one day, with the source of each value.

    ``difficulty`` is the one in force for the next block; ``block_height`` the
    height of the last block of the day; ``network_hashrate_ehs`` a smoothed
    (7-day mean) estimate in EH/s; ``fee_share`` fees / (subsidy + fees).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    date: dt.date = Field(description="Day the values describe (UTC)")
    btc_price_usd: float = Field(gt=0, le=MAX_BTC_PRICE_USD, description="BTC price, USD")
    difficulty: float = Field(
        gt=0, le=MAX_DIFFICULTY, description="Difficulty in force (dimensionless)"
    )
    network_hashrate_ehs: float = Field(gt=0, description="Network hashrate, EH/s (7-day mean)")
    block_height: int = Field(ge=0, le=MAX_BLOCK_HEIGHT, description="Height of the chain tip")
    fee_share: float = Field(ge=0, lt=0.95, description="Fees / (subsidy + fees) of miner revenue")
    epoch_elapsed_days: float | None = Field(
        None,
        ge=0,
        description="Days since the last retarget; omitted: estimated from the blocks mined "
        "since it at the current hashrate",
    )
    source: str = Field(description="Where the values come from (one line)")
    sources: dict[str, str] = Field(default_factory=dict, description="Source of each value")
    origin: str = Field("", description="File the snapshot was read from (set by the loader)")
    ignored: str = Field(
        "", exclude=True,
        description="Why the user's snapshot was passed over for this one (set by the loader)",
    )  # fmt: skip
    redated: str = Field(
        "", exclude=True,
        description="What an override that moved the date left as of the old one (set by "
        "the market)",
    )  # fmt: skip

    @model_validator(mode="after")
    def _plausible(self) -> NetworkSnapshot:
        ratio = self.network_hashrate_ths / float(difficulty_hashrate_ths(self.difficulty))
        if not 0.1 <= ratio <= 10:
            raise ValueError(
                f"hashrate {self.network_hashrate_ehs:g} EH/s is {ratio:.2g}× the hashrate "
                f"implied by difficulty {self.difficulty:.4g} — fix: check the units "
                "(hashrate in EH/s, difficulty as a plain number such as 1.48e14)"
            )
        return self

    def rate_note(self) -> str | None:
        """When ``network_hashrate_ehs`` is more than 1.2× off what ``difficulty`` implies
        (``None``: it is not): blocks come fast or slow until the next retarget. Refused
        beyond 10× (a unit slip); between, a made-up chain (a test's) may want it."""
        implied = float(difficulty_hashrate_ths(self.difficulty))
        ratio = self.network_hashrate_ths / implied
        if 1 / RATE_NOTE_RATIO <= ratio <= RATE_NOTE_RATIO:
            return None
        return (
            f"snapshot {self.date}: its network hashrate {self.network_hashrate_ehs:,.0f} "
            f"EH/s is {ratio:.2f}× what its difficulty {self.difficulty:.4g} implies "
            f"({implied / 1e6:,.0f} EH/s): blocks come {'faster' if ratio > 1 else 'slower'}"
            " than every 10 minutes until the next retarget — check the two are of one day"
        )

    def height_note(self) -> str | None:
        """Why ``block_height`` looks wrong for ``date`` (``None``: it does not): further
        from 144 blocks a day since block 840,000 than :data:`HEIGHT_SLACK` of the days'
        blocks plus a retarget window. A wrong height sets the wrong block subsidy (800,000
        for 2025 doubles it); a made-up chain (a test's) may still want one."""
        days = (self.date - LAST_HALVING_DATE).days
        expected = LAST_HALVING_HEIGHT + BLOCKS_PER_DAY * days
        if abs(self.block_height - expected) <= RETARGET_BLOCKS + HEIGHT_SLACK * abs(days) * (
            BLOCKS_PER_DAY
        ):
            return None
        where = f" ({self.origin})" if self.origin else ""
        return (
            f"the snapshot's block_height {self.block_height:,}{where} is far from the "
            f"{expected:,.0f} the chain reaches on {self.date} at 144 blocks a day from "
            f"block 840,000 on {LAST_HALVING_DATE}: its subsidy, "
            f"{self.subsidy_btc:g} BTC, sets the hashprice — check the height"
        )

    @property
    def network_hashrate_ths(self) -> float:
        """Network hashrate in TH/s."""
        return self.network_hashrate_ehs * 1e6

    @property
    def subsidy_btc(self) -> float:
        """Subsidy of the next block (BTC)."""
        return float(subsidy_btc(self.block_height + 1))

    @property
    def hashprice_usd_per_ph_day(self) -> float:
        """Hashprice on the snapshot day, equation (3) of :mod:`hashshock.market.hashprice`."""
        return hashprice_usd_per_ph_day(
            self.btc_price_usd, self.difficulty, self.subsidy_btc, self.fee_share
        )

    @property
    def blocks_in_epoch(self) -> int:
        """Blocks mined since the last retarget."""
        return (self.block_height + 1) % RETARGET_BLOCKS

    def elapsed_days(self) -> float:
        """Days since the last retarget (given, or blocks in epoch at the current block rate)."""
        if self.epoch_elapsed_days is not None:
            return self.epoch_elapsed_days
        rate = (
            BLOCKS_PER_DAY
            * self.network_hashrate_ths
            / float(difficulty_hashrate_ths(self.difficulty))
        )
        return self.blocks_in_epoch / rate

    def to_yaml(self) -> str:
        """The snapshot as YAML (without ``origin``), as ``data update`` writes it."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude={"origin"})
        if data.get("epoch_elapsed_days") is None:
            data.pop("epoch_elapsed_days", None)
        header = "# hashshock network snapshot (see docs/market.md)\n"
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def bundled_snapshot_path() -> Path:
    """``hashshock/data/market/snapshot.yaml`` inside the installed package."""
    return Path(str(resources.files("hashshock") / "data" / "market" / SNAPSHOT_FILE))


def user_data_dir() -> Path:
    """The user's hashshock data folder (may not exist yet)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "hashshock"


def user_snapshot_path() -> Path:
    """Where ``hashshock data update`` writes by default."""
    return user_data_dir() / SNAPSHOT_FILE


def read_snapshot(path: Path, base: NetworkSnapshot | None = None) -> NetworkSnapshot:
    """Read a snapshot YAML; with ``base``, missing fields are taken from it.

    Raises :class:`InputError` naming the file and field.
    """
    data = read_yaml_mapping(path)
    return snapshot_from_mapping(data, path, base)


def looks_like_snapshot(path: Path) -> bool:
    """Whether ``path`` holds a network snapshot (what ``data update --out`` may replace):
    a YAML mapping with a ``date`` and a network figure — told by its keys, not by being
    valid, so that a stale or damaged snapshot can be replaced by a fresh one."""
    try:
        data = read_yaml_mapping(path)
    except InputError:
        return False
    figures = {"btc_price_usd", "difficulty", "network_hashrate_ehs", "block_height"}
    return "date" in data and bool(figures & set(data))


def snapshot_from_mapping(
    data: dict[str, Any], file: str | Path | None, base: NetworkSnapshot | None = None
) -> NetworkSnapshot:
    """Validate ``data`` as a snapshot (fields missing from ``data`` come from ``base``)."""
    merged: dict[str, Any] = {}
    if base is not None:
        merged = base.model_dump(exclude={"origin"})
        sources = dict(base.sources)
        for key in data:
            if key not in {"source", "sources"}:
                sources[key] = f"override in {file}" if file else "override"
        merged["sources"] = sources
        if "source" not in data:
            merged["source"] = f"{base.source}; overridden by {file}" if file else base.source
    merged.update(data)
    merged["origin"] = str(file) if file else merged.get("origin", "")
    try:
        return NetworkSnapshot.model_validate(merged)
    except ValidationError as exc:
        raise from_validation_error(exc, file) from exc


def bundled_snapshot() -> NetworkSnapshot:
    """The snapshot shipped with hashshock."""
    path = bundled_snapshot_path()
    snap = read_snapshot(path)
    return snap.model_copy(update={"origin": "bundled"})


def load_snapshot() -> NetworkSnapshot:
    """The user's snapshot if present and valid, else the bundled one (never the network).

    An invalid user snapshot is passed over; the bundled one then says why in ``ignored``
    (runs print it as one warning line).
    """
    path = user_snapshot_path()
    if path.is_file():
        try:
            mine = read_snapshot(path)
        except InputError as exc:
            return _passed_over(exc.message)
        # UTC's date, as `data update` dates what it fetches: west of Greenwich a snapshot
        # fetched this evening is dated tomorrow by the local clock.
        today = dt.datetime.now(dt.UTC).date()
        if mine.date > today:  # a typo's year: runs would start from a market not yet seen
            return _passed_over(f"{path}: date {mine.date} is after today ({today}) — fix: "
                                "give the date its figures were read on")  # fmt: skip
        return mine
    return bundled_snapshot()


def _passed_over(message: str) -> NetworkSnapshot:
    """The bundled snapshot, saying why the user's was ignored (``ignored``)."""
    reason = f"your snapshot was ignored ({message}); the bundled one is used"
    return bundled_snapshot().model_copy(update={"ignored": reason})


def write_snapshot(snapshot: NetworkSnapshot, path: Path, option: str | None = "--out") -> Path:
    """Write ``snapshot`` atomically to ``path`` (never over the bundled file)."""
    target = path.expanduser()
    if target.resolve() == bundled_snapshot_path().resolve():
        raise InputError(
            target, option, "is the bundled snapshot", "write to the user data folder instead"
        )
    atomic_write_text(target, snapshot.to_yaml(), option)
    return target
