"""docs/fields.md accounts for every input field and every column of the bundled data.

The fields are found by walking the pydantic models (fleet with its finance block,
scenario with every event kind, market, network snapshot), so a field added to a schema
fails here until docs/fields.md says what it acts on and which test shows it, or that it
is metadata, or that it is a FINDING. Every test a row cites must exist, and every case of
tests/inputs/test_field_effects.py must be cited.
"""

from __future__ import annotations

import csv
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from tests.inputs.test_field_effects import CASES

from hashshock.inputs.catalog import PartType
from hashshock.inputs.fleet import Fleet
from hashshock.inputs.scenario import Scenario
from hashshock.market.config import MarketConfig, defaults_path
from hashshock.market.hashprice import TierName
from hashshock.market.snapshot import NetworkSnapshot

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "fields.md"
DATA = ROOT / "src" / "hashshock" / "data"
SCHEMAS: dict[str, type[BaseModel]] = {
    "fleet": Fleet,
    "scenario": Scenario,
    "market": MarketConfig,
    "snapshot": NetworkSnapshot,
}
#: How a mapping's keys are written in a path: ``fleet.repair_routes.<part>.swap_days``.
KEY_NAMES: list[tuple[Any, str]] = [(PartType, "<part>"), (TierName, "<tier>")]
#: A test a row cites: ``tests/…py::name`` or ``tests/…py::name[case id]``.
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)(?:\[([^\]\s`]+)\])?")


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The pydantic models a (possibly optional, list or union) type holds."""
    tp = _strip(tp)
    if _is_model(tp):
        return [tp]
    if get_origin(tp) in (Union, types.UnionType, list):
        return [m for arg in get_args(tp) for m in _models_in(arg)]
    return []


def _tag(model: type[BaseModel]) -> str:
    """The discriminator value of a union member (``type`` of events, ``model`` of prices)."""
    for name in ("type", "model"):
        if name in model.model_fields:
            annotation = model.model_fields[name].annotation
            if get_origin(annotation) is Literal:
                return str(get_args(annotation)[0])
    raise AssertionError(f"{model.__name__} has no discriminator")


def _key_name(key: Any) -> str:
    return next((name for tp, name in KEY_NAMES if key == tp), "<key>")


def _paths(tp: Any, path: str) -> Iterator[str]:
    tp = _strip(tp)
    origin = get_origin(tp)
    if _is_model(tp):
        yield from model_paths(tp, path)
    elif origin in (Union, types.UnionType):
        members = [_strip(a) for a in get_args(tp) if a is not type(None)]
        models = [m for m in members if _is_model(m)]
        if len(models) > 1:  # a discriminated union: one set of paths per kind
            for model in models:
                yield from model_paths(model, f"{path}[{_tag(model)}]")
        elif len(members) == 1:
            yield from _paths(members[0], path)
        else:
            yield path
    elif origin is list and _models_in(get_args(tp)[0]):
        item = _strip(get_args(tp)[0])
        union = get_origin(item) in (Union, types.UnionType)  # its kinds name themselves
        yield from _paths(item, path if union else path + "[]")
    elif origin is dict and _models_in(get_args(tp)[1]):
        key, value = get_args(tp)
        yield from _paths(value, f"{path}.{_key_name(key)}")
    else:
        yield path


def model_paths(model: type[BaseModel], prefix: str) -> Iterator[str]:
    """Every leaf field of ``model`` as a path under ``prefix``."""
    for name, info in model.model_fields.items():
        yield from _paths(info.annotation, f"{prefix}.{name}")


def schema_paths() -> list[str]:
    return [p for root, model in SCHEMAS.items() for p in model_paths(model, root)]


def csv_paths() -> list[str]:
    """``file.csv:column`` for every bundled CSV's columns, and ``file.csv:setting`` for
    every row of the setting,value,source files."""
    out: list[str] = []
    for file in sorted(DATA.glob("*.csv")):
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            out += [f"{file.name}:{column}" for column in header]
            if header[:2] == ["setting", "value"]:
                out += [f"{file.name}:{row['setting']}" for row in reader]
    return out


def yaml_leaves(data: Any, raw: str, path: str) -> Iterator[tuple[str, str]]:
    """(key path in the YAML, field path) of every value of a market defaults or snapshot
    YAML, without the ``source``/``sources`` documentation."""
    if not isinstance(data, dict):
        yield raw, path
        return
    for key, value in data.items():
        if key in ("source", "sources"):  # a value's documentation, not a value
            continue
        if path.endswith(".price"):
            field = f"{path}[{data['model']}].{key}"
        elif path.endswith(".tiers"):
            field = f"{path}.<tier>"
        else:
            field = f"{path}.{key}"
        yield from yaml_leaves(value, f"{raw}.{key}" if raw else key, field)


def defaults_rows() -> dict[str, str]:
    """``defaults.yaml:<key path>`` → the market field it is the default of."""
    defaults = yaml.safe_load(defaults_path().read_text(encoding="utf-8"))
    return {f"defaults.yaml:{raw}": field for raw, field in yaml_leaves(defaults, "", "market")}


def documented() -> dict[str, str]:
    """docs/fields.md: the field (first backticked name of a table row's first cell) → row."""
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if not line.startswith("| `") or len(cells) < 6:
            continue
        name = cells[1].strip().split("`")[1]
        assert name not in rows, f"docs/fields.md: {name} has two rows"
        rows[name] = line
    return rows


def test_every_schema_field_is_documented() -> None:
    paths = schema_paths()
    assert len(paths) > 200  # the walk reaches every model
    missing = [p for p in paths if p not in documented()]
    assert not missing, f"add rows to docs/fields.md for: {', '.join(missing)}"


def test_every_bundled_csv_column_is_documented() -> None:
    missing = [p for p in csv_paths() if p not in documented()]
    assert not missing, f"add rows to docs/fields.md for: {', '.join(missing)}"


def test_every_market_default_is_a_documented_field() -> None:
    """Each value of data/market/defaults.yaml (and of the bundled snapshot) is a field, and
    each value of defaults.yaml has its row."""
    paths = set(schema_paths())
    snapshot = yaml.safe_load((DATA / "market" / "snapshot.yaml").read_text(encoding="utf-8"))
    leaves = [*defaults_rows().values(), *(f for _, f in yaml_leaves(snapshot, "", "snapshot"))]
    fields = paths | {q.rsplit(".", n)[0] for q in paths for n in range(1, 3)}  # and blocks
    unknown = [p for p in leaves if p not in fields]
    assert not unknown, unknown
    missing = [row for row in defaults_rows() if row not in documented()]
    assert not missing, f"add rows to docs/fields.md for: {', '.join(missing)}"


def test_documented_fields_exist() -> None:
    """No row for a field or column that is gone."""
    known = set(schema_paths()) | set(csv_paths()) | set(defaults_rows())
    stale = [name for name in documented() if name not in known]
    assert not stale, f"docs/fields.md has rows for fields that do not exist: {stale}"


def test_every_row_says_how_it_is_shown_and_its_tests_exist() -> None:
    case_ids = {c.id for c in CASES}
    cited: set[str] = set()
    for name, line in documented().items():
        shown = line.rstrip().rstrip("|").split("|")[-1]
        refs = TEST_REF.findall(shown)
        assert refs or "metadata" in shown or "FINDING" in shown, f"{name}: no test cited"
        for file, test, case_id in refs:
            source = (ROOT / file).read_text(encoding="utf-8")
            assert re.search(rf"^\s*def {test}\(", source, re.M), f"{name}: {file}::{test}"
            if case_id:
                assert test == "test_field_effect" and case_id in case_ids, f"{name}: {case_id}"
                cited.add(case_id)
    assert not case_ids - cited, f"cases cited nowhere in docs/fields.md: {case_ids - cited}"


def _defaults_in_code(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, Any]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        if not info.is_required() and info.default is not None and name not in {"source"}:
            yield path, info.default
        for sub in _models_in(info.annotation):
            yield from _defaults_in_code(sub, path)


def test_one_source_for_each_market_default() -> None:
    """A market value defaulted in data/market/defaults.yaml has no second default in code."""
    defaults = yaml.safe_load(defaults_path().read_text(encoding="utf-8"))
    twice = []
    for section in ("network", "used_prices"):
        model = MarketConfig.model_fields[section].annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for path, value in _defaults_in_code(model, section):
            node: Any = defaults
            for key in path.split("."):
                node = node.get(key) if isinstance(node, dict) else None
            if node is not None:
                twice.append(f"{path} = {value!r} (defaults.yaml: {node!r})")
    assert not twice, twice
