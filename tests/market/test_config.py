"""The market YAML and the snapshot: defaults with sources, overrides, errors, user snapshot."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from tests.market.conftest import MarketFactory

from hashshock.inputs.errors import InputError
from hashshock.market import (
    GbmPrice,
    bundled_snapshot,
    load_market,
    load_snapshot,
    simulate_market,
    user_snapshot_path,
)
from hashshock.market.config import DeckPrice, defaults_path
from hashshock.market.snapshot import bundled_snapshot_path, write_snapshot
from hashshock.market.start import market_start


def test_every_default_value_has_a_source() -> None:
    raw = yaml.safe_load(defaults_path().read_text(encoding="utf-8"))
    blocks = [
        raw["price"],
        raw["network"],
        raw["used_prices"],
        *raw["used_prices"]["tiers"].values(),
    ]
    for block in blocks:
        fields = {k for k in block if k not in {"source", "tiers"}}
        assert fields <= set(block["source"]), fields - set(block["source"])
        for text in block["source"].values():
            assert text.strip()
    snap = yaml.safe_load(bundled_snapshot_path().read_text(encoding="utf-8"))
    values = {k for k in snap if k not in {"source", "sources", "date"}}
    assert values <= set(snap["sources"])


def test_defaults_load() -> None:
    """The market read with no file is data/market/defaults.yaml's (read here as YAML)."""
    from hashshock.market.config import defaults_path

    data = yaml.safe_load(defaults_path().read_text(encoding="utf-8"))
    config = load_market(None)
    assert isinstance(config.price, GbmPrice)
    assert config.price.drift_per_year == data["price"]["drift_per_year"]
    assert config.price.volatility_per_year == data["price"]["volatility_per_year"]
    assert config.network.us_share == data["network"]["us_share"]
    assert config.network.vendor_share == data["network"]["vendor_share"]
    assert config.fee_share == bundled_snapshot().fee_share
    ref = config.used_prices.reference_hashprice_usd_per_ph_day
    assert ref == pytest.approx(bundled_snapshot().hashprice_usd_per_ph_day, abs=0.01)
    assert config.snapshot().origin == "bundled"


def test_overrides_keep_the_rest_and_mark_their_source(market: MarketFactory) -> None:
    config = market(
        price={"volatility_per_year": 0.6},
        network={"fee_share": 0.02},
        used_prices={"tiers": {"under19": {"usd_per_th": 16.0}}},
    )
    assert isinstance(config.price, GbmPrice)
    assert config.price.volatility_per_year == 0.6 and config.price.drift_per_year == 0.0
    assert config.price.source["volatility_per_year"].startswith("set in ")
    assert config.price.source["drift_per_year"].startswith("[E]")
    assert config.fee_share == 0.02
    tiers = config.used_prices.tiers
    assert tiers["under19"].usd_per_th == 16.0 and tiers["under19"].elasticity == 1.0
    assert tiers["19to25"].usd_per_th == 7.0


def test_snapshot_override_file_and_values(tmp_path: Path, market: MarketFactory) -> None:
    other = bundled_snapshot().model_copy(
        update={"date": dt.date(2026, 2, 1), "btc_price_usd": 70_000.0}
    )
    write_snapshot(other, tmp_path / "snap.yaml")
    config = market(network={"snapshot": {"file": "snap.yaml", "fee_share": 0.01}})
    snap = config.snapshot()
    assert snap.date == dt.date(2026, 2, 1) and snap.btc_price_usd == 70_000.0
    assert snap.fee_share == 0.01 and snap.sources["fee_share"].startswith("override in")
    paths = simulate_market(config, dt.date(2026, 2, 1), 2, paths=1, seed=0)
    assert paths.btc_price_usd[0, 0] == pytest.approx(70_000.0)
    assert paths.fees_share[0, 0] == 0.01
    # a snapshot file's values are held to the caps as_of's are: a $1e12 BTC ran a farm's
    # revenue to $1,120 B with a warning, a difficulty of 1.5e34 to a hashprice of $0.00
    for field, value in (("btc_price_usd", 1e12), ("difficulty", 1.5e34)):
        big = bundled_snapshot().model_dump(mode="json", exclude={"origin"})
        big[field] = value
        if field == "difficulty":
            big["network_hashrate_ehs"] = big["network_hashrate_ehs"] * 1.5e34 / 1.48e14
        (tmp_path / "big.yaml").write_text(yaml.safe_dump(big), encoding="utf-8")
        with pytest.raises(InputError, match=f"{field}: .*less than or equal to"):
            market(network={"snapshot": {"file": "big.yaml"}}).snapshot()


@pytest.mark.parametrize(
    "sections, field, words",
    [
        ({"price": {"volatility_per_year": -1}}, "price.volatility_per_year", "greater than"),
        ({"price": {"volatility": 1}}, "price.volatility", "unknown field"),
        ({"price": {"model": "garch"}}, "price.model", "gbm, bootstrap or deck"),
        ({"price": {"model": "bootstrap"}}, "price.csv", "add this field"),
        ({"price": {"model": "deck", "csv": "missing.csv"}}, "price.csv", "not found"),
        ({"network": {"growth_per_year": "fast"}}, "network.growth_per_year", "number"),
        ({"network": {"us_share": 1.5}}, "network.us_share", "less than"),
        ({"network": {"snapshot": {"difficulty": 5}}}, "network.snapshot", "units"),
        ({"network": {"snapshot": {"file": "nope.yaml"}}}, "network.snapshot.file", "not found"),
        (
            {"network": {"snapshot": {"block_height": 300_000_000}}},
            "network.snapshot.block_height",
            "less than or equal to 6929999",
        ),
        ({"as_of": {"block_height": 7_000_000}}, "as_of.block_height", "less than or equal"),
        ({"as_of": {"block_height": 1e30}}, "as_of.block_height", "far too large"),
        (
            {"used_prices": {"tiers": {"under20": {"usd_per_th": 3}}}},
            "used_prices.tiers.under20",
            "under19",
        ),
        (
            {"used_prices": {"tiers": {"under19": {"jump_on_supply_cut": -2}}}},
            "jump_on_supply_cut",
            "greater",
        ),
        (
            {"used_prices": {"tiers": {"under19": {"usd_per_th": 1e300}}}},
            "used_prices.tiers.under19.usd_per_th",
            "at most 1000000000000",
        ),
        (
            {"used_prices": {"reference_hashprice_usd_per_ph_day": 1e300}},
            "used_prices.reference_hashprice_usd_per_ph_day",
            "at most 1000000000000",
        ),
        (
            {"network": {"growth_reference_hashprice_usd_per_ph_day": 1e300}},
            "network.growth_reference_hashprice_usd_per_ph_day",
            "at most 1000000000000",
        ),
        ({"colour": "blue"}, "colour", "unknown field"),
    ],
)
def test_bad_market_files_name_file_field_and_fix(
    tmp_path: Path, sections: dict[str, object], field: str, words: str
) -> None:
    path = tmp_path / "market.yaml"
    path.write_text(yaml.safe_dump(sections), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_market(path)
    error = info.value
    assert error.file == str(path)
    assert error.field is not None and field in error.field
    assert words in error.message and error.fix
    assert "\n" not in error.message


@pytest.mark.parametrize(
    "text, field, words",
    [
        ("date,price_usd\n2026-01-01,abc\n", "line 2 price_usd", "not a number"),
        ("date,price_usd\n01/02/2026,100\n", "line 2 date", "YYYY-MM-DD"),
        ("date,price_usd\n2026-01-02,100\n2026-01-01,101\n", "line 3 date", "sort"),
        ("date,price_usd\n2026-01-02,-100\n", "line 2 price_usd", "not positive"),
        ("day,usd\n2026-01-02,100\n", "header", "date and price_usd"),
        ("date,price_usd\n2026-01-02,8e9\n", "line 2 price_usd", "not a BTC price"),
        ("date,price_usd,price_usd\n2026-01-02,100,200\n", "header", "appears 2 times"),
    ],
)
def test_bad_price_csv(
    tmp_path: Path, market: MarketFactory, text: str, field: str, words: str
) -> None:
    csv = tmp_path / "deck.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        market(price={"model": "deck", "csv": "deck.csv"})
    assert info.value.file == str(csv) and info.value.field == field
    assert words in info.value.message


def test_bootstrap_needs_more_history_than_a_block(tmp_path: Path, market: MarketFactory) -> None:
    csv = tmp_path / "short.csv"
    csv.write_text("date,price_usd\n2026-01-01,1\n2026-01-02,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="block_days"):
        market(price={"model": "bootstrap", "csv": "short.csv", "block_days": 5})
    ok = market(price={"model": "bootstrap", "csv": "short.csv", "block_days": 1})
    assert not isinstance(ok.price, DeckPrice)


@pytest.mark.parametrize(("days", "demean", "said"), [(10, False, True), (10, True, False),
                                                     (400, False, False)])  # fmt: skip
def test_a_short_bootstrap_history_s_drift_is_said(
    tmp_path: Path, market: MarketFactory, days: int, demean: bool, said: bool
) -> None:
    """Ten days of a 0.43 %-a-day fall, block 5, drift kept: every path repeats that fall
    (the median cash ended at −$3.6 M), and nothing was said. Said with its size, unless
    the history is a year or more or its drift is removed."""
    import math

    from hashshock.market.start import market_start

    first = dt.date(2025, 1, 1)
    rows = [f"{first + dt.timedelta(days=d)},{90_000 * math.exp(-0.0043 * d):.2f}"
            for d in range(days)]  # fmt: skip
    (tmp_path / "history.csv").write_text("date,price_usd\n" + "\n".join(rows) + "\n")
    config = market(price={"model": "bootstrap", "csv": "history.csv", "block_days": 5,
                           "demean": demean})  # fmt: skip
    notes = [n for n in market_start(config, first).notes if "bootstrap history" in n]
    assert bool(notes) == said, notes
    assert all(f"holds {days - 1} days of returns, whose average, -79% a year" in n
               for n in notes)  # fmt: skip


def test_user_snapshot_is_preferred_and_a_broken_one_ignored(user_data_dir: Path) -> None:
    assert load_snapshot().origin == "bundled"
    newer = bundled_snapshot().model_copy(
        update={"date": dt.date(2026, 5, 1), "btc_price_usd": 99_000.0, "block_height": 947_800}
    )
    user_data_dir.mkdir()
    write_snapshot(newer, user_snapshot_path())
    loaded = load_snapshot()
    assert loaded.date == dt.date(2026, 5, 1) and loaded.origin == str(user_snapshot_path())
    assert load_market(None).snapshot().btc_price_usd == 99_000.0
    user_snapshot_path().write_text("date: 2026-05-01\nbtc_price_usd: -3\n", encoding="utf-8")
    fallback = load_snapshot()  # no Python warning: one clean line in runs instead
    assert fallback.origin == "bundled" and "your snapshot was ignored" in fallback.ignored
    assert "ignored" not in fallback.to_yaml()
    start = market_start(load_market(None), dt.date(2026, 1, 1))
    assert any("btc_price_usd" in note for note in start.notes)


def test_a_user_snapshot_dated_after_today_is_passed_over(
    user_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot from a year not yet come (a typo's 2030) would start runs from a market
    nobody has seen, its subsidy halved: the bundled one is used, and the reason said."""
    today = dt.datetime.now(dt.UTC).date()  # as `data update` dates a snapshot
    later = today + dt.timedelta(days=1)
    future = bundled_snapshot().model_copy(update={"date": later, "block_height": 1_160_000})
    user_data_dir.mkdir()
    write_snapshot(future, user_snapshot_path())
    loaded = load_snapshot()
    assert loaded.origin == "bundled"
    assert f"date {later} is after today" in loaded.ignored
    fresh = bundled_snapshot().model_copy(update={"date": today})
    write_snapshot(fresh, user_snapshot_path())
    assert load_snapshot().origin == str(user_snapshot_path())
    # West of Greenwich in the evening the local date is still yesterday: kept all the same.
    try:
        with monkeypatch.context() as local:
            local.setenv("TZ", "Etc/GMT+12")  # UTC − 12 h
            time.tzset()
            assert load_snapshot().origin == str(user_snapshot_path())
    finally:
        time.tzset()  # the TZ restored


def test_the_bundled_snapshot_cannot_be_overwritten() -> None:
    with pytest.raises(InputError, match="bundled"):
        write_snapshot(bundled_snapshot(), bundled_snapshot_path())


def test_start_before_the_snapshot_uses_it_as_the_start_state() -> None:
    config = load_market(None)
    paths = simulate_market(config, dt.date(2025, 6, 1), 3, paths=1, seed=0)
    assert paths.start.warning and "days after the start" in paths.start.warning
    # an update would be later still: the fix is the start date's values only
    assert "data update" not in paths.start.warning and "--btc-price" in paths.start.warning
    assert paths.btc_price_usd[0, 0] == pytest.approx(bundled_snapshot().btc_price_usd)


@pytest.mark.parametrize(("day", "height"), [
    ("2017-01-01", 446_033),  # the chain's real tips, years before and after the anchor
    ("2020-05-11", 630_000),  # the 3rd halving
    ("2024-04-20", 840_000),
])  # fmt: skip
def test_a_real_tip_height_passes_the_height_check(day: str, height: int) -> None:
    """Heights the chain really had on those days are within the check's slack."""
    snapshot = bundled_snapshot().model_copy(
        update={"date": dt.date.fromisoformat(day), "block_height": height}
    )
    assert snapshot.height_note() is None


def test_a_height_years_off_is_said_with_the_subsidy_it_sets(tmp_path: Path) -> None:
    """800,000 for a 2025 snapshot (a typo): the run is warned that its subsidy is 6.25
    BTC, not 3.125, before it trusts the hashprice."""
    path = tmp_path / "market.yaml"
    path.write_text("network: {snapshot: {block_height: 800000}}\n", encoding="utf-8")
    start = market_start(load_market(path), dt.date(2026, 1, 1))
    said = [note for note in start.notes if "block_height 800,000" in note]
    assert said and "6.25 BTC" in said[0] and str(path) in said[0]
    assert not any("block_height" in note for note in
                   market_start(load_market(None), dt.date(2026, 1, 1)).notes)  # fmt: skip


def test_a_snapshot_moved_to_another_date_says_what_it_left_behind(
    market: MarketFactory,
) -> None:
    """``snapshot: {date: 2026-11-30, btc_price_usd: 95000}`` read December 2025's network
    as of November 2026 and dropped the staleness warning: a 22 % high hashprice unsaid."""
    from hashshock.market.start import market_start

    config = market(network={"snapshot": {"date": "2026-11-30", "btc_price_usd": 95_000}})
    (said,) = [n for n in market_start(config, dt.date(2026, 12, 1)).notes
               if n.startswith("network.snapshot.date")]  # fmt: skip
    assert (
        "difficulty, network hashrate, block height and fee share are still those of "
        "2025-12-29" in said
    )
    assert "BTC price" not in said  # given with the date
    given = {"date": "2026-11-30", "btc_price_usd": 95_000, "difficulty": 1.5e14,
             "network_hashrate_ehs": 1_070, "block_height": 977_300,
             "fee_share": 0.006}  # fmt: skip
    whole = market(network={"snapshot": given})
    assert not any(n.startswith("network.snapshot.date")
                   for n in market_start(whole, dt.date(2026, 12, 1)).notes)  # fmt: skip
