"""Saving industry runs to the run store: the run's whole JSON in ``industries``, and its
headline figures per scenario, operator or class, and metric in ``industry_summary``
(queryable with SQL, docs/industry.md "The run store"); one transaction per run.

Metrics of the industry as a whole (``operator = ''``), medians over paths on the last
day unless named otherwise: ``us_hashrate_ehs``, ``us_hashrate_ehs_vs_baseline``,
``share_of_network`` (and ``share_of_network_day0``), ``share_vs_baseline``,
``moved_overseas_ehs``, ``growth_cancelled_ehs``, ``hashprice_usd_per_ph_day``,
``steering_hashprice_gap_p95`` (docs/industry.md, "Engines steered by the shared network");
``vendor:<line>:lead_time_days_max`` (the longest median) and
``vendor:<line>:cancelled_ehs``; ``lender:expected_loss_usd``, ``lender:loss_p95_usd``,
``lender:interest_income_usd``, ``lender:net_income_usd`` and ``lender:net_income_p5_usd``;
``used:grey_total_ehs`` (median over paths of the grey imports over the horizon) and,
when fleets buy donors, ``donors:bought`` and ``donors:spend_usd`` (means over paths,
also per operator or class). Per operator or class:
``break:<financial|operational>:<probability|day_p50>``,
``first:<financial|operational>`` (share of paths it breaks before all others),
``covenant_breach:<probability|day_p50>``, ``covenant:<name>:<probability|day_p50>``,
``cash_out:<probability|day_p50>``, ``stage:<name>:<probability|day_p50>``,
``availability:<3m|6m|12m>`` (median), ``money:<key>`` (median USD), and per loan of the
lender ``loan:<key>:probability_default``, ``loan:<key>:expected_loss_usd`` and
``loan:<key>:interest_income_usd`` (the borrower as operator). A day is ``NULL`` when
the event is too rare to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hashshock.store.documents import as_json, load_document, save_document

if TYPE_CHECKING:
    from hashshock.industry.result import IndustryResult

#: A row of ``industry_summary`` without its id: scenario, operator, metric, value.
Row = tuple[str, str, str, float | None]

#: Series of the JSON's ``us`` kept as their median on the last day, by metric name.
_US_SERIES = {
    "us_hashrate_ehs": "hashrate_ehs", "us_hashrate_ehs_vs_baseline": "hashrate_ehs_vs_baseline",
    "share_of_network": "share_of_network", "share_vs_baseline": "share_vs_baseline",
    "moved_overseas_ehs": "moved_overseas_ehs", "growth_cancelled_ehs": "growth_cancelled_ehs",
    "hashprice_usd_per_ph_day": "hashprice_usd_per_ph_day",
}  # fmt: skip


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _event(operator: str, name: str, event: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [(operator, f"{name}:probability", event["probability"]),
            (operator, f"{name}:day_p50", event.get("day_p50"))]  # fmt: skip


def _industry_rows(scenario: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The industry-wide and the lender's metrics of one scenario."""
    us = scenario["us"]
    rows = [("", metric, us[key]["p50"][-1]) for metric, key in _US_SERIES.items() if key in us]
    if "share_of_network" in us:
        rows.append(("", "share_of_network_day0", us["share_of_network"]["p50"][0]))
    if "steering_hashprice_gap" in us:
        rows.append(("", "steering_hashprice_gap_p95", us["steering_hashprice_gap"]["p95"]))
    for line, vendor in scenario.get("vendors", {}).items():
        rows += [
            ("", f"vendor:{line}:lead_time_days_max", max(vendor["lead_time_days"]["p50"])),
            ("", f"vendor:{line}:cancelled_ehs", vendor["cancelled_ehs"]["p50"][-1]),
        ]
    used = scenario.get("used_market")
    if used is not None:
        rows.append(("", "used:grey_total_ehs", used["grey_total_ehs"]["p50"]))
    rows += _donor_rows("", us)
    lender = scenario.get("lender")
    if lender is not None:
        rows += [("", f"lender:{key}", lender[key])
                 for key in ("expected_loss_usd", "loss_p95_usd", "interest_income_usd",
                             "net_income_usd", "net_income_p5_usd")]  # fmt: skip
        for loan in lender["loans"]:
            for key in ("probability_default", "expected_loss_usd", "interest_income_usd"):
                rows.append((loan["borrower"], f"loan:{loan['loan']}:{key}", loan[key]))
    return rows


def _group_rows(scenario: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Each operator's or class's metrics of one scenario."""
    rows: list[tuple[str, str, Any]] = []
    for kind, ranking in scenario["first_to_break"].items():
        rows += [(r["group"], f"first:{kind}", r["probability_first"]) for r in ranking]
    for group, data in scenario["groups"].items():
        for kind, event in data["break"].items():
            rows += _event(group, f"break:{kind}", event)
        rows += _event(group, "covenant_breach", data["covenant_breach"])
        for name, event in data.get("covenants", {}).items():
            rows += _event(group, f"covenant:{name}", event)
        rows += _event(group, "cash_out", data["cash_out"])
        for name, event in data["stages"].items():
            rows += _event(group, f"stage:{name}", event)
        rows += [(group, f"availability:{point}", band["p50"])
                 for point, band in data["availability"].items()]  # fmt: skip
        rows += [(group, f"money:{key}", band["p50"])
                 for key, band in data.get("money", {}).items()]  # fmt: skip
        rows += _donor_rows(group, data)
    return rows


def _donor_rows(operator: str, data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The donors bought and their price (``data["donors"]``), if any fleet buys them."""
    donors = data.get("donors")
    if donors is None:
        return []
    return [(operator, "donors:bought", donors["bought_mean"]),
            (operator, "donors:spend_usd", donors["spend_usd_mean"])]  # fmt: skip


def summary_rows(data: dict[str, Any]) -> list[Row]:
    """``industry_summary``'s rows of an industry's JSON (module docstring)."""
    out: list[Row] = []
    for name, scenario in data["scenarios"].items():
        rows = _industry_rows(scenario) + _group_rows(scenario)
        out += [(name, operator, metric, _number(value)) for operator, metric, value in rows]
    return out


def save_industry(result: IndustryResult | dict[str, Any], store: str | Path | None = None) -> str:
    """Save an industry run (its result, or its JSON as a dict) and return its id
    (``industries.industry_id``); an :class:`InputError` naming what is missing when
    ``result`` is neither (a run's JSON, an empty mapping)."""
    from hashshock.industry.report import industry_problem
    from hashshock.inputs.errors import InputError, check_path_like

    fix = "give the result of hashshock.industry, or the JSON hashshock industry --json wrote"
    if store is not None:
        check_path_like(store, "store", "give the store file's path, or None for the default")
    data = result if isinstance(result, dict) else getattr(result, "to_dict", lambda: None)()
    problem = industry_problem(data)
    if problem is not None:
        field, text = problem
        raise InputError(None, "result" + (f".{field}" if field else ""),
                         f"{text}: not an industry run", fix)  # fmt: skip
    assert isinstance(data, dict)
    return save_document(
        store, "industries", "industry_id",
        lambda found, saved_at: [
            found, saved_at, data["industry"], ",".join(data["scenarios"]), data["paths"],
            data["horizon_days"], data.get("seed"), data.get("version"),
            (data.get("manifest") or {}).get("inputs_sha256"), as_json(data),
        ],
        "industry_summary", ("industry_id", "scenario", "operator", "metric", "value"),
        lambda found: [(found, *row) for row in summary_rows(data)],
    )  # fmt: skip


def load_saved_industry(industry_id: str, store: str | Path | None = None) -> dict[str, Any]:
    """A saved industry run's JSON by its id (what ``hashshock industry --json`` wrote;
    ``write_industry_report`` draws it)."""
    return load_document(store, "industries", "industry_id", industry_id, "industry run")
