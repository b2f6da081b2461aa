"""Runs to save, and a store in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import hashshock
from hashshock.cli.runs import register
from hashshock.inputs.load import load_fleet, load_scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small-farm" / "fleet.yaml"


@pytest.fixture(scope="session")
def runs() -> list[Any]:
    return hashshock.compare(SMALL, ["baseline", "sanctions"], paths=40, horizon_days=90, seed=2)


@pytest.fixture(scope="session")
def inputs() -> dict[str, Any]:
    return {
        "fleet": load_fleet(SMALL),
        "scenarios": [load_scenario("baseline"), load_scenario("sanctions")],
    }


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "runs.duckdb"


@pytest.fixture(scope="session")
def runs_json(tmp_path_factory: pytest.TempPathFactory, runs) -> Path:
    """The runs' contract dicts in a file, for subprocesses to save."""
    path = tmp_path_factory.mktemp("runs") / "runs.json"
    path.write_text(json.dumps([r.to_dict() for r in runs]), encoding="utf-8")
    return path


@pytest.fixture
def invoke():
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test app."""

    register(app)

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    return run
