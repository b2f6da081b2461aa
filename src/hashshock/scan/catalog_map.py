"""Map what a miner calls itself (pyasic make and model) to a catalogue slug.

The mapping is built from the catalogue, not from a hand list: every model's
display name is normalised the same way as the reported name
("Antminer S21+" → ``antminer-s21-plus``), and the first word of the display
names tells which pyasic make belongs to which vendor (AntMiner → Antminer →
bitmain). Two naming habits are bridged:

* Whatsminer variant codes are dropped (``M50S VH50`` → ``whatsminer-m50s``);
* Canaan's model number may lack its ``A`` (pyasic ``Avalon 1466`` → ``avalon-a1466``).

>>> from hashshock.inputs.catalog import bundled_catalog
>>> m = ModelMatcher(bundled_catalog())
>>> [m.slug("AntMiner", x) for x in ("S19j Pro", "S21+ (Stock)", "Antminer S21 Hydro")]
['antminer-s19j-pro', 'antminer-s21-plus', None]
>>> m.slug("WhatsMiner", "M30S++ V20"), m.slug("AvalonMiner", "Avalon 1466")
('whatsminer-m30s-plus-plus', 'avalon-a1466')
"""

from __future__ import annotations

import re

from hashshock.inputs.catalog import Catalog, ModelSpec

_WHATSMINER_VARIANT = re.compile(r"^v[a-z]{0,2}\d[0-9a-z]*$")


def normalise(text: str) -> str:
    """Lower-case, ``+`` spelled ``plus``, every other run of non-alphanumerics a dash."""
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("+", " plus "))
    return "-".join(tokens)


class ModelMatcher:
    """Finds the catalogue model for a (make, model) pair as pyasic reports them."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._by_key: dict[str, ModelSpec] = {}
        self._vendor_by_word: dict[str, str] = {}
        for spec in catalog.models.values():
            self._by_key.setdefault(normalise(spec.name), spec)
            self._by_key.setdefault(spec.slug, spec)
            words = normalise(spec.name).split("-")
            if words and words[0]:
                self._vendor_by_word.setdefault(words[0], spec.vendor)

    def _prefix(self, make: str) -> str:
        key = normalise(make).replace("-", "")
        for word in self._vendor_by_word:
            if key and (key.startswith(word) or word.startswith(key)):
                return word
        return ""

    def vendor_for_make(self, make: str) -> str:
        """Catalogue vendor of a pyasic make ('AntMiner' → 'bitmain'); '' if unknown."""
        prefix = self._prefix(make)
        return self._vendor_by_word.get(prefix, "")

    def _candidates(self, make: str, model: str) -> list[list[str]]:
        tokens = [t for t in normalise(model.split(" (")[0]).split("-") if t]
        prefix = self._prefix(make) or (tokens[0] if tokens else "")
        if not tokens:
            return []
        if tokens[0] != prefix:
            tokens = [prefix, *tokens]
        out = [tokens]
        while len(tokens) > 2 and _WHATSMINER_VARIANT.match(tokens[-1]):
            tokens = tokens[:-1]
            out.append(tokens)
        if len(tokens) > 1 and tokens[1].isdigit():
            out.append([tokens[0], tokens[0][0] + tokens[1], *tokens[2:]])
        return out

    def match(self, make: str, model: str) -> ModelSpec | None:
        """The catalogue model, or ``None`` if the catalogue does not know it."""
        for tokens in self._candidates(make, model):
            spec = self._by_key.get("-".join(tokens))
            if spec is not None:
                return spec
        return None

    def slug(self, make: str, model: str) -> str | None:
        """Shortcut: the matched model's slug."""
        spec = self.match(make, model)
        return spec.slug if spec else None
