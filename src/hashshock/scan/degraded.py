"""Machines broken at the start (a cohort's ``degraded``) in a fleet file the scanner
merges into: read, placed on the file's cohorts within what each can hold, and written
back editing the user's mappings in place (their style and comments stay)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from hashshock.words import counted


def machines_text(n: int) -> str:
    return f"{n:,} machine" if n == 1 else f"{n:,} machines"


def whole(value: Any) -> int | None:
    """``value`` if it is a whole number (not a bool), else ``None``."""
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def degraded_of(cohort: Mapping[str, Any]) -> tuple[int, dict[str, int]]:
    """Dead boards and machines down per part of a file cohort (malformed values count 0:
    validation reports them)."""
    degraded = cohort.get("degraded")
    if not isinstance(degraded, Mapping):
        return 0, {}
    dead = whole(degraded.get("dead_hashboards")) or 0
    down_map = degraded.get("machines_down")
    down: dict[str, int] = {}
    if isinstance(down_map, Mapping):
        for part, n in down_map.items():
            if (whole(n) or 0) > 0:
                down[str(part)] = whole(n) or 0
    return dead, down


def pop_keeping_comments(mapping: dict[str, Any], key: str) -> None:
    """Remove ``key``; in a round-trip mapping the comment lines that follow its line (which
    ruamel stores with it: the comments above the next key) move to the key before it."""
    if key not in mapping:
        return
    if not isinstance(mapping, CommentedMap):
        del mapping[key]
        return
    keys = list(mapping)
    where = keys.index(key)
    slot = mapping.ca.items.pop(key, None)
    del mapping[key]
    token = slot[2] if slot and len(slot) > 2 else None
    if token is None or where == 0:
        return
    _, _, rest = str(token.value).partition("\n")
    if not rest.strip():
        return
    previous = mapping.ca.items.setdefault(keys[where - 1], [None, None, None, None])
    if previous[2] is None:
        previous[2] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        previous[2].value = str(previous[2].value) + rest


def set_degraded(cohort: dict[str, Any], dead: int, down: dict[str, int]) -> None:
    """Write ``degraded`` into a file cohort, editing an existing mapping in place (its style
    and comments stay) and dropping it when nothing is broken."""
    if degraded_of(cohort) == (dead, down):
        return
    if not dead and not down:
        pop_keeping_comments(cohort, "degraded")
        return
    current = cohort.get("degraded")
    if not isinstance(current, dict):
        current = CommentedMap() if isinstance(cohort, CommentedMap) else {}
        if isinstance(current, CommentedMap):
            current.fa.set_flow_style()
        cohort["degraded"] = current
    if dead or "dead_hashboards" in current:
        current["dead_hashboards"] = dead
    parts = current.get("machines_down")
    if not down:
        pop_keeping_comments(current, "machines_down")
    elif isinstance(parts, dict):
        for part in [p for p in parts if p not in down]:
            del parts[part]
        for part, n in sorted(down.items()):
            parts[part] = n
    else:
        current["machines_down"] = dict(sorted(down.items()))


def describe_degraded(dead: int, down: dict[str, int]) -> str:
    items = [f"{machines_text(n)} down for a {part}" for part, n in sorted(down.items())]
    if dead:
        items.append(counted(dead, "dead hashboard"))
    return ", ".join(items) or "none"


@dataclass
class Target:
    """A file cohort the merge may write to, with its count after the merge."""

    cohort: dict[str, Any]
    count: int


def place_broken(
    targets: list[Target], boards: int, dead: int, down: dict[str, int], replace: bool
) -> tuple[int, dict[str, int], int]:
    """Put broken machines on ``targets`` (first to last, within what each can hold).

    ``replace``: the cohorts get exactly ``dead``/``down``; else these are added to what
    they hold. Returns the totals placed and the number of machines or boards that did
    not fit (cohorts in a CSV cannot hold any).
    """
    state = [((0, {}) if replace else degraded_of(t.cohort)) for t in targets]
    deads = [d for d, _ in state]
    downs = [dict(m) for _, m in state]
    unplaced = 0
    for part, n in sorted(down.items()):
        for i, target in enumerate(targets):
            room = max(0, target.count - sum(downs[i].values()))
            take = min(n, room)
            if take:
                downs[i][part] = downs[i].get(part, 0) + take
                n -= take
        unplaced += n
    for i, target in enumerate(targets):
        room = max(0, (target.count - sum(downs[i].values())) * boards - deads[i])
        take = min(dead, room)
        deads[i] += take
        dead -= take
    unplaced += dead
    for i, target in enumerate(targets):
        set_degraded(target.cohort, deads[i], downs[i])
    totals: dict[str, int] = {}
    for placed in downs:
        for part, n in placed.items():
            totals[part] = totals.get(part, 0) + n
    return sum(deads), totals, unplaced
