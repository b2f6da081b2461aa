"""``hashshock fit``: Weibull failure rates from an operator's own failure history.

* :mod:`~hashshock.fit.sources` tells a failure log from a scan inventory and reads
  either (:mod:`~hashshock.fit.logs`, :mod:`~hashshock.fit.scans`) into
  :class:`MachineHistory` objects;
* :mod:`~hashshock.fit.history` turns histories into machine-part exposure intervals
  (ages in days, left-truncated and right-censored);
* :mod:`~hashshock.fit.weibull` fits shape k and first-year failures per slot m₁ with
  lifelines, :mod:`~hashshock.fit.gof` checks the fit against Kaplan–Meier;
* :mod:`~hashshock.fit.rates` fits every part type and large model family and writes the
  ``failure_rates.csv`` rows (:mod:`~hashshock.fit.plausible` checks the bundled rate a
  part keeps against its data); :mod:`~hashshock.fit.report` prints and serialises them;
* :mod:`~hashshock.fit.simulate` draws synthetic logs from known rates.

Method and formats: docs/calibration.md. lifelines is imported only when fitting.
"""

from hashshock.fit.history import Exposures, MachineHistory, build_exposures
from hashshock.fit.rates import (
    DEFAULT_MIN_FAILURES,
    DEFAULT_MIN_FAMILY_FAILURES,
    FitReport,
    PartFit,
    fit_failure_rates,
    fit_loaded,
    render_rates_csv,
)
from hashshock.fit.report import print_report, report_to_dict
from hashshock.fit.simulate import Cohort, fleet_cohorts, simulate_log
from hashshock.fit.sources import LoadedHistory, detect_format, load_histories
from hashshock.fit.weibull import FitFailed, WeibullFit, fit_weibull

__all__ = [
    "DEFAULT_MIN_FAILURES",
    "DEFAULT_MIN_FAMILY_FAILURES",
    "Cohort",
    "Exposures",
    "FitFailed",
    "FitReport",
    "LoadedHistory",
    "MachineHistory",
    "PartFit",
    "WeibullFit",
    "build_exposures",
    "detect_format",
    "fit_failure_rates",
    "fit_loaded",
    "fit_weibull",
    "fleet_cohorts",
    "load_histories",
    "print_report",
    "render_rates_csv",
    "report_to_dict",
    "simulate_log",
]
