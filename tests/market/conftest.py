"""Fixtures for the market tests: no test reads or writes the real user data folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hashshock.market import MarketConfig, load_market

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ``HASHSHOCK_DATA_DIR`` at an empty tmp folder; drop proxy settings."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("HASHSHOCK_DATA_DIR", str(folder))
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield folder


MarketFactory = Callable[..., MarketConfig]


@pytest.fixture
def market(tmp_path: Path) -> MarketFactory:
    """Load a market config from a mapping written to a tmp YAML (over the defaults)."""

    def build(**sections: Any) -> MarketConfig:
        path = tmp_path / "market.yaml"
        path.write_text(yaml.safe_dump(sections, sort_keys=False), encoding="utf-8")
        return load_market(path)

    return build
