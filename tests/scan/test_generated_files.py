"""The files hashshock writes for itself to read (``audit --scenario-out``, ``fit --out``):
never one that `hashshock run` would refuse, and never over a file of another kind (as
``scan --inventory``); an earlier file of their own kind is replaced, and kept as
FILE.bak when its content differs (as ``scan --out`` keeps a fleet file)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from tests.conftest import EXAMPLES
from typer.testing import CliRunner

from hashshock.cli.app import app as hashshock_app

FLEET = EXAMPLES / "small-farm" / "fleet.yaml"
LOG = EXAMPLES / "small-farm" / "repairs.csv"


def _invoke(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--start-day", "5000"], "--start-day: 5000 days is more than a scenario file allows"),
        (["--duration-days", "4000"], "--duration-days: 4000 days is more than"),
        (["--scenario-name", "baseline"], "--scenario-name: baseline is the no-shock reference"),
        (["--scenario-name", " "], "--scenario-name: is empty"),
    ],
)
def test_audit_refuses_a_scenario_run_would_refuse(
    cli_app: typer.Typer, tmp_path: Path, options: list[str], said: str
) -> None:
    """--start-day 5000 was a pydantic traceback; --scenario-name baseline wrote a file
    that `run` then refused."""
    out = tmp_path / "rd.yaml"
    code, output = _invoke(cli_app, "audit", str(FLEET), "--scenario-out", str(out), *options)
    assert code == 2, output
    assert output.startswith(f"error: {said}") and "fix: " in output
    assert "Traceback" not in output and not out.exists()


def test_the_day_limit_and_the_reserved_name_are_runs_own() -> None:
    from hashshock.dists import MAX_DELAY_DAYS
    from hashshock.prepare import BASELINE
    from hashshock.scan.exposure import BASELINE as AUDIT_BASELINE
    from hashshock.scan.exposure import check_scenario_options

    assert AUDIT_BASELINE == BASELINE
    check_scenario_options("rd", MAX_DELAY_DAYS, MAX_DELAY_DAYS)  # the limit itself is fine


def test_a_scenario_audit_writes_runs(tmp_path: Path) -> None:
    out = tmp_path / "rd.yaml"
    code, output = _invoke(hashshock_app, "audit", str(FLEET), "--scenario-out", str(out),
                           "--start-day", "3650", "--scenario-name", "remote [x]")  # fmt: skip
    assert code == 0, output
    code, output = _invoke(hashshock_app, "run", str(FLEET), "-s", str(out), "-n", "5",
                           "--horizon", "30")  # fmt: skip
    assert code == 0, output


def test_scenario_out_replaces_only_a_scenario(cli_app: typer.Typer, tmp_path: Path) -> None:
    fleet_copy = tmp_path / "fleet.yaml"
    fleet_copy.write_bytes(FLEET.read_bytes())
    code, output = _invoke(cli_app, "audit", str(FLEET), "--scenario-out", str(fleet_copy))
    assert code == 2 and "--scenario-out: exists and is not a hashshock scenario file" in output
    assert fleet_copy.read_bytes() == FLEET.read_bytes()
    earlier = tmp_path / "rd.yaml"
    for start in ("10", "20"):  # the second audit replaces the first one's scenario
        args = ["--scenario-out", str(earlier), "--start-day", start]
        code, output = _invoke(cli_app, "audit", str(FLEET), *args)
        assert code == 0, output
        assert f"start_day: {start}" in earlier.read_text(encoding="utf-8")
    # ... and keeps it, which its user may have edited, as rd.yaml.bak (then .bak.1)
    assert "start_day: 10" in (tmp_path / "rd.yaml.bak").read_text(encoding="utf-8")
    assert "previous file kept as" in output
    code, output = _invoke(cli_app, "audit", str(FLEET), "--scenario-out", str(earlier),
                           "--start-day", "20")  # fmt: skip
    assert code == 0 and not (tmp_path / "rd.yaml.bak.1").exists()  # the same text: no copy


def test_fit_out_replaces_only_failure_rates(tmp_path: Path) -> None:
    fleet_copy = tmp_path / "fleet.yaml"
    fleet_copy.write_bytes(FLEET.read_bytes())
    fit = ["fit", str(LOG), "--as-of", "2026-11-30", "--out"]
    code, output = _invoke(hashshock_app, *fit, str(fleet_copy))
    assert code == 2 and "--out: exists and is not a failure-rates CSV" in output
    assert fleet_copy.read_bytes() == FLEET.read_bytes()
    rates = tmp_path / "rates.csv"
    for _ in range(2):  # its own earlier output is replaced
        code, output = _invoke(hashshock_app, *fit, str(rates))
        assert code == 0, output
    assert rates.read_text(encoding="utf-8").startswith("part,applies_to,weibull_shape")
    edited = rates.read_text(encoding="utf-8") + "# my note\n"
    rates.write_text(edited, encoding="utf-8")  # an edited file is kept before replacing,
    rates.chmod(0o600)  # with its permissions: a private file's backup is private too
    code, output = _invoke(hashshock_app, *fit, str(rates))
    assert code == 0 and "previous file kept as" in output
    backup = tmp_path / "rates.csv.bak"
    assert backup.read_text(encoding="utf-8") == edited
    assert backup.stat().st_mode & 0o777 == 0o600


def test_a_fleet_file_s_scenario_takes_the_fleet_s_name(cli_app: typer.Typer,
                                                         tmp_path: Path) -> None:  # fmt: skip
    """The three examples are all fleet.yaml: their scenarios were all
    remote-disable-fleet, and each run table said so."""
    import yaml

    out = tmp_path / "rd.yaml"
    code, output = _invoke(cli_app, "audit", str(FLEET), "--scenario-out", str(out))
    assert code == 0, output
    name = yaml.safe_load(FLEET.read_text(encoding="utf-8"))["name"]
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["name"] == f"remote-disable-{name}"


def test_an_audit_of_a_large_fleet_reads_in_ph_s_with_thousands_separated() -> None:
    """The mid-size example's vendor table read "25000" machines and "3,829,000.0" TH/s
    under a headline in PH/s."""
    code, output = _invoke(hashshock_app, "audit", str(EXAMPLES / "midsize-public-miner"
                                                       / "fleet.yaml"))  # fmt: skip
    assert code == 0, output
    assert "25,000" in output and "3,829.0" in output and "TH/s" not in output
    small = _invoke(hashshock_app, "audit", str(FLEET))[1]  # 500 machines: still PH/s
    assert "PH/s" in small
