"""Pydantic field types shared by the fleet and scenario schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictInt,
    WithJsonSchema,
)

from hashshock.dists import (
    DayDistribution,
    ServiceTime,
    from_spec,
    service_from_spec,
    service_to_spec,
    to_spec,
)


def _to_dist(value: Any) -> DayDistribution:
    try:
        return from_spec(value)
    except ValueError as exc:
        if " — fix: " in str(exc):  # the parameter's own fix (a number written as text)
            raise
        raise ValueError(
            f"{exc} — fix: write a whole number of days "
            "or e.g. {dist: uniform, low: 21, high: 35}"
        ) from exc


_DELAY_SCHEMA: dict[str, Any] = {
    "description": "Whole days, or a distribution {dist: fixed|uniform|triangular|lognormal|"
    "empirical, ...}",
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {
            "type": "object",
            "properties": {
                "dist": {"enum": ["fixed", "uniform", "triangular", "lognormal", "empirical"]},
                "days": {"type": "integer"},
                "low": {"type": "integer"},
                "high": {"type": "integer"},
                "mode": {"type": "integer"},
                "mean": {"type": "number"},
                "cv": {"type": "number"},
                "values": {"type": "array", "items": {"type": "integer"}},
                "weights": {"type": "array", "items": {"type": "number"}},
            },
            "required": ["dist"],
        },
    ],
}

#: A delay in whole days: a number or a distribution mapping.
Delay = Annotated[
    DayDistribution,
    BeforeValidator(_to_dist),
    PlainSerializer(to_spec),
    WithJsonSchema(_DELAY_SCHEMA),
]


def _to_service(value: Any) -> ServiceTime:
    try:
        return service_from_spec(value)
    except ValueError as exc:
        if " — fix: " in str(exc):
            raise
        raise ValueError(
            f"{exc} — fix: write a whole number of days, e.g. {{dist: exponential, mean: 2.5}}"
            " or {dist: uniform, low: 1, high: 4}"
        ) from exc


_SERVICE_SCHEMA: dict[str, Any] = {
    "description": "A delay (whole days or a distribution), or a continuous exponential "
    "{dist: exponential, mean: days}",
    "anyOf": [
        *_DELAY_SCHEMA["anyOf"],
        {
            "type": "object",
            "properties": {"dist": {"const": "exponential"}, "mean": {"type": "number"}},
            "required": ["dist", "mean"],
            "additionalProperties": False,
        },
    ],
}

#: A service time: a :data:`Delay`, or ``{dist: exponential, mean: days}`` (continuous).
Service = Annotated[
    ServiceTime,
    PlainValidator(_to_service),
    PlainSerializer(service_to_spec),
    WithJsonSchema(_SERVICE_SCHEMA),
]

#: A whole count that may be zero (machines, parts, people).
Count = Annotated[StrictInt, Field(ge=0)]
#: A probability or share in [0, 1].
Share = Annotated[float, Field(ge=0.0, le=1.0)]
#: Largest amount of money (USD) a field takes: a trillion, above any miner's books
#: (and half of all bitcoin's worth), so a mistyped exponent is refused, not printed.
MAX_USD = 1e12
#: An amount of money (USD, or USD per unit or per day) from 0 to :data:`MAX_USD`.
Money = Annotated[float, Field(ge=0.0, le=MAX_USD)]
