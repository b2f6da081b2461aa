"""Field paths into a fleet (or an industry), scenario or market: read, edit, list and
suggest.

A path starts at the part it edits and walks mapping keys with dots and list items in
brackets, by position or by the item's ``name`` (else ``label``, else ``type``, when it
names one item)::

    fleet.operations.downtime_share
    fleet.sites[rockdale].technicians
    fleet.cohorts[0].count
    scenario.events[border-enforcement].hold_days.mode
    market.price.volatility_per_year

Paths address the *validated* inputs written out as plain data
(:func:`addressable`), so fields left to their defaults are there too; a delay
distribution appears as its parameters (``{dist: triangular, low, mode, high}``) when
they can be recovered exactly, else as its empirical form.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from hashshock.dists import DayDistribution, from_spec, to_spec

ROOTS = ("fleet", "industry", "scenario", "market")
#: A field inside each root, for the fix of a path that names no field.
EXAMPLE_PATHS = {
    "fleet": "fleet.sites[rockdale].technicians",
    "industry": "industry.vendor_lines[microbt].capacity_ehs_per_year",
    "scenario": "scenario.events[border-enforcement].hold_days.mode",
    "market": "market.price.volatility_per_year",
}
#: Keys not offered as paths (the market's notes on where each value comes from).
SKIPPED_KEYS = frozenset({"source"})
#: Keys that name an item of a list, tried in order.
ITEM_KEYS = ("name", "label", "type")

_TOKEN = re.compile(r"\.?([A-Za-z0-9_\-]+)|\[([^\[\]]+)\]")
_LABELS = (
    (re.compile(r"^uniform (\S+)-(\S+) d$"), "uniform", ("low", "high")),
    (re.compile(r"^triangular (\S+)/(\S+)/(\S+) d$"), "triangular", ("low", "mode", "high")),
    (re.compile(r"^lognormal mean (\S+) d cv (\S+)$"), "lognormal", ("mean", "cv")),
)


class PathError(ValueError):
    """A path that does not parse or does not lead to a field; ``fix`` says what to do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class FieldPath:
    """A parsed path: its root (fleet, scenario or market) and its steps (a ``str`` is a
    mapping key, a ``Select`` a list item)."""

    text: str
    root: str
    steps: tuple[str | Select, ...]


@dataclass(frozen=True)
class Select:
    """A list item by position (``[0]``) or by what it is called (``[rockdale]``)."""

    key: str

    def index_in(self, items: list[Any]) -> int | None:
        """The item's index in ``items``, or None."""
        if re.fullmatch(r"-?\d+", self.key):
            i = int(self.key)
            return i if -len(items) <= i < len(items) else None
        for field in ITEM_KEYS:
            hits = [i for i, item in enumerate(items)
                    if isinstance(item, dict) and item.get(field) == self.key]  # fmt: skip
            if len(hits) == 1:
                return hits[0]
        return None


def parse(text: str) -> FieldPath:
    """Parse ``text``; a :class:`PathError` if it is not a path."""
    position = 0
    steps: list[str | Select] = []
    cleaned = text.strip()
    while position < len(cleaned):
        match = _TOKEN.match(cleaned, position)
        # a key after the first comes after a dot: fleet.sites[a]technicians is a typo
        undotted = match is not None and bool(steps) and match.group(0)[0] not in ".["
        if match is None or match.end() == position or undotted:
            raise PathError(
                f"{text!r} is not a field path (at character {position + 1})",
                "write it like fleet.sites[rockdale].technicians",
            )  # fmt: skip
        key, selector = match.groups()
        steps.append(key if key is not None else Select(selector.strip()))
        position = match.end()
    if not steps or steps[0] not in ROOTS:
        raise PathError(
            f"{text!r} does not start with fleet, industry, scenario or market",
            "start the path with the part it edits, e.g. fleet.operations...",
        )
    root = str(steps[0])
    if len(steps) == 1:  # a whole file is not one value: an edit or input sets a field
        raise PathError(
            f"{text!r} names the whole {root}, not a field inside it",
            f"name a field inside the {root}, e.g. {EXAMPLE_PATHS[root]}",
        )
    return FieldPath(cleaned, root, tuple(steps[1:]))


def _walk(node: Any, step: str | Select) -> tuple[bool, Any, Any]:
    """(found, container, key) of ``step`` in ``node``."""
    if isinstance(step, Select):
        if not isinstance(node, list):
            return False, None, None
        index = step.index_in(node)
        return (index is not None), node, index
    if isinstance(node, dict) and step in node:
        return True, node, step
    return False, None, None


def located(data: dict[str, Any], path: FieldPath) -> tuple[tuple[str | int, ...], Any]:
    """Where ``path`` leads in ``data`` (the mapping of ``path.root``) — the root and the
    keys and list positions it goes through, the same for every way of naming one field
    (``sites[0]``, ``sites[rockdale]``, ``sites[-2]``) — and the value there; KeyError if
    it leads nowhere."""
    node: Any = data
    keys: list[str | int] = [path.root]
    for step in path.steps:
        found, container, key = _walk(node, step)
        if not found:
            raise KeyError(path.text)
        keys.append(key % len(container) if isinstance(container, list) else key)
        node = container[key]
    return tuple(keys), node


def get(data: dict[str, Any], path: FieldPath) -> Any:
    """The value at ``path`` in ``data`` (the mapping of ``path.root``); KeyError if none."""
    return located(data, path)[1]


def with_value(data: dict[str, Any], path: FieldPath, value: Any,
               full: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """A deep copy of ``data`` with ``value`` at ``path``.

    ``data`` may leave out fields at their defaults (as the user wrote the inputs);
    ``full`` is the same inputs with every field (:func:`addressable`): a mapping the path
    goes through that ``data`` leaves out is created, a list is copied from ``full``. So
    the result has what the user gave plus the one edit, and validates as their file would.
    """
    out = copy.deepcopy(data)
    if not path.steps:
        raise KeyError(path.text)
    node: Any = out
    source: Any = full
    for i, step in enumerate(path.steps):
        last = i == len(path.steps) - 1
        found, container, key = _walk(node, step)
        if not found and full is not None and isinstance(step, str) and isinstance(node, dict):
            has, _, _ = _walk(source, step)
            if not has:
                raise KeyError(path.text)
            below = source[step]
            node[step] = value if last else (copy.deepcopy(below) if isinstance(below, list)
                                             else {})  # fmt: skip
            found, container, key = True, node, step
        if not found:
            raise KeyError(path.text)
        if last:
            container[key] = value
            return out
        node = container[key]
        if source is not None:
            has, src_container, src_key = _walk(source, step)
            source = src_container[src_key] if has else None
    return out


def item_name(item: Any, index: int, items: list[Any]) -> str:
    """What a path calls ``item``, the ``index``-th of ``items``: its name (else label,
    else type) when that names it alone and reads well in brackets, else its position."""
    for field in ITEM_KEYS:
        value = item.get(field) if isinstance(item, dict) else None
        if (
            isinstance(value, str)
            and sum(isinstance(o, dict) and o.get(field) == value for o in items) == 1
            and re.fullmatch(r"[A-Za-z0-9_.\- ]+", value)
        ):
            return value
    return str(index)


def leaf_paths(data: Any, prefix: str) -> list[str]:
    """Every path to a number, text, boolean or empty value under ``data``."""
    if isinstance(data, dict):
        out = [] if data else [prefix]
        for key, value in data.items():
            if key not in SKIPPED_KEYS:
                out += leaf_paths(value, f"{prefix}.{key}")
        return out
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        out = []
        for i, item in enumerate(data):
            out += leaf_paths(item, f"{prefix}[{item_name(item, i, data)}]")
        return out
    return [prefix]


def suggest(text: str, choices: list[str], n: int = 3) -> list[str]:
    """The known paths closest to ``text``: same last field first; else those whose last
    field begins with it (``rate`` → ``rate_per_year``), then by spelling."""
    last = re.split(r"[.\[\]]+", text.strip().rstrip("]"))[-1]
    same_leaf = [c for c in choices if c.rsplit(".", 1)[-1] == last]
    if same_leaf:
        return difflib.get_close_matches(text, same_leaf, n=n, cutoff=0.0)
    parent = text.strip()[: len(text.strip()) - len(last)]
    begun = [c for c in choices if last and c.startswith(parent)
             and c.rsplit(".", 1)[-1].startswith(last)]  # fmt: skip
    spelt = difflib.get_close_matches(text, choices, n=n, cutoff=0.0)
    return list(dict.fromkeys(begun + spelt))[:n]


def _unset_block(data: dict[str, Any], path: FieldPath) -> str | None:
    """The path to the block on ``path`` that is there but empty (an optional block the
    file leaves out, e.g. a fleet's ``finance``), or None."""
    node: Any = data
    for n, step in enumerate(path.steps[:-1]):
        found, container, key = _walk(node, step)
        if not found:
            return None
        node = container[key]
        if node is None:
            return path.root + "".join(f"[{s.key}]" if isinstance(s, Select) else f".{s}"
                                       for s in path.steps[: n + 1])  # fmt: skip
    return None


def resolve(path_text: str, mappings: dict[str, dict[str, Any]]) -> tuple[FieldPath, Any]:
    """The parsed path and its current value in ``mappings`` (keyed by root); a
    :class:`PathError` naming the closest existing paths when it leads nowhere."""
    path = parse(path_text)
    try:
        return path, get(mappings[path.root], path)
    except KeyError:
        unset = _unset_block(mappings[path.root], path) if path.root in mappings else None
        if unset is not None:
            raise PathError(f"{path.text}: {unset} is not set in this {path.root}",
                            f"give it a {unset.rsplit('.', 1)[-1]}: block first, or "
                            f"set {unset} as a whole") from None  # fmt: skip
        if path.root not in mappings:  # a fleet's path on an industry's base, or back
            roots = ", ".join(f"{root}." for root in ROOTS if root in mappings)
            raise PathError(
                f"{path.text}: this sweep's base has no {path.root}", f"start the path with {roots}"
            ) from None
        known = [p for root in ROOTS if root in mappings
                 for p in leaf_paths(mappings[root], root)]  # fmt: skip
        hits = suggest(path.text, known)
        fix = f"did you mean {', '.join(hits)}?" if hits else "check the field names"
        raise PathError(f"{path.text}: no such field", fix) from None


# --- validated models as plain, addressable data -------------------------------------


def dist_spec(dist: DayDistribution) -> dict[str, Any] | int:
    """The parameters a delay was written with (``{dist: triangular, low, mode, high}``),
    when rebuilding from them gives exactly ``dist``; else its empirical form."""
    plain = to_spec(dist)
    if isinstance(plain, int):
        return plain
    for pattern, kind, names in _LABELS:
        match = pattern.match(dist.label)
        if match is None:
            continue
        try:
            values = [float(v) for v in match.groups()]
            spec: dict[str, Any] = {"dist": kind}
            spec.update(
                {k: int(v) if v.is_integer() else v for k, v in zip(names, values, strict=True)}
            )
            again = from_spec(spec)
        except ValueError:
            continue
        if again.support == dist.support and again.weights == dist.weights:
            return spec
    return plain


def _restore(dumped: Any, value: Any, every_field: bool) -> Any:
    """``dumped`` with delays as their parameters; ``every_field``: with the optional blocks
    a model leaves out of its dump when absent (a site's ``repair_bench``, the fleet's
    ``transshipment``) as None, so a path can name them."""
    if isinstance(value, DayDistribution):
        return dist_spec(value)
    if isinstance(value, BaseModel) and isinstance(dumped, dict):
        out = {k: _restore(v, getattr(value, k, None), every_field) for k, v in dumped.items()}
        if every_field:
            for name in type(value).model_fields:
                if name not in out and getattr(value, name) is None:
                    out[name] = None
        return out
    if isinstance(value, list | tuple) and isinstance(dumped, list) and len(value) == len(dumped):
        return [_restore(d, v, every_field) for d, v in zip(dumped, value, strict=True)]
    if isinstance(value, dict) and isinstance(dumped, dict):
        return {k: _restore(v, value.get(k), every_field) for k, v in dumped.items()}
    return dumped


def holds_whole_numbers(model: type[BaseModel], path: FieldPath) -> bool | None:
    """Whether the field ``path`` leads to in ``model`` is declared a whole number (an
    ``int``, optional or constrained): what a field left unset (``None``) takes; ``None``
    when the declarations cannot tell (a list of several kinds of event, a mapping)."""
    current: Any = model
    for step in path.steps:
        current = _bare(current)
        if isinstance(step, Select):
            if get_origin(current) not in (list, tuple) or not get_args(current):
                return None
            current = get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            found = fields.get(step) or next((f for f in fields.values() if f.alias == step), None)
            if found is None:
                return None
            current = found.annotation
        else:
            return None
    current = _bare(current)
    if not isinstance(current, type):
        return None
    return issubclass(current, int) and current is not bool


def _bare(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` and an optional ``| None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _bare(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        return _bare(kept[0]) if len(kept) == 1 else annotation
    return annotation


def addressable(model: BaseModel, given_only: bool = False) -> dict[str, Any]:
    """``model.model_dump(mode="json")`` with delay distributions as their parameters;
    ``given_only``: only the fields set when it was read (``exclude_unset``)."""
    dumped = model.model_dump(mode="json", exclude_unset=given_only)
    restored: dict[str, Any] = _restore(dumped, model, not given_only)
    return restored
