"""The engine's tests: their own compiled helpers inline the engine's kernels, so their
cached machine code goes when an engine source changes (as in ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

from hashshock.engine.jit import drop_stale_caches

drop_stale_caches([Path(__file__).resolve().parent])
