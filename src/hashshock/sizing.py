"""How much memory and time a run will take, estimated from its sizes before any work.

A run holds, for each scenario it simulates (baseline included): the plan's per-cohort
daily tables, the engine's state, delay rings and daily series, the market paths and
the money flows. The byte counts below follow the arrays those layers allocate
(``hashshock.plan.model.Plan``, ``hashshock.engine.core.Simulation._init_state``,
``hashshock.market.simulate.MarketPaths``, ``hashshock.finance.cashflow.CashFlows``);
they are upper bounds within about 20 % (``tests/test_sizing.py`` measures a run).

Time: the engine's failure pass costs about :data:`NS_PER_COHORT_PATH_DAY` per cohort,
path and day on one core (docs/performance.md: 157 µs a path-day for the 2,000-cohort
whole US), on :data:`ENGINE_THREADS` threads; around it each scenario's run costs
:data:`NS_PER_PATH_DAY` a path-day (the pools, the market, the day's figures),
:data:`NS_PER_PATH_DAY_MONEY` more for a fleet with a finance block (cash flows,
covenants) and :data:`SECONDS_PER_SCENARIO` whatever its size (its plan, its result).
The last three are fitted by ``bench/bench_sizing.py`` to the bundled examples' runs on
a 2-core machine (the estimate was the engine's alone: 2–5 times short, and a sweep's
"needs about 5 s" took 44 s).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from hashshock.inputs.errors import InputError

#: Engine time per cohort, path and day on one core (ns), measured on the whole US.
NS_PER_COHORT_PATH_DAY = 80.0
#: Threads the engine's kernels run a simulation on (this machine's cores).
ENGINE_THREADS = 2
#: A scenario run's time per path and day outside the engine's cohort loop (ns, wall
#: clock): the pools, the market paths, the day's figures (bench/bench_sizing.py).
NS_PER_PATH_DAY = 650.0
#: More per path and day for a fleet with a finance block (ns): its cash flows and
#: covenants (bench/bench_sizing.py).
NS_PER_PATH_DAY_MONEY = 730.0
#: A scenario run's time whatever its size (s): its plan, its result (bench/bench_sizing.py).
SECONDS_PER_SCENARIO = 0.001
#: Bytes per path and day of engine series, market paths and money flows of one scenario
#: (the last terms: donors bought, their TH/s and price).
BYTES_PER_PATH_DAY = 9 * 8 + 12 * 4 * 4 + 16 * 8 + 20 * 8 + 4 + 2 * 8
#: Bytes per cohort and day of a plan and the engine's fleet tables (hazards, yields).
BYTES_PER_COHORT_DAY = 4 * 8 + 8 + 3 * 8 + 2 * 8
#: Bytes per path and cohort of engine state (counts, clocks, swap rings of 2 days).
BYTES_PER_PATH_COHORT = 10 * 8 + 2 * 3 * 4
#: Share of the available memory a run may plan to use.
MEMORY_HEADROOM = 0.8


@dataclass(frozen=True)
class RunEstimate:
    """A run's estimated peak memory (bytes) and engine time (seconds, on ``threads``);
    with ``points`` > 1, a sweep's: the memory of one point (they run one at a time on a
    core) and the time of all of them."""

    bytes: int
    seconds: float
    scenarios: int
    paths: int
    days: int
    cohorts: int
    points: int = 1
    at_once: int = 1  # points run at the same time in this machine's memory

    def describe(self) -> str:
        """``1.2 GiB and about 4 min for 2 scenarios × 1,000 paths × …``; a sweep's says
        its memory is a point's (or the points' run at once) and its time all its
        points'."""
        shape = (
            f"{self.scenarios} scenario{'s' if self.scenarios != 1 else ''} × "
            f"{self.paths:,} paths × {self.days:,} days × {self.cohorts:,} cohorts"
        )
        if self.points == 1:
            return f"{gib(self.bytes)} and about {_duration(self.seconds)} for {shape}"
        memory = (f"{gib(self.bytes)} a point" if self.at_once == 1 else
                  f"{gib(self.bytes)} for the {self.at_once} points run at once "
                  f"({gib(self.bytes // self.at_once)} each)")  # fmt: skip
        return (
            f"{memory} and about {_duration(self.seconds)} for {self.points:,} points, each {shape}"
        )

    def run_at_once(self, at_once: int) -> RunEstimate:
        """This point's estimate with ``at_once`` points in memory at the same time (the
        threads or local workers of a sweep): their memory adds up."""
        at_once = max(1, min(at_once, self.points))
        return replace(self, bytes=self.bytes // self.at_once * at_once, at_once=at_once)

    def for_points(self, points: int) -> RunEstimate:
        """The estimate of ``points`` runs like this one: their times add up (the
        estimate's threads shared by all), the memory stays one run's."""
        return replace(self, seconds=self.seconds * points, points=points)


def estimate_run(
    scenarios: int, paths: int, days: int, cohorts: int, pools: int,
    threads: int = ENGINE_THREADS, money: bool = False,
) -> RunEstimate:  # fmt: skip
    """The estimate for ``scenarios`` simulations of ``paths`` × ``days`` on ``cohorts``
    cohorts and ``pools`` spare pools (repair and order rings up to ``days`` long), with
    the money of a finance block if ``money``."""
    per_scenario = (
        paths * days * BYTES_PER_PATH_DAY
        + cohorts * days * BYTES_PER_COHORT_DAY
        + paths * cohorts * BYTES_PER_PATH_COHORT
        + paths * pools * (2 * (days + 1) * 4 + 12 * 8)
    )
    engine_ns = paths * days * cohorts * NS_PER_COHORT_PATH_DAY / max(1, threads)
    around_ns = paths * days * (NS_PER_PATH_DAY + (NS_PER_PATH_DAY_MONEY if money else 0.0))
    return RunEstimate(
        bytes=int(scenarios * per_scenario),
        seconds=scenarios * ((engine_ns + around_ns) / 1e9 + SECONDS_PER_SCENARIO),
        scenarios=scenarios, paths=paths, days=days, cohorts=cohorts,
    )  # fmt: skip


def available_bytes() -> int | None:
    """Memory the system can give now (``MemAvailable``), or None where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


#: What to do about a run too large for memory.
RUN_FIX = (
    "use fewer paths, a shorter --horizon, fewer scenarios at once, or fewer, coarser "
    "cohorts (merge install dates of one model and site)"
)


def check_fits(
    estimate: RunEstimate, fix: str = RUN_FIX, available: int | None = None,
    file: str | Path | None = None, field: str = "--paths",
) -> None:  # fmt: skip
    """Refuse a run that cannot fit in memory, with the estimate, the limit it is held to
    and ``fix``. The error names ``file`` and ``field``: where the sizes came from (the
    ``--paths`` option by default; a sweep spec's file and its ``paths:``)."""
    free = available_bytes() if available is None else available
    if free is None:
        return
    limit = int(MEMORY_HEADROOM * free)
    if estimate.bytes <= limit:
        return
    # The limit is a share of what is free, not all of it: say both, or an estimate below
    # the memory available would read as refused for nothing.
    raise InputError(
        file, field,
        f"the run needs an estimated {estimate.describe()}, more than the {gib(limit)} a "
        f"run may use ({MEMORY_HEADROOM:.0%} of the {gib(free)} of memory available)", fix,
    )  # fmt: skip


def gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{math.ceil(n / 2**20):,} MiB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
