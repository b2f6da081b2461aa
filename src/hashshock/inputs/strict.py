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
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, model_validator

from hashshock.inputs.errors import TruthValue, from_validation_error


class InputModel(BaseModel):
    """A model of user input whose number fields refuse True and False."""

    @model_validator(mode="before")
    @classmethod
    def _truth_values_are_not_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        numeric = number_fields(cls)
        if not any(isinstance(data.get(name), bool) for name in numeric):
            return data
        return {key: TruthValue(value) if key in numeric and isinstance(value, bool) else value
                for key, value in data.items()}  # fmt: skip


def check_again(model: BaseModel, file: str) -> None:
    """``model``'s fields validated again: pydantic does not check an assignment, so an
    object changed since it was loaded may hold anything. An :class:`InputError` names
    ``file`` and the field."""
    with warnings.catch_warnings():  # pydantic's note on a field set to a wrong type
        warnings.simplefilter("ignore")
        fields = model.model_dump()
    try:
        type(model).model_validate(fields)
    except ValidationError as exc:
        raise from_validation_error(exc, file, type(model)) from None


@cache
def number_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` (by name and alias) that take numbers (int, float or None)
    and nothing else."""
    names: set[str] = set()
    for name, field in model.model_fields.items():
        if _numbers_only(field.annotation):
            names.add(name)
            if field.alias:
                names.add(field.alias)
    return frozenset(names)


def _numbers_only(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return bool(args) and all(_numbers_only(a) for a in args)
    return annotation in (int, float)
