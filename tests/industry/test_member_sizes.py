"""The simulated members of a class add up to the class's machines (``member_sizes``)."""

from __future__ import annotations

import math
from statistics import NormalDist

from hypothesis import given, settings
from hypothesis import strategies as st

from hashshock.industry.scaling import member_sizes
from hashshock.inputs.industry import Operator


def _class(mean: float, cv: float, count: int, simulated: int) -> Operator:
    return Operator.model_validate({
        "name": "farms", "template": "small-farm", "count": count,
        "machines_each": {"mean": mean, "cv": cv}, "simulated": simulated,
    })  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    mean=st.floats(1, 5000),
    cv=st.floats(0, 5),
    count=st.integers(2, 400),
    simulated=st.integers(1, 60),
)
def test_members_hold_a_machine_each_and_the_class_its_size(
    mean: float, cv: float, count: int, simulated: int
) -> None:
    """Each member at least one machine, in ascending order, and together within
    rounding (half a machine a member) of the class's mean × members — a wide class of
    small members, raised to one machine each, no longer grows (mean 1, cv 5 made 300
    machines 488)."""
    op = _class(mean, cv, count, min(simulated, count))
    sizes = member_sizes(op)
    n = op.simulated_members
    assert len(sizes) == n and min(sizes) >= 1
    assert sizes == sorted(sizes)
    assert abs(sum(sizes) - mean * n) <= n / 2 + 1
    # The tail keeps its shape: the largest is to the next as the quantiles are (within
    # rounding), not cut down to make room for members raised to one machine.
    if n >= 2 and sizes[-2] >= 20:
        sigma = math.sqrt(math.log1p(cv**2))
        z = [NormalDist().inv_cdf((j + 0.5) / n) for j in (n - 2, n - 1)]
        ratio = math.exp(sigma * (z[1] - z[0]))
        assert abs(sizes[-1] / sizes[-2] - ratio) <= ratio / sizes[-2] + 1e-9


def test_the_reviewed_classes_keep_their_size_and_their_largest_members() -> None:
    sizes = member_sizes(_class(1, 5, 300, 8))
    assert sum(sizes) * 300 / len(sizes) == 300
    wide = member_sizes(_class(2, 5, 300, 60))  # was 738 machines, then its top cut
    assert abs(sum(wide) * 5 - 600) <= 30 / 2 * 5 and wide[-1] / wide[-2] > 2
