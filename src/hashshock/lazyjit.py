"""Functions compiled with numba on their first call, not when their module is imported.

Commands that never call them (``validate``, ``--help``, reading a stored run) do
without importing numba (0.12 s). The compiled code is cached on disk beside the source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar, cast

F = TypeVar("F", bound=Callable[..., object])


def compiled_on_first_call(function: F) -> Callable[[], F]:
    """A getter of ``function`` compiled by ``numba.njit`` (cached on disk, without the
    GIL), compiled once, on the getter's first call. ``function`` must be defined at a
    module's top level (numba's cache finds it there)."""

    @functools.cache
    def compiled() -> F:
        import numba

        return cast(F, numba.njit(cache=True, nogil=True)(function))

    return compiled
