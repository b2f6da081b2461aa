"""The load on each site's repair bench on day 0, against what its technicians repair.

A bench of k technicians each taking S days a part (mean) repairs at most k / E[S] parts
a day; the parts reaching it are the site's failures routed in house:

    λ = Σ_cohorts at the site Σ_parts  installed slots × daily failure probability
        × in_house_share                                                          (L1)
    ρ = λ · E[S] / k                                                              (L2)

With ρ ≥ 1 the queue has no steady state (M/G/k): the bench's backlog, and the parts
in repair with it, grow for as long as the load lasts (``docs/model.md``, *Repair
bench*; Erlang C in ``decide/queueing.py`` holds only below 1). That is accepted — a
shock may mean to overload a bench — but said, with the numbers, since a bench that
grows worse every day looks like the model's doing.
"""

from __future__ import annotations

import numpy as np

from hashshock.inputs.catalog import PART_TYPES
from hashshock.plan.model import Plan


def bench_arrivals_per_day(plan: Plan) -> np.ndarray:
    """[S]: parts a day reaching each site's in-house repair on day 0 (L1)."""
    slots = (
        np.column_stack([plan.cohort_boards, plan.cohort_stop_parts]) * plan.cohort_initial[:, None]
    )  # [C, 4] installed part slots
    in_house = np.array([plan.routes[k].in_house_share for k in range(len(PART_TYPES))])
    per_cohort = (slots * plan.hazard[:, :, 0] * in_house).sum(axis=1)
    return np.bincount(plan.cohort_site, weights=per_cohort, minlength=len(plan.site_names))


def overloaded_benches(plan: Plan) -> list[str]:
    """A warning line for each site whose bench gets more parts a day than it repairs
    (ρ ≥ 1, L2), on day 0."""
    if not plan.site_bench:
        return []
    arrivals = bench_arrivals_per_day(plan)
    out = []
    for site, bench in enumerate(plan.site_bench):
        if bench is None:
            continue
        capacity = bench.technicians / max(bench.service.mean, 1e-12)
        if arrivals[site] >= capacity:
            out.append(
                f"site {plan.site_names[site]}: its repair bench gets about "
                f"{arrivals[site]:.2f} parts a day, more than its {bench.technicians} "
                f"technician(s) repair ({capacity:.2f} a day at {bench.service.mean:g} days "
                "each): its queue, and the parts in repair, grow every day — add "
                "technicians, shorten service_days, or lower the routes' in_house_share"
            )
    return out
