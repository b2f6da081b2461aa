"""The days results are read at (days from the start date): 3, 6 and 12 months, as
quarters of 91 days (a hashrate commitment's quarter, hashshock.finance.covenants)."""

from __future__ import annotations

from collections.abc import Iterable

#: Availability and stage checkpoints of the industry and of strategies.
CHECKPOINT_DAYS = {"3m": 91, "6m": 182, "12m": 364}
#: The headline columns of the terminal summary and the report: day 0 and the checkpoints.
HEADLINE_DAYS = (("day 0", 0), *((f"{name[:-1]} m", day) for name, day in CHECKPOINT_DAYS.items()))

#: A checkpoint this close to the last day (days) is left out: the last day's row says it
#: (a 1,098-day run showed days 1,095 and 1,097).
NEAR_LAST_DAYS = 7


def days_read(checkpoints: Iterable[int], horizon: int) -> list[int]:
    """The ``checkpoints`` (days) read in a run of ``horizon`` days — those more than
    :data:`NEAR_LAST_DAYS` before its last day — and the last day, ``horizon - 1``.

    >>> days_read((30, 91, 730, 1095), 1098), days_read((91, 182, 364), 365)
    ([30, 91, 730, 1097], [91, 182, 364])
    """
    last = max(horizon - 1, 0)
    return [d for d in checkpoints if d < last - NEAR_LAST_DAYS] + [last]
