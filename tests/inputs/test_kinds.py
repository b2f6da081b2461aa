"""A file of one kind given where another is expected is told what it is and where it
goes, not given the first field error of the expected kind (whose fix would damage it)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from hashshock.decide.strategy import load_strategy
from hashshock.industry.load import load_industry, with_portfolio
from hashshock.inputs.errors import InputError
from hashshock.inputs.kinds import SIGNS, USES, looks_like
from hashshock.inputs.load import load_fleet, load_scenario
from hashshock.market import load_market
from hashshock.sweep.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(str(resources.files("hashshock") / "data"))
#: One bundled file of each kind.
FILES = {
    "fleet": ROOT / "examples/small-farm/fleet.yaml",
    "industry": DATA / "industry/us/industry.yaml",
    "sweep spec": ROOT / "examples/sweeps/tornado.yaml",
    "scenario": DATA / "scenarios/sanctions.yaml",
    "market": DATA / "market/defaults.yaml",
    "strategy": ROOT / "examples/strategies/grey-market.yaml",
}
LOADERS: dict[str, Callable[[Path], Any]] = {
    "fleet": load_fleet,
    "industry": load_industry,
    "sweep spec": load_spec,
    "scenario": load_scenario,
    "market": load_market,
    "strategy": load_strategy,
}


@pytest.mark.parametrize("kind", list(FILES))
def test_each_bundled_file_looks_like_its_kind(kind: str) -> None:
    import yaml

    data = yaml.safe_load(FILES[kind].read_text(encoding="utf-8"))
    assert looks_like(data) == kind
    assert set(SIGNS) == set(USES)


@pytest.mark.parametrize("expected", list(LOADERS))
@pytest.mark.parametrize("given", list(FILES))
def test_a_file_of_another_kind_is_named_as_such(expected: str, given: str) -> None:
    if given == expected:
        return
    with pytest.raises(InputError) as raised:
        LOADERS[expected](FILES[given])
    error = raised.value
    assert error.file == str(FILES[given]) and error.field is None
    assert error.problem.startswith(f"this is a{'n' if given[0] in 'aeiou' else ''} {given} "
                                    "file (it has ")  # fmt: skip
    assert error.problem.endswith(f"not a{'n' if expected[0] in 'aeiou' else ''} {expected} file")
    assert error.fix.startswith(USES[given])


def test_a_portfolio_given_an_industry_file_is_told_so() -> None:
    loaded = load_industry(FILES["industry"])
    with pytest.raises(InputError, match=r"this is a fleet file .* not a portfolio file"):
        with_portfolio(loaded, FILES["fleet"])


def test_a_file_with_none_of_the_keys_gets_the_field_errors(tmp_path: Path) -> None:
    """Nothing to tell it by: the expected kind's own first error."""
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="start_date: field required"):
        load_fleet(path)
