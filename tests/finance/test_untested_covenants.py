"""A covenant the horizon never tests has no breach share: the run says so (not a clean
0 %), warns with the horizon that reaches its first test, and a strategy limit on it is
refused (as the reverse stress test refuses it)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import hashshock
from hashshock.cli.app import app
from hashshock.finance.covenants import first_test_day, untested
from hashshock.finance.moneyplan import CovenantSpec
from hashshock.inputs.errors import InputError

MIDSIZE = Path(__file__).parents[2] / "examples" / "midsize-public-miner" / "fleet.yaml"


def _spec(type_: str, every: int = 90, quarters: tuple[int, ...] = ()) -> CovenantSpec:
    return CovenantSpec(
        name=type_,
        type=type_,
        value=1.0,
        loan=None,
        test_every_days=every,
        quarter_days=quarters,
        quarter_min_ths=tuple(1.0 for _ in quarters),
    )


def test_first_test_days_by_hand() -> None:
    """Liquidity is tested daily from day 0; DSCR and LTV on day period − 1; a hashrate
    commitment at its first quarter end on or after the start (none: never)."""
    assert first_test_day(_spec("min_liquidity")) == 0
    assert first_test_day(_spec("min_dscr", 90)) == 89
    assert first_test_day(_spec("max_ltv", 30)) == 29
    assert first_test_day(_spec("hashrate_commitment", quarters=(-2, 89, 180))) == 89
    assert first_test_day(_spec("hashrate_commitment", quarters=(-2,))) is None
    specs = (_spec("min_liquidity"), _spec("min_dscr", 90), _spec("max_ltv", 30))
    assert untested(specs, 60) == [("min_dscr", 89)]
    assert untested(specs, 90) == []


def test_a_run_too_short_for_a_test_reports_no_breach_share() -> None:
    """60 days of the mid-size example: DSCR and the hashrate commitment are first tested
    on day 89, so the JSON gives them no breach share (null), says they were not tested
    and when they would be, and the run warns; LTV (every 30 days) and liquidity (daily)
    are tested as before."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = hashshock.run(MIDSIZE, "sanctions", paths=8, horizon_days=60)
    covenants = result.to_dict()["finance"]["covenants"]
    for name in ("dscr", "hashrate-commitment"):
        assert covenants[name]["tested"] is False
        assert covenants[name]["probability_breach"] is None
        assert covenants[name]["probability_breach_ci95"] is None
        assert covenants[name]["first_test_day"] == 89
        assert any(f"covenant '{name}' is first tested on day 89" in w for w in result.warnings)
    for name in ("ltv", "liquidity"):
        assert covenants[name]["tested"] is True
        assert 0.0 <= covenants[name]["probability_breach"] <= 1.0
    from hashshock.report.data import report_dict
    from hashshock.results.labelled import to_dataset

    # the labelled arrays and the report's histograms leave them out (not "never")
    assert list(to_dataset(result).coords["covenant"].values) == ["ltv", "liquidity"]
    assert set(report_dict(result)["distributions"]["covenant_first_breach"]) == {
        "ltv",
        "liquidity",
    }
    longer = hashshock.run(MIDSIZE, "sanctions", paths=8, horizon_days=90)
    assert longer.to_dict()["finance"]["covenants"]["dscr"]["tested"] is True
    assert not any("is first tested" in w for w in longer.warnings)
    json.dumps(result.to_dict(), allow_nan=False)


def test_the_terminal_says_not_tested(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    done = CliRunner().invoke(app, ["run", str(MIDSIZE), "--scenario", "sanctions", "--paths",
                                    "8", "--horizon", "60", "--json", str(out)])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "not tested (d89)" in done.output
    data = json.loads(out.read_text())
    assert data["finance"]["covenants"]["dscr"]["probability_breach"] is None


def test_a_strategy_limit_on_an_untested_covenant_is_refused() -> None:
    """`strategies --max-breach` on a covenant the horizon never tests would choose a
    strategy on a test never made: exit 2 with the horizon that reaches it; without the
    limit the strategies' rows leave the untested covenant out."""
    done = CliRunner().invoke(app, ["strategies", str(MIDSIZE), "--scenario", "sanctions",
                                    "--max-breach", "hashrate-commitment=0.05", "--paths", "4",
                                    "--horizon", "80"])  # fmt: skip
    assert done.exit_code == 2
    assert "set horizon_days (--horizon) to 90 or more" in done.output
    with pytest.raises(InputError, match="first tested on day 89"):
        hashshock.strategies(MIDSIZE, "sanctions", paths=4, horizon_days=80,
                             max_breach={"dscr": 0.1})  # fmt: skip
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        found = hashshock.strategies(MIDSIZE, "sanctions", paths=4, horizon_days=80)
    rows = found.to_dict()["strategies"]
    assert all(set(r["covenants"]) <= {"ltv", "liquidity"} for r in rows)
    assert any(r["covenants"] for r in rows)
    shares = [c["probability_breach"] for r in rows for c in r["covenants"].values()]
    assert np.isfinite(shares).all()


def test_an_industry_too_short_for_a_test_leaves_the_covenant_out_and_says_so() -> None:
    """20 days of the bundled `us`: the classes' LTV covenants, tested every 30 days, break
    no member and are not reported (they were a clean 0 %); the run warns for each class."""
    from hashshock.industry.load import industry_from_mapping, load_industry
    from hashshock.inputs.files import read_yaml_mapping

    bundled = load_industry()
    assert bundled.path is not None
    data = read_yaml_mapping(bundled.path)
    data["operators"] = [dict(op, template=str(bundled.path.parent / op["template"]),
                              simulated=1) for op in data["operators"]
                         if op["name"] == "hosted-clients"]  # fmt: skip
    data.pop("portfolio")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = hashshock.industry(industry_from_mapping(data), ["baseline"], 4, 20, 0)
    group = result.to_dict()["scenarios"]["baseline"]["groups"]["hosted-clients"]
    assert "ltv" not in group["covenants"] and "liquidity" in group["covenants"]
    assert any("(hosted-clients): covenant 'ltv' is first tested on day 29" in w
               for w in result.warnings)  # fmt: skip
