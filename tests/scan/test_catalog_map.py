"""Reported model names map to catalogue slugs without a hand list."""

from __future__ import annotations

import warnings

import pytest

from hashshock.inputs.catalog import bundled_catalog
from hashshock.scan.catalog_map import ModelMatcher, normalise


@pytest.fixture(scope="module")
def matcher() -> ModelMatcher:
    return ModelMatcher(bundled_catalog())


def test_every_catalogue_model_maps_from_its_own_name(matcher: ModelMatcher) -> None:
    for spec in bundled_catalog().models.values():
        make = spec.name.split()[0]
        assert matcher.slug(make, spec.name) == spec.slug
        assert matcher.slug(make, spec.name.split(" ", 1)[1]) == spec.slug
        assert matcher.vendor_for_make(make) == spec.vendor


def test_normalise() -> None:
    assert normalise("Antminer S21+") == "antminer-s21-plus"
    assert normalise("Whatsminer M30S++ (Stock)") == "whatsminer-m30s-plus-plus-stock"


def test_pyasic_model_names(matcher: ModelMatcher) -> None:
    """Every pyasic class whose model is in the catalogue maps to it; hydro variants do not."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyasic.miners.factory import MINER_CLASSES, MinerTypes

    expected = {
        "S19": "antminer-s19", "S19j Pro": "antminer-s19j-pro", "S19 XP": "antminer-s19-xp",
        "S21": "antminer-s21", "S21 Pro": "antminer-s21-pro", "S21 XP": "antminer-s21-xp",
        "S21+": "antminer-s21-plus", "T21": "antminer-t21",
    }  # fmt: skip
    seen: dict[str, str | None] = {}
    for kind in (MinerTypes.ANTMINER, MinerTypes.WHATSMINER, MinerTypes.BRAIINS_OS):
        for key, cls in MINER_CLASSES[kind].items():
            if key is None or cls.raw_model is None:
                continue
            model = str(cls.raw_model.value)
            seen[model] = matcher.slug(str(cls.make), model)
    for model, slug in expected.items():
        assert seen[model] == slug, model
    assert seen["S21 Hydro"] is None and seen["S19 Pro"] is None
    assert seen["M30S++ V20"] == "whatsminer-m30s-plus-plus"
    assert seen["M50S VH50"] == "whatsminer-m50s"
    assert seen["M60S VK30"] == "whatsminer-m60s"
    assert seen["M63S VK30"] == "whatsminer-m63s"
    assert seen["M60S+ VK30"] is None  # a different model, not an M60S variant


def test_avalon_and_unknown_makes(matcher: ModelMatcher) -> None:
    assert matcher.slug("AvalonMiner", "Avalon 1466") == "avalon-a1466"
    assert matcher.slug("Goldshell", "KD Max") is None
    assert matcher.vendor_for_make("Goldshell") == ""
    assert matcher.slug("", "") is None
