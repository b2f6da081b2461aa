"""Compiled kernels follow their sources (:mod:`hashshock.engine.jit`)."""

from __future__ import annotations

from pathlib import Path

from hashshock.engine.jit import drop_stale_caches


def test_compiled_caches_go_when_an_engine_source_changes(tmp_path: Path) -> None:
    """Cache files written under other engine sources are deleted; once the stamp says
    they were written under these sources, they are kept."""
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    old = cache / "step.run_days-534.py311.1.nbc"
    old.write_bytes(b"stale")
    (cache / "numba-sources.sha256").write_text("an older digest")
    drop_stale_caches([tmp_path])
    assert not old.exists()
    fresh = cache / "step.run_days-534.py311.nbi"
    fresh.write_bytes(b"current")
    drop_stale_caches([tmp_path])
    assert fresh.exists()
