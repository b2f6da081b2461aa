"""The local search that ends the climb (``hashshock optimise``, docs/decisions.md "The
simulation", step 2): from a stock holding the target, **cuts** and **swaps** until
neither keeps the target at a lower cost.

* A **cut** takes parts from one pool. Every pool above today's stock is tried one
  part lower in one batch on the full paths; of those still holding the target, the
  one saving most per point of availability given up is cut by bisection to the fewest
  parts that hold, and the others that held are tried again (a cut that missed stays a
  miss: on common random numbers fewer parts never hold more). It stops when no
  one-part cut holds — no single-pool cut does, as fewer parts than a missing cut miss
  too — or after :data:`CUT_ROUNDS` rounds (each round one batch and one bisection).
* A **swap** moves money from one pool to another: screened as the climb screens
  (:meth:`~hashshock.decide.optimise._Search.screen`), the loss per dollar of cutting
  each pool by :data:`SWAP_SHARE` of its level and the gain per dollar of adding as
  much; for the :data:`SWAP_PAIRS` pairs whose screened gain beats their loss most, a
  move of that share and a move of one part, each costing less than the stock, are
  confirmed on the full paths; the cheapest holding the target is kept and cut again.

A single pass of bisections over the last step's increments, each pool once in a fixed
order, left parts that bought nothing in pools cut early or set before the last step
(the small farm's S21 fans: 12 where 10 hold the target, $70 more).

Every evaluation runs on the search's evaluator, on its seed (common random numbers):
a cut pass runs at most :data:`CUT_ROUNDS` batches of at most J stocks (J pools above
today's stock) and as many bisections (each ⌈log₂ level⌉ runs) — linear in J, where
trying every held pool again until none holds grew as J²/2 (980 runs for 40 pools);
per swap round two screenings (2·(1 + max_k J_k) runs on the screening paths) and
2·:data:`SWAP_PAIRS` full-path runs, :data:`SWAP_ROUNDS` rounds at most, each followed
by a cut pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hashshock.decide.optimise import _Search

IntArray = NDArray[np.int64]
#: Swap rounds at most (each: two screenings, a batch of full-path runs, a cut pass).
SWAP_ROUNDS = 2
#: Rounds of a cut pass at most (each: one batch of one-part cuts, one bisection).
CUT_ROUNDS = 6
#: Swaps confirmed on the full paths per round (the best screened).
SWAP_PAIRS = 3
#: A swap's screened move, as a share of a pool's level: at the margin (a quarter, the
#: climb's increment, crosses a held stock's slack: its cut loses 30-50 times what its
#: addition gains per dollar on the mid-size example, and no swap looked worth it).
SWAP_SHARE = 1 / 32


def polish(search: _Search, stock: IntArray, parts: IntArray,
           say: Callable[[str], None]) -> IntArray:  # fmt: skip
    """``stock`` (which holds the target) cut and swapped until no single-pool cut and
    no screened swap holds the target at a lower cost (module docstring)."""
    cost = search.table.inputs.cost
    say("cutting each pool to the fewest parts holding the target")
    out = cut(search, stock)
    for round_ in range(SWAP_ROUNDS):
        say(f"swap round {round_ + 1}: screening cuts and increments")
        proposals = swaps(search, out, parts)
        if not proposals:
            break
        values = search.confirm(proposals, "swapped")
        held = [s for s, v in zip(proposals, values, strict=True) if search.holds(v)]
        if not held:
            break
        out = cut(search, min(held, key=cost))
    return out


def cut(search: _Search, stock: IntArray) -> IntArray:
    """``stock`` (holding the target) with pools cut until no one-part cut of any pool
    still holds it (or :data:`CUT_ROUNDS` rounds), never below today's stock (module
    docstring)."""
    floor = search.table.inputs.current
    unit = search.table.inputs.unit_cost_usd
    out = stock.copy()
    trying = [j for j in range(out.size) if out[j] > floor[j] and unit[j] > 0]
    for _ in range(CUT_ROUNDS):
        if not trying:
            break
        trials = [_with(out, j, out[j] - 1) for j in trying]
        values = search.confirm(trials, "trimmed")
        now = search.seen[out.tobytes()]
        held = [(j, v) for j, v in zip(trying, values, strict=True) if search.holds(v)]
        if not held:
            break
        # the cut saving most per availability given up first (a free cut, first of all)
        j, _ = max(held, key=lambda jv: unit[jv[0]] / max(now - jv[1], 1e-12))

        def level(k: int, j: int = j, base: IntArray = out) -> IntArray:
            return _with(base, j, k)

        out = level(search.bisect(level, int(floor[j]) - 1, int(out[j]) - 1, role="trimmed"))
        trying = [i for i, _ in held if i != j]
    return out


def swaps(search: _Search, stock: IntArray, parts: IntArray) -> list[IntArray]:
    """Stocks moving parts from one pool ``a`` to another ``b`` for less money than
    ``stock``: for the :data:`SWAP_PAIRS` pairs whose screened gain per dollar at ``b``
    (g_b, adding :data:`SWAP_SHARE` of its level) most exceeds the loss per dollar at
    ``a`` (l_a, cutting as much), two sizes — that share of ``b``, and one part — each
    for the fewest parts of ``a`` worth more (c_a·m_a > c_b·n_b, c USD a part), m_a at
    most that share of ``a`` (for the one part: what ``a`` holds beyond today's stock)."""
    floor = search.table.inputs.current
    unit = search.table.inputs.unit_cost_usd
    level = np.maximum(stock, np.ceil(search.table.inputs.pipeline_mean))
    delta = np.maximum(1, np.ceil(SWAP_SHARE * level)).astype(np.int64)
    gain = search.screen(stock, delta, parts)
    removable = np.minimum(delta, stock - floor)
    loss = -search.screen(stock, -removable, parts)
    pairs = [(float(gain[b] - loss[a]), int(a), int(b))
             for a in np.flatnonzero((removable > 0) & (unit > 0))
             for b in np.flatnonzero((unit > 0) & (gain > loss[a])) if b != a]  # fmt: skip
    out: list[IntArray] = []
    for _, a, b in sorted(pairs, reverse=True)[:SWAP_PAIRS]:
        # b's share from a's share; one part of b from as few of a's as pay for it
        for size, most in {(int(delta[b]), int(removable[a])), (1, int(stock[a] - floor[a]))}:
            add = min(size, math.ceil(unit[a] * most / unit[b]) - 1)  # cheaper than a's most
            if add >= 1:
                drop = min(most, math.floor(unit[b] * add / unit[a]) + 1)
                moved = stock.copy()
                moved[a] -= drop
                moved[b] += add
                out.append(moved)
    return out


def _with(stock: IntArray, j: int, level: int) -> IntArray:
    out = stock.copy()
    out[j] = level
    return out
