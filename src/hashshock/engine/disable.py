"""Remote disabling's draws: the machines an event switches off, and their dead boards.

Each path draws from its own counter-based streams (:mod:`hashshock.engine.kernel_random`),
one uniform per cohort for the machines and one for their dead boards, so a path's
disabled machines depend on the run's seed, the day and the path alone — not on which
other paths run with it (a run cut into blocks of paths gives the whole run's numbers).
"""

from __future__ import annotations

import numpy as np

from hashshock.engine.jit import B1, F64, I64, compiled
from hashshock.engine.kernel_discrete import binomial, hypergeometric
from hashshock.engine.kernel_random import cell_stream, path_stream, uniform


@compiled()
def draw_disabled(
    machines_key: np.uint64, boards_key: np.uint64, first_path: int, hit: B1, pool: I64,
    share: F64, boards: I64, running: I64, dead_run: I64, disabled: I64, dead_moved: I64,
) -> None:  # fmt: skip
    """On each path ``p`` that ``hit`` marks (run path ``first_path + p``):
    ``disabled[p, c]`` ~ binomial(``pool[p, c]``, ``share[c]``) machines of cohort ``c``
    switched off, and ``dead_moved[p, c]`` the dead boards among theirs, hypergeometric:
    their ``boards[c]`` slots each drawn from the cohort's ``boards[c] · running[p, c]``
    slots, ``dead_run[p, c]`` of them dead. Zero on the other paths."""
    for p in range(pool.shape[0]):
        machines_base = path_stream(machines_key, first_path + p)
        boards_base = path_stream(boards_key, first_path + p)
        for c in range(pool.shape[1]):
            if not hit[p]:
                disabled[p, c] = dead_moved[p, c] = 0
                continue
            n = binomial(uniform(cell_stream(machines_base, c), 0), pool[p, c], share[c])
            slots = boards[c] * running[p, c]
            good = dead_run[p, c]
            disabled[p, c] = n
            dead_moved[p, c] = hypergeometric(
                uniform(cell_stream(boards_base, c), 0), good, max(slots, good),
                min(boards[c] * n, max(slots, good)),
            )  # fmt: skip
