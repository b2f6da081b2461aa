"""An industry run cut into blocks of paths, joined back into one run.

Until they are priced on the shared network, an industry's members keep several [P, T]
arrays each (:data:`hashshock.industry.simulate.BYTES_PER_MEMBER_PATH_DAY`); with hundreds
of members and a thousand paths that is tens of GiB. Every path settles on its own — the
engines' streams are keyed by the run's path number, and the network, used market,
replacement orders and distress sales of a path depend on that path alone — so the run
goes block of paths by block of paths (:func:`hashshock.industry.simulate.path_blocks`),
each block is reduced to what the results read (:func:`compact`: the members' first days,
checkpoints and money at the end, the industry's sums by day) and the blocks are joined
(:func:`join`). The numbers are those of one run, bit for bit
(``tests/industry/test_blocks.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from hashshock.industry.distress import Settled
from hashshock.industry.network import SharedNetwork
from hashshock.industry.queues import LineFlows
from hashshock.industry.simulate import IndustryRuns, MemberRun, Totals
from hashshock.industry.spot import Spot
from hashshock.industry.used import UsedFlows

T = TypeVar("T")


def compact(runs: IndustryRuns) -> None:
    """Drop what a block's results do not read (in place): the members' delivered TH/s
    and cash by day (kept in :class:`~hashshock.industry.simulate.Totals` and
    ``cash_end_usd``), the settlement's outcomes and the replacement orders per member."""
    for member in runs.runs:
        for run in member:
            run.hashrate_ths = run.cash_usd = None
    for settled in runs.settlements or []:
        settled.outcomes = []
    for spot in runs.spots or []:
        if spot is not None:
            spot.delivered_ths = [None] * len(spot.delivered_ths)
            spot.paid_usd = [None] * len(spot.paid_usd)


def join(
    parts: Sequence[IndustryRuns], paths: int, lines: list[list[LineFlows]] | None
) -> IndustryRuns:
    """One run from its blocks of paths, in order, each :func:`compact`; ``lines``: the
    vendor lines' flows on all paths."""
    first = parts[0]
    scenarios = range(len(first.inputs.to_run))
    runs = [
        [_member([p.runs[i][k] for p in parts]) for k in scenarios] for i in range(len(first.runs))
    ]
    networks = settlements = spots = None
    if first.networks is not None:
        networks = [_network([_given(p.networks)[k] for p in parts]) for k in scenarios]
    if first.settlements is not None:
        settlements = [_settled([_given(p.settlements)[k] for p in parts]) for k in scenarios]
    if first.spots is not None:
        spots = [_spot([_given(p.spots)[k] for p in parts]) for k in scenarios]
    totals = [
        Totals(**_fields([p.totals[k] for p in parts], _rows)) for k in scenarios
    ]  # fmt: skip
    return IndustryRuns(first.inputs, runs, networks, paths, first.seed, lines, settlements,
                        spots, totals)  # fmt: skip


def _given(value: T | None) -> T:
    assert value is not None, "every block of a run has the same parts"
    return value


def _rows(values: Sequence[Any]) -> Any:
    """Blocks' values joined along their paths (the first axis): arrays, dicts of them,
    ``None`` where all are."""
    if values[0] is None:
        return None
    if isinstance(values[0], dict):
        return {name: _rows([v[name] for v in values]) for name in values[0]}
    return np.concatenate(values, axis=0)


def _fields(values: Sequence[Any], how: Callable[[Sequence[Any]], Any]) -> dict[str, Any]:
    """Each dataclass field of the blocks' ``values`` joined by ``how``."""
    names = [f.name for f in dataclasses.fields(values[0])]
    return {name: how([getattr(v, name) for v in values]) for name in names}


def _member(blocks: Sequence[MemberRun]) -> MemberRun:
    """A member's compact runs joined (its kept arrays are all per path, [P] or [·, P])."""
    growth = blocks[0].growth
    if growth is not None:
        parts = [_given(b.growth) for b in blocks]
        growth = dataclasses.replace(
            growth,
            gone=np.concatenate([g.gone for g in parts], axis=1),
            arrival_day=np.concatenate([g.arrival_day for g in parts], axis=1),
        )
    joined: dict[str, Any] = {}
    for f in dataclasses.fields(MemberRun):
        if f.name != "growth":
            joined[f.name] = _rows([getattr(b, f.name) for b in blocks])
    return MemberRun(**{**joined, "growth": growth})


def _network(blocks: Sequence[SharedNetwork]) -> SharedNetwork:
    market = blocks[0].market
    arrays = {
        f.name: _rows([getattr(b.market, f.name) for b in blocks])
        for f in dataclasses.fields(market)
        if isinstance(getattr(market, f.name), np.ndarray | dict)
    }
    return SharedNetwork(
        dataclasses.replace(market, **arrays), _rows([b.us_ths for b in blocks]),
        _rows([b.rest_of_world_ths for b in blocks]),
        _rows([b.moved_overseas_ths for b in blocks]),
    )  # fmt: skip


def _settled(blocks: Sequence[Settled]) -> Settled:
    sellers = len(blocks[0].sale_day)
    return Settled(
        network=_network([b.network for b in blocks]),
        used=UsedFlows(**_fields([b.used for b in blocks], _rows)),
        sale_day=[_rows([b.sale_day[s] for b in blocks]) for s in range(sellers)],
        outcomes=[],
        rounds=max(b.rounds for b in blocks),
        settled=all(b.settled for b in blocks),
        used_received_ths=None
        if blocks[0].used_received_ths is None
        else _rows([b.used_received_ths for b in blocks]),
    )


def _spot(blocks: Sequence[Spot | None]) -> Spot | None:
    if blocks[0] is None:
        return None
    given = [_given(b) for b in blocks]
    lines = [
        dataclasses.replace(line, **_fields([g.lines[n] for g in given], _lines))
        for n, line in enumerate(given[0].lines)
    ]
    members = len(given[0].delivered_ths)
    return Spot([None] * members, [None] * members, _rows([g.ordered_ths for g in given]),
                lines, [None] * members, given[0].review_days)  # fmt: skip


def _lines(values: Sequence[Any]) -> Any:
    """A spot line's fields joined: its name once, its arrays along paths."""
    return values[0] if isinstance(values[0], str) else _rows(values)
