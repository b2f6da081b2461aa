"""pydantic's errors as one line naming the field, the problem and a fix that fits it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from hashshock.inputs.errors import InputError, from_validation_error
from hashshock.inputs.industry import Industry
from hashshock.inputs.scenario import Scenario

_OPERATOR = {"name": "farms", "fleet": "fleet.yaml"}
_INDUSTRY = {"start_date": "2026-12-01", "operators": [_OPERATOR]}


def _error(model: type[BaseModel], data: dict[str, Any]) -> InputError:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return from_validation_error(raised.value, "f.yaml")


@pytest.mark.parametrize(
    ("model", "data", "field", "problem", "fix"),
    [
        (Scenario, {"name": "x", "events": [{"type": "port_strike"}]}, "events[0].type",
         "unknown type 'port_strike'", "use one of customs_hold, "),
        (Scenario, {"name": "x", "events": [{"start_day": 3}]}, "events[0]", "no type given",
         "add type:"),
        (Industry, {"start_date": "2026-12-01", "operatorz": [_OPERATOR]}, "operatorz",
         "unknown field", "did you mean operators?"),
        (Industry, {**_INDUSTRY, "operators": [{**_OPERATOR, "name": "farms x"}]},
         "operators[0].name", "'farms x' has characters a name cannot have", "use letters"),
        (Industry, {**_INDUSTRY, "operators": []}, "operators", "list should have at least 1",
         "give at least 1"),
        (Industry, {**_INDUSTRY, "rest_of_world": {"growth_per_year": -2}},
         "rest_of_world.growth_per_year", "-2: input should be greater than -0.9",
         "use a value above -0.9"),
        (Industry, {**_INDUSTRY, "rest_of_world": {"hashrate_ehs": float("nan")}},
         "rest_of_world.hashrate_ehs", ".nan is not a number", "write a number"),
        # YAML's `takes_cancelled_us_orders:` with nothing after it (or a page's blank box)
        (Industry, {**_INDUSTRY, "rest_of_world": {"takes_cancelled_us_orders": None}},
         "rest_of_world.takes_cancelled_us_orders", "no value given", "write a number"),
    ],
)  # fmt: skip
def test_each_kind_of_error_names_its_field_and_a_fix_that_fits(
    model: type[BaseModel], data: dict[str, Any], field: str, problem: str, fix: str
) -> None:
    error = _error(model, data)
    assert error.file == "f.yaml" and error.field == field
    assert error.problem.startswith(problem) and error.fix.startswith(fix)


def test_a_bound_names_its_limit_and_an_unrelated_unknown_field_is_not_guessed() -> None:
    error = _error(Industry, {**_INDUSTRY, "operators": [{**_OPERATOR, "count": -3}]})
    assert error.field == "operators[0].count" and error.fix == "use a value of at least 1"
    error = _error(Industry, {"start_date": "2026-12-01", "colour": "red"})
    assert error.field == "operators" and error.fix == "add this field"


def test_an_unknown_field_spelt_like_an_optional_one_is_told_which() -> None:
    """With the model, a misspelt optional field (at the top, or inside a list's items)
    is matched against the fields that model has; an unrelated word is not guessed."""
    from hashshock.inputs.fleet import Fleet

    fleet = {"name": "x", "start_date": "2026-12-01", "sites": [{"name": "a"}],
             "cohorts": [{"model": "antminer-s21", "count": 5, "site": "a",
                          "install_date": "2025-01-01"}]}  # fmt: skip

    def told(data: dict[str, Any]) -> InputError:
        with pytest.raises(ValidationError) as raised:
            Fleet.model_validate(data)
        return from_validation_error(raised.value, "f.yaml", Fleet)

    assert told({**fleet, "finanse": {}}).fix == "did you mean finance?"
    nested = told({**fleet, "sites": [{"name": "a", "technicans": 3}]})
    assert (nested.field, nested.fix) == ("sites[0].technicans", "did you mean technicians?")
    assert told({**fleet, "weather": "sunny"}).fix == "remove it or check its spelling"


def test_a_hint_names_only_names_like_the_word_else_lists_them() -> None:
    """'did you mean' offers names that look like the typo; a word like none of them
    gets the whole list when it is short enough to read (a file's operators), not three
    unrelated names."""
    from hashshock.inputs.errors import unknown_name_fix

    operators = ["mara", "riot", "cleanspark", "core-scientific", "cipher", "terawulf",
                 "iren-us", "bitdeer-us", "bitfarms-us", "cango-us", "abtc", "greenidge",
                 "small-public", "hosted-clients", "midsize-private", "small-farms"]  # fmt: skip
    assert unknown_name_fix("smal-farms", operators, "operator") == "did you mean small-farms?"
    listed = unknown_name_fix("ghost", operators, "operator")
    assert listed == f"use one of {', '.join(operators)}"
    assert unknown_name_fix("ghost", [f"op{i}" for i in range(30)], "operator") == (
        "use a known operator"
    )
