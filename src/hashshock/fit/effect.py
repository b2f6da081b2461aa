"""What a fitted row changes when a fleet uses it: failures in the next year, rows replaced.

A first-year rate m₁ alone can mislead: with H(a) = m₁·(a/365)^k per slot (docs/model.md
"Failures") a row with a lower m₁ but a steeper shape k gives *more* failures at the
ages a fleet actually has. So the fit also reports, for the machines of the data at
their ages at the end of the log (each machine's last observed day), the expected
failures over the next 365 days under the fitted rows and under the rows the engine
would use for each machine without them
(:func:`~hashshock.inputs.catalog.failure_prior`: slug, family, then ``*``):

    E = Σ_machines n · m₁ · (((a + 365)/365)^k − (a/365)^k),                   (1)

n the machine's slots of the part, a its age in days. And since a fleet's own rates
file is searched before the bundled one, a fitted ``*`` row replaces every bundled
family or model row of its part (except for families with a fitted row of their own),
and a fitted family row the bundled rows of that family and its models: those are named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from hashshock.fit.history import DAYS_PER_YEAR, MachineHistory
from hashshock.inputs.catalog import (
    FailurePrior,
    PartType,
    bundled_catalog,
    failure_prior,
    failure_priors,
)

RowKey = tuple[PartType, str]
"""A row: part type and ``applies_to`` (``*`` or a model family)."""


def next_year_failures(shape: float, first_year: float, age_days: float, slots: int) -> float:
    """Expected failures of ``slots`` part slots in the 365 days after age ``age_days``,
    equation (1) for one machine (``first_year``: m₁ per slot; ``shape``: k)."""
    start = max(age_days, 0.0) / DAYS_PER_YEAR
    return float(slots * first_year * ((start + 1.0) ** shape - start**shape))


@dataclass(frozen=True)
class RowEffect:
    """One fitted row's effect on the data's machines it governs.

    ``fitted`` and ``bundled``: expected failures in the year after ``as_of``, equation
    (1), under the fitted row and under the bundled rows each machine would use;
    ``overrides``: the bundled rows' ``applies_to`` (families or model slugs) the fitted
    row replaces when written with ``--out``.
    """

    fitted: float
    bundled: float
    overrides: tuple[str, ...]

    @property
    def ratio(self) -> float | None:
        """Fitted / bundled expected failures (``None`` when the bundled expect none)."""
        return self.fitted / self.bundled if self.bundled > 0 else None


def _governing_row(part: PartType, family: str, fitted_families: set[str]) -> RowKey:
    return (part, family) if family in fitted_families else (part, "*")


def _replaced(
    part: PartType, applies_to: str, fitted_families: set[str], family_of: Mapping[str, str]
) -> tuple[str, ...]:
    """The bundled rows of ``part`` (other than ``*``) a fitted row hides."""
    hidden = []
    for prior in failure_priors():
        if prior.part != part or prior.applies_to == "*":
            continue
        family = family_of.get(prior.applies_to, prior.applies_to)
        if _governing_row(part, family, fitted_families) == (part, applies_to):
            hidden.append(prior.applies_to)
    return tuple(hidden)


def row_effects(
    histories: Iterable[MachineHistory],
    fitted: Mapping[RowKey, FailurePrior],
    at: date | None = None,
) -> dict[RowKey, RowEffect]:
    """The effect of each fitted row (``fitted``: rows by part and ``applies_to``) on the
    machines of ``histories`` at their ages on ``at`` (``None``: each machine's age at the
    end of its observation, so the figures do not move with the day the fit is run)."""
    histories = tuple(histories)
    family_of = {slug: m.family for slug, m in bundled_catalog().models.items()}
    family_of.update({h.model.slug: h.model.family for h in histories})
    families = {part: {a for p, a in fitted if p == part and a != "*"} for part, _ in fitted}
    sums = {key: [0.0, 0.0] for key in fitted}
    for h in histories:
        age = h.end_age if at is None else float((at - h.install).days)
        for part, fitted_families in families.items():
            key = _governing_row(part, h.model.family, fitted_families)
            if key not in fitted:
                continue
            slots = h.model.parts_per_machine(part)
            row, bundled = fitted[key], failure_prior(part, h.model)
            sums[key][0] += next_year_failures(
                row.weibull_shape, row.first_year_failures_per_part, age, slots
            )
            sums[key][1] += next_year_failures(
                bundled.weibull_shape, bundled.first_year_failures_per_part, age, slots
            )
    return {
        key: RowEffect(
            fitted=fitted_sum,
            bundled=bundled_sum,
            overrides=_replaced(key[0], key[1], families[key[0]], family_of),
        )
        for key, (fitted_sum, bundled_sum) in sums.items()
    }
