"""The optimiser's default target: light, for the command line's option reads it."""

#: Parts availability the optimiser holds when none is asked (ASSUMPTION [E]: the top of
#: the bundled examples' calibration range, 92–97 % of nameplate delivered over a year
#: (docs/calibration.md; operators report 86.7–99.8 %, median 91 %) — the question is
#: whether a fleet can keep its normal level through a shock).
DEFAULT_AVAILABILITY = 0.97
