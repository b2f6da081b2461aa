"""Fit every part type (and model family with enough failures); fall back where thin.

Rows (docs/calibration.md): per part type one row over all models (``applies_to``
``*``) if it has at least ``min_failures`` failures and fits; then also one per model
family with at least ``max(min_family_failures, min_failures)`` failures when the data
hold more than one family. A part type that cannot be fitted keeps every bundled row of
that part, marked in ``source``. :func:`render_rates_csv` writes the rows with the
columns of ``data/failure_rates.csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from hashshock.fit.dates import as_date
from hashshock.fit.effect import RowEffect, row_effects
from hashshock.fit.gof import said_p
from hashshock.fit.history import Exposures, build_exposures
from hashshock.fit.plausible import (
    IMPLAUSIBLE_BELOW,
    bundled_expected_failures,
    poisson_two_sided_p,
)
from hashshock.fit.sources import LoadedHistory, load_histories
from hashshock.fit.weibull import FitFailed, WeibullFit, fit_weibull
from hashshock.inputs.catalog import (
    FAILURE_RATE_COLUMNS,
    PART_TYPES,
    Catalog,
    FailurePrior,
    PartType,
    failure_priors,
)
from hashshock.inputs.errors import InputError, check_path_like
from hashshock.words import counted

DEFAULT_MIN_FAILURES = 10
"""Fewest failures of a part type (all models) for a fit; fewer keep the bundled rows."""
DEFAULT_MIN_FAMILY_FAILURES = 30
"""Fewest failures of a part type in one model family for a family row."""


@dataclass(frozen=True)
class PartFit:
    """The result for one part type over all models (``*``) or one model family.

    ``fit`` is ``None`` when the bundled default is kept; ``note`` says why.
    ``default`` is the bundled row compared with (family row if any, else ``*``).
    """

    part: PartType
    applies_to: str
    failures: int
    machines: int
    machine_years: float
    slots_per_machine: tuple[int, ...]
    fit: WeibullFit | None
    default: FailurePrior
    note: str = ""
    effect: RowEffect | None = None
    """Fitted rows only: failures expected next year and bundled rows replaced."""
    bundled_expected: float | None = None
    """Rows kept at the bundled rate only: the failures the bundled rows predict over the
    observed ages (:mod:`hashshock.fit.plausible`, equation 1)."""
    bundled_p_value: float | None = None
    """Two-sided Poisson p-value of ``failures`` under ``bundled_expected`` (equation 2)."""

    @property
    def status(self) -> Literal["fitted", "default"]:
        return "fitted" if self.fit is not None else "default"

    @property
    def ratio_to_default(self) -> float | None:
        """Fitted m₁ / bundled m₁ (``None`` when not fitted)."""
        if self.fit is None:
            return None
        return self.fit.first_year_failures_per_part / self.default.first_year_failures_per_part


@dataclass(frozen=True)
class FitReport:
    """All results of one ``hashshock fit`` run.

    ``min_failures`` and ``min_family_failures`` are the thresholds used (failures): the
    family one is never below ``min_failures`` (:func:`fit_loaded`). ``warnings``: the
    input's (``loaded.warnings``), then the fit's (data that disagree with a bundled
    rate kept).
    """

    loaded: LoadedHistory
    results: tuple[PartFit, ...]
    notes: tuple[str, ...]
    min_failures: int
    min_family_failures: int
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # One line: the default prints every machine's history (≈ 300 kB for 3,000).
        fitted = sum(r.fit is not None for r in self.results)
        return (
            f"FitReport(machines={len(self.loaded.histories)}, failures={self.failures}, "
            f"rows={len(self.results)}, fitted={fitted}, format={self.loaded.format!r})"
        )

    @property
    def failures(self) -> int:
        return sum(r.failures for r in self.results if r.applies_to == "*")

    def rates(self) -> tuple[FailurePrior, ...]:
        """The failure-rate rows to write: fitted rows, and bundled rows where not fitted."""
        out: list[FailurePrior] = []
        names = files_label(self.loaded.paths)
        for part in PART_TYPES:
            mine = [r for r in self.results if r.part == part]
            overall = next((r for r in mine if r.applies_to == "*"), None)
            if overall is None or overall.fit is None:
                reason = overall.note if overall else f"{part}: not fitted"
                out.extend(
                    FailurePrior(
                        part=p.part,
                        applies_to=p.applies_to,
                        weibull_shape=p.weibull_shape,
                        first_year_failures_per_part=p.first_year_failures_per_part,
                        source=f"bundled default, not fitted by hashshock fit ({reason}); "
                        f"bundled source: {p.source}",
                    )
                    for p in failure_priors()
                    if p.part == part
                )
            out.extend(_fitted_row(r, names) for r in mine if r.fit is not None)
        return tuple(out)


def files_label(paths: Sequence[Path]) -> str:
    """``a.csv``, ``a.csv and b.csv``, ``a.csv, b.csv and 3 more`` (file names only)."""
    names = [p.name for p in paths]
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"


def _fitted_row(result: PartFit, files: str) -> FailurePrior:
    fit = result.fit
    assert fit is not None
    (k_lo, k_hi), (m_lo, m_hi) = fit.shape_ci95, fit.first_year_failures_per_part_ci95
    scope = "" if result.applies_to == "*" else f" for family {result.applies_to}"
    return FailurePrior(
        part=result.part,
        applies_to=result.applies_to,
        weibull_shape=float(f"{fit.shape:.4g}"),
        first_year_failures_per_part=float(f"{fit.first_year_failures_per_part:.4g}"),
        source=(
            f"fitted by hashshock fit from {files}{scope}: {result.failures} failures over "
            f"{result.machine_years:.0f} machine-years, 95% CI shape {k_lo:.3g}-{k_hi:.3g}, "
            f"first-year failures per part {m_lo:.3g}-{m_hi:.3g} (delta method); "
            f"goodness of fit {fit.gof.verdict}"
        ),
    )


def bundled_default(part: PartType, applies_to: str) -> FailurePrior:
    """The bundled row for ``part`` and ``applies_to`` (a family), else its ``*`` row."""
    rows = [p for p in failure_priors() if p.part == part]
    for key in (applies_to, "*"):
        for prior in rows:
            if prior.applies_to == key:
                return prior
    raise LookupError(f"no bundled failure rate for {part}")


def _fit_group(
    exp: Exposures, part: PartType, applies_to: str, minimum: int, why_thin: str
) -> PartFit:
    def result(fit: WeibullFit | None, note: str = "") -> PartFit:
        return PartFit(
            part=part, applies_to=applies_to, failures=exp.failures, machines=exp.machines,
            machine_years=exp.machine_years, slots_per_machine=tuple(exp.slot_counts), fit=fit,
            default=bundled_default(part, applies_to), note=note,
        )  # fmt: skip

    label = part if applies_to == "*" else f"{part} ({applies_to})"
    if exp.failures == 0:
        return result(None, f"{label}: no failures in the data")
    if exp.failures < minimum:
        many = "failure" if exp.failures == 1 else "failures"
        return result(None, f"{label}: only {exp.failures} {many}, fewer than {why_thin} {minimum}")
    try:
        return result(fit_weibull(exp))
    except FitFailed as exc:
        return result(None, f"{label}: {exc}")


def fit_loaded(
    loaded: LoadedHistory,
    min_failures: int = DEFAULT_MIN_FAILURES,
    min_family_failures: int = DEFAULT_MIN_FAMILY_FAILURES,
) -> FitReport:
    """Fit each part type the data can show, over all models and per large family.

    A family needs ``max(min_family_failures, min_failures)`` failures for its own row
    (docs/calibration.md); the report carries that threshold, the one used, and a note
    says when it is above ``min_family_failures``.
    """
    exposures = build_exposures(loaded.histories, loaded.observable)
    results: list[PartFit] = []
    notes = list(loaded.notes)
    warnings = list(loaded.warnings)
    family_minimum = max(min_family_failures, min_failures)
    if family_minimum > min_family_failures:
        notes.append(
            f"--min-family-failures {min_family_failures} is below --min-failures "
            f"{min_failures}: a family needs {family_minimum} failures for its own row"
        )
    for part in PART_TYPES:
        if part not in loaded.observable:
            results.append(
                PartFit(
                    part=part,
                    applies_to="*",
                    failures=0,
                    machines=0,
                    machine_years=0.0,
                    slots_per_machine=(),
                    fit=None,
                    default=bundled_default(part, "*"),
                    note=f"{part}: not observable in scan inventories",
                )
            )
            continue
        mine = exposures.select(part)
        overall = _fit_group(mine, part, "*", min_failures, "--min-failures")
        if overall.fit is None:
            overall = _checked_against_bundled(overall, loaded)
            results.append(overall)
            assert overall.bundled_expected is not None
            notes.append(f"{overall.note} (the bundled rates predict "
                         f"{_count(overall.bundled_expected)} over the observed ages): the bundled "
                         "default is kept")  # fmt: skip
            warnings += disagreement(overall)
            continue
        results.append(overall)
        families = mine.families
        if len(families) < 2:
            continue
        thin: list[str] = []
        for family in families:
            sub = mine.select(part, family)
            if sub.failures < family_minimum:
                thin.append(f"{family} ({sub.failures})")
                continue
            result = _fit_group(sub, part, family, family_minimum, "--min-family-failures")
            if result.fit is None:
                notes.append(f"{result.note}: the * row applies to this family")
                continue
            results.append(result)
        if thin:
            notes.append(
                f"{part}: families with fewer than {family_minimum} failures use the * row: "
                + ", ".join(thin)
            )
    results = _with_effects(loaded, results)
    notes += [caution for result in results for caution in cautions(result)]
    notes += [replaced for result in results for replaced in replacements(result)]
    return FitReport(
        loaded=loaded, results=tuple(results), notes=tuple(notes), min_failures=min_failures,
        min_family_failures=family_minimum, warnings=tuple(warnings),
    )  # fmt: skip


def _checked_against_bundled(result: PartFit, loaded: LoadedHistory) -> PartFit:
    """``result`` (kept at the bundled rate) with the failures the bundled rows predict
    over the observed ages and the Poisson p-value of those observed."""
    expected = bundled_expected_failures(loaded.histories, result.part)
    p_value = poisson_two_sided_p(result.failures, expected)
    return replace(result, bundled_expected=expected, bundled_p_value=p_value)


def _count(expected: float) -> str:
    """An expected count: 100, 1.3, 0.012."""
    return f"{expected:,.0f}" if expected >= 100 else f"{expected:.2g}"


def disagreement(result: PartFit) -> list[str]:
    """A warning when a part kept at the bundled rate has failures implausible under it
    (two-sided Poisson p below :data:`~hashshock.fit.plausible.IMPLAUSIBLE_BELOW`)."""
    expected, p_value = result.bundled_expected, result.bundled_p_value
    if expected is None or p_value is None or p_value >= IMPLAUSIBLE_BELOW:
        return []
    return [f"{result.part}: {counted(result.failures, 'failure')} observed where the bundled "
            f"rates predict {_count(expected)} (two-sided Poisson test, {said_p(p_value)}): "
            "the bundled rate is kept, but the data disagree with it — check the log, or "
            "give your own rate for this part"]  # fmt: skip


def _with_effects(loaded: LoadedHistory, results: list[PartFit]) -> list[PartFit]:
    """``results`` with each fitted row's :class:`~hashshock.fit.effect.RowEffect`."""
    names = files_label(loaded.paths)
    fitted = {(r.part, r.applies_to): _fitted_row(r, names) for r in results if r.fit}
    effects = row_effects(loaded.histories, fitted)
    return [replace(r, effect=effects[(r.part, r.applies_to)]) if r.fit else r for r in results]


def replacements(result: PartFit) -> list[str]:
    """A note naming the bundled model or family rows a fitted row replaces (or none)."""
    if result.effect is None or not result.effect.overrides:
        return []
    scope = result.part if result.applies_to == "*" else f"{result.part} ({result.applies_to})"
    return [f"{scope}: if written with --out and used, this row replaces the bundled row(s) for "
            f"{', '.join(result.effect.overrides)}"]  # fmt: skip


#: Fewer failures than this give rough intervals (docs/calibration.md).
ROUGH_BELOW_FAILURES = 30
#: A fitted first-year rate this many times the bundled one (or its inverse) is said.
FAR_FROM_BUNDLED = 10.0
#: A shape whose 95% interval's ends are further apart than this factor is barely fixed
#: by the data (machines seen over a narrow window of ages): it is said.
LOOSE_SHAPE_RATIO = 10.0


def cautions(result: PartFit) -> list[str]:
    """What a fitted row's reader should be told before using it (one line, or none):
    intervals from few failures are rough; a shape the data barely fix (its interval
    wider than :data:`LOOSE_SHAPE_RATIO`) leaves m1 an extrapolation; more than one
    failure per part slot in the first year, or a rate an order of magnitude from the
    bundled one, is more often a log's counting (double entries, slots per machine)
    than a fleet's truth."""
    fit = result.fit
    if fit is None:
        return []
    parts = []
    if result.failures < ROUGH_BELOW_FAILURES:
        parts.append(f"{result.failures} failures, fewer than {ROUGH_BELOW_FAILURES}: its "
                     "intervals are rough")  # fmt: skip
    k_low, k_high = fit.shape_ci95
    if k_low <= 0 or k_high / k_low > LOOSE_SHAPE_RATIO:
        parts.append(f"its shape is barely fixed by the data (k {k_low:.2g}–{k_high:.2g}), "
                     "as when machines are seen over a narrow window of ages: the failures "
                     "at those ages are measured, the first-year rate m1 is extrapolated "
                     "from them — use the row for machines of such ages")  # fmt: skip
    rate, ratio = fit.first_year_failures_per_part, result.ratio_to_default or 1.0
    odd = []
    if rate > 1.0:
        odd.append(f"{100 * rate:,.0f} failures per 100 part slots in the first year, more "
                   "than one a slot")  # fmt: skip
    if not 1 / FAR_FROM_BUNDLED <= ratio <= FAR_FROM_BUNDLED:
        odd.append(f"{ratio:,.3g} × the bundled rate (data/failure_rates.csv)")
    if odd:
        parts.append(" and ".join(odd) + " — check the log for double entries and the "
                     "slots per machine before using it")  # fmt: skip
    if not parts:
        return []
    scope = result.part if result.applies_to == "*" else f"{result.part} ({result.applies_to})"
    return [f"{scope}: {'; '.join(parts)}"]


def fit_failure_rates(
    paths: Sequence[str | Path] | str | Path,
    *,
    as_of: date | str | None = None,
    install_date: date | str | None = None,
    min_failures: int = DEFAULT_MIN_FAILURES,
    min_family_failures: int = DEFAULT_MIN_FAMILY_FAILURES,
    catalog: Catalog | None = None,
) -> FitReport:
    """Read failure logs or scan inventories and fit them: the ``hashshock fit`` command.

    ``paths``: one file or several; ``as_of`` and ``install_date`` (scan inventories
    only): dates or ``YYYY-MM-DD`` text; ``min_failures`` (per part type) and
    ``min_family_failures`` (per model family, for its own row): 1 or more. Raises
    :class:`~hashshock.inputs.errors.InputError` on bad input, naming the argument.
    """
    files = [paths] if isinstance(paths, str | Path) else paths
    if not isinstance(files, Sequence) or not files:
        raise InputError(None, "paths", f"{paths!r} is not a list of files",
                         "give a log or an inventory's path, or a list of them")  # fmt: skip
    logs = [check_path_like(file, "paths", "give each log as a path (str or Path)", "log file")
            for file in files]  # fmt: skip
    for name, value in (("min_failures", min_failures),
                        ("min_family_failures", min_family_failures)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(None, name, f"{value!r} is not a number of failures",
                             "give a whole number, 1 or more")  # fmt: skip
    loaded = load_histories(logs, as_of=as_date(as_of, "as_of"),
                            install_date=as_date(install_date, "install_date"),
                            catalog=catalog)  # fmt: skip
    return fit_loaded(loaded, min_failures, min_family_failures)


def render_rates_csv(rows: Sequence[FailurePrior]) -> str:
    """``rows`` as CSV text with the columns of ``data/failure_rates.csv``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FAILURE_RATE_COLUMNS)
    for r in rows:
        writer.writerow(
            [r.part, r.applies_to, f"{r.weibull_shape:g}", f"{r.first_year_failures_per_part:g}",
             r.source]
        )  # fmt: skip
    return buffer.getvalue()
