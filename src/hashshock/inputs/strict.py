"""The base of the input models: a field that takes a number refuses True and False.

pydantic reads ``True`` as 1 where a number belongs (its lax mode): ``paths: true`` ran
one path, ``us_share: true`` a share of 1, a BTC price of ``true`` $1, without a word —
and YAML reads ``yes``, ``on`` and ``true`` alike as True. Fields that take a truth
value (``network_wide``) or anything else besides numbers are left alone.
"""

from __future__ import annotations

import types
import warnings
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, model_validator

from hashshock.inputs.errors import TruthValue, from_validation_error


class InputModel(BaseModel):
    """A model of user input whose number fields (and lists and mappings of numbers)
    refuse True and False, Python's and numpy's."""

    @model_validator(mode="before")
    @classmethod
    def _truth_values_are_not_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        shapes = number_fields(cls)
        marked = {key: _marked(value, shapes[key]) if key in shapes else value
                  for key, value in data.items()}  # fmt: skip
        return marked if any(m is not v for m, v in zip(marked.values(), data.values(),
                                                         strict=True)) else data  # fmt: skip


def given(model: BaseModel) -> set[str]:
    """The fields of ``model`` given a value other than their default: what a "does
    nothing here" check refuses. A field written at its default does nothing either way,
    and a model dumped whole (defaults and all) must read back."""
    fields = type(model).model_fields
    return {
        name for name in model.model_fields_set
        if getattr(model, name) != fields[name].get_default(call_default_factory=True)
    }  # fmt: skip


def check_again(model: BaseModel, file: str) -> None:
    """``model``'s fields validated again, strictly: pydantic does not check an
    assignment, so an object changed since it was loaded may hold anything — a NaN, a
    share of 7, the text "0.3" — and the object is used as it is (strict: nothing is
    converted, so what passes needs no conversion). An :class:`InputError` names ``file``
    and the field."""
    with warnings.catch_warnings():  # pydantic's note on a field set to a wrong type
        warnings.simplefilter("ignore")
        fields = model.model_dump()
    try:
        type(model).model_validate(fields, strict=True)
    except ValidationError as exc:
        raise from_validation_error(exc, file, type(model)) from None


#: What a field holds that takes numbers: a number, a list of them, a mapping to them.
Shape = Literal["number", "list", "mapping"]


@cache
def number_fields(model: type[BaseModel]) -> dict[str, Shape]:
    """The fields of ``model`` (by name and alias) that take numbers (int, float or None)
    and nothing else, or lists or mappings of such numbers, with their :data:`Shape`."""
    shapes: dict[str, Shape] = {}
    for name, field in model.model_fields.items():
        shape = _shape(field.annotation)
        if shape is not None:
            shapes[name] = shape
            if field.alias:
                shapes[field.alias] = shape
    return shapes


def _shape(annotation: Any) -> Shape | None:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _shape(args[0])
    if origin in (Union, types.UnionType):
        shapes = {_shape(a) for a in args if a is not type(None)}
        return shapes.pop() if len(shapes) == 1 else None
    if origin in (list, tuple, set, frozenset) and args:
        items = {_shape(a) for a in args if a is not Ellipsis}
        return "list" if items == {"number"} else None
    if origin is dict and len(args) == 2:
        return "mapping" if _shape(args[1]) == "number" else None
    return "number" if annotation in (int, float) else None


def _is_truth_value(value: Any) -> bool:
    kind = type(value)
    return kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"))


def _marked(value: Any, shape: Shape) -> Any:
    """``value`` with each True or False where a number belongs as a :class:`TruthValue`
    (``value`` itself if there is none)."""
    if shape == "number":
        return TruthValue(bool(value)) if _is_truth_value(value) else value
    if shape == "list" and isinstance(value, list | tuple):
        found = any(_is_truth_value(v) for v in value)
        return type(value)(_marked(v, "number") for v in value) if found else value
    if shape == "mapping" and isinstance(value, dict):
        found = any(_is_truth_value(v) for v in value.values())
        return {k: _marked(v, "number") for k, v in value.items()} if found else value
    return value
