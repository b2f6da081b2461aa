"""The market YAML: BTC price model, network growth and fees, used-ASIC prices.

Defaults live in ``hashshock/data/market/defaults.yaml`` with a source for each
value. A user's market YAML overrides any of them; everything else keeps its
default (and the ``source`` of an overridden value becomes ``set in <file>``)::

    price: {model: gbm, drift_per_year: 0.0, volatility_per_year: 0.6}
    price: {model: bootstrap, csv: btc-daily.csv, block_days: 30}
    price: {model: deck, csv: my-price-deck.csv}        # deterministic, same on all paths
    network: {growth_per_year: 0.25, fee_share: 0.01, snapshot: {file: snap.yaml}}
    used_prices: {tiers: {under19: {usd_per_th: 16}}}

Price CSVs have a header row with a date column (``date`` or ``time``) and a
price column (``price_usd``, ``PriceUSD``, ``close`` or ``price``), one row per
day, dates increasing; relative paths are relative to the market YAML.
"""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from hashshock.inputs.errors import InputError, check_path_like, from_validation_error
from hashshock.inputs.files import read_csv_rows, read_yaml_mapping
from hashshock.inputs.strict import InputModel, check_again
from hashshock.inputs.types import MAX_USD
from hashshock.market.hashprice import (
    MAX_BLOCK_HEIGHT,
    MAX_BTC_PRICE_USD,
    MAX_DIFFICULTY,
    TIERS,
    TierName,
)
from hashshock.market.snapshot import (
    NetworkSnapshot,
    load_snapshot,
    read_snapshot,
    snapshot_from_mapping,
)

Sources = dict[str, str]

DATE_COLUMNS = ("date", "time", "Date", "Time")
PRICE_COLUMNS = ("price_usd", "PriceUSD", "close", "Close", "price", "Price")


class _Strict(InputModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PriceSeries(BaseModel):
    """Daily prices read from a CSV: ``days`` are ordinal day numbers, ``usd`` prices."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    file: str
    dates: tuple[dt.date, ...]
    usd: tuple[float, ...]

    def daily_log_returns(self) -> NDArray[np.float64]:
        """Log return of each calendar day, a gap of g days split into g equal returns."""
        prices = np.log(np.asarray(self.usd, dtype=np.float64))
        gaps = np.diff([d.toordinal() for d in self.dates])
        steps = np.diff(prices) / gaps
        return np.repeat(steps, gaps)

    def on_days(self, days: list[dt.date]) -> NDArray[np.float64]:
        """Prices on ``days``: linear between dates, flat before the first and after the last."""
        x = np.asarray([d.toordinal() for d in self.dates], dtype=np.float64)
        t = np.asarray([d.toordinal() for d in days], dtype=np.float64)
        return np.interp(t, x, np.asarray(self.usd, dtype=np.float64))


def read_price_csv(path: Path, field: str, min_rows: int = 2) -> PriceSeries:
    """Read a daily price CSV; errors name the file, row and column."""
    rows = read_csv_rows(path)
    if not rows:
        raise InputError(path, None, "no rows", "add a header row and one row per day")
    header = list(rows[0])
    date_col = next((c for c in DATE_COLUMNS if c in header), None)
    price_col = next((c for c in PRICE_COLUMNS if c in header), None)
    if date_col is None or price_col is None:
        missing = "date" if date_col is None else "price"
        names = DATE_COLUMNS if date_col is None else PRICE_COLUMNS
        raise InputError(
            path,
            "header",
            f"no {missing} column (columns: {', '.join(header)})",
            f"name the columns date and price_usd (also read: {', '.join(names[1:])}); the "
            f"file is the market YAML's {field}",
        )
    dates: list[dt.date] = []
    prices: list[float] = []
    for number, row in enumerate(rows, start=2):
        text = row.get(date_col, "")
        try:
            day = dt.date.fromisoformat(text[:10])
        except ValueError:
            raise InputError(
                path, f"line {number} {date_col}", f"{text!r} is not a date", "write YYYY-MM-DD"
            ) from None
        raw = row.get(price_col, "")
        if raw == "":
            continue  # a day without a price (e.g. a partial last row)
        try:
            price = float(raw)
        except ValueError:
            raise InputError(
                path, f"line {number} {price_col}", f"{raw!r} is not a number", "write a price"
            ) from None
        if not price > 0 or not math.isfinite(price):
            raise InputError(
                path, f"line {number} {price_col}", f"{raw} is not positive", "write a USD price"
            )
        if price > MAX_BTC_PRICE_USD:
            raise InputError(path, f"line {number} {price_col}", f"{raw} USD is not a BTC price",
                             f"write a USD price of at most {MAX_BTC_PRICE_USD:,.0f}")  # fmt: skip
        if dates and day <= dates[-1]:
            raise InputError(
                path,
                f"line {number} {date_col}",
                f"{day} does not come after {dates[-1]}",
                "sort the rows by date, one row per day",
            )
        dates.append(day)
        prices.append(price)
    if len(dates) < min_rows:
        raise InputError(
            path,
            None,
            f"{len(dates)} priced rows, need at least {min_rows}",
            "give a longer price history" + (" or a smaller block_days" if min_rows > 2 else ""),
        )
    return PriceSeries(file=str(path), dates=tuple(dates), usd=tuple(prices))


class GbmPrice(_Strict):
    """Geometric Brownian motion: ``dS/S = μ dt + σ dW``.

    ``ln S_t = ln S_0 + (μ − σ²/2) t + σ W_t`` (t in years), so ``E[S_t] = S_0 e^{μ t}``
    and the median is ``S_0 e^{(μ − σ²/2) t}``. Simulated on days: each day adds
    ``(μ − σ²/2)/365 + σ/√365 · Z``.
    """

    model: Literal["gbm"] = "gbm"
    drift_per_year: float = Field(
        ge=-3, le=3, description="μ: drift of dS/S per year (E[S_t] = S_0 e^{μt})"
    )
    volatility_per_year: float = Field(ge=0, le=3, description="σ: annualised volatility")
    source: Sources = Field(default_factory=dict)


class BootstrapPrice(_Strict):
    """Moving-block bootstrap of the daily log returns of a user's price history."""

    model: Literal["bootstrap"]
    csv: Path = Field(description="Daily price CSV (date, price_usd)")
    block_days: int = Field(
        30, ge=1, le=365, description="Length of resampled blocks (days; ASSUMPTION [E]: a "
        "month keeps the returns' short-range dependence, volatility clusters, within a block)",
    )  # fmt: skip
    demean: bool = Field(False, description="Remove the history's average return (no drift)")
    source: Sources = Field(default_factory=dict)
    _series: PriceSeries | None = PrivateAttr(None)

    def series(self) -> PriceSeries:
        """The price history (read once)."""
        if self._series is None:
            self._series = read_price_csv(self.csv, "price.csv", min_rows=self.block_days + 1)
        return self._series


class DeckPrice(_Strict):
    """A deterministic price path: the same on every Monte Carlo path."""

    model: Literal["deck"]
    csv: Path = Field(description="Price deck CSV (date, price_usd); linear between dates")
    source: Sources = Field(default_factory=dict)
    _series: PriceSeries | None = PrivateAttr(None)

    def series(self) -> PriceSeries:
        """The price deck (read once)."""
        if self._series is None:
            self._series = read_price_csv(self.csv, "price.csv", min_rows=1)
        return self._series


PriceConfig = Annotated[GbmPrice | BootstrapPrice | DeckPrice, Field(discriminator="model")]


class SnapshotOverride(_Strict):
    """Start from another snapshot file and/or override some of its values."""

    file: Path | None = Field(None, description="A snapshot YAML (as `hashshock data update`)")
    date: dt.date | None = None
    btc_price_usd: float | None = Field(None, gt=0, le=MAX_BTC_PRICE_USD)
    difficulty: float | None = Field(None, gt=0, le=MAX_DIFFICULTY)
    network_hashrate_ehs: float | None = Field(None, gt=0)
    block_height: int | None = Field(None, ge=0, le=MAX_BLOCK_HEIGHT)
    fee_share: float | None = Field(None, ge=0, lt=0.95)
    epoch_elapsed_days: float | None = Field(None, ge=0)


class AsOf(_Strict):
    """The market on the run's start date, as the user knows it (every field optional).

    Given values replace what the snapshot says (carried to the start date when it is
    older): ``btc_price_usd``; ``difficulty`` and/or ``network_hashrate_ehs`` (one
    alone implies the other at 10-minute blocks); ``fee_share``; ``block_height``.
    """

    btc_price_usd: float | None = Field(
        None, gt=0, le=MAX_BTC_PRICE_USD, description="BTC price, USD"
    )
    difficulty: float | None = Field(
        None, gt=0, le=MAX_DIFFICULTY, description="Difficulty in force"
    )
    network_hashrate_ehs: float | None = Field(
        None, gt=0, le=1e6, description="Network hashrate, EH/s"
    )
    fee_share: float | None = Field(
        None, ge=0, lt=0.95, description="Fees / (subsidy + fees) of miner revenue"
    )
    block_height: int | None = Field(
        None, ge=0, le=MAX_BLOCK_HEIGHT, description="Height of the chain tip"
    )

    def given(self) -> dict[str, float]:
        """The fields given (not None)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class NetworkConfig(_Strict):
    """Network hashrate path, fees and the shares that scale a network-wide shock.

    Installed hashrate grows on days ``k`` as

    ``ln H_{k+1} = ln H_k + ln(1+g)/365 + (κ/365) · ln(HP̃_k / HP_ref) + σ_H/√365 · Z − σ_H²/730``

    with ``HP̃`` the hashprice smoothed over ``feedback_lag_days``: the network grows
    at ``g`` while hashprice stays at ``HP_ref``, faster when mining pays more, slower
    (or shrinks) when it pays less. The hashrate that mines is ``H_k · m_k``, ``m`` the
    shock multiplier of :func:`hashshock.market.network_shock_multiplier`.
    """

    growth_per_year: float = Field(ge=-0.9, le=10, description="g: growth at HP_ref, per year")
    growth_reference_hashprice_usd_per_ph_day: float = Field(
        gt=0, le=MAX_USD, description="HP_ref: hashprice at which the network grows at g"
    )
    hashprice_feedback_per_year: float = Field(
        ge=0, le=10, description="κ: change of log growth per year per unit of ln(HP̃/HP_ref)"
    )
    feedback_lag_days: float = Field(gt=0, le=730, description="Smoothing of HP̃, days")
    volatility_per_year: float = Field(ge=0, le=3, description="σ_H of the hashrate path")
    fee_share: float | None = Field(
        None, ge=0, lt=0.95, description="Fees / (subsidy + fees); omitted: the snapshot's"
    )
    us_share: float = Field(ge=0, le=1, description="US share of network hashrate")
    vendor_share: float = Field(ge=0, le=1, description="Bitmain share of machines")
    snapshot: SnapshotOverride | None = Field(None, description="Snapshot file / overrides")
    source: Sources = Field(default_factory=dict)


class TierParams(_Strict):
    """Used-price parameters of one efficiency tier."""

    usd_per_th: float = Field(gt=0, le=MAX_USD, description="Price at the reference date, USD/TH")
    elasticity: float = Field(ge=0, le=5, description="ε: d ln price / d ln hashprice")
    obsolescence_per_year: float = Field(ge=0, le=2, description="δ: decay at constant hashprice")
    jump_on_supply_cut: float = Field(gt=-1, le=5, description="J: premium while supply is cut")
    source: Sources = Field(default_factory=dict)


class UsedPricesConfig(_Strict):
    """Used-ASIC prices by tier: follow smoothed hashprice, decay with age, jump on supply cuts."""

    reference_date: dt.date = Field(description="Date of the tier prices")
    reference_hashprice_usd_per_ph_day: float = Field(
        gt=0, le=MAX_USD, description="Hashprice on that date"
    )
    lag_days: float = Field(gt=0, le=730, description="Smoothing of hashprice, days")
    jump_rise_days: float = Field(gt=0, le=730, description="Build-up of a supply-cut premium")
    jump_relax_days: float = Field(gt=0, le=3650, description="Fade of it after the cut")
    tiers: dict[TierName, TierParams]
    source: Sources = Field(default_factory=dict)

    @model_validator(mode="after")
    def _all_tiers(self) -> UsedPricesConfig:
        missing = [t for t in TIERS if t not in self.tiers]
        if missing:
            raise ValueError(
                f"tiers {', '.join(missing)} missing — fix: give all of {', '.join(TIERS)}"
            )
        return self


class MarketConfig(_Strict):
    """Everything the market layer needs; see :func:`load_market`."""

    price: PriceConfig
    network: NetworkConfig
    used_prices: UsedPricesConfig
    as_of: AsOf = Field(default_factory=AsOf, description="The market on the start date")
    _snapshot: NetworkSnapshot | None = PrivateAttr(None)
    _file: str | None = PrivateAttr(None)
    # Where each as_of value came from ("command line" for the CLI's options), by field;
    # a field not listed came from the market file's own as_of.
    _as_of_labels: dict[str, str] = PrivateAttr(default_factory=dict)
    # MarketStart by start date (hashshock.market.start.market_start)
    _starts: dict[dt.date, object] = PrivateAttr(default_factory=dict)

    def content(self) -> dict[str, Any]:
        """The market as it runs, as JSON data: its fields and, for a price CSV, the
        prices read from it, and a snapshot of the user's (``data update``'s, a file's)
        as read — a digest or ``runs diff`` then sees an edit to a file, not only its
        name (the bundled snapshot goes with the version)."""
        content = self.model_dump(mode="json")
        snapshot = self.snapshot()
        if snapshot.origin != "bundled":
            content["snapshot_read"] = snapshot.model_dump(mode="json")
        if isinstance(self.price, BootstrapPrice | DeckPrice):
            rows = self.price.series()
            content["price"]["csv_read"] = {
                "dates": [d.isoformat() for d in rows.dates],
                "usd": list(rows.usd),
            }
        return content

    def model_copy(self, *, update: Any = None, deep: bool = False) -> MarketConfig:
        """A copy that starts its own day-0 cache: a copy with other values (``update``)
        must not read the original's :func:`~hashshock.market.start.market_start`."""
        copy = super().model_copy(update=update, deep=deep)
        copy._starts = {}
        return copy

    def with_as_of(self, label: str = "as_of", **values: float | None) -> MarketConfig:
        """A copy whose ``as_of`` has ``values`` (``None`` values are ignored) over its own.

        ``label`` names where the values came from in messages (e.g. the CLI options).
        """
        given = {k: v for k, v in values.items() if v is not None}
        if not given:
            return self
        try:
            as_of = AsOf.model_validate({**self.as_of.given(), **given})
        except ValidationError as exc:
            raise from_validation_error(exc, None) from exc
        copy = self.model_copy(update={"as_of": as_of})
        copy._snapshot, copy._file = self._snapshot, self._file
        copy._as_of_labels = {**self._as_of_labels, **dict.fromkeys(given, label)}
        copy._starts = {}
        return copy

    def as_of_label(self, field: str) -> str:
        """Where ``as_of``'s ``field`` came from, for messages and the manifest: an option
        that set it, else the market file's ``as_of`` block (named with its file)."""
        default = "as_of" if self._file is None else f"{self._file}, as_of"
        return self._as_of_labels.get(field, default)

    def snapshot(self) -> NetworkSnapshot:
        """The snapshot the simulation starts from: ``load_snapshot()`` plus any override."""
        if self._snapshot is None:
            override = self.network.snapshot
            if override is None or override.file is None:
                base = load_snapshot()
            else:
                base = read_snapshot(override.file)
            if override is not None:
                values = override.model_dump(exclude={"file"}, exclude_none=True)
                if values:
                    before = base
                    base = snapshot_from_mapping(values, self._file, base)
                    base = base.model_copy(update={"redated": _redated(values, before)})
                # By UTC's date, as `data update` dates what it fetches; a snapshot of a
                # day not yet seen is a typo's year (the bundled one is never later).
                today = dt.datetime.now(dt.UTC).date()
                if base.date > today:
                    raise InputError(
                        self._file, "date", f"{base.date} is after today "
                        f"({today}): a snapshot describes a day seen", "give the date its "
                        "figures were read on",
                    )  # fmt: skip
            self._snapshot = base
        return self._snapshot

    @property
    def fee_share(self) -> float:
        """The fee share in use: ``network.fee_share`` or the snapshot's."""
        share = self.network.fee_share
        return self.snapshot().fee_share if share is None else share


def _redated(override: dict[str, Any], before: NetworkSnapshot) -> str:
    """What a snapshot override that moves the date leaves as of the old date: its
    network (difficulty, hashrate, height), which the run would read as of the new one."""
    moved = override.get("date")
    if moved is None or moved == before.date:
        return ""
    kept = [name for key, name in (("btc_price_usd", "BTC price"),
                                   ("difficulty", "difficulty"),
                                   ("network_hashrate_ehs", "network hashrate"),
                                   ("block_height", "block height"),
                                   ("fee_share", "fee share"))
            if key not in override]  # fmt: skip
    if not kept:
        return ""
    listed = ", ".join(kept[:-1]) + (" and " if len(kept) > 1 else "") + kept[-1]
    return (
        f"network.snapshot.date moves the snapshot to {moved}, but its "
        f"{listed} are still those of {before.date} "
        f"({before.origin or 'bundled'}): give them for {moved} too, or leave the date "
        "(the run then carries them forward itself)"
    )


def defaults_path() -> Path:
    """``hashshock/data/market/defaults.yaml``."""
    return Path(str(resources.files("hashshock") / "data" / "market" / "defaults.yaml"))


def _merge(default: dict[str, Any], user: dict[str, Any], label: str) -> dict[str, Any]:
    """``user`` over ``default``, recursively; a value's ``source`` becomes ``label``.

    A ``price`` mapping whose ``model`` differs from the default replaces it whole.
    """
    out = dict(default)
    for key, value in user.items():
        base = default.get(key)
        if key == "source":
            src = dict(base) if isinstance(base, dict) else {}
            if isinstance(value, dict):
                src.update(value)
                out[key] = src
            else:
                out[key] = value
            continue
        swap_model = (
            isinstance(value, dict)
            and isinstance(base, dict)
            and "model" in value
            and value.get("model") != base.get("model")
        )
        if isinstance(value, dict) and isinstance(base, dict) and not swap_model:
            out[key] = _merge(base, value, label)
        else:
            out[key] = value
            sources = out.get("source")
            if isinstance(sources, dict) and not swap_model:
                out["source"] = {**sources, key: label}
    return out


def _check_named_file(path: Path, market: Path, field: str, kind: str) -> None:
    """A file a market YAML names must be there, and be a file (not a folder)."""
    if path.is_dir():
        raise InputError(market, field, f"{path} is a folder, not a file",
                         f"name the {kind} file itself")  # fmt: skip
    if not path.is_file():
        found = "is not a regular file (a pipe or a device)" if path.exists() else "not found"
        raise InputError(market, field, f"{path} {found}",
                         "check the path (relative paths start at the market YAML's "
                         "folder)")  # fmt: skip


def _resolve_paths(data: dict[str, Any], folder: Path) -> None:
    """Make relative CSV / snapshot paths relative to the market YAML's folder."""
    price = data.get("price")
    if isinstance(price, dict) and isinstance(price.get("csv"), str):
        csv = Path(price["csv"]).expanduser()
        price["csv"] = str(csv if csv.is_absolute() else folder / csv)
    network = data.get("network")
    snap = network.get("snapshot") if isinstance(network, dict) else None
    if isinstance(snap, dict) and isinstance(snap.get("file"), str):
        file = Path(snap["file"]).expanduser()
        snap["file"] = str(file if file.is_absolute() else folder / file)


def _clean_field(field: str | None) -> str | None:
    """``price.gbm.drift`` → ``price.drift``; ``tiers.x.[key]`` → ``tiers.x``."""
    if field is None:
        return None
    parts = field.removesuffix(".[key]").split(".")
    if len(parts) > 1 and parts[0] == "price" and parts[1] in {"gbm", "bootstrap", "deck"}:
        del parts[1]
    return ".".join(parts)


def load_market(path: str | Path | dict[str, Any] | None) -> MarketConfig:
    """Load a market YAML over the bundled defaults (``None``: the defaults alone; a
    mapping: a market YAML's fields, as :func:`market_from_mapping`).

    Price CSVs and the snapshot are read now, so any problem raises
    :class:`InputError` naming the file, the field and the fix.
    """
    if path is None:
        return market_from_mapping({})
    if isinstance(path, dict):
        return market_from_mapping(path)
    fix = "give a market YAML's path, a mapping of its fields or a MarketConfig"
    file = check_path_like(path, "market", fix)
    return market_from_mapping(read_yaml_mapping(file, "market"), file)


def as_market(market: str | Path | MarketConfig | dict[str, Any] | None) -> MarketConfig:
    """The market the API's ``market`` argument names (:func:`load_market`'s arguments),
    or the :class:`MarketConfig` given, checked again: its fields can have been changed
    since it was validated (pydantic does not check an assignment), and a NaN volatility
    or a share of 7 would run. :class:`InputError` names the field."""
    if not isinstance(market, MarketConfig):
        return load_market(market)
    try:
        check_again(market, "market")
    except InputError as error:
        raise InputError(None, f"market.{_clean_field(error.field)}", error.problem,
                         error.fix) from None  # fmt: skip
    return market


def market_from_mapping(
    data: dict[str, Any], file: str | Path | None = None, base_dir: Path | None = None
) -> MarketConfig:
    """A market from an already-parsed mapping, merged over the bundled defaults as a
    market YAML is (:func:`load_market` reads the file and calls this).

    ``file`` names the mapping in messages and in the ``source`` of the values it sets;
    relative CSV and snapshot paths start at ``base_dir`` (default: ``file``'s folder,
    else the working folder). A mapping that is a whole market (``model_dump(mode="json")``
    of a :class:`MarketConfig`, edited) gives that market. Price CSVs and the snapshot
    are read now; every problem raises :class:`InputError`.
    """
    default_file = defaults_path()
    merged = read_yaml_mapping(default_file)
    label: Path = default_file
    if data or file is not None:
        label = Path(file) if file is not None else Path("market")
        _check_user_price(data, label)
        merged = _merge(merged, data, f"set in {label}")
        folder = base_dir or (Path(file).parent if file is not None else Path.cwd())
        _resolve_paths(merged, folder)
    return _validated(merged, label)


def _check_user_price(user: dict[str, Any], file: Path) -> None:
    """Refuse an unknown price model and the retired ``price.start_price_usd``."""
    price = user.get("price")
    if isinstance(price, dict) and price.get("model", "gbm") not in {"gbm", "bootstrap", "deck"}:
        raise InputError(
            file, "price.model", f"{price.get('model')!r} is not a price model",
            "use gbm, bootstrap or deck",
        )  # fmt: skip
    if isinstance(price, dict) and "start_price_usd" in price:
        raise InputError(
            file,
            "price.start_price_usd",
            "is no longer read: the start date's price is part of the market's state on that day",
            f"write as_of: {{btc_price_usd: {price['start_price_usd']}}} instead",
        )


def _validated(data: dict[str, Any], file: Path) -> MarketConfig:
    """Validate the merged mapping and read its price CSV and snapshot."""
    try:
        config = MarketConfig.model_validate(data)
    except ValidationError as exc:
        error = from_validation_error(exc, file, MarketConfig)
        raise InputError(error.file, _clean_field(error.field), error.problem, error.fix) from exc
    config._file = str(file)
    price_cfg = config.price
    if isinstance(price_cfg, BootstrapPrice | DeckPrice):
        _check_named_file(price_cfg.csv, file, "price.csv", "CSV")
        price_cfg.series()
    override = config.network.snapshot
    if override is not None and override.file is not None:
        _check_named_file(override.file, file, "network.snapshot.file", "YAML")
    try:
        config.snapshot()
    except InputError as exc:
        if exc.file != str(file):
            raise
        field = "network.snapshot" + (f".{exc.field}" if exc.field else "")
        raise InputError(file, field, exc.problem, exc.fix) from exc
    return config
