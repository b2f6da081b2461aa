"""The finite in-house repair bench (docs/model.md, *Repair bench*, B1–B4).

* Erlang C: the bench's own kernels (arrival times B1, first come first served B2,
  exponential service B3) fed a Poisson stream are the M/M/k queue: the share of parts
  that wait and their mean wait agree with C(k, a) and C(k, a)/(kμ − λ) within bounds
  from the sample (batch means, z = 4);
* the same through the whole engine: a large fleet whose only failures are fans, all
  repaired in-house at the bench (near-Poisson arrivals), against Erlang C;
* more technicians never make a part wait longer, on paired random numbers (hypothesis);
* a bench with more technicians than parts ever in repair and a fixed service time is
  the infinite-server repair of today, bit for bit;
* a bench without enough technicians makes parts wait and so holds more in repair.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numba as nb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import small_fleet
from tests.engine.helpers import plan_for, with_constant_hazard

from hashshock.decide.queueing import erlang_c, mean_wait_days
from hashshock.dists import Exponential, Fixed
from hashshock.engine import simulate
from hashshock.engine.arrays import Bench
from hashshock.engine.bench import next_arrival, serve, service_days
from hashshock.engine.kernel_random import DelayTables, stream, uniform
from hashshock.engine.output import EngineOutput
from hashshock.plan import Plan
from hashshock.plan.model import BenchPlan

#: Standard normal quantile of the bounds: |estimate − closed form| ≤ Z × standard error.
Z = 4.0


def _bench(technicians: int, mean: float) -> Bench:
    """One exponential bench (site 0) as the kernels take it."""
    return Bench(
        servers=np.array([technicians], np.int64),
        exponential_mean=np.array([mean], np.float64),
        days=DelayTables.of([Fixed(0)]),
        pool_ptr=np.array([0, 1], np.int64),
        pools=np.array([0], np.int64),
    )


@nb.njit(cache=False)
def _queue(
    key: np.uint64, seed: int, days: int, rate: float, bench: Bench, warmup: int, batch: int,
    waits_out: np.ndarray,
) -> None:  # fmt: skip
    """A Poisson(``rate``) count of parts a day through bench 0, with the engine's kernels
    for the arrival times (B1), the queue (B2) and the service (B3). With ``batch`` > 0,
    ``waits_out[b]`` [batches, 3] gets batch ``b``'s parts served, parts that waited and
    days waited (days from ``warmup`` on, ``batch`` days a batch); with ``batch`` = 0,
    ``waits_out[i, 0]`` [parts, 1] gets the wait of the ``i``-th part (:func:`_waits`)."""
    np.random.seed(seed)
    free = np.zeros((1, 1, bench.servers[0]))
    part = 0
    for day in range(days):
        n = np.random.poisson(rate)
        base = stream(key, day, 0)
        at = 0.0
        for i in range(n):
            at = next_arrival(at, n - i, uniform(base, 3 * i))
            arrived = day + at
            start = serve(
                free, 0, 0, bench.servers[0], arrived, service_days(bench, 0, base, 3 * i + 2)
            )
            if batch == 0:
                if part < waits_out.shape[0]:
                    waits_out[part, 0] = start - arrived
                part += 1
            elif day >= warmup:
                b = (day - warmup) // batch
                waits_out[b, 0] += 1.0
                if start > arrived:
                    waits_out[b, 1] += 1.0
                waits_out[b, 2] += start - arrived


def _batch_means(
    technicians: int, rate: float, mean: float, seed: int, batches: int, batch: int
) -> np.ndarray:
    warmup = 200
    out = np.zeros((batches, 3))
    key = np.uint64(0x9E3779B97F4A7C15 ^ seed)
    _queue(key, seed, warmup + batches * batch, rate, _bench(technicians, mean), warmup, batch, out)
    return out


def _ratio_bound(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float]:
    """Ratio estimate Σx/Σy over independent batches and its standard error (delta method)."""
    ratio = numerator.sum() / denominator.sum()
    residual = numerator - ratio * denominator
    n = len(numerator)
    se = float(np.sqrt((residual**2).sum() / (n * (n - 1)))) / float(denominator.mean())
    return float(ratio), se


def test_bench_kernels_are_the_mm_k_queue_of_erlang_c() -> None:
    """Poisson arrivals, exponential service, k servers, ρ < 1: P(W > 0) and E[W] of the
    bench's kernels agree with Erlang C (Q1, Q2) within Z batch-means standard errors."""
    for technicians, rate, mean in ((1, 0.6, 1.0), (3, 4.0, 0.6), (8, 10.0, 0.7)):
        load = rate * mean
        batches = _batch_means(technicians, rate, mean, seed=technicians, batches=200, batch=200)
        waited, se_waited = _ratio_bound(batches[:, 1], batches[:, 0])
        wait, se_wait = _ratio_bound(batches[:, 2], batches[:, 0])
        c = erlang_c(technicians, load)
        wq = mean_wait_days(technicians, rate, mean)
        assert abs(waited - c) <= Z * se_waited, (technicians, waited, c, se_waited)
        assert abs(wait - wq) <= Z * se_wait, (technicians, wait, wq, se_wait)
        assert se_wait < 0.05 * wq  # the bound is tight enough to mean something


def _waits(technicians: int, rate: float, mean: float, seed: int, days: int) -> np.ndarray:
    out = np.full((int(rate * days * 3) + 100, 1), np.nan)
    key = np.uint64(0x9E3779B97F4A7C15 ^ seed)
    _queue(key, seed, days, rate, _bench(technicians, mean), 0, 0, out)
    return out[~np.isnan(out[:, 0]), 0]


@settings(max_examples=40, deadline=None)
@given(
    technicians=st.integers(1, 6),
    rate=st.floats(0.2, 8.0),
    mean=st.floats(0.1, 3.0),
    seed=st.integers(0, 10_000),
)
def test_more_technicians_never_make_a_part_wait_longer(
    technicians: int, rate: float, mean: float, seed: int
) -> None:
    """Same arrivals and service times (paired random numbers), one technician more:
    every part's wait is at most what it was (first come first served is monotone in
    the servers), so the mean wait never grows."""
    fewer = _waits(technicians, rate, mean, seed, 120)
    more = _waits(technicians + 1, rate, mean, seed, 120)
    assert len(fewer) == len(more)
    assert np.all(more <= fewer + 1e-9)
    assert more.sum() <= fewer.sum() + 1e-9  # the same parts: the mean wait never grows


# --- through the engine -----------------------------------------------------------------


def _fan_fleet(bench: dict[str, Any] | None, machines: int = 30_000) -> dict[str, Any]:
    """One site of ``machines`` S21s, every fan repaired in-house, ample fan spares."""
    site: dict[str, Any] = {"name": "a", "technicians": 100}
    if bench is not None:
        site["repair_bench"] = bench
    cohort = {"model": "antminer-s21", "count": machines, "site": "a", "install_date": "2025-06-01"}
    fan = {"in_house_share": 1.0, "scrap_share": 0.0, "swap_days": 1, "in_house_days": 3}
    spares = [{"site": "a", "part": p, "on_hand": 2000} for p in ("hashboard", "fan", "psu")]
    return small_fleet(sites=[site], cohorts=[cohort], spares=spares, repair_routes={"fan": fan})


def _fans_only(plan: Plan, per_fan_day: float) -> Plan:
    return with_constant_hazard(plan, [0.0, per_fan_day, 0.0, 0.0])


def test_engine_bench_agrees_with_erlang_c() -> None:
    """30,000 machines × 4 fans failing at a constant hazard: about λ = 3 fans a day, a
    near-Poisson stream (a stopped machine lowers it by 1/30,000), all to a bench of k = 2
    technicians with exponential service of mean 0.5 days (ρ = 0.75). Over 1,000 days
    (the empty start, 1/(kμ(1 − √ρ)²) ≈ 14 days, is a small share) the engine's share of parts that
    waited and their mean wait agree with Erlang C for the measured λ within Z standard
    errors over paths."""
    technicians, mean, horizon, paths = 2, 0.5, 1000, 120
    bench = {"technicians": technicians, "service_days": {"dist": "exponential", "mean": mean}}
    plan = _fans_only(plan_for(_fan_fleet(bench), horizon=horizon), 3.0 / (30_000 * 4))
    out = simulate(plan, paths, 3)
    served, waited, days = (out.bench_waits[:, 0, i] for i in range(3))
    assert (served == out.repairs_in_house[:, :, 1].sum(axis=1)).all()
    rate = served.sum() / (paths * horizon)
    share, se_share = _ratio_bound(waited, served)
    wait, se_wait = _ratio_bound(days, served)
    c, wq = erlang_c(technicians, rate * mean), mean_wait_days(technicians, rate, mean)
    assert abs(share - c) <= Z * se_share, (share, c, se_share)
    assert abs(wait - wq) <= Z * se_wait, (wait, wq, se_wait)


def _physical(out: EngineOutput) -> dict[str, np.ndarray]:
    return {f.name: getattr(out, f.name) for f in dataclasses.fields(out)
            if f.name != "bench_waits"}  # fmt: skip


def test_a_bench_with_technicians_to_spare_is_todays_infinite_server_repair() -> None:
    """Fixed in-house days (only fans go in-house) and more bench technicians than fans
    ever in in-house repair: no part waits, each returns on day + max(D, 1) as without a
    bench, and every output is the same bit for bit (the bench draws from its own
    streams, and a fixed time draws nothing)."""
    routes = {p: {"in_house_share": 0.0} for p in ("hashboard", "psu", "control_board")}
    routes["fan"] = {"in_house_share": 0.6, "scrap_share": 0.0, "in_house_days": 4}
    fleet = small_fleet(repair_routes=routes)
    without = simulate(plan_for(fleet, horizon=200), 50, 9)
    fleet["sites"][0]["repair_bench"] = {"technicians": 100, "service_days": 4}
    bench = simulate(plan_for(fleet, horizon=200), 50, 9)
    assert bench.bench_waits[:, 0, 0].sum() > 50  # parts went through the bench
    assert bench.bench_waits[:, 0, 1].sum() == 0
    for name, value in _physical(without).items():
        np.testing.assert_array_equal(value, getattr(bench, name), err_msg=name)


def test_a_busy_bench_makes_parts_wait_and_holds_more_in_repair() -> None:
    """One technician with exponential service of mean 0.8 days under about one fan a day
    (ρ ≈ 0.8), against the infinite-server repair of one day: parts wait (Erlang C: 80 %
    of them, 3.2 days on average), so more fans are in repair."""
    plan = _fans_only(plan_for(_fan_fleet(None, machines=3_000), horizon=200), 1 / 12_000)
    routes = tuple(dataclasses.replace(r, in_house_days=Fixed(1)) if k == 1 else r
                   for k, r in enumerate(plan.routes))  # fmt: skip
    free = dataclasses.replace(plan, routes=routes)
    busy = dataclasses.replace(free, site_bench=(BenchPlan(1, Exponential(0.8)),))
    a, b = simulate(free, 40, 4), simulate(busy, 40, 4)
    assert b.bench_waits[:, 0, 1].sum() > 0.5 * b.bench_waits[:, 0, 0].sum()
    in_repair_free = a.parts_in_repair[:, 50:, 1].mean()
    assert b.parts_in_repair[:, 50:, 1].mean() > 2 * in_repair_free


def test_the_day_0_load_is_what_reaches_the_bench_and_an_overload_is_said() -> None:
    """The parts a day reaching the bench by (L1) (installed slots × hazard × in-house
    share) are the engine's in-house repairs a day (mean over paths and days, within Z
    standard errors); a bench whose technicians repair fewer a day is said, one with
    enough is not."""
    from hashshock.plan.bench_load import bench_arrivals_per_day, overloaded_benches

    per_fan_day, horizon, paths = 3.0 / (30_000 * 4), 60, 200
    bench = {"technicians": 2, "service_days": {"dist": "exponential", "mean": 0.5}}
    plan = _fans_only(plan_for(_fan_fleet(bench), horizon=horizon), per_fan_day)
    (expected,) = bench_arrivals_per_day(plan)
    assert expected == pytest.approx(3.0, rel=1e-9)
    started = simulate(plan, paths, 5).repairs_in_house[:, :, 1].sum(axis=1) / horizon
    assert abs(started.mean() - expected) <= Z * started.std(ddof=1) / np.sqrt(paths)
    assert overloaded_benches(plan) == []  # 2 technicians repair 4 a day
    slow = dataclasses.replace(plan, site_bench=(BenchPlan(1, Exponential(0.5)),))
    (said,) = overloaded_benches(slow)
    assert "gets about 3.00 parts a day, more than its 1 technician(s) repair (2.00" in said
