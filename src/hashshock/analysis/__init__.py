"""Analysis of engine output: percentile bands, stage dates, first part to break."""

from hashshock.analysis.stages import first_decline_day, first_to_break, stage_summary
from hashshock.analysis.summary import bands, median_band, median_bands
from hashshock.stage_rules import DECLINE_THRESHOLD, MIN_SHARE_FOR_DAYS

__all__ = [
    "DECLINE_THRESHOLD",
    "MIN_SHARE_FOR_DAYS",
    "bands",
    "first_decline_day",
    "first_to_break",
    "median_band",
    "median_bands",
    "stage_summary",
]
