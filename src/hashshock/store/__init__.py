"""The run store: every saved run in one DuckDB file, queryable with SQL (docs/report.md).

>>> from hashshock.store import save_results, list_runs  # doctest: +SKIP
>>> ids = save_results(hashshock.compare("fleet.yaml", ["sanctions"]))  # doctest: +SKIP

Default location ``user_data_dir() / "runs.duckdb"``; every function takes ``store`` (a
path) to use another. Names load on first use (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashshock._lazy import lazy_exports

if TYPE_CHECKING:
    from hashshock.store.db import check_store, default_store_path
    from hashshock.store.diff import diff_runs
    from hashshock.store.export import export_run
    from hashshock.store.industries import load_saved_industry, save_industry
    from hashshock.store.query import StoredRun, list_runs, load_runs, remove_runs
    from hashshock.store.save import save_results

_LAZY = {
    "StoredRun": "hashshock.store.query",
    "check_store": "hashshock.store.db",
    "default_store_path": "hashshock.store.db",
    "diff_runs": "hashshock.store.diff",
    "export_run": "hashshock.store.export",
    "load_saved_industry": "hashshock.store.industries",
    "list_runs": "hashshock.store.query",
    "load_runs": "hashshock.store.query",
    "remove_runs": "hashshock.store.query",
    "save_industry": "hashshock.store.industries",
    "save_results": "hashshock.store.save",
}

__all__ = [
    "StoredRun",
    "check_store",
    "default_store_path",
    "diff_runs",
    "export_run",
    "list_runs",
    "load_runs",
    "load_saved_industry",
    "remove_runs",
    "save_industry",
    "save_results",
]


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
