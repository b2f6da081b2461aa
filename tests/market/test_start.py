"""The market on the start date is known: the same on every path, from the user's values
or the snapshot carried to it, with a warning when that snapshot is stale."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from tests.market.conftest import MarketFactory

from hashshock.inputs.errors import InputError
from hashshock.market import difficulty_hashrate_ths, load_market, simulate_market
from hashshock.market.snapshot import bundled_snapshot
from hashshock.market.start import FRESH_DAYS, market_start

SNAP = bundled_snapshot().date
LATE = SNAP + dt.timedelta(days=337)


@pytest.mark.parametrize(
    "start", [SNAP, SNAP + dt.timedelta(days=3), LATE, SNAP - dt.timedelta(days=30)]
)
def test_day_zero_is_the_same_on_every_path(start: dt.date) -> None:
    paths = simulate_market(load_market(None), start, 60, paths=300, seed=7)
    for series in (
        paths.btc_price_usd, paths.difficulty, paths.hashprice_usd_per_ph_day,
        paths.network_hashrate_ths, paths.used_price_usd_per_th["under19"],
    ):  # fmt: skip
        day0 = series[:, 0]
        assert np.percentile(day0, 5) == np.percentile(day0, 95)
        assert np.ptp(series[:, -1]) > 0 or series is paths.difficulty
    assert paths.btc_price_usd[0, 0] == pytest.approx(paths.start.btc_price_usd)


def test_carrying_a_snapshot_is_simulating_it_without_randomness(market: MarketFactory) -> None:
    """The carried state on day d is what a σ = 0 run from the snapshot date reaches on day
    d (same network rule, same chain), so both agree on every later day."""
    calm = market(price={"volatility_per_year": 0.0, "drift_per_year": 0.1})
    age = 200
    whole = simulate_market(calm, SNAP, age + 40, paths=2, seed=0)
    later = simulate_market(calm, SNAP + dt.timedelta(days=age), 40, paths=2, seed=0)
    for name in ("btc_price_usd", "difficulty", "network_hashrate_ths", "hashprice_usd_per_ph_day"):
        np.testing.assert_allclose(
            getattr(later, name), getattr(whole, name)[:, age:], rtol=1e-9, err_msg=name
        )


def test_a_stale_snapshot_warns_with_its_age_and_the_fix() -> None:
    start = market_start(load_market(None), LATE)
    assert start.snapshot_age_days == 337
    assert start.warning is not None
    assert "337 days" in start.warning and str(SNAP) in start.warning
    assert "hashshock data update" in start.warning and "--btc-price" in start.warning
    assert "BTC price, difficulty and network hashrate" in start.warning
    fresh = market_start(load_market(None), SNAP + dt.timedelta(days=FRESH_DAYS))
    assert fresh.warning is None


def test_given_values_replace_the_snapshot_and_silence_the_warning() -> None:
    config = load_market(None).with_as_of("test", btc_price_usd=95_000.0, difficulty=1.6e14)
    start = market_start(config, LATE)
    assert start.warning is None
    assert start.btc_price_usd == 95_000.0 and start.difficulty == 1.6e14
    assert start.network_hashrate_ths == pytest.approx(float(difficulty_hashrate_ths(1.6e14)))
    assert start.origins["btc_price_usd"] == "given (test)"
    assert start.origins["network_hashrate_ehs"] == "implied by the difficulty"
    paths = simulate_market(config, LATE, 10, paths=50, seed=1)
    assert np.all(paths.btc_price_usd[:, 0] == 95_000.0)
    # only a price given: the warning names the rest
    partial = market_start(load_market(None).with_as_of(btc_price_usd=95_000.0), LATE)
    assert partial.warning and "difficulty and network hashrate carried" in partial.warning
    assert "BTC price" not in partial.warning


@pytest.mark.parametrize(("price", "said"), [(1.0, True), (6_000.0, True), (10_000_000.0, True),
                                             (9_500.0, False), (95_000.0, False),
                                             (900_000.0, False)])  # fmt: skip
def test_a_day_0_hashprice_far_outside_history_is_said(price: float, said: bool) -> None:
    """A BTC price of $1 or $10 M (another currency, a slip of the thousands) is said:
    the day-0 hashprice is over ten times outside the range since 2021 ($28–$412.57:
    Q1 2026's low, 2021's high). A 90 % crash from $95k ($9,500) is a stress, not a slip:
    no note."""
    from hashshock.market.start import PLAUSIBLE_HASHPRICE_USD_PER_PH_DAY as BAND

    config = load_market(None).with_as_of("test", btc_price_usd=price, difficulty=1.5e14)
    start = market_start(config, LATE)
    notes = [n for n in start.notes if "more than ten times outside the range" in n]
    assert bool(notes) == said, (start.smoothed_hashprice_usd_per_ph_day, notes)
    assert said == (not BAND[0] <= start.smoothed_hashprice_usd_per_ph_day <= BAND[1])
    # the note names what was given, and where: the values it rests on
    assert all(n.endswith("the BTC price (test; in USD?), the difficulty (test)") for n in notes)


@pytest.mark.parametrize(("difficulty", "said"), [(1.44e12, True), (1.44e13, True),
                                                  (1.2e14, False), (2.5e14, False),
                                                  (1.44e16, True)])  # fmt: skip
def test_a_network_given_far_from_the_carried_one_is_said(difficulty: float, said: bool) -> None:
    """A difficulty 100× too low (1.44 T typed for 144 T) gave a day-0 hashprice of $3,825
    — inside the band the hashprice note allows — and a run whose revenue was 94× too
    high, with nothing said; a network within four times the carried one is not noted."""
    config = load_market(None).with_as_of("--difficulty", difficulty=difficulty)
    start = market_start(config, LATE)
    notes = [n for n in start.notes if "check its units" in n]
    assert bool(notes) == said, notes
    assert all("the network given" in n and "snapshot carries to the start" in n for n in notes)


def test_a_far_hashprice_from_an_industrys_rest_of_world_names_it() -> None:
    """An industry's day-0 network is its rest of the world plus its operators: a tiny
    rest_of_world gave a hashprice of $7,807 while the note blamed the BTC price and the
    difficulty, which nobody had given."""
    config = load_market(None).with_as_of("rest_of_world.hashrate_ehs",
                                          network_hashrate_ehs=5.05)  # fmt: skip
    (note,) = [n for n in market_start(config, LATE).notes if "ten times outside" in n]
    assert note.endswith("check what was given: the network hashrate "
                         "(rest_of_world.hashrate_ehs)")  # fmt: skip


def test_hashrate_alone_implies_the_difficulty_and_a_mismatch_is_refused() -> None:
    start = market_start(load_market(None).with_as_of(network_hashrate_ehs=1000.0), LATE)
    assert float(difficulty_hashrate_ths(start.difficulty)) == pytest.approx(1e9)
    clash = load_market(None).with_as_of(network_hashrate_ehs=100.0, difficulty=1.5e14)
    with pytest.raises(InputError, match=r"network_hashrate_ehs.*implies"):
        market_start(clash, LATE)


def test_block_height_places_the_retarget_window() -> None:
    carried = int(market_start(load_market(None), LATE).block_height)
    height = carried - carried % 2016 + 1000  # 1,001 blocks into a window
    start = market_start(load_market(None).with_as_of(block_height=height), LATE)
    assert start.epoch_blocks == 1001
    rate = 144 * start.network_hashrate_ths / float(difficulty_hashrate_ths(start.difficulty))
    assert start.epoch_days == pytest.approx(1001 / rate)


def test_as_of_in_a_market_yaml(market: MarketFactory) -> None:
    config = market(as_of={"btc_price_usd": 60_000, "fee_share": 0.02})
    start = market_start(config, LATE)
    assert start.btc_price_usd == 60_000 and start.fee_share == 0.02
    # the command line's values go over the file's
    both = config.with_as_of("command line", btc_price_usd=70_000.0)
    assert market_start(both, LATE).btc_price_usd == 70_000
    assert market_start(both, LATE).fee_share == 0.02


def test_the_old_start_price_field_is_refused_with_the_fix(market: MarketFactory) -> None:
    with pytest.raises(InputError, match=r"price.start_price_usd.*as_of: \{btc_price_usd: 70000"):
        market(price={"start_price_usd": 70000})


def test_a_deck_gives_its_own_start_price(tmp_path: object, market: MarketFactory) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "deck.csv").write_text(
        f"date,price_usd\n{SNAP},80000\n{LATE},120000\n", encoding="utf-8"
    )
    config = market(price={"model": "deck", "csv": "deck.csv"})
    start = market_start(config, LATE)
    assert start.btc_price_usd == 120_000 and start.origins["btc_price_usd"] == "the price deck"
    assert start.warning is not None and "BTC price" not in start.warning


def test_carried_hashprice_follows_the_network_rule() -> None:
    """Price flat, network growing at its rule: the carried hashprice falls roughly as the
    network grows (difficulty tracks it through retargets)."""
    start = market_start(load_market(None), LATE)
    snap = bundled_snapshot()
    growth = start.network_hashrate_ths / snap.network_hashrate_ths
    assert 1.0 < growth < 1.39 ** (337 / 365) + 0.01
    ratio = start.hashprice_usd_per_ph_day / snap.hashprice_usd_per_ph_day
    assert ratio == pytest.approx(snap.difficulty / start.difficulty, rel=1e-9)
    assert math.isclose(start.btc_price_usd, snap.btc_price_usd)


def test_a_start_price_against_the_deck_is_refused_and_an_old_deck_said(
    tmp_path: object, market: MarketFactory
) -> None:
    """A BTC price given for the start date that is not the deck's there would make the
    path jump on day 1 (and fire margin calls with it): refused; within 1 %, taken. A deck
    that ends before the start date is held flat, which is said."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "deck.csv").write_text(
        f"date,price_usd\n{LATE},80000\n{LATE + dt.timedelta(days=365)},40000\n",
        encoding="utf-8",
    )
    deck = market(price={"model": "deck", "csv": "deck.csv"})
    with pytest.raises(InputError, match=r"\$100,000 on .* disagrees with the price deck's"):
        market_start(deck.with_as_of("command line", btc_price_usd=100_000.0), LATE)
    assert market_start(deck.with_as_of("command line", btc_price_usd=80_400.0), LATE)
    (folder / "old.csv").write_text("date,price_usd\n2020-01-01,8000\n2020-06-01,9000\n",
                                    encoding="utf-8")  # fmt: skip
    old = market_start(market(price={"model": "deck", "csv": "old.csv"}), LATE)
    assert any("ends on 2020-06-01, before the start date" in note for note in old.notes)


def test_a_history_with_the_start_date_gives_the_start_price(
    tmp_path: object, market: MarketFactory
) -> None:
    """A bootstrap history that has a row for the start date starts there (it started at
    the snapshot's price carried, 3.8 times the user's own); a price given goes over it."""
    from pathlib import Path

    days = [LATE - dt.timedelta(days=k) for k in range(40, -1, -1)]
    rows = "".join(f"{d},{20_000 + 100 * k}\n" for k, d in enumerate(days))
    (Path(str(tmp_path)) / "h.csv").write_text("date,price_usd\n" + rows, encoding="utf-8")
    config = market(price={"model": "bootstrap", "csv": "h.csv"})
    start = market_start(config, LATE)
    assert start.btc_price_usd == 24_000 and "price history" in start.origins["btc_price_usd"]
    paths = simulate_market(config, LATE, 5, paths=4, seed=1)
    assert (paths.btc_price_usd[:, 0] == 24_000).all()
    given = market_start(config.with_as_of("command line", btc_price_usd=30_000.0), LATE)
    assert given.btc_price_usd == 30_000


def test_a_height_years_away_is_refused_and_a_network_off_its_difficulty_said() -> None:
    """A block height far from the carried one is a typo (5,000,000 took the subsidy to
    nothing, 800,000 doubled it): refused. A hashrate 1.75× what the difficulty implies is
    accepted (within 2×) but said: blocks run fast until the retarget."""
    bundled = load_market(None)
    for height in (5_000_000, 800_000):
        with pytest.raises(InputError, match="blocks from the"):
            market_start(bundled.with_as_of(block_height=height), LATE)
    off = market_start(bundled.with_as_of(difficulty=1.6e14, network_hashrate_ehs=2000.0), LATE)
    assert any("blocks come faster" in note for note in off.notes)
    near = bundled.with_as_of(difficulty=1.6e14)
    assert not market_start(near, LATE).notes


def test_each_value_says_where_it_came_from(market: MarketFactory) -> None:
    """A market file's as_of and the command line's options merged: each value is
    credited to its own source (all were "command line")."""
    config = market(as_of={"difficulty": 1.6e14, "fee_share": 0.01})
    both = config.with_as_of("command line", btc_price_usd=70_000.0)
    origins = market_start(both, LATE).origins
    assert origins["btc_price_usd"] == "given (command line)"
    # the file's as_of block, named with its file (an error about it names the file too)
    assert origins["difficulty"] == origins["fee_share"]
    said = origins["difficulty"]
    assert said.startswith("given (") and said.endswith("market.yaml, as_of)")


def test_a_copy_of_a_market_keeps_its_own_day_0() -> None:
    """``model_copy`` with another network must not read the original's cached day 0."""
    bundled = load_market(None)
    first = market_start(bundled, LATE)
    as_of = bundled.as_of.model_copy(update={"network_hashrate_ehs": 500.0})
    other = market_start(bundled.model_copy(update={"as_of": as_of}), LATE)
    assert other.network_hashrate_ths == pytest.approx(500e6)
    assert first.network_hashrate_ths != other.network_hashrate_ths


def test_a_snapshot_whose_hashrate_is_off_its_difficulty_is_said(market: MarketFactory) -> None:
    """A snapshot's hashrate 8× what its difficulty implies (two days' values mixed, a
    slip of units under the 10× refusal) is said, as a start date's given pair is."""
    day = dt.date(2026, 11, 30)
    off = market(network={"snapshot": {"date": day.isoformat(), "difficulty": 1.5e14,
                                       "network_hashrate_ehs": 9000}})  # fmt: skip
    notes = market_start(off, day).notes
    assert any("9,000 EH/s is 8.38× what its difficulty 1.5e+14 implies" in n for n in notes)
    fine = market(network={"snapshot": {"date": day.isoformat(), "difficulty": 1.5e14,
                                        "network_hashrate_ehs": 1100}})  # fmt: skip
    assert not [n for n in market_start(fine, day).notes if "what its difficulty" in n]


def test_a_snapshot_override_dated_after_today_is_refused(tmp_path: Path) -> None:
    """A market file's snapshot dated next year started runs from a market not yet seen
    ("-176 days old today"), as a user snapshot file of that date does not."""
    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    file = tmp_path / "market.yaml"
    file.write_text(f"network:\n  snapshot: {{date: {later.isoformat()}}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"network\.snapshot\.date: .* is after today"):
        market_start(load_market(file), LATE)


def test_a_snapshot_after_the_start_date_is_said() -> None:
    """A snapshot fetched six days after a fleet's start date was taken as its day-0
    market with no word (`carried_days: 0`, no warning), moving the industry's every
    headline: the start's note says whose state it is, unless the start's own BTC price,
    difficulty and hashrate are given."""
    snapshot = bundled_snapshot().date
    early = snapshot - dt.timedelta(days=6)
    said = [n for n in market_start(load_market(None), early).notes if "after the start" in n]
    assert len(said) == 1 and f"snapshot of {snapshot}, 6 days after the start date" in said[0]
    assert not any("after the start" in n
                   for n in market_start(load_market(None), snapshot).notes)  # fmt: skip
    given = load_market(None).with_as_of("test", btc_price_usd=90_000.0, difficulty=1.5e14)
    assert not any("after the start" in n for n in market_start(given, early).notes)
