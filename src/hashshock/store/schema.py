"""The run store's tables, by schema version, and the forward migrations between them.

A new store is created at version 0 and migrated forward like any old one, so every
migration runs on every new store. Versions:

* **0** — ``store_meta``, ``manifest``, ``inputs``, ``summary``, ``results`` and
  ``daily`` holding every daily band (money series too) as p5/p50/p95.
* **1** — ``daily`` gains ``p25`` and ``p75`` (fan charts); the money series (cash,
  cumulative revenue and EBITDA, hashprice, BTC price, cash gap to baseline) move to a
  ``money`` table of their own; ``manifest`` gains ``label``.
* **2** — ``sweeps`` (one row a saved sweep: its head and whole JSON) and
  ``sweep_points`` (one row a point and metric: the point's inputs, the metric's value,
  why the point failed).
* **3** — ``industries`` (one row a saved industry run: its head and whole JSON) and
  ``industry_summary`` (one row a scenario, operator or class, and metric; the operator
  is ``''`` for the industry as a whole).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

#: The version this code writes; older stores migrate to it when opened for writing.
SCHEMA_VERSION = 3
#: Daily series that live in the ``money`` table from version 1 on.
MONEY_SERIES = (
    "cash_usd", "revenue_usd_cum", "ebitda_usd_cum", "hashprice_usd_per_ph_day",
    "btc_price_usd", "cash_gap_vs_baseline_usd",
)  # fmt: skip

V0_TABLES = (
    "CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE manifest (
        run_id VARCHAR PRIMARY KEY, saved_at TIMESTAMP, batch_id VARCHAR, fleet_name VARCHAR,
        scenario VARCHAR, scenario_description VARCHAR, paths INTEGER, horizon_days INTEGER,
        seed BIGINT, start_date DATE, version VARCHAR, inputs_sha256 VARCHAR,
        market_sha256 VARCHAR, snapshot_date DATE, snapshot_origin VARCHAR, machines BIGINT,
        nameplate_ths DOUBLE, manifest_json VARCHAR)""",
    """CREATE TABLE inputs (run_id VARCHAR, kind VARCHAR, name VARCHAR, sha256 VARCHAR,
        content VARCHAR)""",
    "CREATE TABLE summary (run_id VARCHAR, metric VARCHAR, value DOUBLE)",
    """CREATE TABLE daily (run_id VARCHAR, day INTEGER, date DATE, series VARCHAR,
        part VARCHAR, p5 DOUBLE, p50 DOUBLE, p95 DOUBLE)""",
    "CREATE TABLE results (run_id VARCHAR PRIMARY KEY, data VARCHAR)",
    "INSERT INTO store_meta VALUES ('schema_version', '0')",
)


def _v0_to_v1(con: duckdb.DuckDBPyConnection) -> None:
    money = ", ".join(f"'{s}'" for s in MONEY_SERIES)
    con.execute("ALTER TABLE manifest ADD COLUMN label VARCHAR")
    con.execute("ALTER TABLE daily ADD COLUMN p25 DOUBLE")
    con.execute("ALTER TABLE daily ADD COLUMN p75 DOUBLE")
    con.execute(
        """CREATE TABLE money (run_id VARCHAR, day INTEGER, date DATE, series VARCHAR,
        p5 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p95 DOUBLE)"""
    )
    con.execute(
        "INSERT INTO money (run_id, day, date, series, p5, p25, p50, p75, p95) "
        f"SELECT run_id, day, date, series, p5, p25, p50, p75, p95 FROM daily "
        f"WHERE series IN ({money})"
    )
    con.execute(f"DELETE FROM daily WHERE series IN ({money})")


def _v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE sweeps (sweep_id VARCHAR PRIMARY KEY, saved_at TIMESTAMP, name VARCHAR,
        method VARCHAR, paths INTEGER, horizon_days INTEGER, seed BIGINT, version VARCHAR,
        points INTEGER, failed_points INTEGER, data VARCHAR)"""
    )
    con.execute(
        """CREATE TABLE sweep_points (sweep_id VARCHAR, point INTEGER, role VARCHAR,
        varies VARCHAR, inputs_json VARCHAR, metric VARCHAR, value DOUBLE, error VARCHAR)"""
    )


def _v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE industries (industry_id VARCHAR PRIMARY KEY, saved_at TIMESTAMP,
        name VARCHAR, scenarios VARCHAR, paths INTEGER, horizon_days INTEGER, seed BIGINT,
        version VARCHAR, inputs_sha256 VARCHAR, data VARCHAR)"""
    )
    con.execute(
        """CREATE TABLE industry_summary (industry_id VARCHAR, scenario VARCHAR,
        operator VARCHAR, metric VARCHAR, value DOUBLE)"""
    )


#: ``MIGRATIONS[n]`` takes a store from version n − 1 to n.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    1: _v0_to_v1, 2: _v1_to_v2, 3: _v2_to_v3,
}  # fmt: skip


#: :func:`version_of` of a store whose recorded version is not a version (damaged).
DAMAGED = -2


def version_of(con: duckdb.DuckDBPyConnection) -> int | None:
    """The store's schema version; ``None`` for an empty database, −1 for a database
    holding other tables (not a run store), :data:`DAMAGED` for a version that is not a
    whole number from 0."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not tables:
        return None
    if "store_meta" not in tables:
        return -1
    row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    if not row:
        return -1
    text = str(row[0]).strip()
    return int(text) if text.isascii() and text.isdigit() else DAMAGED


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create version 0 in an empty database (the caller's transaction)."""
    for statement in V0_TABLES:
        con.execute(statement)


def migrate(con: duckdb.DuckDBPyConnection, version: int) -> int:
    """Apply the migrations from ``version`` to :data:`SCHEMA_VERSION`, all in one
    transaction (a crash leaves the old version); return the new version."""
    if version >= SCHEMA_VERSION:
        return version
    con.execute("BEGIN TRANSACTION")
    try:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](con)
        con.execute(
            "UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
