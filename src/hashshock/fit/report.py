"""Show a :class:`~hashshock.fit.rates.FitReport`: a table for an 80-column terminal, JSON.

JSON keys (stable; docs/calibration.md): ``version``, ``inputs``, ``format``, ``as_of``,
``as_of_source``, ``machines``, ``observed_from``, ``observed_until``, ``observable_parts``,
``min_failures``, ``min_family_failures``, ``results`` (one object per part type and
fitted family, see :func:`result_to_dict`), ``notes``, ``warnings``.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape

from hashshock import __version__
from hashshock.cli.table import Table
from hashshock.fit.rates import FitReport, PartFit, files_label
from hashshock.words import counted


def _pair(pair: tuple[float, float]) -> list[float]:
    return [pair[0], pair[1]]


def result_to_dict(r: PartFit) -> dict[str, Any]:
    """One result. ``weibull_shape`` and ``first_year_failures_per_part`` are the values
    written to ``--out`` (fitted, or the bundled default when ``status`` is ``default``);
    intervals, ratios, scale, next year's failures and goodness of fit are ``null`` when
    not fitted (:mod:`hashshock.fit.effect` for next year's failures; ``null`` too for a
    ``*`` row that governs no machine, its families having rows of their own);
    ``expected_failures_bundled`` and ``bundled_p_value`` (:mod:`hashshock.fit.plausible`)
    are ``null`` unless the bundled rate was kept for an observable part type."""
    fit, effect = r.fit, r.effect
    gof = fit.gof if fit else None
    # a * row whose families all have rows of their own governs no machine: no figure
    # for next year (the table's "—"), not 0 failures
    governs = effect is not None and (effect.fitted > 0 or effect.bundled > 0)
    return {
        "part": r.part,
        "applies_to": r.applies_to,
        "status": r.status,
        "failures": r.failures,
        "machines": r.machines,
        "machine_years": r.machine_years,
        "slots_per_machine": list(r.slots_per_machine),
        "weibull_shape": fit.shape if fit else r.default.weibull_shape,
        "weibull_shape_ci95": _pair(fit.shape_ci95) if fit else None,
        "first_year_failures_per_part": (
            fit.first_year_failures_per_part if fit else r.default.first_year_failures_per_part
        ),
        "first_year_failures_per_part_ci95": (
            _pair(fit.first_year_failures_per_part_ci95) if fit else None
        ),
        "scale_days": fit.scale_days if fit else None,
        "default_applies_to": r.default.applies_to,
        "default_weibull_shape": r.default.weibull_shape,
        "default_first_year_failures_per_part": r.default.first_year_failures_per_part,
        "ratio_to_default": r.ratio_to_default,
        "expected_failures_bundled": r.bundled_expected,
        "bundled_p_value": r.bundled_p_value,
        "next_year_failures_fitted": effect.fitted if effect and governs else None,
        "next_year_failures_bundled": effect.bundled if effect and governs else None,
        "next_year_ratio": effect.ratio if effect and governs else None,
        "replaces_bundled_rows": list(effect.overrides) if effect else [],
        "goodness_of_fit": (
            {
                "verdict": gof.verdict,
                "share_inside_km_band": gof.share_inside_km_band,
                "failure_ages_checked": gof.failure_ages_checked,
                "lr_shape_1_statistic": gof.lr_shape_1_statistic,
                "lr_shape_1_p_value": gof.lr_shape_1_p_value,
                "summary": gof.summary,
            }
            if gof
            else None
        ),
        "note": r.note,
    }


def _window(report: FitReport) -> tuple[str, str]:
    histories = report.loaded.histories
    first = min(h.observed_from for h in histories)
    last = max(h.observed_until for h in histories)
    return first.isoformat(), last.isoformat()


def report_to_dict(report: FitReport) -> dict[str, Any]:
    """The whole report as JSON-ready data (keys in the module docstring)."""
    first, last = _window(report)
    loaded = report.loaded
    return {
        "version": __version__,
        "inputs": [str(p) for p in loaded.paths],
        "format": loaded.format,
        "as_of": loaded.as_of.isoformat(),
        "as_of_source": "--as-of" if loaded.as_of_given else "latest date in the data",
        "machines": len(loaded.histories),
        "observed_from": first,
        "observed_until": last,
        "observable_parts": list(loaded.observable),
        "min_failures": report.min_failures,
        "min_family_failures": report.min_family_failures,
        "results": [result_to_dict(r) for r in report.results],
        "notes": list(report.notes),
        "warnings": list(report.warnings),
    }


def _num(value: float, digits: int = 3) -> str:
    """``digits`` significant digits, never in scientific notation (140, not 1.4e+02)."""
    if abs(value) >= 10**digits:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _pct(value: float, digits: int = 3) -> str:
    """A per-slot rate in percent, without the sign (the column header has it)."""
    return _num(100 * value, digits)


def _row(r: PartFit) -> list[str]:
    label = r.part if r.applies_to == "*" else f"└ {r.applies_to}"
    default = f"{_num(r.default.weibull_shape)} {_pct(r.default.first_year_failures_per_part)}"
    # a part the data cannot show (a scan's PSUs) has no exposure, not 0 machine-years
    exposure = "—" if r.machines == 0 else f"{r.machine_years:,.0f}"
    common = [label, f"{r.failures:,}" if r.machines else "—", exposure]
    if r.fit is None:
        return [*common, "—", "—", default, "—", "[dim]default[/]"]
    k_lo, k_hi = r.fit.shape_ci95
    m_lo, m_hi = r.fit.first_year_failures_per_part_ci95
    ratio = r.effect.ratio if r.effect else None
    return [
        *common,
        f"{_num(r.fit.shape)}\n[dim]{_num(k_lo, 2)}–{_num(k_hi, 2)}[/]",
        f"{_pct(r.fit.first_year_failures_per_part)}\n[dim]{_pct(m_lo, 2)}–{_pct(m_hi, 2)}[/]",
        default,
        "—" if ratio is None else _num(ratio),
        r.fit.gof.verdict,
    ]


def print_report(console: Console, report: FitReport) -> None:
    """The results table, then each fit's goodness of fit and the notes."""
    first, last = _window(report)
    loaded = report.loaded
    title = (
        f"Failure rates from {escape(files_label(loaded.paths))}: "
        f"{counted(len(loaded.histories), 'machine')}, {first} to {last}"
    )
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_lines=True,
        pad_edge=False, collapse_padding=True,
    )  # fmt: skip
    table.add_column("part", style="bold cyan", no_wrap=True)
    table.add_column("fails", justify="right", no_wrap=True)
    table.add_column("mach-\nyears", justify="right", no_wrap=True)  # "mach-yr" was cut
    table.add_column("shape k\n[dim]95% CI[/]", justify="right", no_wrap=True)
    table.add_column("m1 %/yr\n[dim]95% CI[/]", justify="right", no_wrap=True)
    table.add_column("bundled\nk  m1 %", justify="right", no_wrap=True)
    table.add_column("× fails\n[dim]next yr[/]", justify="right", no_wrap=True)
    table.add_column("fit", no_wrap=True)
    for r in report.results:
        table.add_row(*_row(r))
    console.print(table)
    for r in report.results:
        if r.fit is not None:
            scope = r.part if r.applies_to == "*" else f"{r.part} ({r.applies_to})"
            console.print(f"{escape(scope)}: {escape(r.fit.gof.summary)}", highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    console.print(
        "[dim]m1 %/yr: expected failures per 100 part slots in the first year of machine "
        "age; × fails next yr: fitted / bundled failures of these machines in the year "
        "after each one's last day in the log, at their own ages; 95% CI: delta method "
        "(docs/calibration.md)[/]",
        highlight=False,
    )
