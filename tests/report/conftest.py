"""Shared runs for the report tests (small, so the whole folder runs in seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import hashshock
from hashshock.cli.report import register as register_report
from hashshock.cli.runs import register as register_runs
from hashshock.results import RunResult

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small-farm" / "fleet.yaml"
MIDSIZE = ROOT / "examples" / "midsize-public-miner" / "fleet.yaml"


@pytest.fixture(scope="session")
def small_runs() -> list[RunResult]:
    """Small farm, baseline and sanctions: no finance covenants."""
    return hashshock.compare(SMALL, ["baseline", "sanctions"], paths=60, horizon_days=150, seed=3)


@pytest.fixture(scope="session")
def midsize_runs() -> list[RunResult]:
    """Mid-size miner (covenants, a BTC pledge), baseline and sanctions."""
    return hashshock.compare(MIDSIZE, ["baseline", "sanctions"], paths=40, horizon_days=200, seed=1)


@pytest.fixture(scope="session")
def cli() -> typer.Typer:
    """A Typer app with only ``report`` and ``runs`` (app.py wires them into hashshock)."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test app."""

    register_report(app)
    register_runs(app)
    return app


@pytest.fixture
def invoke(cli: typer.Typer):
    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args))
        return result.exit_code, result.stdout, result.stderr

    return run
