"""A vendor line as a queue (hashshock.industry.vendors) against queueing theory."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.industry.vendors import serve


def test_steady_orders_below_capacity_get_the_fluid_lead_time() -> None:
    """Orders of a TH/s every day on a line of c > a: none waits, each is made in a/c
    days and ships on the day it was ordered."""
    paths, days, per_day, capacity = 4, 60, 30.0, 80.0
    line = np.full((paths, days), capacity)
    join = np.tile(np.arange(40, dtype=float), (paths, 1))
    result = serve(line, join, np.full(40, per_day), np.ones(40))
    np.testing.assert_allclose(result.start, join)
    np.testing.assert_allclose(result.done - join, per_day / capacity)
    np.testing.assert_array_equal(result.ship_day, join.astype(np.int64))
    np.testing.assert_allclose(result.lead_days(line)[:, :40], per_day / capacity)
    np.testing.assert_allclose(result.made[:, :40], per_day)


def test_steady_orders_above_capacity_wait_ever_longer() -> None:
    """Above capacity the backlog grows by a − c a day and so does the wait."""
    paths, days, per_day, capacity = 2, 80, 30.0, 20.0
    line = np.full((paths, days), capacity)
    join = np.tile(np.arange(40, dtype=float), (paths, 1))
    result = serve(line, join, np.full(40, per_day), np.ones(40))
    wait = result.start - join
    np.testing.assert_allclose(wait[0], np.arange(40) * (per_day - capacity) / capacity)
    np.testing.assert_allclose(result.made[:, :60], capacity)


def test_poisson_orders_wait_as_pollaczek_khinchine_says() -> None:
    """M/D/1: Poisson orders (rate λ a day) of equal work a on a line of capacity c wait
    W_q = ρ·s / (2(1 − ρ)) on average, s = a/c, ρ = λ·s (Pollaczek–Khinchine). Each path
    is an independent queue; the bound is 4 standard errors of the paths' mean waits."""
    rng = np.random.default_rng(11)
    paths, days, warm_up = 120, 1500, 100
    rate, work, capacity = 2.0, 7.0, 20.0
    service = work / capacity
    rho = rate * service
    expected = rho * service / (2 * (1 - rho))
    most = int(rate * days * 1.2)
    gaps = rng.exponential(1 / rate, size=(paths, most))
    join = np.cumsum(gaps, axis=1)
    join[join >= days] = np.nan
    result = serve(np.full((paths, days), capacity), join, np.full(most, work), np.ones(most))
    wait = result.start - join
    # NaN compares False: orders that never joined drop out; the last days' orders may
    # start after the horizon (an infinite start), so the window ends 50 days early.
    counted = (join >= warm_up) & (join < days - 50)
    per_path = np.array([wait[p, counted[p]].mean() for p in range(paths)])
    error = per_path.std(ddof=1) / np.sqrt(paths)
    assert abs(per_path.mean() - expected) < 4 * error, (per_path.mean(), expected, error)


def test_like_orders_weighed_ship_at_their_mean_completion() -> None:
    """An order standing for w like orders is done when the mean of w single orders made
    one after another would be."""
    line = np.full((1, 30), 10.0)
    weighed = serve(line, np.array([[2.0]]), np.array([5.0]), np.array([4.0]))
    singles = serve(line, np.full((1, 4), 2.0), np.full(4, 5.0), np.ones(4))
    np.testing.assert_allclose(weighed.done[0, 0], singles.done.mean())
    np.testing.assert_allclose(weighed.made, singles.made)


def test_no_capacity_before_the_line_starts() -> None:
    """A line that starts on day 10 makes nothing before; an order from day 0 waits."""
    line = np.full((1, 40), 5.0)
    line[:, :10] = 0.0
    result = serve(line, np.array([[0.0]]), np.array([10.0]), np.ones(1))
    assert result.start[0, 0] == 10.0
    assert result.ship_day[0, 0] == 11
    assert (result.made[0, :10] == 0).all()
    # an order joining on day 0 behind it waits for the start and its 2 days of work
    np.testing.assert_allclose(result.lead_days(line)[0, 0], 10.0 + 10.0 / 5.0)


@st.composite
def queues(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    days = draw(st.integers(5, 40))
    n = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    capacity = rng.choice([0.0, 1.0, 5.0, 20.0], size=(3, days))
    join = rng.uniform(0, days, size=(3, n))
    join[rng.random((3, n)) < 0.2] = np.nan
    work = rng.uniform(0.5, 30, size=n)
    weight = rng.integers(1, 5, size=n).astype(float)
    extra = draw(st.floats(0.0, 30.0))
    return capacity, join, work, weight, extra


def made_by_reich(capacity: np.ndarray, join: np.ndarray, size: np.ndarray, day: int) -> float:
    """Work a work-conserving line has done by time ``day``, by Reich's formula
    D(t) = min over s ≤ t of A(s−) + K(t) − K(s) (A: work that joined before s, K:
    cumulative capacity), taken at s = 0, every joining time and t."""
    made_before = np.concatenate(([0.0], np.cumsum(capacity)))

    def k_at(x: float) -> float:
        d = min(int(np.floor(x)), len(capacity) - 1)
        return float(made_before[d] + (x - d) * capacity[d])

    joined = ~np.isnan(join) & (np.nan_to_num(join, nan=np.inf) < day)
    times, sizes = join[joined], size[joined]
    candidates = [k_at(day), float(sizes.sum())]
    for x in times:
        before = float(sizes[times < x].sum())
        candidates.append(before + k_at(day) - k_at(x))
    return min(candidates)


@settings(max_examples=60, deadline=None)
@given(queues())
def test_capacity_conservation_and_first_come_first_served(case: tuple) -> None:
    """Never more than capacity a day; what is made by each day is what a work-conserving
    line makes (Reich's formula, computed independently); orders start in the order
    they joined; an order ships on or after the day it joins."""
    capacity, join, work, weight, _ = case
    result = serve(capacity, join, work, weight)
    assert (result.made <= capacity + 1e-9).all() and (result.made >= -1e-9).all()
    assert (result.backlog >= -1e-9).all()
    joined = ~np.isnan(join)
    for p in range(capacity.shape[0]):
        made = np.concatenate(([0.0], np.cumsum(result.made[p])))
        for day in range(1, capacity.shape[1] + 1, 3):
            expected = made_by_reich(capacity[p], join[p], work * weight, day)
            assert abs(made[day] - expected) < 1e-6 * max(1.0, expected), (p, day)
        by_join = np.argsort(np.where(joined[p], join[p], np.inf), kind="stable")
        starts = result.start[p, by_join][joined[p, by_join]]
        assert (np.diff(starts[np.isfinite(starts)]) >= -1e-9).all()
        assert (result.ship_day[p, joined[p]] >= np.floor(join[p, joined[p]])).all()
        assert (result.ship_day[p, ~joined[p]] == -1).all()


@settings(max_examples=60, deadline=None)
@given(queues())
def test_more_capacity_never_lengthens_lead_times(case: tuple) -> None:
    """On the same orders, adding capacity never makes an order done or shipped later."""
    capacity, join, work, weight, extra = case
    less = serve(capacity, join, work, weight)
    more = serve(capacity + extra, join, work, weight)
    done_less = np.nan_to_num(less.done, nan=0.0, posinf=1e9)
    done_more = np.nan_to_num(more.done, nan=0.0, posinf=1e9)
    assert (done_more <= done_less + 1e-9).all()
    assert (more.ship_day <= less.ship_day).all()


def test_the_wait_quoted_does_not_shrink_because_the_horizon_ends() -> None:
    """Twice the capacity ordered every day: the backlog grows by c a day, and an order
    joining on day t waits backlog(t) / c days — past the horizon too (the work left is
    made at the last day's capacity), so the same day's quote is the same over 120 and
    240 days; on a line with no capacity at the end the wait stays unbounded."""
    from hashshock.industry.vendors import wait_for

    quotes = []
    for days in (120, 240):
        capacity = np.full((1, days), 10.0)
        result = serve(capacity, np.arange(days, dtype=float)[None, :], np.full(days, 20.0),
                       np.ones(days))  # fmt: skip
        wait = result.lead_days(capacity)
        np.testing.assert_allclose(wait[0], result.backlog[0] / 10.0, atol=1e-9)
        assert np.all(np.diff(wait[0]) >= 0)  # ever longer, to the last day
        quotes.append(wait[0, :120])
    np.testing.assert_allclose(quotes[0], quotes[1])
    stopped = np.full((1, 50), 10.0)
    stopped[0, 40:] = 0.0
    assert np.isinf(wait_for(np.full((1, 50), 500.0), stopped)[0, -1])


def test_a_line_that_starts_after_the_horizon_quotes_its_start() -> None:
    """A line that makes nothing within the horizon T but starts on day S > T, at c a
    day: an order joining on day t with work B ahead waits S − t + B / c — the same over
    any horizon (it was quoted to the horizon's end, which moved with the horizon); work
    that goes first after the horizon (contracted orders ahead of a spot order)
    lengthens it by its time at c; a line that never starts quotes no finite wait."""
    from hashshock.industry.vendors import wait_for

    start, rate, work = 300, 10.0, 500.0
    for days in (120, 240):
        capacity = np.zeros((1, days))
        later = np.concatenate([np.zeros(start - days), np.full(900, rate)])[None, :]
        wait = wait_for(np.full((1, days), work), capacity, later)
        np.testing.assert_allclose(wait[0], start - np.arange(days) + work / rate)
        behind = wait_for(np.full((1, days), work), capacity, later, np.array([200.0]))
        np.testing.assert_allclose(behind - wait, 200.0 / rate)
    never = wait_for(np.full((1, 50), work), np.zeros((1, 50)), np.zeros((1, 900)))
    assert np.isinf(never).all()


def test_a_line_done_with_its_orders_quotes_no_negative_wait() -> None:
    """Orders that use up a line's capacity before it stops: the backlog left is none,
    never minus a rounding error (ordered − made came out −2e-15, and a wait was quoted
    from a level just below the flat capacity: −25 days, a spot order delivered before
    it was placed). Seeded cases of random capacity, order sizes and joining times."""
    rng = np.random.default_rng(1)
    for _ in range(500):
        days, stop = 40, int(rng.integers(3, 20))
        capacity = np.zeros((1, days))
        capacity[0, :stop] = rng.uniform(0.1, 3.0, stop)
        n = int(rng.integers(1, 6))
        join = np.sort(rng.uniform(0, stop / 2, n))[None, :]
        work = rng.dirichlet(np.ones(n)) * capacity.sum() * rng.uniform(0.5, 1.0)
        result = serve(capacity, join, work, np.ones(n))
        assert (result.backlog >= 0).all()
        wait = result.lead_days(capacity)
        assert (wait[np.isfinite(wait)] >= 0).all()


def test_an_order_not_started_within_the_schedule_is_quoted_above_every_started_one() -> None:
    """A line idle within the horizon, then at c a day for the schedule followed after it:
    work it starts just before that schedule ends is quoted finitely, work it never
    starts is infinite — and reported at the bound, never below a started order's quote
    (it was reported as waiting to the horizon's end, so a band's median fell as more
    paths' orders waited beyond the schedule)."""
    from hashshock.industry.queues import AFTER_HORIZON_DAYS, quoted_days
    from hashshock.industry.vendors import wait_for

    days, rate, base = 50, 10.0, 42.0
    later = np.full((3, AFTER_HORIZON_DAYS), rate)
    work = np.array([500.0, rate * AFTER_HORIZON_DAYS - 1.0, rate * AFTER_HORIZON_DAYS + 100.0])
    wait = wait_for(np.repeat(work[:, None], days, axis=1), np.zeros((3, days)), later)
    assert np.isfinite(wait[:2]).all() and np.isinf(wait[2]).all()
    quoted = quoted_days(base + wait, base)
    np.testing.assert_array_equal(quoted[:2], base + wait[:2])
    np.testing.assert_array_equal(quoted[2], base + days - np.arange(days) + AFTER_HORIZON_DAYS)
    assert (quoted[2] >= quoted[1]).all() and (quoted[1] > quoted[0]).all()
