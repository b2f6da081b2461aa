"""Every setting acts: changing one input field moves an output it should, the right way.

One case per field of the fleet, scenario and market files and per column of the bundled
data files that changes the simulation (docs/fields.md lists them all, with the case that
shows each). A case edits one input — the fleet or scenario mapping, the market YAML, a
bundled CSV (a patched copy) or a file the fleet names — runs the base and the edited
inputs on the same seed (common random numbers: the same failures and event draws), and
asserts the sign of the change of one output. Directions only, never values.

Cases marked ``xfail(strict=True)`` are FINDINGS (docs/fields.md, .handoff/18-fields.md):
settings that change nothing today. Each says what it should do, so it passes — and the
strict marker then fails, asking for the marker to go — once the setting acts.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from tests.conftest import small_fleet

import hashshock
from hashshock.finance import data as finance_data
from hashshock.inputs import catalog
from hashshock.inputs.fleet import Operations
from hashshock.inputs.scenario import Scenario
from hashshock.market import load_market
from hashshock.market.snapshot import bundled_snapshot_path
from hashshock.results import RunResult

SEED = 11
PATHS = 20
HORIZON = 120
DATA = Path(catalog.__file__).resolve().parents[1] / "data"

Inputs = dict[str, Any]
Edit = Callable[[Inputs, Path], None]
Metric = Callable[[RunResult], float]


# --- editing inputs ------------------------------------------------------------------


def _walk(obj: Any, keys: list[str]) -> Any:
    for key in keys:
        obj = obj[int(key)] if isinstance(obj, list) else obj.setdefault(key, {})
    return obj


def put(path: str, value: Any) -> Edit:
    """Set ``path`` (dots; list indices as numbers) of the inputs to ``value``."""
    *head, last = path.split(".")

    def edit(inputs: Inputs, _tmp: Path) -> None:
        parent = _walk(inputs, head)
        if isinstance(parent, list):
            parent[int(last)] = copy.deepcopy(value)
        else:
            parent[last] = copy.deepcopy(value)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(inputs: Inputs, tmp: Path) -> None:
        for one in edits:
            one(inputs, tmp)

    return edit


def data(file: str, match: dict[str, str], **changes: str) -> Edit:
    """Change the cells ``changes`` of the rows of bundled ``file`` that match ``match``."""

    def edit(inputs: Inputs, _tmp: Path) -> None:
        inputs["data"].append([file, match, changes])

    return edit


def setting(file: str, name: str, value: str) -> Edit:
    """A row of a setting,value CSV (``sites.csv``, ``finance_defaults.csv``)."""
    return data(file, {"setting": name}, value=value)


def write_csv(name: str, rows: list[dict[str, Any]], key: str) -> Edit:
    """Write ``rows`` as CSV ``name`` in the test's folder and set ``key`` to its path."""

    def edit(inputs: Inputs, tmp: Path) -> None:
        path = tmp / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        put(key, str(path))(inputs, tmp)

    return edit


def snapshot_file(**values: Any) -> Edit:
    """A snapshot YAML: the bundled one with ``values``; the market reads it."""

    def edit(inputs: Inputs, tmp: Path) -> None:
        snap = yaml.safe_load(bundled_snapshot_path().read_text(encoding="utf-8"))
        snap.update(values)
        path = tmp / f"snapshot-{len(values)}-{abs(hash(json.dumps(values, default=str)))}.yaml"
        path.write_text(yaml.safe_dump(snap, sort_keys=False), encoding="utf-8")
        put("market.network.snapshot", {"file": str(path)})(inputs, tmp)

    return edit


def price_csv(name: str, prices: list[float], key: str = "market.price.csv") -> Edit:
    """A daily price CSV from 2024-01-01 with ``prices``."""
    start = np.datetime64("2024-01-01")
    rows = [
        {"date": str(start + np.timedelta64(i, "D")), "price_usd": f"{p:.2f}"}
        for i, p in enumerate(prices)
    ]
    return write_csv(name, rows, key)


# --- the base inputs -----------------------------------------------------------------


def inputs(
    fleet: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    horizon: int = HORIZON,
    paths: int = PATHS,
    as_object: bool = False,
    **scenario: Any,
) -> Inputs:
    return {
        "as_object": as_object,
        "fleet": fleet if fleet is not None else small_fleet(),
        "scenario": {"name": "case", "events": events or [], **scenario},
        "market": {},
        "data": [],
        "horizon": horizon,
        "paths": paths,
    }


def busy_fleet(**site: Any) -> dict[str, Any]:
    """Ten times the small fleet with a full shelf: swaps wait for technicians only."""
    fleet = small_fleet()
    fleet["sites"] = [{"name": "a", "technicians": 1, "swaps_per_technician_day": 1, **site}]
    for cohort in fleet["cohorts"]:
        cohort["count"] *= 10
    fleet["spares"] = [{"site": "a", "part": p, "on_hand": 2000} for p in PARTS]
    return fleet


def two_site_fleet() -> dict[str, Any]:
    """Sites a and b, machines at both; no fan spares but the 200 of ``spares[1]`` at a."""
    fleet = small_fleet()
    fleet["sites"] = [{"name": "a", "technicians": 2}, {"name": "b", "technicians": 2}]
    fleet["cohorts"][1]["site"] = "b"
    fleet["spares"] = [
        {"site": "a", "part": "fan", "on_hand": 0},
        {"site": "a", "part": "fan", "on_hand": 200},
        {"site": "b", "part": "fan", "on_hand": 0},
    ]
    return fleet


def order_fleet(**order: Any) -> dict[str, Any]:
    """The small fleet with an open order of 100 S21 due on day 59."""
    return small_fleet(
        orders=[
            {"model": "antminer-s21", "count": 100, "due_date": "2026-03-01", "site": "a", **order}
        ]
    )


def finance_fleet(**finance: Any) -> dict[str, Any]:
    return small_fleet(finance={"cash_usd": 1_000_000, **finance})


LOAN = {
    "name": "big",
    "principal_usd": 1_000_000,
    "rate_per_year": 0.1,
    "amortisation": "linear",
    "payment_every_days": 30,
    "maturity_date": "2028-01-01",
}
SMALL_LOAN = {**LOAN, "name": "small", "principal_usd": 10_000}
PLEDGE = {"name": "pledge", "btc": 10, "obligation_usd": 600_000, "margin_call_ltv": 0.8}
CUT = [{"type": "parts_supply_stop"}, {"type": "repair_centre_closed"}]
PARTS = ("hashboard", "fan", "psu", "control_board")


# --- outputs -------------------------------------------------------------------------


def _part(part: str | None) -> slice | int:
    return slice(None) if part is None else PARTS.index(part)


def hashrate(r: RunResult) -> float:
    return float(r.output.hashrate_ths.mean())


def power(r: RunResult) -> float:
    return float(r.output.power_mw.mean())


def installed(r: RunResult) -> float:
    return float(r.output.machines_installed.mean())


def waiting(r: RunResult) -> float:
    """Machines stopped, waiting for a part (spare or technician)."""
    return float(r.output.machines_down[:, :, [0, 4]].mean(axis=(0, 1)).sum())


def disabled(r: RunResult) -> float:
    return float(r.output.machines_down[:, :, 3].mean())


def customs(r: RunResult) -> float:
    return float(r.output.customs_held_unit_days.mean())


def failures(part: str | None = None) -> Metric:
    return lambda r: float(r.output.failures[:, _part(part)].sum() / r.paths)


def scrapped(part: str | None = None) -> Metric:
    return lambda r: float(r.output.scrapped[:, _part(part)].sum() / r.paths)


def ordered(part: str | None = None) -> Metric:
    return lambda r: float(r.output.ordered[:, _part(part)].sum() / r.paths)


def on_hand(part: str | None = None) -> Metric:
    return lambda r: float(r.output.spares_on_hand[:, :, _part(part)].sum() / r.paths)


def on_order(part: str | None = None) -> Metric:
    return lambda r: float(r.output.parts_on_order[:, :, _part(part)].sum() / r.paths)


def in_repair(part: str | None = None) -> Metric:
    return lambda r: float(r.output.parts_in_repair[:, :, _part(part)].sum() / r.paths)


def repaired_in_house(part: str | None = None) -> Metric:
    return lambda r: float(r.output.repairs_in_house[:, :, _part(part)].sum() / r.paths)


def stockout_day(part: str) -> Metric:
    """Mean first stock-out day of ``part`` (never: the horizon)."""

    def metric(r: RunResult) -> float:
        days = r.output.first_stockout_day[:, PARTS.index(part)]
        return float(np.where(days < 0, r.horizon_days, days).mean())

    return metric


def swaps(r: RunResult) -> float:
    return float(r.output.swaps.sum() / r.paths)


def bought(r: RunResult) -> float:
    return float(r.output.machines_bought.sum() / r.paths)


def donors(r: RunResult) -> float:
    return float(r.output.donors_bought.sum() / r.paths)


def unit_cost(r: RunResult) -> float:
    """USD per replacement machine bought."""
    return float(r.output.replacement_spend.sum() / max(1, r.output.machines_bought.sum()))


def flow(name: str, days: int | None = None) -> Metric:
    """Mean over paths of a cash flow summed over the run (or its first ``days``)."""

    def metric(r: RunResult) -> float:
        assert r.money is not None
        return float(getattr(r.money.flows, name)[:, :days].sum(axis=1).mean())

    return metric


def cash_end(r: RunResult) -> float:
    assert r.money is not None
    return float(r.money.flows.cash_usd[:, -1].mean())


def collateral(r: RunResult) -> float:
    assert r.money is not None
    return float(r.money.flows.collateral_usd.mean())


def breach(name: str) -> Metric:
    """Share of paths on which covenant ``name`` is breached."""

    def metric(r: RunResult) -> float:
        assert r.money is not None
        result = next(c for c in r.money.covenants if c.name == name)
        return float((result.first_breach_day >= 0).mean())

    return metric


def breach_day(name: str) -> Metric:
    """Mean first breach day of covenant ``name`` (never: the horizon)."""

    def metric(r: RunResult) -> float:
        assert r.money is not None
        days = next(c for c in r.money.covenants if c.name == name).first_breach_day
        return float(np.where(days < 0, r.horizon_days, days).mean())

    return metric


def margin_call(r: RunResult) -> float:
    assert r.money is not None
    return float(r.money.margin_calls["probability"])


def pledge_exposed(r: RunResult) -> float:
    """Share of paths on which the pledge is exposed (0 when it names no vendor)."""
    assert r.money is not None
    return float(r.money.margin_calls["pledges"]["pledge"].get("probability_exposed", 0.0))


def market(name: str) -> Metric:
    """Mean of a market path array (``btc_price_usd``, ``hashprice_usd_per_ph_day``, …)."""

    def metric(r: RunResult) -> float:
        assert r.money is not None
        return float(getattr(r.money.market, name).mean())

    return metric


def spread(name: str) -> Metric:
    """Spread over paths of the log of a market array on the last day."""

    def metric(r: RunResult) -> float:
        assert r.money is not None
        return float(np.log(getattr(r.money.market, name)[:, -1]).std())

    return metric


def used(tier: str) -> Metric:
    def metric(r: RunResult) -> float:
        assert r.money is not None
        return float(r.money.market.used_price_usd_per_th[tier].mean())

    return metric


HASHPRICE = market("hashprice_usd_per_ph_day")
BTC = market("btc_price_usd")
EBITDA = flow("ebitda_usd")


# --- cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """Edit the inputs of ``base`` (with ``common`` applied to both runs): ``metric`` moves
    in the direction ``sign``. ``finding`` set: the setting does nothing today."""

    id: str
    edit: Edit
    metric: Metric
    sign: int
    base: Callable[[], Inputs] = inputs
    common: Edit | None = None
    finding: str | None = None


CASES: list[Case] = []
#: Input lists whose first item a case id's path edits (``fleet.sites.technicians`` →
#: ``fleet.sites.0.technicians``).
LISTS = {"sites", "cohorts", "spares", "orders", "loans", "covenants", "quarters", "btc_pledges"}


def case(
    id: str,
    edit: Edit,
    metric: Metric,
    sign: int,
    base: Callable[[], Inputs] = inputs,
    common: Edit | None = None,
    finding: str | None = None,
) -> None:
    assert all(c.id != id for c in CASES), id
    CASES.append(Case(id, edit, metric, sign, base, common, finding))


def at(id: str) -> str:
    """The inputs path a case id names: the first item of every list."""
    parts: list[str] = []
    for part in id.split("."):
        parts += [part, "0"] if part in LISTS else [part]
    return ".".join(parts)


def setf(
    id: str, value: Any, metric: Metric, sign: int, base: Callable[[], Inputs] = inputs,
    path: str | None = None, finding: str | None = None,
) -> None:  # fmt: skip
    """A case that sets the field ``id`` (or ``path``) to ``value``."""
    case(id, put(path or at(id), value), metric, sign, base, finding=finding)


def column(
    file: str, match: dict[str, str], name: str, value: str, metric: Metric, sign: int,
    base: Callable[[], Inputs] = inputs,
) -> None:  # fmt: skip
    """A case that changes column ``name`` of the matching rows of bundled ``file``.csv."""
    case(f"csv.{file}.{name}", data(f"{file}.csv", match, **{name: value}), metric, sign, base)


def row(
    file: str, name: str, value: str, metric: Metric, sign: int,
    base: Callable[[], Inputs] = inputs,
) -> None:  # fmt: skip
    """A case that changes setting ``name`` of bundled ``file``.csv (setting,value,source)."""
    case(f"csv.{file}.{name}", setting(f"{file}.csv", name, value), metric, sign, base)


def _edited(base: Inputs, path: str, value: Any) -> Inputs:
    put(path, value)(base, Path("."))
    return base


def busy() -> Inputs:
    return inputs(busy_fleet())


def with_events(*events: dict[str, Any]) -> Callable[[], Inputs]:
    return lambda: inputs(events=[dict(e) for e in events])


def with_fleet(make: Callable[[], dict[str, Any]], *events: dict[str, Any]) -> Callable[[], Inputs]:
    return lambda: inputs(make(), [dict(e) for e in events])


def with_finance(*events: dict[str, Any], **finance: Any) -> Callable[[], Inputs]:
    return lambda: inputs(finance_fleet(**copy.deepcopy(finance)), [dict(e) for e in events])


def ordering(*events: dict[str, Any]) -> Callable[[], Inputs]:
    """The order fleet (with a finance block) and ``events``."""
    return lambda: inputs({**order_fleet(), "finance": {}}, [dict(e) for e in events])


def longer() -> Inputs:
    return inputs(horizon=240)


def rates_csv(name: str, applies_to: str) -> Edit:
    rows = [{"part": "fan", "applies_to": applies_to, "weibull_shape": 1.6,
             "first_year_failures_per_part": 0.15, "source": "test"}]  # fmt: skip
    return write_csv(name, rows, "fleet.failure_rates")


REPAIR_HOLD = {"type": "customs_hold", "shipments": ["repairs"], "hold_probability": 1.0,
               "hold_days": 30}  # fmt: skip
STOP = {"type": "parts_supply_stop"}
CLOSED = {"type": "repair_centre_closed"}
CANCEL = {"type": "order_disruption", "cancel_probability": 1.0}
DEBT, PARTS_USD, REPAIRS_USD = flow("debt_service_usd"), flow("parts_usd"), flow("repairs_usd")
S21_ROW = {"slug": "antminer-s21", "vendor": "bitmain", "name": "S21 (user)",
           "family": "antminer-s21", "hashrate_ths": 400, "power_w": 3500,
           "efficiency_j_per_th": 8.75, "release_year": 2024, "cooling": "air", "hashboards": 3,
           "fans": 4, "psus": 1, "control_boards": 1, "source": "test"}  # fmt: skip

# fleet: top level and operations --------------------------------------------------------
setf("fleet.start_date", "2027-09-01", failures(), +1)
case("fleet.catalog", write_csv("catalog.csv", [S21_ROW], "fleet.catalog"), hashrate, +1)
case("fleet.failure_rates", rates_csv("rates.csv", "*"), failures("fan"), +1)
setf("fleet.operations.downtime_share", 0.2, hashrate, -1)
OPS = "fleet.operations"
setf(f"{OPS}.board_degradation.enabled", False, hashrate, +1)
setf(f"{OPS}.board_degradation.share_of_failures", 0.9, hashrate, -1)
setf(f"{OPS}.board_degradation.hashrate_loss", 0.9, hashrate, -1)
setf(f"{OPS}.board_degradation.days", 300, hashrate, -1)
setf(f"{OPS}.board_wear.enabled", False, hashrate, +1)
setf(f"{OPS}.board_wear.per_year", 0.1, hashrate, -1)
setf(f"{OPS}.board_wear.starts_after_days", 5000, hashrate, +1)
setf(f"{OPS}.board_wear.cap", 0.005, hashrate, +1)
if "failure_rate_multiplier" in Operations.model_fields:
    setf(f"{OPS}.failure_rate_multiplier", 3.0, failures(), +1)

# fleet.sites ------------------------------------------------------------------------------
setf("fleet.sites.country", "MY", customs, -1, with_events(REPAIR_HOLD))
setf("fleet.sites.technicians", 4, waiting, -1, busy)
setf("fleet.sites.swaps_per_technician_day", 4, waiting, -1, busy)
setf("fleet.sites.power_usd_per_mwh", 80, EBITDA, -1)
setf("fleet.sites.curtail_below_hashprice_usd_per_ph_day", 1000, power, -1)
setf("fleet.sites.downtime_share", 0.2, hashrate, -1)


def benched() -> Inputs:
    """PSUs repaired in house at a bench of one technician, exponential service of mean
    5 days: parts queue for the technician."""
    fleet = small_fleet(repair_routes={"psu": {"in_house_share": 0.8}})
    fleet["sites"][0]["repair_bench"] = {
        "technicians": 1, "service_days": {"dist": "exponential", "mean": 5.0}}  # fmt: skip
    return inputs(fleet)


setf("fleet.sites.repair_bench.technicians", 4, in_repair("psu"), -1, benched)
setf("fleet.sites.repair_bench.service_days", 1, in_repair("psu"), -1, benched)
setf("fleet.sites.donors", {"antminer-s19j-pro": 20}, waiting, -1, with_events(*CUT))


def sharing() -> Inputs:
    """Sites a and b of one family (S19j Pros at both), fans only at a, which sends b what
    it lacks in 5 days at $40 a fan."""
    fleet = small_fleet(sites=[{"name": "a", "technicians": 2}, {"name": "b", "technicians": 2}],
                        transshipment={"transfer_days": 5, "cost_usd_per_part": 40},
                        finance={})  # fmt: skip
    fleet["cohorts"][1].update(site="b", model="antminer-s19j-pro")
    fleet["spares"] += [{"site": "b", "part": "fan", "on_hand": 0}]
    fleet["spares"][1]["on_hand"] = 200  # a's fans
    return inputs(fleet)


setf("fleet.transshipment.transfer_days", 30, waiting, +1, sharing)
setf("fleet.transshipment.cost_usd_per_part", 500, PARTS_USD, +1, sharing)

# fleet.cohorts and spares -------------------------------------------------------------------
setf("fleet.cohorts.model", "antminer-s21", hashrate, +1)
setf("fleet.cohorts.count", 400, hashrate, +1)
setf("fleet.cohorts.set_aside", 50, hashrate, -1)
SITE_B = [{"name": "a", "technicians": 2}, {"name": "b", "technicians": 0}]
setf("fleet.cohorts.site", "b", waiting, +1, with_fleet(lambda: small_fleet(sites=SITE_B)))
setf("fleet.cohorts.install_date", "2019-01-01", failures(), +1)
setf("fleet.cohorts.degraded.dead_hashboards", 150, hashrate, -1)
setf("fleet.cohorts.degraded.machines_down", {"fan": 60}, hashrate, -1)
COHORT_ROW = {"model": "antminer-s21", "count": 100, "site": "a", "install_date": "2025-01-01"}
case("fleet.cohorts_csv", write_csv("cohorts.csv", [COHORT_ROW], "fleet.cohorts_csv"), hashrate, +1)
SPARE_PARTS = [
    {"site": "a", "part": "hashboard", "on_hand": 6},
    {"site": "a", "part": "fan", "on_hand": 100},
    {"site": "a", "part": "fan", "on_hand": 100},
    {"site": "a", "part": "psu", "on_hand": 4},
]
FAMILY_SPARES = [
    {"site": "a", "part": "fan", "family": "antminer-s19", "on_hand": 0},
    {"site": "a", "part": "fan", "family": "antminer-s19", "on_hand": 200},
    {"site": "a", "part": "fan", "family": "antminer-s21", "on_hand": 0},
]
setf("fleet.spares.site", "b", waiting, +1, with_fleet(two_site_fleet), path="fleet.spares.1.site")
setf("fleet.spares.part", "psu", on_hand("psu"), +1,
     with_fleet(lambda: small_fleet(spares=SPARE_PARTS)), path="fleet.spares.2.part")  # fmt: skip
setf("fleet.spares.family", "antminer-s21", waiting, +1,
     with_fleet(lambda: small_fleet(spares=FAMILY_SPARES)),
     path="fleet.spares.1.family")  # fmt: skip
setf("fleet.spares.on_hand", 60, stockout_day("fan"), +1, path="fleet.spares.1.on_hand")
setf("fleet.spares.target", 60, ordered("fan"), +1, path="fleet.spares.1.target")
setf("fleet.pipelines_at_start", "steady", in_repair("psu"), +1)

# fleet.repair_routes (one part type each) ---------------------------------------------------
ROUTE = "fleet.repair_routes.part"
setf(f"{ROUTE}.swap_days", 10, hashrate, -1, path="fleet.repair_routes.fan.swap_days")
setf(f"{ROUTE}.in_house_share", 0.8, repaired_in_house("psu"), +1,
     path="fleet.repair_routes.psu.in_house_share")  # fmt: skip
setf(f"{ROUTE}.in_house_days", {"dist": "uniform", "low": 30, "high": 40}, in_repair("psu"), +1,
     path="fleet.repair_routes.psu.in_house_days")  # fmt: skip
setf(f"{ROUTE}.in_house_needs_vendor_parts", True, in_repair("psu"), +1, with_events(STOP),
     path="fleet.repair_routes.psu.in_house_needs_vendor_parts")  # fmt: skip
setf(f"{ROUTE}.scrap_share", 0.5, scrapped("psu"), +1, path="fleet.repair_routes.psu.scrap_share")
setf(f"{ROUTE}.vendor_turnaround_days", {"dist": "uniform", "low": 80, "high": 100},
     in_repair("hashboard"), +1,
     path="fleet.repair_routes.hashboard.vendor_turnaround_days")  # fmt: skip
case(f"{ROUTE}.crosses_border",
     put("fleet.repair_routes", {p: {"crosses_border": False} for p in PARTS}), customs, -1,
     with_events(REPAIR_HOLD))  # fmt: skip

# fleet.orders and replenishment -----------------------------------------------------------
setf("fleet.orders.model", "antminer-s19j-pro", hashrate, -1, with_fleet(order_fleet))
setf("fleet.orders.count", 300, hashrate, +1, with_fleet(order_fleet))
setf("fleet.orders.due_date", "2026-04-15", hashrate, -1, with_fleet(order_fleet))
DEAR_B = [{"name": "a", "technicians": 2}, {"name": "b", "power_usd_per_mwh": 120}]
setf("fleet.orders.site", "b", flow("power_usd"), +1,
     with_fleet(lambda: {**order_fleet(), "sites": DEAR_B}))  # fmt: skip
setf("fleet.replenishment.enabled", False, ordered(), -1)
setf("fleet.replenishment.lead_time_days", 100, on_hand(), -1)

# fleet.finance ------------------------------------------------------------------------------
FIN = "fleet.finance"
setf(f"{FIN}.cash_usd", 5_000_000, cash_end, +1, with_finance())
setf(f"{FIN}.overhead_usd_per_machine_day", 2.0, EBITDA, -1, with_finance())
LOANED = with_finance(loans=[LOAN])
setf(f"{FIN}.loans.principal_usd", 2e6, DEBT, +1, LOANED)
setf(f"{FIN}.loans.rate_per_year", 0.3, DEBT, +1, LOANED)
setf(f"{FIN}.loans.amortisation", "bullet", DEBT, -1, LOANED)
setf(f"{FIN}.loans.payment_every_days", 90, flow("debt_service_usd", 60), -1, LOANED)
setf(f"{FIN}.loans.maturity_date", "2026-12-01", DEBT, +1, LOANED)
LIQUIDITY = {"name": "liquidity", "type": "min_liquidity", "value": 0}
setf(f"{FIN}.covenants.value", 2e6, breach("liquidity"), +1, with_finance(covenants=[LIQUIDITY]))
DSCR = {"name": "dscr", "type": "min_dscr", "value": 1.25, "loan": "small", "test_every_days": 30}
setf(f"{FIN}.covenants.loan", "big", breach("dscr"), +1,
     with_finance(loans=[LOAN, SMALL_LOAN], covenants=[DSCR]))  # fmt: skip
LTV = {"name": "ltv", "type": "max_ltv", "value": 0.01, "test_every_days": 30}
setf(f"{FIN}.covenants.test_every_days", 90, breach_day("ltv"), +1,
     with_finance(loans=[LOAN], covenants=[LTV]))  # fmt: skip
# A parts cut makes EBITDA fall over the horizon: a window reaching back to better days
# holds the DSCR up for longer.
TRAILING = {"name": "dscr", "type": "min_dscr", "value": 20, "test_every_days": 30}
setf(f"{FIN}.covenants.window_days", 180, breach_day("dscr"), +1,
     lambda: inputs(finance_fleet(loans=[SMALL_LOAN], covenants=[TRAILING]),
                    [dict(e) for e in CUT], horizon=240))  # fmt: skip
COMMIT = {"name": "commit", "type": "hashrate_commitment",
          "quarters": [{"quarter_end": "2026-03-31", "min_ths": 1.0}]}  # fmt: skip
setf(f"{FIN}.covenants.quarters.min_ths", 1e9, breach("commit"), +1,
     with_finance(covenants=[COMMIT]))  # fmt: skip
setf(f"{FIN}.covenants.quarters.quarter_end", "2026-12-31", breach("commit"), -1,
     lambda: _edited(with_finance(covenants=[COMMIT])(), at(f"{FIN}.covenants.quarters.min_ths"),
                     1e9))  # fmt: skip


def pledged() -> Inputs:
    return inputs(finance_fleet(btc_pledges=[dict(PLEDGE)]), horizon=240)


setf(f"{FIN}.btc_pledges.btc", 20, margin_call, -1, pledged)
setf(f"{FIN}.btc_pledges.obligation_usd", 800_000, margin_call, +1, pledged)
setf(f"{FIN}.btc_pledges.margin_call_ltv", 1.2, margin_call, -1, pledged)
setf(f"{FIN}.btc_pledges.until_date", "2026-02-01", margin_call, -1, pledged)
setf(f"{FIN}.btc_pledges.vendor", "bitmain", pledge_exposed, +1,
     lambda: inputs({**order_fleet(), "finance": {"btc_pledges": [dict(PLEDGE)]}},
                    [dict(CANCEL)]))  # fmt: skip
setf(f"{FIN}.part_costs.new_part_usd", {"fan": 250}, PARTS_USD, +1, with_finance())
setf(f"{FIN}.part_costs.in_house_repair_usd", {"psu": 300}, REPAIRS_USD, +1, with_finance())
setf(f"{FIN}.part_costs.vendor_repair_usd", {"hashboard": 1500}, REPAIRS_USD, +1, with_finance())
setf(f"{FIN}.order_deposit_share", 0.8, flow("capex_usd"), -1, ordering())
setf(f"{FIN}.order_refund_share", 1.0, flow("refunds_usd"), +1, ordering(CANCEL))
DEAR_A = [{"name": "a", "technicians": 2, "power_usd_per_mwh": 200}]
setf(f"{FIN}.switch_off_unprofitable", True, power, -1,
     with_fleet(lambda: small_fleet(sites=DEAR_A, finance={})))  # fmt: skip
DEAR_REPAIRS = {"in_house_repair_usd": {"hashboard": 10_000},
                "vendor_repair_usd": {"hashboard": 10_000}}  # fmt: skip
setf(f"{FIN}.repair_or_replace", True, scrapped("hashboard"), +1,
     with_finance(part_costs=DEAR_REPAIRS))  # fmt: skip
setf(f"{FIN}.repair_threshold_share", 0.01, scrapped("hashboard"), +1,
     with_finance(repair_or_replace=True))  # fmt: skip
setf(f"{FIN}.replacement.grey_market_parts", True, waiting, -1, with_finance(STOP))
BUYING = {"availability_target": 0.99}
setf(f"{FIN}.replacement.availability_target", 0.999, bought, +1,
     with_finance(STOP, CLOSED, replacement={"availability_target": 0.5}))  # fmt: skip
setf(f"{FIN}.replacement.channel", "alt-vendor-machines", unit_cost, +1,
     with_finance(STOP, CLOSED, replacement=BUYING))  # fmt: skip
setf(f"{FIN}.replacement.model", "antminer-s21", unit_cost, +1,
     with_finance(STOP, CLOSED, replacement=BUYING))  # fmt: skip
setf(f"{FIN}.replacement.budget_usd", 500_000, bought, +1,
     with_finance(STOP, CLOSED, replacement={**BUYING, "budget_usd": 5_000}))  # fmt: skip
DONORS = {"donor_machines": True}
setf(f"{FIN}.replacement.donor_machines", True, waiting, -1, with_finance(STOP, CLOSED))
# reviewed every 60 days, the parts short add up to several donors' worth
setf(f"{FIN}.replacement.donor_share", 0.2, donors, -1,
     with_finance(STOP, CLOSED, replacement={**DONORS, "donor_review_days": 60}))  # fmt: skip
setf(f"{FIN}.replacement.donor_review_days", 60, donors, -1,
     with_finance(STOP, CLOSED, replacement=DONORS))  # fmt: skip

# scenario -------------------------------------------------------------------------------
setf("scenario.include", ["customs-2024"], customs, +1)
setf(
    "scenario.include.object", ["customs-2024"], customs, +1,
    base=lambda: inputs(as_object=True), path="scenario.include",
)  # fmt: skip
setf("scenario.network_wide", True, HASHPRICE, +1, with_events(STOP, CLOSED))


@dataclass(frozen=True)
class Kind:
    """An event kind's test event (on every path, from day 0 to the horizon), the output
    it moves, the direction, and the fleet it needs."""

    event: dict[str, Any]
    metric: Metric
    sign: int
    fleet: Callable[[], dict[str, Any]] = small_fleet


KINDS: dict[str, Kind] = {
    "customs_hold": Kind({"hold_probability": 1.0, "hold_days": 30}, customs, +1),
    "lead_time_change": Kind({"extra_days": 200}, on_order(), +1),
    "parts_supply_stop": Kind({}, on_order(), +1),
    "repair_centre_closed": Kind({}, in_repair(), +1),
    "repair_turnaround_change": Kind({"extra_days": 200}, in_repair(), +1),
    "order_disruption": Kind({"cancel_probability": 1.0}, installed, -1, order_fleet),
    "tariff_change": Kind({"rate_pct": 100.0, "origins": ["MY"]}, PARTS_USD, +1),
    "remote_disable": Kind({"share": 0.5}, disabled, +1),
}


def kind_inputs(kind: str, copies: int = 1, **fields: Any) -> Inputs:
    spec = KINDS[kind]
    event = {"type": kind, **spec.event, **fields}
    return inputs(spec.fleet(), [dict(event, name=f"{kind}-{i}") for i in range(copies)])


def of_kind(kind: str, copies: int = 1, **fields: Any) -> Callable[[], Inputs]:
    return lambda: kind_inputs(kind, copies, **fields)


def same_group(inputs: Inputs, _tmp: Path) -> None:
    for event in inputs["scenario"]["events"]:
        event["group"] = "together"


def event(kind: str, name: str, value: Any, metric: Metric, sign: int, **base_fields: Any) -> None:
    """A case that sets field ``name`` of the (first) ``kind`` event."""
    case(f"scenario.events.{kind}.{name}", put(f"scenario.events.0.{name}", value), metric, sign,
         of_kind(kind, **base_fields))  # fmt: skip


# Every timing edit shrinks the event's effect: it happens on no path, starts on day 100 of
# 120, ends on day 20, or hits another vendor. Three events each on 40 % of paths share
# their paths when they share a group (40 % in all, not 78 %): a saturating effect shrinks.
for kind, spec in KINDS.items():
    less, id = -spec.sign, f"scenario.events.{kind}"
    case(f"{id}.probability", put("scenario.events.0.probability", 0.0), spec.metric, less,
         of_kind(kind))  # fmt: skip
    event(kind, "start_day", 100, spec.metric, less)
    event(kind, "start_date", "2026-04-11", spec.metric, less)
    for name, value in (("end_day", 20), ("duration_days", 20), ("vendors", ["microbt"])):
        case(f"{id}.{name}", put(f"scenario.events.0.{name}", value), spec.metric, less,
             of_kind(kind))  # fmt: skip
    if kind != "tariff_change":  # a tariff's group is refused (test below)
        case(f"{id}.group", same_group, spec.metric, less, of_kind(kind, 3, probability=0.4))

event("customs_hold", "origins", ["CN"], customs, -1)
event("customs_hold", "shipments", ["machines"], customs, -1)
event("customs_hold", "hold_probability", 0.2, customs, -1)
event("customs_hold", "hold_days", 90, customs, +1)
event("customs_hold", "storage_fee_usd_per_unit_day", 50.0, flow("storage_usd"), +1)
# Two holds one after the other (units at the border on days 0-79, then from day 90):
# lowering the first one's fee lowers storage, though the second charges more.
TWO_HOLDS = [
    {"type": "customs_hold", "end_day": 60, "hold_probability": 1.0, "hold_days": 20,
     "storage_fee_usd_per_unit_day": 10.0},
    {"type": "customs_hold", "start_day": 90, "hold_probability": 1.0, "hold_days": 20,
     "storage_fee_usd_per_unit_day": 50.0},
]  # fmt: skip
setf(
    "scenario.events.customs_hold.storage_fee_usd_per_unit_day.each_event", 1.0,
    flow("storage_usd"), -1, with_events(*TWO_HOLDS),
    path="scenario.events.0.storage_fee_usd_per_unit_day",
)  # fmt: skip
event("lead_time_change", "extra_days", 90, on_order(), +1, extra_days=30)
event("lead_time_change", "shipments", ["machines"], on_order(), -1)
event("parts_supply_stop", "parts", ["control_board"], on_order(), -1)
event("repair_centre_closed", "parts", ["fan"], in_repair(), -1)
event("repair_turnaround_change", "extra_days", 90, in_repair(), +1, extra_days=30)
event("repair_turnaround_change", "parts", ["fan"], in_repair(), -1)
event("order_disruption", "cancel_probability", 1.0, installed, -1, cancel_probability=0.0)
event("order_disruption", "delay_probability", 1.0, installed, -1, cancel_probability=0.0,
      delay_days=60)  # fmt: skip
event("order_disruption", "delay_days", 60, installed, -1, cancel_probability=0.0,
      delay_probability=1.0, delay_days=5)  # fmt: skip
setf("scenario.events.order_disruption.refund_share", 0.0, flow("refunds_usd"), -1,
     ordering(CANCEL), path="scenario.events.0.refund_share")  # fmt: skip
event("tariff_change", "rate_pct", 200.0, PARTS_USD, +1)
event("tariff_change", "origins", ["CN"], PARTS_USD, -1)
setf(
    "scenario.events.tariff_change.origins.omitted", [{"type": "tariff_change", "rate_pct": 100.0}],
    PARTS_USD, +1, path="scenario.events",
)  # fmt: skip
event("remote_disable", "share", 0.9, disabled, +1)

# market ---------------------------------------------------------------------------------
RISING = [50_000 * 1.005**i for i in range(200)]
FALLING = [50_000 * 0.995**i for i in range(200)]
ZIGZAG = [50_000 * (1.05 if i % 2 else 1.0) for i in range(200)]
BOOTSTRAP = {"model": "bootstrap", "block_days": 5}
PRICE = "market.price"
setf(f"{PRICE}.gbm.drift_per_year", 1.0, BTC, +1, path=f"{PRICE}.drift_per_year")
setf(f"{PRICE}.gbm.volatility_per_year", 1.2, spread("btc_price_usd"), +1,
     path=f"{PRICE}.volatility_per_year")  # fmt: skip
case(f"{PRICE}.bootstrap.csv", price_csv("rising.csv", RISING), BTC, +1,
     common=both(put(PRICE, BOOTSTRAP), price_csv("falling.csv", FALLING)))  # fmt: skip
case(
    f"{PRICE}.bootstrap.block_days",
    put(f"{PRICE}.block_days", 2),
    spread("btc_price_usd"),
    -1,
    common=both(put(PRICE, {**BOOTSTRAP, "block_days": 1}), price_csv("zigzag.csv", ZIGZAG)),
)
case(f"{PRICE}.bootstrap.demean", put(f"{PRICE}.demean", True), BTC, -1,
     common=both(put(PRICE, BOOTSTRAP), price_csv("up.csv", RISING)))  # fmt: skip
case(
    f"{PRICE}.deck.csv",
    price_csv("deck-high.csv", [150_000, 150_000]),
    BTC,
    +1,
    common=both(put(PRICE, {"model": "deck"}), price_csv("deck.csv", [87_000, 87_000])),
)
NET = "market.network"
setf(f"{NET}.growth_per_year", 1.0, HASHPRICE, -1)
setf(f"{NET}.growth_reference_hashprice_usd_per_ph_day", 100.0, HASHPRICE, +1)
setf(f"{NET}.hashprice_feedback_per_year", 3.0, HASHPRICE, +1)
setf(f"{NET}.feedback_lag_days", 5.0, HASHPRICE, +1, longer)
setf(f"{NET}.volatility_per_year", 0.5, spread("network_hashrate_ths"), +1)
setf(f"{NET}.fee_share", 0.2, HASHPRICE, +1)


def wide() -> Inputs:
    return inputs(events=[dict(STOP), dict(CLOSED)], network_wide=True)


setf(f"{NET}.us_share", 1.0, HASHPRICE, +1, wide)
setf(f"{NET}.vendor_share", 1.0, HASHPRICE, +1, wide)
case(f"{NET}.snapshot.file", snapshot_file(btc_price_usd=150_000.0), BTC, +1)
SNAPSHOT_EDITS: dict[str, tuple[Any, Metric, int]] = {
    "date": ("2025-03-01", HASHPRICE, -1),
    "btc_price_usd": (150_000.0, BTC, +1),
    "difficulty": (2.0e14, HASHPRICE, -1),
    "network_hashrate_ehs": (1500.0, HASHPRICE, -1),
    "block_height": (1_049_000, HASHPRICE, -1),
    "fee_share": (0.3, HASHPRICE, +1),
    "epoch_elapsed_days": (13.0, HASHPRICE, +1),
}
AS_OF = ("btc_price_usd", "difficulty", "network_hashrate_ehs", "fee_share")
for name, (value, metric, sign) in SNAPSHOT_EDITS.items():
    setf(f"{NET}.snapshot.{name}", value, metric, sign)
    case(f"snapshot.{name}", snapshot_file(**{name: value}), metric, sign)
    if name in AS_OF:
        setf(f"market.as_of.{name}", value, metric, sign)


def near_the_halving() -> Inputs:
    """A fleet starting days before the 2028 halving (block 1,050,000) as carried."""
    return inputs(small_fleet(start_date="2028-03-25"))


# A height given for the start date must be near the carried one (else it is a typo):
# one just past the halving halves the subsidy.
setf("market.as_of.block_height", 1_050_100, HASHPRICE, -1, near_the_halving)
TIER = "25to38"  # the S19j Pro's tier (30.5 J/TH)
USED = "market.used_prices"


def network_cut(*events: dict[str, Any]) -> Callable[[], Inputs]:
    """``events`` hitting every US miner: only such a cut moves the used market's prices."""
    return lambda: inputs(events=[dict(e) for e in events], network_wide=True)


CUT_DAYS = network_cut(STOP)
setf(f"{USED}.reference_date", "2026-12-29", used(TIER), +1)
setf(f"{USED}.reference_hashprice_usd_per_ph_day", 60.0, used(TIER), -1)
setf(f"{USED}.lag_days", 200.0, used(TIER), +1, longer)
setf(f"{USED}.jump_rise_days", 200.0, used(TIER), -1, CUT_DAYS)
setf(f"{USED}.jump_relax_days", 1000.0, used(TIER), +1, network_cut({**STOP, "duration_days": 20}))
TIERS = f"{USED}.tiers.tier"
setf(f"{TIERS}.usd_per_th", 7.0, collateral, +1, path=f"{USED}.tiers.{TIER}.usd_per_th")
setf(f"{TIERS}.elasticity", 4.0, used(TIER), -1, longer, path=f"{USED}.tiers.{TIER}.elasticity")
setf(f"{TIERS}.obsolescence_per_year", 1.0, used(TIER), -1,
     path=f"{USED}.tiers.{TIER}.obsolescence_per_year")  # fmt: skip
setf(f"{TIERS}.jump_on_supply_cut", 1.0, used(TIER), +1, CUT_DAYS,
     path=f"{USED}.tiers.{TIER}.jump_on_supply_cut")  # fmt: skip

# bundled data files -----------------------------------------------------------------------
S21 = {"slug": "antminer-s21"}
column("models", S21, "vendor", "microbt", customs, -1,
       of_kind("customs_hold", vendors=["bitmain"], shipments=["parts"]))  # fmt: skip
column(
    "models",
    S21,
    "family",
    "antminer-s19",
    waiting,
    -1,
    with_fleet(lambda: small_fleet(spares=[{"site": "a", "part": "fan", "on_hand": 6}])),
)
# a row's J/TH must agree with power_w / hashrate_ths (3 %), so it moves with them
case(
    "csv.models.hashrate_ths",
    data("models.csv", S21, hashrate_ths="400", efficiency_j_per_th="8.75"),
    hashrate,
    +1,
)
case(
    "csv.models.power_w",
    data("models.csv", S21, power_w="7000", efficiency_j_per_th="35"),
    power,
    +1,
)
column("models", S21, "hashboards", "6", failures("hashboard"), +1)
column("models", S21, "fans", "8", failures("fan"), +1)
column("models", S21, "psus", "3", failures("psu"), +1)
column("models", S21, "control_boards", "3", failures("control_board"), +1)
FAN, PSU, BOARD = {"part": "fan"}, {"part": "psu"}, {"part": "hashboard"}
column("parts", FAN, "default_spares_share", "0.001", stockout_day("fan"), -1,
       with_fleet(lambda: small_fleet(spares=[])))  # fmt: skip
column("parts", FAN, "swap_days", "10", hashrate, -1)
column("parts", PSU, "in_house_share", "0.8", repaired_in_house("psu"), +1)
column("parts", PSU, "in_house_days_low", "7", in_repair("psu"), +1)
column("parts", PSU, "in_house_days_high", "40", in_repair("psu"), +1)
column("parts", PSU, "in_house_needs_vendor_parts", "true", in_repair("psu"), +1,
       with_events(STOP))  # fmt: skip
column("parts", PSU, "scrap_share", "0.5", scrapped("psu"), +1)
column("parts", FAN, "storage_share_of_machine", "0.5", flow("storage_usd"), +1,
       with_events({"type": "customs_hold", "hold_probability": 1.0, "hold_days": 30,
                    "shipments": ["parts"]}))  # fmt: skip
column("parts", BOARD, "vendor_turnaround_days_low", "35", in_repair("hashboard"), +1)
column("parts", BOARD, "vendor_turnaround_days_high", "100", in_repair("hashboard"), +1)
column("failure_rates", FAN, "weibull_shape", "3.0", failures("fan"), +1)
column("failure_rates", FAN, "first_year_failures_per_part", "0.05", failures("fan"), +1)
case("csv.failure_rates.applies_to", rates_csv("rates.csv", "antminer-s21"), failures("fan"), +1,
     common=rates_csv("rates-base.csv", "whatsminer-m60s"))  # fmt: skip
row("sites", "swaps_per_technician_day", "1", waiting, +1,
    lambda: _edited(busy(), "fleet.sites.0", {"name": "a", "technicians": 1}))  # fmt: skip
row(
    "sites",
    "machines_per_technician",
    "10000",
    waiting,
    +1,
    lambda: _edited(busy(), "fleet.sites.0", {"name": "a", "swaps_per_technician_day": 1}),
)
SITES_CSV: dict[str, tuple[str, int]] = {
    "downtime_share": ("0.2", -1),
    "degraded_board_share_of_failures": ("0.9", -1),
    "degraded_board_hashrate_loss": ("0.9", -1),
    "degraded_board_days": ("300", -1),
    "board_wear_per_year": ("0.1", -1),
    "wear_starts_after_days": ("5000", +1),
    "board_wear_cap": ("0.005", +1),
}
for name, (text, sign) in SITES_CSV.items():
    row("sites", name, text, hashrate, sign)
row("finance_defaults", "power_usd_per_mwh", "80", EBITDA, -1)
row("finance_defaults", "overhead_usd_per_machine_day", "2", EBITDA, -1)
row("finance_defaults", "order_deposit_share", "0.8", flow("capex_usd"), -1, ordering())
row("finance_defaults", "order_refund_share", "1.0", flow("refunds_usd"), +1, ordering(CANCEL))
column("machine_prices", {"model": "antminer-s21"}, "new_usd_per_th", "34", flow("capex_usd"), +1,
       ordering())  # fmt: skip
column("part_costs", FAN, "new_part_usd", "250", PARTS_USD, +1)
column("part_costs", PSU, "in_house_repair_usd", "300", REPAIRS_USD, +1)
column("part_costs", BOARD, "vendor_repair_usd", "1500", REPAIRS_USD, +1)
column("part_costs", BOARD, "shipping_usd_per_leg", "250", REPAIRS_USD, +1)
column("part_costs", FAN, "swap_labour_usd", "100", REPAIRS_USD, +1)
MY_NOW = {"origin": "MY", "start_date": "2025-08-07"}  # the row in force on the start date
column("tariffs", MY_NOW, "rate_pct", "80", PARTS_USD, +1)
column("tariffs", MY_NOW, "origin", "XX", PARTS_USD, -1)
column("tariffs", MY_NOW, "start_date", "2027-01-01", PARTS_USD, -1)
BITMAIN = {"vendor": "bitmain"}
column("vendors", BITMAIN, "parts_origin", "US", PARTS_USD, -1)
column("vendors", BITMAIN, "machines_origin", "US", flow("capex_usd"), -1, ordering())
column("vendors", BITMAIN, "repair_centre_country", "US", customs, -1, with_events(REPAIR_HOLD))
column("vendors", BITMAIN, "parts_lead_time_days", "120", on_hand(), -1)
column("vendors", BITMAIN, "transit_days", "40", on_order(), +1)
column("vendors", BITMAIN, "customs_clearance_days", "40", in_repair(), +1)
GREY = {"channel": "grey-parts"}
GREY_MARKET = with_finance(STOP, replacement={"grey_market_parts": True})
column("channels", GREY, "lead_time_days", "110", waiting, +1, GREY_MARKET)
column("channels", GREY, "price_factor", "5", PARTS_USD, +1, GREY_MARKET)
column("channels", GREY, "doa_share", "0.9", waiting, +1, GREY_MARKET)


# --- running -----------------------------------------------------------------------------

_CACHED = (
    catalog.bundled_catalog,
    catalog.part_defaults,
    catalog.failure_priors,
    catalog.vendor_defaults,
    catalog.site_defaults,
    finance_data.part_costs,
    finance_data.machine_prices,
    finance_data.channels,
    finance_data.finance_defaults,
    finance_data.tariff_table,
)


def _clear_data_caches() -> None:
    for loader in _CACHED:
        loader.cache_clear()


def _write_rows(path: Path, edits: list[list[Any]]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for _file, match, changes in edits:
        hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
        assert hits, f"no row of {path.name} matches {match}"
        for row in hits:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


@contextmanager
def bundled_data(edits: list[list[Any]], folder: Path) -> Iterator[None]:
    """The bundled data files with ``edits`` (copies in ``folder``) while the block runs."""
    if not edits:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name in {file for file, _match, _changes in edits}:
        shutil.copy(DATA / name, folder / name)
        _write_rows(folder / name, [e for e in edits if e[0] == name])

    def data_path(name: str) -> Path:
        own = folder / name
        return own if own.exists() else DATA / name

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(catalog, "_data_path", data_path)
            patch.setattr(finance_data, "_path", data_path)
            _clear_data_caches()
            yield
    finally:
        _clear_data_caches()


_RUNS = 0
_BASE_RUNS: dict[str, RunResult] = {}


def simulate(inputs: Inputs, tmp: Path) -> RunResult:
    """Run the case's scenario (baseline runs beside it) on the inputs."""
    global _RUNS
    _RUNS += 1
    scenario: Scenario | Path
    if inputs["scenario"].get("include") and not inputs["as_object"]:  # a file: expanded
        scenario = tmp / f"scenario-{_RUNS}.yaml"
        scenario.write_text(yaml.safe_dump(inputs["scenario"]), encoding="utf-8")
    else:
        scenario = Scenario.model_validate(inputs["scenario"])
    with bundled_data(inputs["data"], tmp / f"data-{_RUNS}"):
        config = None
        if inputs["market"]:
            path = tmp / f"market-{_RUNS}.yaml"
            path.write_text(yaml.safe_dump(inputs["market"]), encoding="utf-8")
            config = load_market(path)
        return hashshock.compare(
            inputs["fleet"],
            [scenario],
            paths=inputs["paths"],
            horizon_days=inputs["horizon"],
            seed=SEED,
            market=config,
        )[0]


def simulate_base(inputs: Inputs, tmp: Path) -> RunResult:
    """The base run, shared by the cases that edit the same base inputs."""
    key = json.dumps(inputs, sort_keys=True, default=str)
    if key not in _BASE_RUNS:
        _BASE_RUNS[key] = simulate(inputs, tmp)
    return _BASE_RUNS[key]


def _param(c: Case) -> Any:
    marks = (
        [pytest.mark.xfail(strict=True, raises=AssertionError, reason=c.finding)]
        if c.finding
        else []
    )
    return pytest.param(c, id=c.id, marks=marks)


@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_field_effect(c: Case, tmp_path: Path) -> None:
    """Changing the field moves its output in the stated direction (same seed)."""
    base = c.base()
    if c.common is not None:
        c.common(base, tmp_path)
    changed = copy.deepcopy(base)
    c.edit(changed, tmp_path)
    assert changed != base, "the edit must change the inputs"
    before = c.metric(simulate_base(base, tmp_path))
    after = c.metric(simulate(changed, tmp_path))
    assert c.sign * (after - before) > 0, (
        f"{c.id}: expected the output to {'rise' if c.sign > 0 else 'fall'}: "
        f"{before:.6g} -> {after:.6g}"
    )


def test_a_grouped_tariff_is_refused(tmp_path: Path) -> None:
    """A tariff acts through its expected duty on every path, so ``group`` could change
    nothing: it is refused with the reason and the fix."""
    from hashshock.inputs.errors import InputError
    from hashshock.inputs.load import load_scenario

    events = [{"type": "tariff_change", "rate_pct": 50, "group": "g"}]
    path = tmp_path / "tariff.yaml"
    path.write_text(yaml.safe_dump({"name": "t", "events": events}), encoding="utf-8")
    with pytest.raises(InputError, match=r"group.*expected duty.*remove group"):
        load_scenario(path)


def test_machines_to_buy_with_no_money_are_warned_of() -> None:
    """Donors or replacement machines to be bought with no budget (cash not above the
    liquidity floor, or budget_usd 0): a warning says none will be."""
    from hashshock.inputs.load import fleet_from_mapping

    broke = fleet_from_mapping(small_fleet(finance={
        "cash_usd": 0, "replacement": {"donor_machines": True}}))  # fmt: skip
    assert any("donor machines are to be bought" in w and "none will be" in w
               for w in broke.warnings)  # fmt: skip
    capped = {"availability_target": 0.9, "budget_usd": 0}
    zero = fleet_from_mapping(small_fleet(finance={"cash_usd": 1e6, "replacement": capped}))
    assert any("budget_usd is 0" in w for w in zero.warnings)
    funded = fleet_from_mapping(small_fleet(finance={
        "cash_usd": 1e6, "replacement": {"donor_machines": True}}))  # fmt: skip
    assert not any("none will be" in w for w in funded.warnings)


def test_a_finance_block_without_cash_is_warned_of() -> None:
    """``finance: {}`` (or loans and covenants with no ``cash_usd``) starts with $0 and
    breaks on day 0 on every path: said. Cash given, even 0, is not."""
    from hashshock.inputs.load import fleet_from_mapping

    loan = {"name": "l", "principal_usd": 1e5, "rate_per_year": 0.1,
            "maturity_date": "2029-01-01"}  # fmt: skip
    for finance in ({}, {"loans": [loan]}):
        said = fleet_from_mapping(small_fleet(finance=finance)).warnings
        assert any("finance: no cash_usd, so the fleet starts with $0" in w for w in said)
    for cash in (0, 1e6):
        given = fleet_from_mapping(small_fleet(finance={"cash_usd": cash})).warnings
        assert not any("no cash_usd" in w for w in given)


def test_spares_rows_of_one_pool_are_added_and_warned_of() -> None:
    """Two rows of one site's fans gave a shelf of both in silence (a row pasted twice
    doubles it): their stocks are added, as the plan shows, and said; rows of other
    parts or families are not."""
    from hashshock.inputs.load import fleet_from_mapping
    from hashshock.plan.compile import compile_fleet

    fans = [{"site": "a", "part": "fan", "on_hand": 5}, {"site": "a", "part": "fan", "on_hand": 7}]
    twice = fleet_from_mapping(small_fleet(spares=fans))
    (said,) = [w for w in twice.warnings if "spares[0], spares[1]" in w]
    assert "all stock fan at a" in said and "their 12 on hand are added together" in said
    once = fleet_from_mapping(small_fleet(spares=[{**fans[0], "on_hand": 12}]))
    assert not any("added together" in w for w in once.warnings)
    plans = [compile_fleet(f, 30) for f in (twice, once)]  # the same shelves either way
    assert (plans[0].pool_on_hand == plans[1].pool_on_hand).all()
    by_family = [{**fans[0], "family": "antminer-s19"}, {**fans[1], "family": "antminer-s21"}]
    assert not any("added together" in w
                   for w in fleet_from_mapping(small_fleet(spares=by_family)).warnings)  # fmt: skip
