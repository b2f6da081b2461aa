"""Greedy allocation properties (hypothesis) and distribution objects as oracles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.oracles import GroupedGreedy

from hashshock.dists import Empirical, Fixed, LogNormal, Triangular, Uniform, from_spec


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 2), min_size=n, max_size=n),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
            st.lists(st.integers(0, 20), min_size=n, max_size=n),
            st.lists(st.integers(0, 30), min_size=3, max_size=3),
        )
    )
)
def test_greedy_allocation(case: tuple[list[int], list[int], list[int], list[int]]) -> None:
    group, priority, demand, capacity = (np.array(x, dtype=np.int64) for x in case)
    alloc = GroupedGreedy(group, priority).allocate(demand[None, :], capacity[None, :])[0]
    assert np.all((alloc >= 0) & (alloc <= demand))
    for g in range(3):
        members = group == g
        assert alloc[members].sum() == min(capacity[g], demand[members].sum())
        # Nobody of lower priority is served while a higher-priority job is short.
        for i in np.flatnonzero(members):
            if alloc[i] < demand[i]:
                later = members & ((priority > priority[i]) | ((priority == priority[i]) &
                                   (np.arange(len(group)) > i)))  # fmt: skip
                assert alloc[later].sum() == 0


@pytest.mark.parametrize(
    ("dist", "mean", "var"),
    [
        (Fixed(7), 7.0, 0.0),
        (Uniform(21, 35), 28.0, ((35 - 21 + 1) ** 2 - 1) / 12),
        (Empirical([10, 20], [1, 3]), 17.5, 18.75),
    ],
)
def test_dist_moments_closed_form(dist: object, mean: float, var: float) -> None:
    assert dist.mean == pytest.approx(mean)  # type: ignore[attr-defined]
    assert dist.variance == pytest.approx(var)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "dist", [Uniform(3, 10), Triangular(30, 60, 180), LogNormal(60, 0.5), Empirical([1, 5, 9])]
)
def test_dist_samples_match_own_moments(dist: object) -> None:
    rng = np.random.default_rng(0)
    draws = dist.sample(rng, 200_000)  # type: ignore[attr-defined]
    sd = np.sqrt(dist.variance)  # type: ignore[attr-defined]
    assert abs(draws.mean() - dist.mean) < 5 * sd / np.sqrt(draws.size)  # type: ignore[attr-defined]
    quantiles = dist.quantile(np.array([0.0, 0.999999]))  # type: ignore[attr-defined]
    assert quantiles[0] == dist.values.min() and quantiles[1] == dist.values.max()  # type: ignore[attr-defined]


def test_lognormal_mean_close_to_asked() -> None:
    assert LogNormal(60, 0.5).mean == pytest.approx(60, rel=0.02)


@pytest.mark.parametrize("bad", [-3, 2.5, "x", {"dist": "gamma"}, {"dist": "uniform", "low": 5}])
def test_bad_specs_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        from_spec(bad)


@pytest.mark.parametrize("spec", [
    10**24, 1e308, float("inf"), float("nan"),
    {"dist": "uniform", "low": 1, "high": 10**11},
    {"dist": "uniform", "low": 10**30, "high": 10**31},
    {"dist": "triangular", "low": 1, "mode": 2, "high": 10**11},
    {"dist": "triangular", "low": 1, "mode": 10**20, "high": 10**21},
    {"dist": "fixed", "days": 1e300},
    {"dist": "empirical", "values": [1, 2**70]},
    {"dist": "empirical", "values": [1, 2], "weights": [1, float("inf")]},
    {"dist": "lognormal", "mean": 1e308, "cv": 0.5},
    {"dist": "lognormal", "mean": 60, "cv": 1e200},
])  # fmt: skip
def test_days_past_the_limit_are_refused_before_building(spec: object) -> None:
    """Every constructor checks its days against MAX_DELAY_DAYS before it builds a range
    (a uniform to 10¹¹ days asked for hundreds of GiB), and nothing overflows."""
    with pytest.raises(ValueError, match=r"fix:|weights must be finite"):
        from_spec(spec)


def test_huge_equal_weights_are_not_nan() -> None:
    """Weights near the largest float summed to inf, giving a pmf of zeros."""
    dist = from_spec({"dist": "empirical", "values": [1, 3], "weights": [1e308, 1e308]})
    assert dist.mean == 2.0


def test_parameters_as_tuples_or_numpy_numbers_are_numbers() -> None:
    """A mapping built in Python may carry tuples and numpy numbers: they are the
    distribution's parameters as lists and ints are (text such as '3e1' is not)."""
    import numpy as np
    import pytest

    from hashshock.dists import from_spec

    assert from_spec({"dist": "empirical", "values": (1, 2), "weights": (0.5, 0.5)}).mean == 1.5
    assert from_spec({"dist": "uniform", "low": np.int64(1), "high": np.int64(5)}).mean == 3.0
    with pytest.raises(ValueError, match="'3e1' is not a number"):
        from_spec({"dist": "lognormal", "mean": "3e1", "cv": 0.5})


def test_a_triangular_mode_between_two_days_is_taken() -> None:
    """Only a delay's bounds are whole days: a mode of 7.5 was valid, and stays so, with
    the pmf it had."""
    from hashshock.dists import Triangular

    dist = Triangular(5, 7.5, 30)
    days = np.arange(5, 31)
    weights = np.where(days <= 7.5, (days - 5 + 0.5) / 3.0, (30 - days + 0.5) / 23.0)
    np.testing.assert_allclose(dist.pmf, weights / weights.sum())
