"""Fixtures for the scan tests: fake miners on loopback, a tiny CLI app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typer
from tests.scan.fake_miner import FakeFarm, Personality

from hashshock.cli.scan import register

StartFarm = Callable[..., FakeFarm]


@pytest.fixture
def start_farm() -> Iterator[StartFarm]:
    """Start fake miners (``{ip: personality}``); all are stopped when the test ends."""
    farms: list[FakeFarm] = []

    def start(miners: dict[str, Personality], **kwargs: Any) -> FakeFarm:
        farm = FakeFarm(miners, **kwargs).start()
        farms.append(farm)
        return farm

    yield start
    for farm in farms:
        farm.stop()


@pytest.fixture(scope="session")
def cli_app() -> typer.Typer:
    """A Typer app with only the scan and audit commands."""
    app = typer.Typer()
    register(app)
    return app
