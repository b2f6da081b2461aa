"""How the engine's kernels are compiled.

Kernels are compiled once and cached on disk, and without numba's reference counting
(NRT): they only index and take views of the arrays they are given, never allocate,
and the arrays' owners (the driver) outlive every call. Counting references would cost
two atomic operations for every array taken out of a named tuple, which on small
fleets costs more than the day's work itself (``docs/performance.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba as nb
import numpy as np
from numpy.typing import NDArray

F = TypeVar("F", bound=Callable[..., Any])

# Array types of the kernels' arguments.
I64 = NDArray[np.int64]
I32 = NDArray[np.int32]
I8 = NDArray[np.int8]
U64 = NDArray[np.uint64]
F64 = NDArray[np.float64]
B1 = NDArray[np.bool_]


def compiled(inline: bool = False, nogil: bool = False) -> Callable[[F], F]:
    """Decorator: ``numba.njit`` with the engine's options; ``inline`` inlines the
    function into its callers, ``nogil`` lets Python threads run it side by side."""
    options: dict[str, Any] = {"cache": True, "_nrt": False, "nogil": nogil}
    if inline:
        options["inline"] = "always"
    return cast(Callable[[F], F], nb.njit(**options))
