"""The rules that date the hashrate-decline stage and say when a stage's day is shown,
with the words every output uses for them. Light (no numpy): the terminal, the reports
and the analysis read the same constants (:mod:`hashshock.analysis.stages`).

PRODUCT.md names the stage ("many machines cannot be repaired and stop", months 6–12)
without a threshold; the figures below are ASSUMPTIONS [E]: a tenth of the hashrate is
what a miner's quarterly report calls a decline, a week smooths the daily noise of a
fleet's failures, and a month tells a decline from a passing customs hold.
"""

from __future__ import annotations

#: Hashrate decline stage: 7-day mean at or below this fraction of baseline's.
DECLINE_THRESHOLD = 0.90
#: Rolling window for the decline stage, days.
DECLINE_WINDOW_DAYS = 7
#: Days the decline must last (or to the horizon's end) to count.
DECLINE_PERSIST_DAYS = 30
#: Stage days are reported only if the stage happens on at least this share of paths.
MIN_SHARE_FOR_DAYS = 0.10

#: What a hashrate decline is, as the outputs say it.
DECLINE_DEFINITION = (
    f"the {DECLINE_WINDOW_DAYS}-day mean {1 - DECLINE_THRESHOLD:.0%} or more below "
    f"baseline on the same path for {DECLINE_PERSIST_DAYS} days (or to the horizon's end)"
)
#: The decline in a few words (tables' notes, chart titles).
DECLINE_SHORT = f"hashrate {1 - DECLINE_THRESHOLD:.0%} below baseline"
#: When a stage's day is given.
DAYS_SHOWN = f"at least {MIN_SHARE_FOR_DAYS:.0%} of paths"
