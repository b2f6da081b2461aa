"""An operator whose loan already breaches its LTV covenant on day 0 is warned of, as
``hashshock run`` warns of one fleet: the breach would read as the scenario's doing."""

from __future__ import annotations

import warnings
from pathlib import Path

import yaml

import hashshock
from hashshock.industry.api import ltv_warnings
from hashshock.industry.load import industry_from_mapping, load_industry
from hashshock.industry.simulate import prepare_industry
from hashshock.inputs.files import read_yaml_mapping


def test_no_bundled_operator_breaches_its_ltv_on_day_0() -> None:
    """A bundled loan above its covenant's max before anything happens would be a data
    error (the bundled LTV covenants test loans of at most 0.8 of the machines)."""
    assert ltv_warnings(prepare_industry(load_industry(), ["baseline"], 40)) == []


def test_a_loan_above_its_ltv_on_day_0_is_named_by_its_operator(tmp_path: Path) -> None:
    """The hosted clients' template with a max LTV of 0.01: every member breaches it on
    day 0, the warning is said once for the class, and a run carries it in its result."""
    bundled = load_industry()
    assert bundled.path is not None
    template = read_yaml_mapping(bundled.path.parent / "templates/hosted-client.yaml")
    ltv = next(c for c in template["finance"]["covenants"] if c["type"] == "max_ltv")
    ltv["value"] = 0.01
    (tmp_path / "hosted.yaml").write_text(yaml.safe_dump(template))
    data = read_yaml_mapping(bundled.path)
    data["operators"] = [dict(op, template=str(tmp_path / "hosted.yaml"), simulated=2)
                         for op in data["operators"] if op["name"] == "hosted-clients"]  # fmt: skip
    data.pop("portfolio")
    loaded = industry_from_mapping(data)
    (warning,) = ltv_warnings(prepare_industry(loaded, ["baseline"], 40))
    # each member judged on its own machines; said once, with how many breach
    assert "operators[0] (hosted-clients), 2 of 2 members: finance.covenants (ltv)" in warning
    assert "on day 0" in warning and "above its max 0.01" in warning
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = hashshock.industry(loaded, ["baseline"], 4, 40, 0)
    assert warning in result.warnings
