"""The tariff table's indexed look-up gives the rates of its rows' definition: an origin's
latest row starting on or before the day, else the latest ``*`` row, else 0."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from hashshock.finance.data import TariffTable, tariff_table

START = date(2019, 5, 1)


def by_scanning(table: TariffTable, origin: str, day: date) -> float:
    """The rate on ``day`` read off the rows one by one (the definition)."""
    for rows in (
        sorted((d, r) for o, d, r in table.rows if o == origin),
        sorted((d, r) for o, d, r in table.rows if o == "*"),
    ):
        applicable = [r for d, r in rows if d <= day]
        if applicable:
            return applicable[-1] or 0.0
    return 0.0


def assert_rates_as_scanned(table: TariffTable, origins: list[str], days: int) -> None:
    dates = [START + timedelta(days=d) for d in range(days)]
    for origin in origins:
        expected = np.array([by_scanning(table, origin, day) for day in dates])
        daily = table.daily_rate_pct(origin, START, days)
        assert daily.tobytes() == expected.tobytes(), origin  # bit for bit, -0.0 included
        assert table.rate_pct(origin, dates).tobytes() == expected.tobytes(), origin


def test_the_bundled_table_gives_every_origin_its_rows_rates() -> None:
    table = tariff_table()
    origins = [*sorted({o for o, _, _ in table.rows}), "XX"]  # XX: no rows of its own
    assert_rates_as_scanned(table, origins, 8 * 365)


def test_same_day_rows_a_negative_zero_and_days_before_any_row() -> None:
    table = TariffTable(
        (
            ("*", date(2020, 1, 1), 2.5),
            ("CN", date(2019, 6, 1), 30.0),
            ("CN", date(2019, 6, 1), 25.0),  # same start: the higher rate is the latest
            ("CN", date(2021, 1, 1), 0.0),  # zero: not the generic rate
            ("MY", date(2019, 9, 1), -0.0),
        )
    )
    assert_rates_as_scanned(table, ["CN", "MY", "XX", "*"], 3 * 365)
    assert table.daily_rate_pct("XX", START, 10).tolist() == [0.0] * 10  # before any row


def test_a_table_of_no_rows_charges_nothing() -> None:
    assert TariffTable(()).daily_rate_pct("CN", START, 5).tolist() == [0.0] * 5
