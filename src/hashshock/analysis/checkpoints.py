"""The days results are read at (days from the start date): 3, 6 and 12 months, as
quarters of 91 days (a hashrate commitment's quarter, hashshock.finance.covenants)."""

from __future__ import annotations

#: Availability and stage checkpoints of the industry and of strategies.
CHECKPOINT_DAYS = {"3m": 91, "6m": 182, "12m": 364}
#: The headline columns of the terminal summary and the report: day 0 and the checkpoints.
HEADLINE_DAYS = (("day 0", 0), *((f"{name[:-1]} m", day) for name, day in CHECKPOINT_DAYS.items()))
