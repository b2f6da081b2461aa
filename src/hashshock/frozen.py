"""Make the arrays of a result read-only, however deep they sit; freeze and thaw the plain
data a result carries (its manifest).

The results of one call share arrays (every scenario's decline stage reads baseline's
hashrate, a compare's scenarios one market's prices, a scenario's money baseline's): a
caller's change in place to one would reach the others, so numpy refuses it instead, and
``.copy()`` gives an array to change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np


class ReadOnlyDict(dict[Any, Any]):
    """A dict that refuses changes in place (a result's mappings: :func:`make_read_only`
    keeps their arrays), and, unlike a ``MappingProxyType``, pickles and copies (a result
    goes to a worker process, a cache, a saved session)."""

    def _refuse(self, *_: object, **__: object) -> None:
        raise TypeError("a result's mapping is read-only: dict(it) gives one to change")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> ReadOnlyDict:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ReadOnlyDict:
        import copy

        return type(self)({copy.deepcopy(k, memo): copy.deepcopy(v, memo)
                           for k, v in self.items()})  # fmt: skip


def make_read_only(value: Any) -> None:
    """Mark every numpy array reachable from ``value`` read-only: through dataclasses,
    mappings, lists, tuples and hashshock's own objects (their attributes), each once."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
        elif isinstance(item, dict | MappingProxyType):  # a hashshock Mapping: its fields
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif type(item).__module__.startswith("hashshock.") and hasattr(item, "__dict__"):
            stack.extend(vars(item).values())


def frozen(value: Any) -> Any:
    """``value`` (JSON-like data: dicts, lists, scalars) that cannot be changed in place:
    dicts as read-only mappings, lists as tuples, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    return value


def thawed(value: Any) -> Any:
    """:func:`frozen`'s data as plain dicts and lists again, the caller's to change."""
    if isinstance(value, Mapping):
        return {key: thawed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thawed(item) for item in value]
    return value
