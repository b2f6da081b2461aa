"""The simulated members of a class add up to the class's machines (``member_sizes``)."""

from __future__ import annotations

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


def test_the_reviewed_class_keeps_its_300_machines() -> None:
    sizes = member_sizes(_class(1, 5, 300, 8))
    assert sum(sizes) * 300 / len(sizes) == 300
