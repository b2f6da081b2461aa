"""What kind of hashshock file a YAML mapping is, told by its top-level keys.

Each loader names the kind it expects. A file of another kind would otherwise fail on
its first field ("sites: field required"), and following that fix would damage the
file: it is told what it looks like and where it goes instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hashshock.inputs.errors import InputError

#: Top-level keys that only a file of that kind has, most telling kinds first.
SIGNS: dict[str, frozenset[str]] = {
    "industry": frozenset({"operators", "vendor_lines"}),
    "sweep spec": frozenset({"base", "inputs"}),
    "fleet": frozenset({"sites", "cohorts", "cohorts_csv", "spares", "repair_routes"}),
    "scenario": frozenset({"events", "include", "network_wide"}),
    "market": frozenset({"price", "network", "used_prices"}),
    "strategy": frozenset({"edits", "costs"}),
    "portfolio": frozenset({"loans", "operators_own_loans"}),
}

#: Where a file of each kind goes.
USES = {
    "industry": "`hashshock industry FILE` runs it",
    "sweep spec": "`hashshock sweep SPEC` runs it",
    "fleet": "`hashshock run FLEET` runs it",
    "scenario": "give it to --scenarios / -s",
    "market": "give it to --market",
    "strategy": "give it to `hashshock strategies --strategy`",
    "portfolio": "give it to `hashshock industry --portfolio`",
}


def looks_like(data: Mapping[str, Any]) -> str | None:
    """The kind whose keys ``data`` has, most telling first; None if none."""
    keys = set(data)
    return next((kind for kind, signs in SIGNS.items() if signs & keys), None)


def check_kind(data: Mapping[str, Any], expected: str, path: str | Path) -> None:
    """Refuse ``data`` (read from ``path``) when it has none of ``expected``'s keys and
    another kind's."""
    if SIGNS[expected] & set(data):
        return
    kind = looks_like(data)
    if kind is None:
        return
    keys = ", ".join(f"{k}:" for k in sorted(SIGNS[kind] & set(data)))
    raise InputError(
        path,
        None,
        f"this is {_a(kind)} file (it has {keys}), not {_a(expected)} file",
        f"{USES[kind]}; here give {_a(expected)} file",
    )


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
