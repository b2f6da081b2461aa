"""Synthetic failure logs from known Weibull rates (test data and the bundled examples).

:func:`simulate_log` draws, for every machine and part type with n slots, the failures
of the non-homogeneous Poisson process with cumulative intensity n·(a/η)^k,
η = 365·m₁^(−1/k) (docs/model.md "Failures"; k and m₁ from ``failure_prior``), over the
machine's observation window [a₀, a_end) in days of age. Given their number
N ~ Poisson(n·(H(a_end) − H(a₀))), the failures' cumulative intensities are uniform on
[n·H(a₀), n·H(a_end)] (time-change theorem), so a failure's age is
a = η·(u/n)^(1/k) with u drawn uniformly there. Each failure is logged on the day it
falls in. Failures before a₀ are not logged: that is left truncation.

``examples/*/repairs.csv`` were written with it (docs/calibration.md gives the calls).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from hashshock.fit.dates import as_date
from hashshock.fit.logs import LOG_MAIN
from hashshock.inputs.catalog import (
    PART_TYPES,
    Catalog,
    FailurePrior,
    PartType,
    bundled_catalog,
    failure_prior,
)
from hashshock.inputs.errors import InputError, check_path_like, check_whole
from hashshock.inputs.files import read_yaml_mapping


@dataclass(frozen=True)
class Cohort:
    """``count`` machines of one model (catalogue slug) installed on one day.

    Machine ids are ``<prefix>-<number>``.
    """

    model: str
    count: int
    install_date: date
    prefix: str


def fleet_cohorts(path: str | Path, share: float = 1.0) -> list[Cohort]:
    """The ``cohorts:`` of a fleet YAML (a path, str or ``Path``), keeping ``share`` of each
    cohort (at least one).

    Prefixes are ``<site>-<cohort number>``. Other parts of the fleet file are ignored.
    """
    path = check_path_like(path, "path", "give the fleet file's path")
    if isinstance(share, bool) or not (isinstance(share, int | float) and 0 < share <= 1):
        raise InputError(None, "share", f"{share!r} is not a share of each cohort",
                         "give more than 0 and at most 1 (1: every machine)")  # fmt: skip
    data = read_yaml_mapping(path)
    out: list[Cohort] = []
    for i, c in enumerate(data.get("cohorts") or [], start=1):
        try:
            install = c["install_date"]
            day = install if isinstance(install, date) else date.fromisoformat(str(install))
            count = max(1, round(int(c["count"]) * share))
            out.append(Cohort(str(c["model"]), count, day, f"{c.get('site', 'site')}-{i}"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                path, f"cohorts[{i - 1}]", f"cannot read ({exc})",
                "give model, count and install_date (YYYY-MM-DD)",
            ) from exc  # fmt: skip
    return out


def simulate_log(
    cohorts: Sequence[Cohort],
    *,
    observed_until: date | str,
    seed: int,
    priors: Sequence[FailurePrior] = (),
    observed_from: date | str | None = None,
    retire_per_year: float = 0.0,
    catalog: Catalog | None = None,
) -> str:
    """A failure log (CSV text, the format ``hashshock fit`` reads) drawn from known rates.

    * ``priors``: failure rates used before the bundled ones (``failure_prior`` order:
      model slug, then family, then ``*``).
    * ``observed_until``: last day of the log. ``observed_from``: first day failures were
      recorded (machines installed earlier are left-truncated); ``None`` = install.
    * ``retire_per_year``: machines leave the log at this rate (per machine-year,
      exponential), ending their observation early (right censoring).

    Same arguments, same text. Every row carries ``install_date`` and
    ``observed_until`` (and ``observed_from`` when given); a machine without failures
    has one row with ``part`` and ``failure_date`` empty.
    """
    # dates as date or YYYY-MM-DD text, as fit_failure_rates takes them (text raised a
    # TypeError deep inside), and the rest checked before drawing
    until = as_date(observed_until, "observed_until")
    if until is None:
        raise InputError(None, "observed_until", "None is not a date",
                         "give the log's last day, a datetime.date or YYYY-MM-DD text")  # fmt: skip
    observed_until, observed_from = until, as_date(observed_from, "observed_from")
    check_whole(seed, "seed", 0, 2**63 - 1)
    if isinstance(retire_per_year, bool) or not (
        isinstance(retire_per_year, int | float) and 0 <= retire_per_year <= 10
    ):
        raise InputError(None, "retire_per_year", f"{retire_per_year!r} is not a rate",
                         "give machines leaving per machine-year, 0 to 10")  # fmt: skip
    catalog = catalog or bundled_catalog()
    rng = np.random.default_rng(seed)
    table = tuple(priors) or None
    columns = [*LOG_MAIN, "observed_until"] + (["observed_from"] if observed_from else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for cohort in cohorts:
        model = catalog.get(cohort.model)
        start = max(cohort.install_date, observed_from or cohort.install_date)
        if start > observed_until:
            continue
        start_age = (start - cohort.install_date).days
        ends = np.full(cohort.count, (observed_until - cohort.install_date).days + 1)
        if retire_per_year > 0:
            stay = np.floor(rng.exponential(365.0 / retire_per_year, cohort.count)).astype(int)
            ends = np.minimum(ends, start_age + stay + 1)
        failures: list[list[tuple[int, PartType]]] = [[] for _ in range(cohort.count)]
        for part in PART_TYPES:
            n = model.parts_per_machine(part)
            if n == 0:
                continue
            prior = failure_prior(part, model, table)
            k, m1 = prior.weibull_shape, prior.first_year_failures_per_part
            eta = 365.0 * m1 ** (-1.0 / k)
            lo = n * (start_age / eta) ** k
            hi = n * (ends / eta) ** k
            counts = rng.poisson(hi - lo)
            for j in np.flatnonzero(counts):
                u = rng.uniform(lo, hi[j], counts[j])
                ages = np.floor(eta * (u / n) ** (1.0 / k))
                days = np.clip(ages, start_age, ends[j] - 1).astype(int)  # rounding guard
                failures[j].extend((int(d), part) for d in days)
        width = len(str(cohort.count))
        for i in range(cohort.count):
            until = cohort.install_date + timedelta(days=int(ends[i]) - 1)
            head = [f"{cohort.prefix}-{i + 1:0{width}d}", cohort.model]
            tail = [until.isoformat()] + ([start.isoformat()] if observed_from else [])
            install = cohort.install_date.isoformat()
            if not failures[i]:
                writer.writerow([*head, "", install, "", *tail])
            for day, failed_part in sorted(
                failures[i], key=lambda f: (f[0], PART_TYPES.index(f[1]))
            ):
                failed = cohort.install_date + timedelta(days=day)
                writer.writerow([*head, failed_part, install, failed.isoformat(), *tail])
    return buffer.getvalue()
