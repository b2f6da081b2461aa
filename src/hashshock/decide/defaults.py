"""The optimiser's default target: light, for the command line's option reads it."""

#: Parts availability the optimiser holds when none is asked (ASSUMPTION [E]: the top of
#: the 92–97 % fleet uptime operators report, docs/calibration.md — the question is
#: whether a fleet can keep its normal level through a shock).
DEFAULT_AVAILABILITY = 0.97
