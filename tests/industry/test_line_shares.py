"""Orders moved to other vendors are split by the capacity each line runs when they are
placed (hashshock.industry.orders ``alternative_lines``; docs/industry.md, "Vendor
queues"): a line not started yet takes none while another runs, a line ramping up its
share of what runs, and all of them by their full capacity when none runs yet."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from hashshock.industry.load import load_industry
from hashshock.industry.orders import alternative_lines, with_twins
from hashshock.inputs.catalog import bundled_catalog
from hashshock.inputs.files import read_yaml_mapping
from hashshock.inputs.industry import Industry

START = date(2026, 12, 1)


def _industry(us_line: dict[str, Any]) -> Industry:
    """The bundled industry with its US line's dates replaced by ``us_line``."""
    bundled = load_industry()
    assert bundled.path is not None
    data: dict[str, Any] = copy.deepcopy(read_yaml_mapping(bundled.path))
    data["start_date"] = START.isoformat()
    for line in data["vendor_lines"]:
        if line["name"] == "bitmain-us-line":
            line.pop("start_date", None)
            line.pop("full_date", None)
            line.update(us_line)
    return Industry.model_validate(data)


def _shares(industry: Industry, day: int | None) -> dict[str, float]:
    return {line.name: share for line, share in alternative_lines(industry, day)}


def test_a_line_takes_its_share_of_the_capacity_running_that_day() -> None:
    """The US line (10 EH/s, all for US buyers) starts on day 100 and is full on day 199:
    none on day 50, half its capacity on day 149, all of it from day 199; MicroBT and
    Canaan share the rest by their US capacity; the shares add up to 1."""
    later = _industry({"start_date": (START + timedelta(days=100)).isoformat(),
                       "full_date": (START + timedelta(days=199)).isoformat()})  # fmt: skip
    us = {"microbt": 67 * 0.36, "canaan": 37 * 0.36}
    for day, running in ((50, 0.0), (149, 0.5), (199, 1.0), (400, 1.0)):
        shares = _shares(later, day)
        total = sum(us.values()) + 10.0 * running
        assert shares["bitmain-us-line"] == pytest.approx(10.0 * running / total)
        assert shares["microbt"] == pytest.approx(us["microbt"] / total)
        assert sum(shares.values()) == pytest.approx(1.0)
    assert _shares(later, None) == pytest.approx(_shares(later, 400))


def test_when_no_line_runs_yet_orders_wait_for_all_by_full_capacity() -> None:
    """Every alternative line starting on day 100: an order of day 10 is split by their
    full capacity, as on a day they all run."""
    day_100 = (START + timedelta(days=100)).isoformat()
    data = _industry({"start_date": day_100}).model_dump(mode="json", exclude_unset=True)
    for line in data["vendor_lines"]:
        if line.get("model") is not None:
            line["start_date"] = day_100
    industry = Industry.model_validate(data)
    assert _shares(industry, 10) == pytest.approx(_shares(industry, 200))


def test_twins_of_an_order_due_before_a_line_starts_skip_it() -> None:
    """A cancelled Bitmain order due on day 30 is placed again with MicroBT and Canaan
    only when the US line starts on day 100; due on day 300, with all three, each by its
    share of the capacity then."""
    later = _industry({"start_date": (START + timedelta(days=100)).isoformat()})
    catalog = bundled_catalog()
    for due, lines in ((30, {"microbt", "canaan"}), (300, {"microbt", "canaan", "bitmain-us"})):
        order = {"model": "antminer-s21", "count": 10_000, "site": "a",
                 "due_date": (START + timedelta(days=due)).isoformat()}  # fmt: skip
        _, twins = with_twins([order], later, catalog)
        assert {twin.vendor for twin in twins} == lines


def test_before_any_line_runs_orders_go_to_those_starting_first() -> None:
    """MicroBT and Canaan start on day 62, the US line on day 274: an order of day 10
    goes to MicroBT and Canaan only (made 212 days sooner), by their capacity."""
    data = _industry({"start_date": (START + timedelta(days=274)).isoformat()}).model_dump(
        mode="json", exclude_unset=True)  # fmt: skip
    for line in data["vendor_lines"]:
        if line["name"] in ("microbt", "canaan"):
            line["start_date"] = (START + timedelta(days=62)).isoformat()
    shares = _shares(Industry.model_validate(data), 10)
    assert shares["bitmain-us-line"] == 0.0
    assert shares["microbt"] == pytest.approx(67 / (67 + 37))


def test_spot_orders_follow_each_paths_running_capacity() -> None:
    """Spot orders are split by the capacity each line runs on the review day on that
    path: a components cut that halves the US line's capacity on path 1 halves its
    share there; where no line runs, by the schedule of that day."""
    from hashshock.industry.queues import LineFlows
    from hashshock.industry.spot import _line_shares

    industry = _industry({})
    lines = [line for line, _ in alternative_lines(industry)]
    days, paths = 60, 2
    flows = []
    for line in lines:
        capacity = np.full((paths, days), line.capacity_ehs_per_year * line.us_share)
        if line.name == "bitmain-us-line":
            capacity[1] *= 0.5
        capacity[:, 30:] = 0.0  # nothing runs from day 30
        zeros = np.zeros((paths, days))
        flows.append(LineFlows(line.name, line.vendor, 0, capacity, zeros, zeros, zeros,
                               zeros, np.zeros((paths, days), dtype=bool)))  # fmt: skip
    reviews = np.array([0, 30])
    shares = _line_shares(industry, flows, reviews)
    us = [line.name for line in lines].index("bitmain-us-line")
    full = {line.name: line.capacity_ehs_per_year * line.us_share for line in lines}
    expected = full["bitmain-us-line"] / sum(full.values())
    assert shares[us, 0, 0] == pytest.approx(expected)
    halved = 0.5 * full["bitmain-us-line"]
    running = sum(full.values()) - full["bitmain-us-line"] + halved
    assert shares[us, 1, 0] == pytest.approx(halved / running)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)
    scheduled = _shares(industry, 30)["bitmain-us-line"]
    assert shares[us, 0, 1] == pytest.approx(scheduled)


def test_with_no_line_selling_to_new_buyers_the_redirect_is_refused() -> None:
    """Every line with a model is one orders move away from: redirected and replacement
    orders would find no line and nothing would be placed, unsaid — the file is refused,
    naming the redirect (it ran and bought nothing before)."""
    from hashshock.industry.load import industry_from_mapping
    from hashshock.inputs.errors import InputError

    bundled = load_industry()
    assert bundled.path is not None
    data: dict[str, Any] = copy.deepcopy(read_yaml_mapping(bundled.path))
    data["operators"] = [op for op in data["operators"]
                         if op["name"] in ("greenidge", "terawulf")]  # fmt: skip
    for op in data["operators"]:
        op["template"] = str(bundled.path.parent / op["template"])
    data["vendor_lines"] = [line for line in data["vendor_lines"]
                            if line["name"] in ("bitmain-asia", "microbt")]  # fmt: skip
    data["redirect"]["from_vendors"] = ["bitmain", "microbt"]
    data.pop("portfolio", None)
    with pytest.raises(InputError, match="redirect needs a vendor line of another vendor"):
        industry_from_mapping(data)
    data["redirect"]["from_vendors"] = ["bitmain"]  # microbt's line takes them: runs
    assert industry_from_mapping(data).industry.redirect is not None
