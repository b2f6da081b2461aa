"""Values no fleet can have — infinite or NaN numbers, a mistyped exponent, counts past
the engine's 32-bit counters, start dates outside any run, a pledge already released —
are refused with exit 2 and one line naming the file, the field and a fix, instead of a
hang, a traceback or numbers that print as nan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import EXAMPLES, small_fleet
from typer.testing import CliRunner

from hashshock.cli.app import app

runner = CliRunner()
INF, NAN = float("inf"), float("nan")


def _money(**finance: Any) -> dict[str, Any]:
    """``small_fleet`` with a finance block: cash, a loan, a pledge and ``finance``."""
    block: dict[str, Any] = {
        "cash_usd": 1e6,
        "loans": [{"name": "loan", "principal_usd": 4e5, "rate_per_year": 0.1,
                   "amortisation": "linear", "payment_every_days": 30,
                   "maturity_date": "2028-01-01"}],
    }  # fmt: skip
    block.update(finance)
    return small_fleet(finance=block)


def _covenant(kind: str, value: float) -> dict[str, Any]:
    return _money(covenants=[{"name": "c", "type": kind, "value": value}])


@pytest.mark.parametrize(("fleet", "field", "says"), [
    (_money(cash_usd=INF), "finance.cash_usd", "finite number"),
    (_money(cash_usd=NAN), "finance.cash_usd", ".nan is not a number"),
    (_money(cash_usd=1e300), "finance.cash_usd", "at most 1000000000000"),
    (_covenant("min_dscr", -1.0), "finance.covenants[0]", "value: 1.25"),
    (_covenant("min_dscr", INF), "finance.covenants[0].value", "finite number"),
    (_covenant("min_liquidity", NAN), "finance.covenants[0].value", ".nan is not a number"),
    (_covenant("min_liquidity", -5.0), "finance.covenants[0]", "below zero"),
    # printed a 300-digit amount in its warning
    (_covenant("min_liquidity", 1e308), "finance.covenants[0]", "above 1,000,000,000,000"),
    (small_fleet(sites=[{"name": "a", "curtail_below_hashprice_usd_per_ph_day": 1e300}]),
     "sites[0].curtail_below_hashprice_usd_per_ph_day", "at most 1000000000000"),
    (_money(btc_pledges=[{"name": "p", "btc": 10, "obligation_usd": 5e5,
                          "margin_call_ltv": 0.8, "until_date": "2025-12-01"}]),
     "finance.btc_pledges[0].until_date", "not after start_date"),
    (_money(covenants=[{"name": "h", "type": "hashrate_commitment", "quarters": [
        {"quarter_end": "2025-12-31", "min_ths": 1000}]}]),
     "finance.covenants[0].quarters[0].quarter_end", "not after start_date"),
    # ambiguous: a covenant's loan: l covered both loans, and which min_ths held the
    # quarter was a guess
    (_money(loans=[{"name": "l", "principal_usd": 1e5, "rate_per_year": 0.1,
                    "maturity_date": "2028-01-01"}] * 2,
            covenants=[{"name": "d", "type": "min_dscr", "value": 1.2, "loan": "l"}]),
     "finance", "loans[0] and loans[1] are both named 'l'"),
    (_money(covenants=[{"name": "h", "type": "hashrate_commitment", "quarters": [
        {"quarter_end": "2026-03-31", "min_ths": 1000},
        {"quarter_end": "2026-03-31", "min_ths": 2000}]}]),
     "finance.covenants[0]", "quarters: quarter_end 2026-03-31 is given 2 times"),
    (small_fleet(spares=[{"site": "a", "part": "fan", "on_hand": 999_999_999_999}]),
     "spares[0].on_hand", "at most 100000000"),
    (small_fleet(spares=[{"site": "a", "part": "fan", "on_hand": 3, "target": 2**40}]),
     "spares[0].target", "at most 100000000"),
    # overflowed into the plan's whole swaps a day (an OverflowError)
    (small_fleet(sites=[{"name": "a", "swaps_per_technician_day": 1e308}]),
     "sites[0].swaps_per_technician_day", "at most 500"),
    (small_fleet(sites=[{"name": "a", "swaps_per_technician_day": 9e18}]),
     "sites[0].swaps_per_technician_day", "at most 500"),
    (small_fleet(start_date="9999-01-01"), "start_date", "at most 2050-12-31"),
    (small_fleet(sites=[{"name": "a", "country": "Narnia"}]), "sites[0].country",
     "not an ISO country code"),
    (small_fleet(name=""), "name", "at least 1"),
    (small_fleet(start_date="1900-01-01"), "start_date", "at least 2009-01-03"),
    # was told only that "datetimes provided to dates should have zero time"
    (small_fleet(start_date=20261201), "start_date",
     "20261201 is a number, not a date — fix: write the date as YYYY-MM-DD, e.g. 2026-12-01"),
    # YAML reads NO (Norway) as False: was told only to "write text"
    (small_fleet(sites=[{"name": "a", "country": False}]), "sites[0].country",
     "False is not text — fix: quote it (in YAML, false, no and off read as False"),
])  # fmt: skip
def test_impossible_values_are_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], fleet: dict[str, Any], field: str,
    says: str,
) -> None:  # fmt: skip
    result = runner.invoke(app, ["validate", str(write_yaml(fleet, "fleet.yaml"))])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert f"fleet.yaml: {field}" in line and says in line and "fix:" in line, line


@pytest.mark.parametrize(("row", "column"), [
    ("fan,*,1.6,nan,x", "first_year_failures_per_part"),
    ("fan,*,inf,0.015,x", "weibull_shape"),
])  # fmt: skip
def test_a_failure_rate_that_is_not_a_finite_number_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path, row: str, column: str
) -> None:  # fmt: skip
    """NaN passed every bound of the rates file and then hung the run."""
    rates = tmp_path / "rates.csv"
    rates.write_text("part,applies_to,weibull_shape,first_year_failures_per_part,source\n"
                     f"{row}\n", encoding="utf-8")  # fmt: skip
    fleet = write_yaml(small_fleet(failure_rates="rates.csv"), "fleet.yaml")
    for command in (["validate", str(fleet)], ["run", str(fleet), "--paths", "2",
                                                 "--horizon", "5", "-q"]):  # fmt: skip
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert f"rates.csv: row 2, {column}" in result.output and "finite" in result.output
        assert "fix:" in result.output


@pytest.mark.parametrize(("rows", "where", "says"), [
    (["fan,antminer-s19j-pr,1.5,0.9,x"], "row 2, applies_to",
     "unknown model or family 'antminer-s19j-pr' — fix: did you mean antminer-s19j-pro"),
    (["fan,*,1.5,0.02,x", "fan,*,1.2,0.05,y"], "row 3", "fan for * is given in row 2 already"),
    # was told "use a value ≥ 0", of a range of 0.2-10
    (["fan,*,-1,0.02,x"], "row 2, weibull_shape",
     "-1 is outside 0.2-10 — fix: use 0.2 to 10: a Weibull"),
])  # fmt: skip
def test_a_failure_rate_no_machine_would_take_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path, rows: list[str],
    where: str, says: str,
) -> None:  # fmt: skip
    """A row for a model or family the catalogue does not know matched no machine, and a
    second row for one part and model was ignored: both left the rate the user wrote
    unused without a word (a typo gave 15 fan failures instead of 276)."""
    rates = tmp_path / "rates.csv"
    rates.write_text("part,applies_to,weibull_shape,first_year_failures_per_part,source\n"
                     + "\n".join(rows) + "\n", encoding="utf-8")  # fmt: skip
    fleet = write_yaml(small_fleet(failure_rates="rates.csv"), "fleet.yaml")
    result = runner.invoke(app, ["validate", str(fleet)])
    assert result.exit_code == 2, result.output
    assert f"rates.csv: {where}: {says}" in " ".join(result.output.split())


@pytest.mark.parametrize(("cells", "where"), [
    ({"power_w": "inf"}, "row 2"),
    ({"hashboards": "1000000000"}, "row 2, hashboards"),
    ({"fans": "-1"}, "row 2, fans"),
    ({"hashrate_ths": "0", "power_w": "0", "efficiency_j_per_th": "0"}, "row 2, hashrate_ths"),
    ({"cooling": "plasma"}, "row 2, cooling: unknown cooling 'plasma'"),
])  # fmt: skip
def test_a_catalogue_row_no_machine_has_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path, cells: dict[str, str],
    where: str,
) -> None:  # fmt: skip
    """An infinite power, a billion hashboards (which ran for minutes as billions of parts)
    or a machine of no hashrate: exit 2 naming the row and column."""
    models = tmp_path / "models.csv"
    bundled = Path(__file__).resolve().parents[2] / "src/hashshock/data/models.csv"
    header, first = bundled.read_text(encoding="utf-8").splitlines()[:2]
    row = dict(zip(header.split(","), first.split(","), strict=True))
    row.update(slug="my-miner", name="My", family="my-fam", **cells)
    models.write_text(header + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    fleet = write_yaml(small_fleet(catalog="models.csv"), "fleet.yaml")
    result = runner.invoke(app, ["validate", str(fleet)])
    assert result.exit_code == 2, result.output
    assert f"models.csv: {where}" in result.output and "fix:" in result.output


def test_a_catalogue_giving_one_slug_twice_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    """The last row of a slug replaced the first without a word: 50 machines of my-x at
    200 TH/s ran at 100 TH/s (5.0 PH/s, not 10.0). Both rows are named (a blank line is
    counted)."""
    models = tmp_path / "models.csv"
    bundled = Path(__file__).resolve().parents[2] / "src/hashshock/data/models.csv"
    header, first = bundled.read_text(encoding="utf-8").splitlines()[:2]
    row = dict(zip(header.split(","), first.split(","), strict=True))
    row.update(slug="my-x", name="My", family="my-fam")
    models.write_text(f"{header}\n{','.join(row.values())}\n\n{','.join(row.values())}\n",
                      encoding="utf-8")  # fmt: skip
    fleet = small_fleet(catalog="models.csv")
    fleet["cohorts"][0]["model"] = "my-x"
    for command in (["validate", str(write_yaml(fleet, "fleet.yaml"))],
                    ["catalog", "--extra", str(models)]):  # fmt: skip
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        line = " ".join(result.output.split())
        assert "models.csv: row 4, slug: my-x is given in row 2 already" in line, line
        assert "fix: give each model one row" in line and "Traceback" not in line


@pytest.mark.parametrize(("rows", "where", "says"), [
    ("model,count,site,install_date\nantminer-s19,10,a,2022-01-01\n\n"
     "antminer-s19,5,nowhere,2022-01-01\n", "cohorts.csv: row 4, site", "not defined"),
    ("model,count,site,install_date\nantminer-s19,-3,a,2022-01-01\n",
     "cohorts.csv: row 2, count", "at least 0"),
    ("model,count,site,install_date,color\nantminer-s19,10,a,2022-01-01,red\n",
     "cohorts.csv: header", "unknown column 'color'"),
    ("", "cohorts.csv", "no cohorts"),
    # was told only "missing columns"
    ("model;count;site;install_date\nantminer-s19;10;a;2022-01-01\n",
     "cohorts.csv: header", "separated by semicolons, not commas"),
    ("model\tcount\tsite\tinstall_date\nantminer-s19\t10\ta\t2022-01-01\n",
     "cohorts.csv: header", "separated by tabs, not commas"),
    ("Model,Count,site,install_date\nantminer-s19,10,a,2022-01-01\n", "cohorts.csv: header",
     "missing column(s) model, count — fix: write model for Model, count for Count"),
    ("model,count,install_date\nantminer-s19,10,2022-01-01\n", "cohorts.csv: header",
     "missing column(s) site"),
])  # fmt: skip
def test_a_cohorts_csv_is_told_by_its_own_rows(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path, rows: str, where: str,
    says: str,
) -> None:  # fmt: skip
    """A cohort of the CSV is named by the CSV's row (blank lines counted), not by its
    place in the fleet's list; columns a cohort cannot have, and an empty file, are
    refused like a fleet file's unknown fields."""
    (tmp_path / "cohorts.csv").write_text(rows, encoding="utf-8")
    fleet = write_yaml(small_fleet(cohorts_csv="cohorts.csv"), "fleet.yaml")
    result = runner.invoke(app, ["validate", str(fleet)])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert f"{where}:" in line and says in line and "fix:" in line, line


_RATES_HEADER = "part,applies_to,weibull_shape,first_year_failures_per_part,source"


@pytest.mark.parametrize(("fleet", "file", "text", "column"), [
    (small_fleet(cohorts_csv="cohorts.csv"), "cohorts.csv",
     "model,count,site,install_date,count\nantminer-s21,10,a,2024-06-01,99\n", "count"),
    (small_fleet(failure_rates="rates.csv"), "rates.csv",
     f"{_RATES_HEADER},weibull_shape\nfan,*,1.5,0.9,x,3\n", "weibull_shape"),
    (small_fleet(catalog="models.csv"), "models.csv",
     "slug,slug\nmy-x,my-y\n", "slug"),
])  # fmt: skip
def test_a_csv_column_given_twice_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path, fleet: dict[str, Any],
    file: str, text: str, column: str,
) -> None:  # fmt: skip
    """A row keeps only the last copy of a repeated column: a cohorts CSV of count 10 and
    count 99 ran 99 machines without a word. Every CSV input is read by one reader, which
    refuses it, naming the column and where it repeats."""
    (tmp_path / file).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(write_yaml(fleet, "fleet.yaml"))])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert f"{file}: header: column {column} appears 2 times (columns" in line, line
    assert f"fix: keep one {column} column" in line and "Traceback" not in line


@pytest.mark.parametrize(("events", "says"), [
    ([{"type": "customs_hold", "name": "x", "hold_probability": 0.5, "hold_days": 30}] * 2,
     "two events are named 'x'"),
    ([{"type": "customs_hold", "hold_probability": 0.5, "hold_days": 30, "duration_days": 0}],
     "never acts"),
    ([{"type": "repair_turnaround_change", "vendors": ["bitmain"],
       "extra_days": 99999999999999999999999}], "less than or equal to 3650"),
    ([{"type": "lead_time_change", "vendors": ["bitmain"], "extra_days": -10**12}],
     "greater than or equal to -3650"),
    ([{"type": "tariff_change", "rate_pct": 1e308}], "less than or equal to 1000"),
    # leaked numpy's overflow warning and a cash p5 of -1.56e308
    ([{"type": "customs_hold", "hold_probability": 0.5, "hold_days": 10,
       "storage_fee_usd_per_unit_day": 1e308}],
     "storage_fee_usd_per_unit_day: 1e+308: input should be less than or equal to "
     "1000000000000 — fix: use a value of at most 1000000000000"),
    # end_day had no upper bound: 10¹¹ ran as an event that never ends
    ([{"type": "parts_supply_stop", "end_day": 100_000_000_000}],
     "end_day: 100000000000: input should be less than or equal to 3650"),
    ([{"type": "parts_supply_stop", "end_day": 1e23}],
     "end_day: 1e+23 is far too large a whole number"),
    ([{"type": "parts_supply_stop", "start_day": 1e23}], "start_day: 1e+23 days is outside"),
    ([{"type": "parts_supply_stop", "duration_days": 1e23}],
     "duration_days: 1e+23 days is outside"),
    ([{"type": "parts_supply_stop", "vendors": []}], "vendors is an empty list"),
])  # fmt: skip
def test_scenario_events_that_cannot_be_meant_are_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], events: list[dict[str, Any]], says: str
) -> None:  # fmt: skip
    """Two events of one name would share their random draws; an event lasting 0 days
    never acts (and was said to have ended before the start)."""
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    scenario = write_yaml({"name": "mine", "events": events}, "scenario.yaml")
    result = runner.invoke(app, ["validate", str(fleet), "--scenario", str(scenario)])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "scenario.yaml" in line and says in line and "Traceback" not in line
    assert "fix:" in result.output


HUGE_DAYS = 100_000_000_000


@pytest.mark.parametrize(("fleet", "field", "says"), [
    (small_fleet(repair_routes={"psu": {"in_house_days": {
        "dist": "uniform", "low": 1, "high": HUGE_DAYS}}}),
     "repair_routes.psu.in_house_days", "high 100000000000 days is outside 0..3650"),
    (small_fleet(repair_routes={"psu": {"in_house_days": 10**24}}),
     "repair_routes.psu.in_house_days", "1e+24 days is outside 0..3650"),
    (small_fleet(replenishment={"lead_time_days": {
        "dist": "triangular", "low": 1, "mode": 2, "high": HUGE_DAYS}}),
     "replenishment.lead_time_days", "high 100000000000 days is outside"),
    (small_fleet(replenishment={"lead_time_days": {
        "dist": "empirical", "values": [1, 10**30]}}),
     "replenishment.lead_time_days", "values 1e+30 days is outside"),
    (small_fleet(replenishment={"lead_time_days": {
        "dist": "lognormal", "mean": 1e300, "cv": 1e300}}),
     "replenishment.lead_time_days", "a log-normal needs a mean in (0, 3650] days"),
    (small_fleet(replenishment={"lead_time_days": INF}),
     "replenishment.lead_time_days", "inf is not a whole number of days"),
])  # fmt: skip
def test_a_delay_past_ten_years_is_refused_before_its_days_are_built(
    write_yaml: Callable[[dict[str, Any], str], Path], fleet: dict[str, Any], field: str,
    says: str,
) -> None:  # fmt: skip
    """A uniform to 10¹¹ days built its whole range first (a MemoryError; to 10⁷, 2.4 s
    and 690 MB before the refusal), and 10²⁴ days overflowed an int64: each bound is
    checked before anything is built."""
    result = runner.invoke(app, ["validate", str(write_yaml(fleet, "fleet.yaml"))])
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "Traceback" not in line and result.output.count("error:") == 1
    assert f"fleet.yaml: {field}: {says}" in line and "fix:" in line, line


def test_a_scenario_delay_past_ten_years_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path],
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    event = {"type": "customs_hold", "hold_probability": 0.5,
             "hold_days": {"dist": "uniform", "low": 1, "high": 5_000_000_000}}  # fmt: skip
    scenario = write_yaml({"name": "mine", "events": [event]}, "scenario.yaml")
    result = runner.invoke(app, ["validate", str(fleet), "--scenario", str(scenario)])
    assert result.exit_code == 2, result.output
    assert "scenario.yaml: events[0].customs_hold.hold_days: high 5000000000 days" in (
        " ".join(result.output.split()))  # fmt: skip


def test_a_market_file_naming_a_folder_says_so(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    fleet = write_yaml(small_fleet(), "fleet.yaml")
    market = write_yaml({"price": {"model": "deck", "csv": "."}}, "market.yaml")
    result = runner.invoke(app, ["validate", str(fleet), "--market", str(market)])
    assert result.exit_code == 2, result.output
    assert "market.yaml: price.csv" in result.output and "is a folder" in result.output


def test_a_file_named_in_an_input_that_is_a_pipe_is_said_to_be_one(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    """A cohorts CSV, a price deck or a catalogue that is a FIFO (or /dev/stdin) was "not
    found"; it is there, and not a file a run can read as one."""
    import os

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    fleet = write_yaml(small_fleet(cohorts_csv=str(pipe)), "fleet.yaml")
    result = runner.invoke(app, ["validate", str(fleet)])
    assert result.exit_code == 2 and "is not a regular file" in result.output, result.output
    plain = write_yaml(small_fleet(), "plain.yaml")
    market = write_yaml({"price": {"model": "deck", "csv": str(pipe)}}, "market.yaml")
    result = runner.invoke(app, ["validate", str(plain), "--market", str(market)])
    assert result.exit_code == 2 and "is not a regular file" in result.output, result.output


def test_a_yaml_whose_aliases_expand_exponentially_is_refused_at_once(tmp_path: Path) -> None:
    """Eight anchors each repeating the one before nine times expand to 9⁸ values (it took
    35 s to be refused field by field); an alias inside itself never ends. Both are
    refused on reading, naming the cause."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for before, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]")
    for text, file in (("\n".join([*lines, "sites: *h"]), "bomb.yaml"),
                       ("sites: &s [*s]", "loop.yaml")):  # fmt: skip
        (tmp_path / file).write_text(text + "\n", encoding="utf-8")
        result = runner.invoke(app, ["validate", str(tmp_path / file)])
        assert result.exit_code == 2, result.output
        assert "expands to more than 2,000,000 values" in result.output


def test_values_are_counted_as_written_and_as_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list shared nine times in each of three levels is 28 values as written and 820
    expanded; a plain file over the limit is told to use a CSV, not blamed on aliases."""
    import hashshock.inputs.files as files

    inner = [1] * 9
    middle = [inner] * 9
    assert files.value_counts([middle] * 9) == (820, 28)
    assert files.value_counts({"x": [1, 2], "y": {"z": 3}}) == (9, 9)
    monkeypatch.setattr(files, "MAX_YAML_VALUES", 10)
    with pytest.raises(files.InputError, match="holds more than 10 values"):
        files.parse_yaml_mapping("sites: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "big.yaml")
    with pytest.raises(files.InputError, match="expands to more than 10 values"):
        files.parse_yaml_mapping("a: &a [1, 2, 3]\nb: [*a, *a]", "alias.yaml")


def test_true_or_false_where_a_number_belongs_is_refused(
    write_yaml: Callable[[dict[str, Any], str], Path], tmp_path: Path
) -> None:
    """pydantic reads True as 1 and YAML reads ``yes`` and ``on`` as True: a cash of
    ``yes`` ran as $1, a market's ``us_share: true`` as a share of 1, a sweep's ``paths:
    true`` as one path. Refused at the field, in files and mappings alike; a field that
    takes a truth value (``network_wide``) still does."""
    import hashshock
    from hashshock.inputs.errors import InputError
    from hashshock.market import load_market

    result = runner.invoke(app, ["validate", str(write_yaml(_money(cash_usd=True), "f.yaml"))])
    assert result.exit_code == 2 and "f.yaml: finance.cash_usd: True is not a number" in (
        result.output)  # fmt: skip
    (tmp_path / "m.yaml").write_text("network:\n  us_share: yes\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(write_yaml(small_fleet(), "g.yaml")),
                                 "--market", str(tmp_path / "m.yaml")])  # fmt: skip
    assert result.exit_code == 2 and "network.us_share: True is not a number" in result.output
    with pytest.raises(InputError) as raised:
        load_market({"as_of": {"btc_price_usd": True}})
    assert raised.value.field == "as_of.btc_price_usd"
    farm = str(EXAMPLES / "small-farm" / "fleet.yaml")
    varied = [{"path": "fleet.operations.downtime_share", "values": [0.0, 0.1]}]
    spec = {"base": {"fleet": farm, "scenario": "sanctions"}, "method": "oneway",
            "paths": True, "horizon_days": 30, "metrics": ["availability:29"],
            "inputs": varied}  # fmt: skip
    with pytest.raises(InputError) as raised:
        hashshock.sweep(spec)
    assert raised.value.field == "paths" and "True is not a number" in raised.value.message
    event = {"name": "held", "type": "customs_hold", "probability": False, "start_day": 0,
             "hold_days": 10, "vendors": ["bitmain"]}  # fmt: skip
    with pytest.raises(InputError) as raised:
        hashshock.run(small_fleet(), {"name": "x", "events": [event]}, paths=2, horizon_days=5)
    assert raised.value.field is not None and raised.value.field.endswith("probability")
    narrow = {"name": "x", "include": ["sanctions"], "network_wide": False}
    wide = hashshock.run(small_fleet(), narrow, paths=2, horizon_days=5)
    assert wide.scenario == "x"


def test_a_quote_never_closed_in_a_csv_is_named_as_such(tmp_path: Path) -> None:
    """Read leniently, the rest of the file became one cell and the message named a column
    left empty ("row 2, model: empty"); text after a closing quote is read as before."""
    from hashshock.inputs.errors import InputError
    from hashshock.inputs.files import read_csv_rows

    path = tmp_path / "log.csv"
    path.write_text('machine,model\nm0,s19\n"m1,s19\nm2,s21\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_csv_rows(path)
    assert raised.value.field == "line 3" and "never closed" in raised.value.problem
    path.write_text('machine,model\n"m1"x,s19\n', encoding="utf-8")
    assert read_csv_rows(path) == [{"machine": "m1x", "model": "s19"}]


def test_a_linked_fleet_or_industry_reads_its_files_beside_the_real_file(
    tmp_path: Path,
) -> None:
    """A fleet or industry file reached through a symbolic link reads its relative files
    (a cohorts CSV, a template) from the real file's folder, as a scenario's includes
    do: from the link's folder they were "not found"."""
    from hashshock.industry.load import load_industry
    from hashshock.inputs.load import load_fleet

    real, linked = tmp_path / "real", tmp_path / "linked"
    real.mkdir()
    linked.mkdir()
    (real / "cohorts.csv").write_text(
        "model,count,site,install_date\nantminer-s21,10,a,2024-06-01\n", encoding="utf-8"
    )
    fleet = small_fleet(cohorts_csv="cohorts.csv")
    del fleet["cohorts"]
    (real / "fleet.yaml").write_text(yaml.safe_dump(fleet), encoding="utf-8")
    (real / "industry.yaml").write_text(yaml.safe_dump({
        "name": "t", "start_date": fleet["start_date"],
        "operators": [{"name": "a", "template": "fleet.yaml", "machines": 20}]}),
        encoding="utf-8")  # fmt: skip
    for name in ("fleet.yaml", "industry.yaml"):
        (linked / name).symlink_to(real / name)
    assert load_fleet(linked / "fleet.yaml").machines == 10
    assert load_industry(linked / "industry.yaml").members[0].loaded.machines == 20
