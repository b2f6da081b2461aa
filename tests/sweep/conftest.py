"""Small inputs for the sweep tests: a 300-machine fleet with money, few paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from tests.conftest import small_fleet

PATHS, HORIZON, SEED = 24, 120, 7
METRICS = [
    "covenant_breach:liquidity",
    "hashrate_lost:100",
    "stage_probability:spares_depleted",
    "stage_day:hashrate_decline",
    "cash_end",
    "revenue_at_risk:p90",
    "cash_and_spares_at_risk",
    "availability:119",
]


def money_fleet() -> dict[str, Any]:
    """``small_fleet`` with cash, a loan and two covenants."""
    return small_fleet(
        finance={
            "cash_usd": 900_000,
            "loans": [{"name": "loan", "principal_usd": 500_000, "rate_per_year": 0.12,
                       "maturity_date": "2027-12-31"}],
            "covenants": [
                {"name": "liquidity", "type": "min_liquidity", "value": 600_000},
                {"name": "dscr", "type": "min_dscr", "value": 1.25, "loan": "loan",
                 "test_every_days": 30},
            ],
        }
    )  # fmt: skip


@pytest.fixture
def fleet_file(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(money_fleet(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def spec_of(tmp_path: Path, fleet_file: Path) -> Callable[..., dict[str, Any]]:
    """A spec mapping on ``fleet_file`` with the small sizes; keywords override."""

    def make(**fields: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": "test", "base": {"fleet": str(fleet_file), "scenario": "sanctions"},
            "method": "tornado", "paths": PATHS, "horizon_days": HORIZON, "seed": SEED,
            "metrics": list(METRICS), "inputs": [],
        }  # fmt: skip
        spec.update(fields)
        return spec

    return make


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[dict[str, Any], str], Path]:
    def write(spec: dict[str, Any], name: str = "sweep.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def cli() -> typer.Typer:
    """hashshock's own command line (``sweep`` among its commands)."""
    from hashshock.cli.app import app

    return app


@pytest.fixture
def said_and_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What a sweep command says in warning lines, in order, with "runs" where its runs
    start: a warning known before them comes before "runs"."""
    import hashshock.cli.common
    import hashshock.sweep.run

    events: list[str] = []
    monkeypatch.setattr(
        hashshock.cli.common, "warn_all", lambda lines, console=None: events.extend(lines)
    )
    execute = hashshock.sweep.run._execute

    def runs(*args: Any, **kwargs: Any) -> Any:
        events.append("runs")
        return execute(*args, **kwargs)

    monkeypatch.setattr(hashshock.sweep.run, "_execute", runs)
    return events
