"""A command line with the decision commands, and a small fleet file with money."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.conftest import small_fleet


@pytest.fixture(scope="session")
def cli() -> typer.Typer:
    """A Typer app with ``optimise`` and ``strategies`` (as hashshock's own registers them)."""
    from hashshock.cli.optimise import register as register_optimise
    from hashshock.cli.strategies import register as register_strategies

    app = typer.Typer()
    register_optimise(app)
    register_strategies(app)
    return app


def money_fleet() -> dict[str, Any]:
    """``small_fleet`` with cash, a loan, two covenants and an open Bitmain order."""
    return small_fleet(
        orders=[{"model": "antminer-s21", "count": 40, "due_date": "2026-03-01", "site": "a"}],
        finance={
            "cash_usd": 900_000,
            "loans": [{"name": "loan", "principal_usd": 400_000, "rate_per_year": 0.1,
                       "amortisation": "linear", "payment_every_days": 30,
                       "maturity_date": "2028-01-01"}],
            "covenants": [{"name": "liquidity", "type": "min_liquidity", "value": 300_000},
                          {"name": "dscr", "type": "min_dscr", "value": 1.25, "loan": "loan",
                           "test_every_days": 90}],
        },
    )  # fmt: skip


@pytest.fixture
def fleet_file(write_yaml: Callable[[dict[str, Any], str], Path]) -> Path:
    return write_yaml(money_fleet(), "fleet.yaml")


@pytest.fixture
def bench_strategy(tmp_path: Path) -> Path:
    """A strategy file: two more technicians at site a for $12,000 a month."""
    import yaml

    mine = tmp_path / "bench.yaml"
    mine.write_text(yaml.safe_dump({
        "name": "more-techs", "edits": [{"path": "fleet.sites[a].technicians", "value": 4}],
        "costs": {"running_usd_per_month": 12000}}))  # fmt: skip
    return mine
