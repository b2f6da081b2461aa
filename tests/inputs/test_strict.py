"""Every field of the input models that takes numbers refuses True and False: which
fields those are is read from an outside account of the models, their JSON Schemas
(``type: number`` or ``integer``, alone or with ``null``; arrays and mappings of them)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from hashshock.inputs.errors import InputError, TruthValue
from hashshock.inputs.strict import InputModel, number_fields

MODULES = ("hashshock.inputs.fleet", "hashshock.inputs.finance", "hashshock.inputs.scenario",
           "hashshock.inputs.industry", "hashshock.market.config", "hashshock.sweep.spec",
           "hashshock.decide.strategy")  # fmt: skip
NUMBER = {"number", "integer"}


def _models() -> Iterator[type[InputModel]]:
    for module in MODULES:
        importlib.import_module(module)
    seen: list[type[InputModel]] = []
    queue = list(InputModel.__subclasses__())
    while queue:
        model = queue.pop()
        if model not in seen:
            seen.append(model)
            queue += model.__subclasses__()
    return (m for m in seen if not m.__name__.startswith("_"))


def _expected(schema: dict[str, Any]) -> str | None:
    """What the JSON Schema says a property takes: numbers, a list or a mapping of them."""
    kind = schema.get("type")
    if kind in NUMBER:
        return "number"
    if "anyOf" in schema:
        kinds = [s.get("type") for s in schema["anyOf"]]
        if set(kinds) <= NUMBER | {"null"} and set(kinds) & NUMBER:
            return "number"
        inner = {_expected(s) for s in schema["anyOf"] if s.get("type") != "null"}
        return inner.pop() if len(inner) == 1 and inner <= {"list", "mapping"} else None
    items = schema.get("prefixItems") or [schema.get("items", {})]  # a tuple's, or a list's
    if kind == "array" and all(_expected(item) == "number" for item in items):
        return "list"
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, dict) and _expected(extra) == "number":
        return "mapping"
    return None


def test_the_fields_that_refuse_truth_values_are_the_schemas_number_fields() -> None:
    found = 0
    for model in _models():
        properties = model.model_json_schema()["properties"]
        shapes = number_fields(model)
        for name, schema in properties.items():
            assert shapes.get(name) == _expected(schema), (model.__name__, name)
            found += name in shapes
    assert found > 100  # the check saw the models' number fields, not none of them


@pytest.mark.parametrize("truth", [True, False, np.True_, np.False_])
def test_truth_values_are_marked_in_numbers_lists_and_mappings(truth: Any) -> None:
    """What the models' check gives pydantic: True or False (Python's or numpy's) as a
    value no number type takes, in a number field, a list and a mapping alike."""
    checked = InputModel.__dict__["_truth_values_are_not_numbers"].__func__
    for model in _models():
        for name, shape in number_fields(model).items():
            value = {"number": truth, "list": [1, truth], "mapping": {"a": truth}}[shape]
            marked = checked(model, {name: value})[name]
            inner = {"number": lambda v: v, "list": lambda v: v[1],
                     "mapping": lambda v: v["a"]}[shape](marked)  # fmt: skip
            assert isinstance(inner, TruthValue) and inner.value == bool(truth)


def test_a_repair_route_share_of_true_is_refused_at_its_field() -> None:
    """A field whose type is a named constraint (``Share | None``) was read as 1."""
    from hashshock.inputs.errors import from_validation_error
    from hashshock.inputs.fleet import RepairRoute

    with pytest.raises(Exception) as raised:
        RepairRoute.model_validate({"in_house_share": True})
    error = from_validation_error(raised.value, "fleet.yaml", RepairRoute)  # type: ignore[arg-type]
    assert isinstance(error, InputError) and "True is not a number" in error.problem
