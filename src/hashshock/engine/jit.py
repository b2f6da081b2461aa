"""How the engine's kernels are compiled.

Kernels are compiled once and cached on disk, and without numba's reference counting
(NRT): they only index and take views of the arrays they are given, never allocate,
and the arrays' owners (the driver) outlive every call. Counting references would cost
two atomic operations for every array taken out of a named tuple, which on small
fleets costs more than the day's work itself (``docs/performance.md``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
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


#: The folder of the engine's sources, whose ``__pycache__`` holds the compiled kernels.
ENGINE_SOURCES = Path(__file__).resolve().parent
_STAMP = "numba-sources.sha256"


def drop_stale_caches(folders: Iterable[Path]) -> None:
    """Delete the compiled-kernel cache files (``*.nbi``, ``*.nbc``) under each folder's
    ``__pycache__`` when any engine source has changed since they were written.

    Why: numba checks only the file a function is defined in, so a kernel in
    ``step.py`` that inlines one from ``failures.py`` would keep running the old code
    after ``failures.py`` changed. A digest of the engine's sources, kept beside the
    cache files, tells. Where the folder cannot be written (an installed copy), numba
    keeps its cache elsewhere and nothing is done.
    """
    sources = sorted(ENGINE_SOURCES.glob("*.py"))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    for folder in folders:
        cache = folder / "__pycache__"
        stamp = cache / _STAMP
        with contextlib.suppress(OSError):
            if stamp.read_text() == digest:
                continue
        with contextlib.suppress(OSError):
            for compiled_file in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
                compiled_file.unlink(missing_ok=True)
            cache.mkdir(exist_ok=True)
            partial = cache / f"{_STAMP}.{os.getpid()}"
            partial.write_text(digest)
            partial.replace(stamp)


drop_stale_caches([ENGINE_SOURCES])
