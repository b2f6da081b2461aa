"""The days an industry's results are read at (days from the start date)."""

from __future__ import annotations

#: Availability and stage checkpoints: 3, 6 and 12 months.
CHECKPOINT_DAYS = {"3m": 90, "6m": 181, "12m": 364}
#: The headline columns of the terminal summary and the report: day 0 and the checkpoints.
HEADLINE_DAYS = (("day 0", 0), *((f"{name[:-1]} m", day) for name, day in CHECKPOINT_DAYS.items()))
