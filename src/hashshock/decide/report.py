"""A decision's HTML report: its own section (the frontier, or the strategies' net benefit)
above the usual sections of the runs it names, in one self-contained page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hashshock.decide.pools import PoolTable
from hashshock.inputs.load import LoadedFleet
from hashshock.results import RunResult


def stock_rows(pools: PoolTable, stock: np.ndarray, by_site: bool = False,
               fleet: LoadedFleet | None = None, ordered: bool = False,
               ) -> list[dict[str, Any]]:  # fmt: skip
    """A stock as the fleet file's ``spares`` rows: one per pool (site, part, family) with
    ``target`` = the stock and ``on_hand`` = the stock less the parts on their way
    (``pools.on_way``: none unless the fleet's pipelines start steady, so the shelf is
    the stock), or with ``by_site`` one per site × part (families summed: the fleet then
    splits it over families by installed parts). With ``fleet``, only the families its
    cohorts and orders bring to each site (a replacement policy's pool takes the default
    share, as a fleet file cannot name it). ``ordered``: the stock is ordered on day 0,
    ``on_hand`` today's shelf. What :func:`hashshock.decide.evaluate.with_stock`
    simulates."""
    if ordered:
        shelf = pools.inputs.current - pools.on_way
    else:
        shelf = np.maximum(np.asarray(stock, dtype=np.int64) - pools.on_way, 0)
    if fleet is not None:
        units = [(c.site, c.model) for c in fleet.fleet.cohorts]
        units += [(o.site, o.model) for o in fleet.fleet.orders]
        present = {(site, fleet.model_of(model).family) for site, model in units}
    if not by_site:
        return [{"site": pools.site[j], "part": pools.part[j], "family": pools.family[j],
                 "on_hand": int(shelf[j]), "target": int(stock[j])}
                for j in range(len(pools.site))
                if fleet is None or (pools.site[j], pools.family[j]) in present]  # fmt: skip
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for j in range(len(pools.site)):
        key = (pools.site[j], pools.part[j])
        on_hand, target = totals.get(key, (0, 0))
        totals[key] = (on_hand + int(shelf[j]), target + int(stock[j]))
    return [{"site": site, "part": part, "on_hand": on_hand, "target": target}
            for (site, part), (on_hand, target) in totals.items()]  # fmt: skip


def write_decision_report(runs: Sequence[RunResult], key: str, data: dict[str, Any],
                          path: str | Path, title: str, runs_are: str) -> Path:  # fmt: skip
    """Write ``runs``' report with ``data`` in ``extras[key]`` (drawn by the section of
    that key, :mod:`hashshock.report.figures.decide`) to ``path`` atomically. ``runs_are``
    says which fleet the runs are ("do nothing", "chosen stock"): every chart's label
    carries it, so the runs' charts are not read as another decision's."""
    from hashshock.outputs import atomic_write_bytes
    from hashshock.report.page import render_page
    from hashshock.report.write import check_report_path, report_input

    target = check_report_path(path)
    page = render_page(report_input(list(runs), {key: data}, f" — {runs_are}"), title)
    atomic_write_bytes(target, page.encode("utf-8"), "--report")
    return target
